import { assertAlmostEquals, assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { knnRadii, precisionRecall } from "../lib/metrics/precision_recall.ts";
import "../lib/tfjs/kernels_setup.ts";

/** Points 0, 1, 2, …, n−1 on the first axis of a d-dim space, shifted by `offset`. */
function line(n: number, d: number, offset = 0): Float32Array {
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) x[i * d] = i + offset;
  return x;
}

Deno.test("knnRadii() gives the squared distance to the k-th other point", async () => {
  await startBackend("wasm");
  const r = await knnRadii(line(6, 3), 3, 2);
  // point 0: neighbours at 1, 2 → r² = 4; point 2: at 1, 1 → 1; point 5: 1, 2 → 4.
  assertEquals([...r].map((v) => Math.round(v * 1e4) / 1e4), [4, 1, 1, 1, 1, 4]);
});

Deno.test("precisionRecall() is 1/1 for the same set, 0/0 for a far one, and precision-only for a subset", async () => {
  await startBackend("wasm");
  const before = tf.memory().numTensors;
  const real = line(40, 4);
  assertEquals(await precisionRecall(real, real, 4, 3), { precision: 1, recall: 1 });
  assertEquals(await precisionRecall(real, line(40, 4, 1000), 4, 3), { precision: 0, recall: 0 });
  // The generated points crowd on the first 10 real ones: all realistic, little of the real set covered.
  const fake = new Float32Array(40 * 4);
  for (let i = 0; i < 40; i++) fake[i * 4] = (i % 10) + 0.01 * Math.floor(i / 10);
  const pr = await precisionRecall(real, fake, 4, 3);
  assertEquals(pr.precision, 1);
  assertAlmostEquals(pr.recall, 10 / 40, 0.05);
  assertEquals(tf.memory().numTensors, before);
});
