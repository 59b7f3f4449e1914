/**
 * The hyperparameter views: which config keys are swept, how their axes are drawn, the parallel-coordinates,
 * scatter and seed-band rows, and that the charts render.
 */
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import type { RunData, RunState, SeriesPoint } from "../lib/results/read_results.ts";
import { axisKind, bandRows, parallelRows, scatterRows, seedGroups, sweptKeys } from "../lib/report/hparam_rows.ts";
import { bandSpec, parallelSpec, scatterSpec } from "../lib/report/hparam_specs.ts";
import { renderSvg } from "../lib/report/svg.ts";
import type { RunConfigFile } from "../lib/results/records.ts";

function point(step: number, values: Record<string, number>): SeriesPoint {
  return { step, epoch: null, values };
}

function run(id: string, config: Record<string, unknown>, state: RunState, opts: {
  steps?: SeriesPoint[];
  evals?: SeriesPoint[];
} = {}): RunData {
  return {
    id,
    dir: id,
    gridValues: {},
    config: { config } as unknown as RunConfigFile,
    status: null,
    state,
    steps: opts.steps ?? [],
    epochs: [],
    evals: opts.evals ?? [],
    samples: [],
    gif: null,
  };
}

const base = { arch: "mlp", steps: 100, beta1: 0.5 };
const runs = [
  run("a", { ...base, lr: 1e-2, seed: 1, noise: "normal" }, "diverged", { evals: [point(100, { fcd: 300 })] }),
  run("b", { ...base, lr: 1e-4, seed: 1, noise: "uniform" }, "completed", { evals: [point(100, { fcd: 40 })] }),
  run("c", { ...base, lr: 1e-3, seed: 2, noise: "normal" }, "completed", { evals: [point(100, { fcd: 60 })] }),
  run("d", { ...base, lr: 1e-3, seed: 1, noise: "normal" }, "running"),
];

Deno.test("sweptKeys lists the config keys that vary, without seed or constant keys", () => {
  assertEquals(sweptKeys(runs), ["lr", "noise"]);
});

Deno.test("a run known by its grid values only (not started, config.json unreadable) makes no other key swept", () => {
  const bare: RunData = { ...run("e", {}, "pending"), config: null, gridValues: { lr: 1e-3, noise: "normal" } };
  assertEquals(sweptKeys([...runs, bare]), ["lr", "noise"]);
  const broken: RunData = { ...bare, state: "completed", evals: [point(100, { fcd: 50 })] };
  const rows = scatterRows([...runs, broken], ["lr", "noise", "beta1"], "fcd");
  assert(rows.every((r) => r.key !== "beta1" || r.run !== "e"), "no point without a value on a numeric axis");
  assertEquals(rows.filter((r) => r.run === "e").map((r) => r.x), [1e-3, "normal"]);
});

Deno.test("axisKind draws learning rates and keys spanning orders of magnitude on a log axis", () => {
  assertEquals(axisKind("lr", [1e-3, 2e-3]), "log");
  assertEquals(axisKind("lrD", [1e-3, 2e-3]), "log");
  assertEquals(axisKind("noiseDim", [10, 100]), "linear");
  assertEquals(axisKind("trainSize", [100, 60000]), "log");
  assertEquals(axisKind("beta1", [0, 0.5]), "linear");
  assertEquals(axisKind("lr", [0, 1e-3]), "linear", "zero cannot sit on a log axis");
  assertEquals(axisKind("noise", ["normal", "uniform"]), "category");
});

Deno.test("parallelRows places each run on every axis and marks runs without a value and stopped runs", () => {
  const { rows, ticks } = parallelRows(runs, ["lr", "noise"], "fcd");
  assertEquals(rows.length, 4 * 3, "4 runs × (2 keys + the metric)");
  const at = (r: string, axis: string) => rows.find((x) => x.run === r && x.axis === axis)!;
  assertEquals(at("a", "lr").pos, 1, "the largest lr at the top");
  assertEquals(at("b", "lr").pos, 0);
  assertAlmostEquals(at("c", "lr").pos, 0.5, 1e-9, "1e-3 halfway between 1e-4 and 1e-2 on the log axis");
  assertEquals(at("b", "noise").pos, 1, "categories in sorted order");
  assertEquals(at("a", "fcd").pos, 1);
  assertEquals(at("b", "fcd").pos, 0);
  assertEquals(at("d", "fcd").metric, null, "a run with no evaluation has no colour");
  assertEquals(at("a", "lr").stopped, true);
  assertEquals(at("c", "lr").stopped, false);
  assertEquals(ticks.filter((t) => t.axis === "lr").map((t) => t.text), ["0.0001", "0.001", "0.01"]);
});

