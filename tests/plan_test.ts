import { assert, assertEquals, assertThrows } from "@std/assert";
import { validateExperiment } from "../lib/experiment/validate.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { LONG_HASH_DIGITS, runIdFromHash } from "../lib/experiment/run_id.ts";
import { InputError } from "../lib/input_error.ts";
import "../lib/train/builtins.ts";

const plan = (value: unknown, only?: string[]) =>
  planSweep(validateExperiment(value, "x.ts"), "x.ts", only ? { only } : {});

Deno.test("a grid expands in the order the file declares its keys, the last fastest, with ids as before", async () => {
  const declared = await plan({ name: "g", grid: { seed: [1, 2, 3], noiseDim: [8, 16] } });
  assertEquals(declared.runs.map((r) => [r.gridValues.seed, r.gridValues.noiseDim]), [
    [1, 8],
    [1, 16],
    [2, 8],
    [2, 16],
    [3, 8],
    [3, 16],
  ]);
  const swapped = await plan({ name: "g", grid: { noiseDim: [8, 16], seed: [1, 2, 3] } });
  assertEquals(swapped.runs.map((r) => r.gridValues.noiseDim), [8, 8, 8, 16, 16, 16]);
  // The slug keeps the config's key order, so declaring the keys the other way round renames nothing.
  assertEquals(new Set(declared.runs.map((r) => r.runId)), new Set(swapped.runs.map((r) => r.runId)));
  assert(declared.runs[0]!.runId.startsWith("noiseDim-8_seed-1_"), declared.runs[0]!.runId);
});

Deno.test("--only with several values of one key keeps the runs with any of them", async () => {
  const grid = { name: "g", grid: { seed: [1, 2, 3], noiseDim: [8, 16] } };
  const some = await plan(grid, ["seed=1", "seed=3", "noiseDim=16"]);
  assertEquals(some.runs.map((r) => [r.gridValues.seed, r.gridValues.noiseDim]), [[1, 16], [3, 16]]);
});

Deno.test("runs whose short ids collide get a longer hash, and only they; every id is unique", async () => {
  // The grid values before seed fill the slug's 80 characters, so 20,000 seeds share one slug and only the
  // 6-digit hash (24 bits) tells them apart: a dozen pairs collide by the birthday bound.
  const seeds = Array.from({ length: 20_000 }, (_, i) => i);
  const base = { dataset: ["mnist"], arch: ["mlp-keras"], loss: ["bce"], beta1: [0.5], beta2: [0.999] };
  const p = await plan({ name: "c", grid: { ...base, adamEpsilon: [1e-7], batchSize: [128], seed: seeds } });
  const ids = p.runs.map((r) => r.runId);
  assertEquals(new Set(ids).size, ids.length, "two runs share an id");
  const long = p.runs.filter((r) => r.runId !== runIdFromHash(r.gridValues, r.configHash));
  assert(long.length >= 2, `expected some colliding pairs among 20,000 runs, got ${long.length} long ids`);
  assert(long.length < 100, `${long.length} long ids: only colliding runs should get one`);
  for (const r of long) assertEquals(r.runId, runIdFromHash(r.gridValues, r.configHash, LONG_HASH_DIGITS));
  // --only does not change which ids are long: the collisions are found over the whole grid.
  const one = await plan({ name: "c", grid: { ...base, adamEpsilon: [1e-7], batchSize: [128], seed: seeds } }, [
    `seed=${long[0]!.gridValues.seed}`,
  ]);
  assertEquals(one.runs.map((r) => r.runId), [long[0]!.runId]);
});

Deno.test("a grid list of 200,000 values is checked for repeats in linear time", () => {
  const values = Array.from({ length: 200_000 }, (_, i) => i + 1);
  const started = performance.now();
  validateExperiment({ name: "big", grid: { seed: values } }, "x.ts");
  // Not a speed assertion: the old pairwise check took ~53 s here; this guards against a return to it.
  assert(performance.now() - started < 30_000);
  const repeated = [...values.slice(0, 1000), 7];
  assertThrows(
    () => validateExperiment({ name: "big", grid: { seed: repeated } }, "x.ts"),
    InputError,
    "x.ts: grid.seed[1000]: 7 repeats grid.seed[6]; list each value once",
  );
});
