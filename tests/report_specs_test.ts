import { assert, assertEquals } from "@std/assert";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { chooseHeatmapDims, chooseLayout, gridView, searchedGrid } from "../lib/report/grid_view.ts";
import { curveRows } from "../lib/report/curve_rows.ts";
import { compileSpec } from "../lib/report/compile.ts";
import { type ChartSpec, classHistSpec, healthSpec, heatmapSpec, lossSpec, metricsSpec } from "../lib/report/specs.ts";
import { evalMetricNames, summarizeGroups } from "../lib/report/final_values.ts";
import { chartedEvalMetrics, metricTitle } from "../lib/report/eval_info.ts";
import { classHistRows } from "../lib/report/class_hist_rows.ts";
import { renderSvg } from "../lib/report/svg.ts";
import type { FixtureOptions } from "./_report_fixtures.ts";

async function specsFor(
  opts: FixtureOptions,
): Promise<Record<string, ChartSpec>> {
  const dir = await Deno.makeTempDir();
  try {
    const root = await writeFixtureExperiment(dir, {
      epochs: 2,
      stepsPerEpoch: 40,
      ...opts,
    });
    const { runs, experiment } = await readExperimentResults(root);
    const view = gridView(experiment.grid);
    const layout = chooseLayout(view);
    const heat = chooseHeatmapDims(view);
    const curve = { layout, seeds: view.seed };
    const loss = curveRows(runs, view, layout, {
      source: "steps",
      metrics: [["dLoss", "D loss"], ["gLoss", "G loss"]],
    });
    const health = curveRows(runs, view, layout, {
      source: "steps",
      metrics: [["dReal", "D(x)"], ["dFake", "D(G(z))"]],
    });
    const evalNames = chartedEvalMetrics(evalMetricNames(runs));
    const evals = curveRows(runs, view, layout, {
      source: "evals",
      metrics: evalNames.map((m) => [m, m] as const),
    });
    const groups = summarizeGroups(runs, view);
    const cells = groups.map((g) => ({
      x: heat.x === null ? "" : String(g.gridValues[heat.x.key]),
      y: heat.y === null ? "" : String(g.gridValues[heat.y.key]),
      facet: "all",
      mean: g.stats.gLoss?.mean ?? null,
      text: "x",
      hasValue: g.stats.gLoss !== undefined,
      detail: g.label,
    }));
    return {
      loss: lossSpec(loss, curve),
      lossLog: lossSpec(loss, { ...curve, log: true }),
      health: healthSpec(health, curve),
      eval: metricsSpec(
        evals,
        { ...curve, maxStep: 80 },
        Object.fromEntries(evalNames.map((m) => [m, metricTitle(m)])),
      ),
      classHist: classHistSpec(classHistRows(runs, view, layout), { column: layout.facet }),
      heatmapLower: heatmapSpec(
        cells,
        { x: heat.x, y: heat.y, facetTitle: null },
        "fcd",
        "lower",
      ),
      heatmap: heatmapSpec(
        cells,
        { x: heat.x, y: heat.y, facetTitle: null },
        "gLoss",
      ),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertCleanSpecs(specs: Record<string, ChartSpec>) {
  for (const [name, spec] of Object.entries(specs)) {
    const { warnings } = compileSpec(spec);
    assertEquals(warnings, [], `${name} compiled with warnings`);
    const svg = await renderSvg(spec);
    assert(svg.startsWith("<svg"), `${name} did not render to SVG`);
  }
}

const grids: [string, Record<string, unknown[]>][] = [
  ["a single run (empty grid)", {}],
  ["a 1-dimensional grid", { lr: [1e-3, 2e-4, 5e-5] }],
  ["a 2-dimensional grid with seeds", {
    lr: [1e-2, 2e-4],
    noiseDim: [10, 100],
    seed: [1, 2],
  }],
  ["a 3-dimensional grid", {
    lr: [1e-2, 2e-4],
    noiseDim: [10, 100],
    loss: ["bce", "lsgan"],
  }],
];

for (const [name, grid] of grids) {
  Deno.test(`chart specs compile without Vega-Lite warnings for ${name}`, async () => {
    await assertCleanSpecs(
      await specsFor({ name: "g", grid, evalMetrics: ["fid"], evals: {} }),
    );
  });
}

Deno.test("chart specs compile without warnings when runs lack dReal, dFake and eval lines", async () => {
  const specs = await specsFor({
    name: "missing",
    grid: { lr: [1e-3, 2e-4] },
    dropFields: ["dReal", "dFake", "dAcc"],
  });
  await assertCleanSpecs(specs);
});

Deno.test("chart specs compile without warnings when every run is pending", async () => {
  await assertCleanSpecs(
    await specsFor({
      name: "empty",
      grid: { lr: [1, 2] },
      outcome: () => "pending",
    }),
  );
});

Deno.test("lossSpec puts one facet column per facet value and one row per loss", async () => {
  const specs = await specsFor({
    name: "f",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100, 200] },
  });
  const vconcat = specs.loss?.vconcat as {
    facet: { column: { title: string; sort: string[] } };
  }[];
  assertEquals(vconcat.length, 2);
  assertEquals(vconcat[0]?.facet.column.title, "noiseDim");
  assertEquals(vconcat[0]?.facet.column.sort, ["10", "100", "200"]);
});

Deno.test("compileSpec() captures Vega-Lite warnings instead of printing them", () => {
  const { warnings } = compileSpec({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values: [{ a: "x" }] },
    mark: "bar",
    encoding: { shape: { field: "a", type: "nominal" } },
  });
  assert(warnings.length > 0);
});

