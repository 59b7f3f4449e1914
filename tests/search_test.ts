import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import { choice, drawTrials, intUniform, logUniform, type Search, uniform, when } from "../lib/experiment/search.ts";
import { sobolPoints } from "../lib/experiment/sobol.ts";
import { validateExperiment } from "../lib/experiment/validate.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { InputError } from "../lib/input_error.ts";
import "../lib/train/builtins.ts";

const FILE = "experiments/s.ts";
const plan = (value: unknown, set?: string[]) => planSweep(validateExperiment(value, FILE), FILE, set ? { set } : {});
const refused = (value: unknown) => assertThrows(() => validateExperiment(value, FILE), InputError).message;

Deno.test("sobolPoints() gives Joe and Kuo's sequence (as scipy's unscrambled Sobol draws it) in 32 dimensions", () => {
  const points = sobolPoints(64, 32);
  assertEquals(points[0], new Array(32).fill(0));
  assertEquals(points[2]!.slice(0, 4), [0.75, 0.25, 0.25, 0.25]);
  assertEquals(points[5]!.slice(0, 12), [
    0.875,
    0.875,
    0.125,
    0.375,
    0.875,
    0.625,
    0.875,
    0.375,
    0.375,
    0.125,
    0.375,
    0.875,
  ]);
  assertEquals(
    points[63]!.slice(20, 32),
    [
      0.234375,
      0.546875,
      0.390625,
      0.546875,
      0.953125,
      0.640625,
      0.203125,
      0.296875,
      0.296875,
      0.453125,
      0.015625,
      0.921875,
    ],
  );
});

Deno.test("16 sobol trials put one value in each sixteenth of a range, where random ones leave gaps", () => {
  const bins = (strategy: Search["strategy"]) => {
    const trials = drawTrials({ strategy, trials: 16, seed: 3, space: { beta1: uniform(0, 0.8) } });
    return new Set(trials.map((t) => Math.floor((t.beta1! / 0.8) * 16))).size;
  };
  assertEquals(bins("sobol"), 16);
  assert(bins("random") < 16);
});

Deno.test("trials follow the search seed only: the same seed draws the same trials, another seed others", () => {
  const search: Search = {
    strategy: "random",
    trials: 5,
    seed: 1,
    space: { lr: logUniform(1e-5, 1e-2), noiseDim: choice([10, 64, 100]), batchSize: intUniform(32, 64) },
  };
  assertEquals(drawTrials(search), drawTrials(search));
  assertNotEquals(drawTrials(search), drawTrials({ ...search, seed: 2 }));
  for (const t of drawTrials({ ...search, trials: 200 })) {
    assert(t.lr! >= 1e-5 && t.lr! < 1e-2, `lr ${t.lr}`);
    assert([10, 64, 100].includes(t.noiseDim!));
    assert(Number.isInteger(t.batchSize) && t.batchSize! >= 32 && t.batchSize! <= 64);
  }
  const sizes = new Set(drawTrials({ ...search, trials: 400 }).map((t) => t.batchSize));
  assert(sizes.has(32) && sizes.has(64), "intUniform includes both ends");
});

Deno.test("a search crosses with the grid, each grid point with every trial, and plans the same ids every time", async () => {
  const exp = {
    name: "s",
    grid: { dataset: ["mnist", "fashion-mnist"] },
    search: { strategy: "sobol", trials: 3, seed: 7, space: { lr: logUniform(1e-4, 1e-2), beta1: uniform(0, 0.9) } },
  };
  const first = await plan(exp);
  assertEquals(first.runs.length, 6);
  assertEquals(first.runs.map((r) => r.gridValues.dataset), [
    "mnist",
    "mnist",
    "mnist",
    "fashion-mnist",
    "fashion-mnist",
    "fashion-mnist",
  ]);
  assertEquals(first.runs.slice(0, 3).map((r) => r.gridValues.lr), first.runs.slice(3).map((r) => r.gridValues.lr));
  assertMatch(first.runs[0]!.runId, /^dataset-mnist_lr-[0-9.e-]+_beta1-[0-9.]+_[0-9a-f]{6}$/);
  assertEquals((await plan(exp)).runs.map((r) => r.runId), first.runs.map((r) => r.runId));
  assertEquals(first.runs[0]!.config.lrD, first.runs[0]!.gridValues.lr, "a searched lr sets both networks' rates");
});