Deno.test("scatterRows gives one point per run with a value and swept key", () => {
  const rows = scatterRows(runs, ["lr", "noise"], "fcd");
  assertEquals(rows.length, 3 * 2);
  assertEquals(rows.filter((r) => r.key === "lr").map((r) => r.x), [1e-2, 1e-4, 1e-3]);
  assertEquals(rows.find((r) => r.run === "b" && r.key === "noise")?.x, "uniform");
  assertEquals(rows[0]?.label, "lr=0.01 · noise=normal");
});

Deno.test("seedGroups pools runs that differ only in seed, and bandRows gives mean and range per step", () => {
  const seeded = [
    run("s1", { ...base, lr: 1e-3, seed: 1 }, "completed", {
      steps: [point(10, { dLoss: 1 }), point(20, { dLoss: 3 })],
    }),
    run("s2", { ...base, lr: 1e-3, seed: 2 }, "completed", {
      steps: [point(10, { dLoss: 3 }), point(20, { dLoss: 5 })],
    }),
    run("s3", { ...base, lr: 1e-3, seed: 3 }, "running", { steps: [point(10, { dLoss: 2 })] }),
    run("t1", { ...base, lr: 1e-4, seed: 1 }, "completed", { steps: [point(10, { dLoss: 9 })] }),
  ];
  const groups = seedGroups(seeded);
  assertEquals([...groups.keys()], ["lr=0.001"], "a config with one seed is not a band");
  assertEquals(groups.get("lr=0.001")?.map((r) => r.id), ["s1", "s2", "s3"]);
  const rows = bandRows(groups, [{ field: "dLoss", name: "D loss", source: "steps" }]);
  assertEquals(rows, [
    { group: "lr=0.001", metric: "D loss", step: 10, mean: 2, lo: 1, hi: 3, n: 3 },
    { group: "lr=0.001", metric: "D loss", step: 20, mean: 4, lo: 3, hi: 5, n: 2 },
  ]);
});

Deno.test("seedGroups labels each group by the fewest keys that tell the groups apart", () => {
  // A study's restarts: each cell's best setting differs in lr and beta1 too, but dataset and loss name the cell.
  const cells = [
    { dataset: "mnist", loss: "bce", lr: 1e-3, beta1: 0.5 },
    { dataset: "mnist", loss: "wgan", lr: 1e-3, beta1: 0.9 },
    { dataset: "fashion-mnist", loss: "bce", lr: 1e-4, beta1: 0.5 },
  ];
  const seeded = cells.flatMap((c, i) =>
    [1, 2].map((seed) => run(`c${i}s${seed}`, { ...base, ...c, seed }, "completed", { steps: [point(10, {})] }))
  );
  assertEquals([...seedGroups(seeded).keys()], [
    "dataset=mnist · loss=bce",
    "dataset=mnist · loss=wgan",
    "dataset=fashion-mnist · loss=bce",
  ]);
});

Deno.test("the parallel-coordinates, scatter and seed-band charts render with marks", async () => {
  const keys = ["lr", "noise"];
  const { rows, ticks } = parallelRows(runs, keys, "fcd");
  const kinds = new Map([["lr", "log" as const], ["noise", "category" as const]]);
  const band = bandRows(seedGroups(runs.slice(0, 2)), [{ field: "fcd", name: "fcd", source: "evals" }]);
  for (
    const spec of [
      parallelSpec(rows, ticks, [...keys, "fcd"], "fcd", "lower"),
      scatterSpec(scatterRows(runs, keys, "fcd"), keys, kinds, "fcd", "lower"),
      bandSpec(band, ["fcd"]),
    ]
  ) {
    const svg = await renderSvg(spec);
    assert(svg.includes("<path") || svg.includes("<line"), "drew marks");
  }
});