Deno.test("eval and class histogram specs compile cleanly with diverged, failed and pending runs and mixed classifiers", async () => {
  const specs = await specsFor({
    name: "mixed",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100], seed: [1, 2] },
    outcome: (_, i) => i === 1 ? "diverged" : i === 2 ? "failed" : i === 3 ? "pending" : "completed",
    evals: { classifier: (i) => i === 4 ? "4db884a9019e" : "cedb162e4113", n: (i) => i === 5 ? 2000 : 10_000 },
  });
  await assertCleanSpecs({ eval: specs.eval!, classHist: specs.classHist! });
});

Deno.test("metricsSpec() gives each eval metric its own row, titled with which way is better, without evalN, evalSeconds or kidStd", async () => {
  const specs = await specsFor({ name: "rows", grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] }, evals: {} });
  const parts = specs.eval?.vconcat as { title: { text: string }; transform: { filter: { equal: string } }[] }[];
  assertEquals(parts.map((p) => p.transform[0]?.filter.equal), [
    "fcd",
    "kid",
    "cis",
    "classesCovered",
    "klUniform",
    "precision",
    "recall",
  ]);
  assert(parts[0]?.title.text.includes("lower is better"));
  assert(parts[1]?.title.text.includes("kernel distance") && parts[1]?.title.text.includes("lower is better"));
  assert(parts[2]?.title.text.includes("higher is better"));
});

Deno.test("classHistSpec() lays the runs' histograms over the grid, ten bars each, and marks collapsed runs", async () => {
  const specs = await specsFor({ name: "hist", grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] }, evals: {} });
  const spec = specs.classHist as unknown as {
    facet: { column: { title: string }; row: { sort: string[] } };
    data: { values: { run: string; share: number | null; collapsed: boolean; col: string }[] };
  };
  assertEquals(spec.facet.column.title, "lr");
  assertEquals(spec.facet.row.sort, ["noiseDim=10", "noiseDim=100"]);
  const rows = spec.data.values;
  assertEquals(rows.length, 40);
  for (const run of new Set(rows.map((r) => r.run))) {
    const bars = rows.filter((r) => r.run === run);
    assertEquals(bars.length, 10);
    const total = bars.reduce((a, r) => a + (r.share ?? 0), 0);
    assert(Math.abs(total - 1) < 1e-3, `${run}: shares sum to ${total}`);
    // the fixture collapses lr=0.01 onto one class
    assertEquals(bars[0]?.collapsed, run.startsWith("lr-0.01_"), run);
  }
});

Deno.test("the class histogram follows the classifier's classes: 9 bars and a 1/9 line for emoji", async () => {
  const shares = [0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0, 0, 0];
  const rows = shares.map((share, cls) => ({
    run: "r",
    label: "r",
    col: "all",
    row: "all",
    cls,
    share,
    note: cls === 0 ? "6 of 9 classes" : "",
    collapsed: false,
    step: 10,
  }));
  const spec = classHistSpec(rows, { column: null });
  const text = JSON.stringify(spec);
  assert(text.includes('"domain":[0,1,2,3,4,5,6,7,8]'), "nine classes on the x axis");
  assert(text.includes(`"datum":${1 / 9}`), "the even share of nine classes");
  await compileSpec(spec);
});

Deno.test("a pure search is reported per trial, not pooled: each searched configuration its own row, seeds pooled", () => {
  const run = (id: string, lr: number, seed?: number) =>
    ({
      id,
      state: "completed",
      gridValues: { lr, noiseDim: 64, ...(seed === undefined ? {} : { seed }) },
      status: null,
      steps: [],
      epochs: [],
      evals: [],
    }) as unknown as Parameters<typeof summarizeGroups>[0][number];
  const runs = [run("a", 0.001, 1), run("b", 0.0002, 1), run("c", 0.001, 2), run("d", 0.01, 1)];
  const { grid, runs: seen } = searchedGrid({}, runs);
  const groups = summarizeGroups(seen, gridView(grid));
  assertEquals(groups.map((g) => [g.label, g.runs.map((r) => r.id)]), [
    ["searched=lr=0.001 noiseDim=64", ["a", "c"]],
    ["searched=lr=0.0002 noiseDim=64", ["b"]],
    ["searched=lr=0.01 noiseDim=64", ["d"]],
  ]);
  assertEquals(gridView(grid).seed?.labels, ["1", "2"], "the seeds phase's seeds are repeats");
  const plain = { lr: [0.001], noiseDim: [64] };
  assertEquals(searchedGrid(plain, [run("x", 0.001)]).grid, plain, "a plain grid is unchanged");
});
