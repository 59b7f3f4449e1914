import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { randomData, relError, setUpBackends } from "./_kernel_parity.ts";
import { FusedAdamOptimizer } from "../lib/kernels/fused_adam.ts";
import { setSimdKernels } from "../lib/kernels/register_wasm_kernels.ts";

await setUpBackends();

/** Train two small variables for `steps` Adam steps; return their values, the moments and the iteration count. */
async function train(
  backend: "cpu" | "wasm",
  make: () => tf.AdamOptimizer,
  steps: number,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const w = tf.variable(tf.tensor2d(randomData(37 * 11, 1), [37, 11]));
  const b = tf.variable(tf.tensor1d(randomData(11, 2)));
  const x = tf.tensor2d(randomData(9 * 37, 3), [9, 37]);
  const opt = make();
  for (let i = 0; i < steps; i++) {
    opt.minimize(() => tf.leakyRelu(tf.matMul(x, w).add(b), 0.2).square().mean() as tf.Scalar, false)?.dispose();
  }
  const weights = await opt.getWeights();
  const out = await Promise.all(
    [w, b, ...weights.slice(1).map((n) => n.tensor)].map((t) => t.data() as Promise<Float32Array>),
  );
  const iterations = (await weights[0]!.tensor.data())[0]!;
  assertEquals(iterations, steps);
  weights[0]!.tensor.dispose(); // getWeights() makes a fresh iterations scalar
  opt.dispose();
  tf.dispose([w, b, x]);
  // tfjs's own AdamOptimizer keeps a tensor or two after dispose(): only compare with it.
  leaks.set(`${backend} ${make === plain ? "plain" : "fused"}`, tf.memory().numTensors - before);
  return out;
}

const leaks = new Map<string, number>();
const plain = () => tf.train.adam(0.01, 0.5, 0.999, 1e-7);
const fused = () => new FusedAdamOptimizer(0.01, 0.5, 0.999, 1e-7);

Deno.test("FusedAdamOptimizer on wasm gives the same bits as tf.train.adam", async () => {
  for (const choice of ["relaxed", "off"] as const) {
    setSimdKernels(choice); // "off": the kernel's plain-JS loop
    try {
      const want = await train("wasm", plain, 5);
      const got = await train("wasm", fused, 5);
      want.forEach((w, i) => assertEquals(Array.from(got[i]!), Array.from(w), `${choice}: tensor ${i}`));
      assertEquals(leaks.get("wasm fused"), leaks.get("wasm plain"), "tensors kept after dispose()");
    } finally {
      setSimdKernels("relaxed");
    }
  }
});

Deno.test("FusedAdamOptimizer on wasm matches tf.train.adam on cpu", async () => {
  const want = await train("cpu", plain, 5);
  const got = await train("wasm", fused, 5);
  want.forEach((w, i) => assertLess(relError(got[i]!, w), 1e-5, `tensor ${i}`));
});

Deno.test("FusedAdamOptimizer is tfjs's Adam on cpu", async () => {
  const want = await train("cpu", plain, 3);
  const got = await train("cpu", fused, 3);
  want.forEach((w, i) => assertEquals(Array.from(got[i]!), Array.from(w)));
  assertEquals(leaks.get("cpu fused"), leaks.get("cpu plain"), "tensors kept after dispose()");
});
