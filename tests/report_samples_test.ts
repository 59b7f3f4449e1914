import { assertEquals } from "@std/assert";
import type { RunData, SampleRef } from "../lib/results/read_results.ts";
import { sampleAt, samplePoints, sampleUnit } from "../lib/report/samples.ts";

function run(samples: SampleRef[]): RunData {
  return {
    id: "r",
    dir: "r",
    gridValues: {},
    config: null,
    status: null,
    state: "completed",
    steps: [],
    epochs: [],
    evals: [],
    samples,
    gif: null,
  };
}

// what a 150-step budget with sampleEvery 50 writes: every sample inside epoch 0
const stepBudget = run([0, 50, 100, 150].map((step) => ({
  step,
  epoch: 0,
  path: `samples/step-${String(step).padStart(6, "0")}.png`,
})));
const perEpoch = run([1, 2, 3].map((epoch) => ({
  step: epoch * 937,
  epoch,
  path: `samples/epoch-${String(epoch).padStart(4, "0")}.png`,
})));

Deno.test("sampleUnit() counts in steps when several samples share an epoch, else in epochs", () => {
  assertEquals(sampleUnit([stepBudget]), "step");
  assertEquals(sampleUnit([perEpoch]), "epoch");
  assertEquals(sampleUnit([run([{ step: null, epoch: 2, path: "samples/epoch-0002.png" }])]), "epoch");
});

Deno.test("samplePoints() spreads first, middle and last over a step budget's samples", () => {
  const { unit, points } = samplePoints([stepBudget], ["first", "middle", "last"]);
  assertEquals(unit, "step");
  assertEquals(points, [
    { title: "first: step 0", at: 0 },
    { title: "middle: step 50", at: 50 },
    { title: "last: step 150", at: 150 },
  ]);
  assertEquals(sampleAt(stepBudget, 120, unit)?.path, "samples/step-000100.png");
});
