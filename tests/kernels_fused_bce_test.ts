import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";
import {
  BCE_LOGITS,
  BCE_LOGITS_GRAD,
  BCE_MEAN,
  BCE_MEAN_GRAD,
  bceWithLogitsMean,
  bceWithLogitsPerItem,
} from "../lib/kernels/fused_bce.ts";
import { setSimdKernels } from "../lib/kernels/register_wasm_kernels.ts";
import "../lib/train/builtins.ts";

await setUpBackends();

/** lib/train/losses.ts's expression, op by op, as it was before the fused kernel. */
function unfused(x: tf.Tensor, t: number): tf.Tensor {
  return tf.relu(x).sub(x.mul(t)).add(tf.softplus(tf.neg(tf.abs(x))));
}

/** Logits with the edges: zeros of both signs, saturated values either way, and random ones. */
function logits(n: number, seed: number): tf.Tensor2D {
  const edges = [0, -0, 30, -30, 100, -100, 1e-30, -1e-30];
  const v = randomData(n, seed).map((x, i) => i < edges.length ? edges[i]! : x * 6);
  return tf.tensor2d(v, [n, 1]);
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

Deno.test("the logits' cross-entropy on wasm is one kernel each way with the unfused ops' bits", async () => {
  await tf.setBackend("wasm");
  for (const t of [0, 0.9, 1]) {
    for (const n of [1, 3, 100, 257]) {
      const x = logits(n, 60 + n);
      const dy = tf.tensor2d(randomData(n, 70 + n), [n, 1]);
      const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => bceWithLogitsPerItem(v, t))(x, dy));
      assertEquals(profile.kernelNames.includes(BCE_LOGITS), true, profile.kernelNames.join(", "));
      assertEquals(profile.kernelNames.includes(BCE_LOGITS_GRAD), true, profile.kernelNames.join(", "));
      assertEquals(profile.kernelNames.includes("Softplus"), false, profile.kernelNames.join(", "));
      const what = `target ${t}, n ${n}`;
      const [ours, theirs] = [bceWithLogitsPerItem(x, t), unfused(x, t)];
      assertEquals(bits(ours), bits(theirs), `${what}: values`);
      const grads = [bceWithLogitsPerItem, unfused].map((f) => tf.grad((v: tf.Tensor) => f(v, t))(x, dy));
      assertEquals(bits(grads[0]!), bits(grads[1]!), `${what}: gradient`);
      // As the losses use it: the batch mean, differentiated from a scalar.
      const means = [bceWithLogitsPerItem, unfused].map((f) => tf.grad((v: tf.Tensor) => tf.mean(f(v, t)))(x));
      assertEquals(bits(means[0]!), bits(means[1]!), `${what}: gradient of the mean`);
      tf.dispose([x, dy, ours, theirs, ...grads, ...means, profile.result as tf.Tensor]);
    }
  }
});

Deno.test("the cross-entropy's batch mean on wasm is one kernel each way with tf.mean's bits", async () => {
  await tf.setBackend("wasm");
  const unfusedMean = (v: tf.Tensor, t: number) => tf.mean(unfused(v, t)) as tf.Scalar;
  for (const t of [0, 0.9, 1]) {
    for (const n of [1, 3, 100, 257]) {
      const x = logits(n, 160 + n);
      const dy = tf.scalar(randomData(1, 170 + n)[0]! * 3);
      const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => bceWithLogitsMean(v, t))(x, dy));
      const names = profile.kernelNames.join(", ");
      assertEquals([BCE_MEAN, BCE_MEAN_GRAD].map((k) => profile.kernelNames.includes(k)), [true, true], names);
      assertEquals(["Mean", "Tile", BCE_LOGITS].some((k) => profile.kernelNames.includes(k)), false, names);
      const what = `target ${t}, n ${n}`;
      const [ours, theirs] = [bceWithLogitsMean(x, t), unfusedMean(x, t)];
      assertEquals(bits(ours), bits(theirs), `${what}: value`);
      const grads = [bceWithLogitsMean, unfusedMean].map((f) => tf.grad((v: tf.Tensor) => f(v, t))(x, dy));
      assertEquals(bits(grads[0]!), bits(grads[1]!), `${what}: gradient`);
      tf.dispose([x, dy, ours, theirs, ...grads, profile.result as tf.Tensor]);
    }
  }
});

Deno.test("the fused batch mean's gradient differentiates again with the bits of the mean of the per-item kernel", async () => {
  await tf.setBackend("wasm");
  const [x, w] = [logits(9, 180), tf.tensor2d(randomData(9, 181), [9, 1])];
  const twice = (mean: (v: tf.Tensor) => tf.Tensor) => {
    const inner = (a: tf.Tensor, b: tf.Tensor) => tf.grad(mean)(a).mul(b).sum();
    return [...tf.grads(inner)([x, w]), inner(x, w)];
  };
  const ours = twice((v) => bceWithLogitsMean(v, 0.9));
  const theirs = twice((v) => tf.mean(bceWithLogitsPerItem(v, 0.9)));
  ours.forEach((o, i) => assertEquals(bits(o), bits(theirs[i]!), `output ${i}`));
  tf.dispose([x, w, ...ours, ...theirs]);
});

Deno.test("the fused cross-entropy's gradient differentiates again as the unfused ops' does on cpu", async () => {
  const xv = randomData(7, 80).map((v) => v * 4);
  const wv = randomData(7, 81);
  const err = await compareBackends(() => {
    const [x, w] = [tf.tensor2d(xv, [7, 1]), tf.tensor2d(wv, [7, 1])];
    // Σ w·∂L/∂x, differentiated again with respect to x and to w (the outer gradient of the gradient kernel).
    const inner = (a: tf.Tensor, b: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => tf.mean(bceWithLogitsPerItem(v, 0.9)))(a).mul(b).sum();
    return [...tf.grads(inner)([x, w]), inner(x, w)];
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});

Deno.test("with the SIMD module off the cross-entropy is tfjs's ops", async () => {
  await tf.setBackend("wasm");
  setSimdKernels("off");
  try {
    const x = logits(20, 90);
    const profile = await tf.profile(() => bceWithLogitsPerItem(x, 1));
    assertEquals(profile.kernelNames.includes(BCE_LOGITS), false, profile.kernelNames.join(", "));
    assertEquals(profile.kernelNames.includes("Softplus"), true, profile.kernelNames.join(", "));
    tf.dispose([x, profile.result as tf.Tensor]);
  } finally {
    setSimdKernels("relaxed");
  }
});