Deno.test("intUniform(64, 64) includes both ends: every trial draws 64", async () => {
  const p = await plan({
    name: "s",
    search: { strategy: "random", trials: 3, space: { noiseDim: intUniform(64, 64) } },
  });
  assertEquals(p.runs.map((r) => r.config.noiseDim), [64]);
});

Deno.test("a search that draws the same configuration twice trains it once", async () => {
  const p = await plan({ name: "s", search: { strategy: "random", trials: 20, space: { noiseDim: choice([8, 16]) } } });
  assertEquals(p.runs.map((r) => r.config.noiseDim).sort(), [16, 8]);
});

Deno.test("bad searches are refused with the field, the value and what would be accepted", async () => {
  const s = (search: unknown, extra: Record<string, unknown> = {}) => refused({ name: "s", search, ...extra });
  const space = { lr: logUniform(1e-4, 1e-2) };
  assertMatch(s({ strategy: "grid", trials: 2, space }), /search\.strategy: .*"random"\|"sobol"/);
  assertMatch(s({ strategy: "random", trials: 0, space }), /search\.trials: expected number to be >0/);
  assertMatch(s({ strategy: "random", trials: 2, space: {} }), /search\.space: empty; name at least one config key/);
  assertMatch(
    s({ strategy: "random", trials: 2, space: { lr: uniform(0.1, 0.01) } }),
    /search\.space\.lr: uniform\(0\.1, 0\.01\) has low ≥ high; expected low < high/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space: { noiseDim: intUniform(65, 64) } }),
    /search\.space\.noiseDim: intUniform\(65, 64\) has low > high; expected low ≤ high \(both ends are drawn\)/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space: { lr: logUniform(0, 1) } }),
    /search\.space\.lr\.low: expected number to be >0/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space: { noiseDm: choice([1]) } }),
    /search\.space\.noiseDm: unknown key; did you mean 'noiseDim'\?/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space: { lr: { distribution: "normal", mean: 1 } } }),
    /search\.space\.lr\.distribution: expected a distribution: uniform\(low, high\), logUniform.*got "normal"/,
  );
  assertMatch(
    s({ strategy: "random", trials: 8, space: { beta1: uniform(0.5, 1.5) } }),
    /search\.space\.beta1 \(trial \d\): [0-9.]+ \(number\) is not a value of beta1: expected number to be <1; narrow/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space: { noiseDim: choice([10, 6.5]) } }),
    /search\.space\.noiseDim\.values\[1\]: 6\.5 \(number\) is not a value of noiseDim: expected int/,
  );
  assertMatch(
    s({ strategy: "random", trials: 2, space }, { grid: { lr: [1e-3] } }),
    /search\.space\.lr: the grid varies lr too; vary it in the grid or the search, not both/,
  );
  const e = await assertRejects(
    () => plan({ name: "s", search: { strategy: "random", trials: 2, space } }, ["lr=0.1"]),
    InputError,
  );
  assertMatch(e.message, /^--set: lr: experiments\/s\.ts searches lr \(search\.space\.lr\), so --set cannot fix it/);
});

