import { assert, assertEquals, assertRejects } from "@std/assert";
import { parseJsonl } from "../lib/results/jsonl.ts";
import { NotAnExperimentError, readExperimentResults } from "../lib/results/read_results.ts";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { finalValues, summarizeGroups } from "../lib/report/final_values.ts";
import { gridView } from "../lib/report/grid_view.ts";
import { ema } from "../lib/report/smooth.ts";

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("expected a value");
  return value;
}

Deno.test("parseJsonl() keeps complete lines and reports a torn last line", () => {
  const parsed = parseJsonl(
    '{"kind":"step","step":1}\n{"kind":"step","step":2}\n{"kind":"st',
  );
  assertEquals(parsed.records.length, 2);
  assertEquals(parsed.torn, { line: 3, text: '{"kind":"st' });
  assertEquals(parsed.bad, []);
});

Deno.test("parseJsonl() accepts a complete last line without a newline", () => {
  const parsed = parseJsonl('{"a":1}\n{"a":2}');
  assertEquals(parsed.records.length, 2);
  assertEquals(parsed.torn, null);
});

Deno.test("parseJsonl() skips a corrupt middle line and blank lines", () => {
  const parsed = parseJsonl('{"a":1}\n\ngarbage\n[1]\n{"a":2}\n');
  assertEquals(parsed.records.length, 2);
  assertEquals(parsed.bad.map((b) => b.line), [3, 4]);
});

Deno.test("readExperimentResults() reads a running run up to its last complete line and warns", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "torn",
    grid: { lr: [1e-3, 2e-4] },
    outcome: (_, i) => i === 1 ? "running" : "completed",
    torn: (i) => i === 1,
  });
  const results = await readExperimentResults(root);
  const running = must(results.runs[1]);
  assertEquals(running.state, "running");
  assert(running.steps.length > 0);
  assertEquals(results.warnings.length, 1);
  assert(results.warnings[0]?.message.includes("incomplete"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readExperimentResults() reports unstarted runs as pending with grid values from the grid order", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "pending",
    grid: { lr: [1e-3, 2e-4], seed: [1, 2] },
    outcome: (_, i) => i === 3 ? "pending" : "completed",
  });
  const { runs } = await readExperimentResults(root);
  assertEquals(runs.map((r) => r.state), [
    "completed",
    "completed",
    "completed",
    "pending",
  ]);
  assertEquals(runs[3]?.gridValues, { lr: 2e-4, seed: 2 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readExperimentResults() reads eval lines with any numeric fields", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "eval",
    grid: { lr: [1e-3] },
    evalMetrics: ["fid", "inceptionScore"],
  });
  const { runs } = await readExperimentResults(root);
  const run = must(runs[0]);
  assertEquals(Object.keys(run.evals[0]?.values ?? {}).sort(), [
    "fid",
    "inceptionScore",
  ]);
  const final = finalValues(run);
  assert(final.fid !== undefined && final.inceptionScore !== undefined);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("summarizeGroups() pools seeds as mean ± sd and counts diverged runs apart", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "seeds",
    grid: { lr: [1e-3], seed: [1, 2, 3] },
    outcome: (_, i) => i === 2 ? "diverged" : "completed",
  });
  const { runs, experiment } = await readExperimentResults(root);
  const [group] = summarizeGroups(runs, gridView(experiment.grid));
  assertEquals(group?.stats.gLoss?.n, 2);
  assertEquals(group?.states, { completed: 2, diverged: 1 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readExperimentResults() rejects a missing folder and a folder without experiment.json", async () => {
  await assertRejects(
    () => readExperimentResults("/nonexistent/results/x"),
    NotAnExperimentError,
  );
  const dir = await Deno.makeTempDir();
  await assertRejects(
    () => readExperimentResults(dir),
    NotAnExperimentError,
    "experiment.json",
  );
  await Deno.writeTextFile(`${dir}/experiment.json`, "[]");
  await assertRejects(
    () => readExperimentResults(dir),
    NotAnExperimentError,
    "not an experiment file",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ema() with weight 0 is the identity and is debiased at the start", () => {
  assertEquals(ema([1, 2, 3], 0), [1, 2, 3]);
  assertEquals(ema([5, 5, 5], 0.9).map((v) => Math.round(v * 1e9) / 1e9), [
    5,
    5,
    5,
  ]);
});