Deno.test("bad pruning rules are refused: unknown metric, keep outside (0, 1), rungs out of order or past the budget", async () => {
  const p = (prune: unknown, extra: Record<string, unknown> = {}) => refused({ name: "s", prune, ...extra });
  assertMatch(p({ metric: "fid", rungs: [10], keep: 0.5 }), /prune\.metric: .*"fcd"\|"kid"\|"cis"/);
  assertMatch(p({ metric: "fcd", rungs: [10], keep: 1 }), /prune\.keep: expected number to be <1, got 1/);
  assertMatch(p({ metric: "fcd", rungs: [10], keep: 0 }), /prune\.keep: expected number to be >0, got 0/);
  assertMatch(p({ metric: "fcd", rungs: [], keep: 0.5 }), /prune\.rungs: an empty list/);
  assertMatch(
    p({ metric: "fcd", rungs: [20, 10], keep: 0.5 }),
    /prune\.rungs\[1\]: 10 is not after 20; list the rungs increasing/,
  );
  assertMatch(
    p({ metric: "fcd", rungs: [10], keep: 0.5, every: 2 }),
    /prune\.every: unknown key .*known keys: metric, mode, rungs, keep/,
  );
  assertMatch(
    refused({ name: "s", collapse: { classesAtMost: -1 } }),
    /collapse\.classesAtMost: expected number to be >=0/,
  );
  assertMatch(
    refused({ name: "s", collapse: {} }),
    /collapse: an empty rule stops nothing: set classesAtMost \(e\.g\. 2\) or dWinsFor/,
  );
  const past = await assertRejects(
    () => plan({ name: "s", base: { steps: 100 }, prune: { metric: "fcd", rungs: [50, 100], keep: 0.5 } }),
    InputError,
  );
  assertMatch(past.message, /prune\.rungs\[1\]: 100 is not before the end of base's budget \(100 steps\)/);
  const unlogged = await assertRejects(
    () => plan({ name: "s", base: { steps: 100 }, prune: { metric: "labelAccuracy", rungs: [50], keep: 0.5 } }),
    InputError,
  );
  assertMatch(unlogged.message, /prune\.metric: labelAccuracy is logged by conditional kinds only .* kind gan/);
  const noEval = await assertRejects(
    () => plan({ name: "s", base: { steps: 100, evalSamples: 0 }, prune: { metric: "cis", rungs: [50], keep: 0.5 } }),
    InputError,
  );
  assertMatch(noEval.message, /prune: base has evalSamples 0, so there is no cis to rank/);
});

Deno.test("a critic loss refuses label smoothing", async () => {
  const smoothed = await assertRejects(
    () => plan({ name: "h", base: { loss: "hinge", labelSmoothing: 0.9 } }),
    InputError,
  );
  assertMatch(smoothed.message, /labelSmoothing 0\.9 with loss hinge: a critic scores on an open scale/);
  await plan({ name: "h", base: { loss: "wgan-gp", nCritic: 5 } });
});

Deno.test("a conditional search key applies where its condition holds: clipValue for wgan, BatchNorm off otherwise", async () => {
  const p = await plan({
    name: "s",
    base: { arch: "infogan", steps: 10 },
    grid: { loss: ["bce", "wgan", "wgan-gp"] },
    search: {
      strategy: "random",
      trials: 2,
      space: {
        lr: logUniform(1e-4, 1e-2),
        clipValue: when({ loss: "wgan" }, logUniform(1e-3, 1)),
        discriminatorBatchNorm: when({ loss: ["bce", "wgan"] }, choice([true, false]), false),
      },
    },
  });
  const byLoss = (loss: string) => p.runs.filter((r) => r.config.loss === loss);
  for (const r of byLoss("bce")) assert(!("clipValue" in r.gridValues), `${r.runId}: bce does not read clipValue`);
  for (const r of byLoss("wgan")) assert(typeof r.gridValues.clipValue === "number", r.runId);
  for (const r of byLoss("wgan-gp")) {
    assertEquals(r.gridValues.discriminatorBatchNorm, false, `${r.runId}: otherwise`);
    assertEquals((r.config as Record<string, unknown>).discriminatorBatchNorm, false);
  }
  const lrs = (loss: string) => byLoss(loss).map((r) => r.config.lr);
  assertEquals(lrs("bce"), lrs("wgan-gp"), "a condition changes no other key's draws");
  assertMatch(
    refused({
      name: "s",
      search: { strategy: "random", trials: 2, space: { lr: when({ los: "wgan" }, uniform(0, 1)) } },
    }),
    /search\.space\.lr\.when\.los: not a config key; did you mean 'loss'\?/,
  );
});

Deno.test("a 5,000,000-run plan (a 50-point grid × 100,000 trials) is refused at once with the count and the limit", async () => {
  const started = performance.now();
  const e = await assertRejects(
    () =>
      plan({
        name: "s",
        grid: { noiseDim: Array.from({ length: 50 }, (_, i) => i + 1) },
        search: { strategy: "random", trials: 100_000, space: { lr: logUniform(1e-5, 1e-2) } },
      }),
    InputError,
  );
  assertMatch(
    e.message,
    /the grid's 50 points × 100000 trials make 5,000,000 runs, more than the 200,000 a sweep plans/,
  );
  assert(performance.now() - started < 5_000, "refused before anything is expanded");
});

Deno.test("a search draws its keys in the file's order, whatever order the owners of options were registered in", () => {
  const space = { noiseDim: choice([8, 16]), lr: logUniform(1e-4, 1e-2) }; // config key order would put lr first
  const exp = validateExperiment({ name: "s", search: { strategy: "random", trials: 2, space } }, FILE);
  assertEquals(Object.keys(exp.search!.space), ["noiseDim", "lr"]);
  assertEquals(drawTrials(exp.search!), drawTrials({ strategy: "random", trials: 2, space }));
});
