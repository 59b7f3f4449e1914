import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { randomData, relError, setUpBackends } from "./_kernel_parity.ts";
import { FusedAdamOptimizer } from "../lib/kernels/fused_adam.ts";
import { setSimdKernels } from "../lib/kernels/register_wasm_kernels.ts";
import { adamDivisors, checkAdamDivision } from "./exhaustive/adam_division.ts";
import { BUILDS } from "./exhaustive/_builds.ts";
import { Rng } from "../lib/rng.ts";

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

Deno.test("FusedAdamOptimizer on wasm gives tf.train.adam's bits past the step where 1 − β₁ᵗ rounds to 1", async () => {
  // β₁ = 0.5: 1 − 0.5ᵗ is 1.0 in float32 from t = 25, where the kernel skips its division by it.
  const want = await train("wasm", plain, 30);
  const got = await train("wasm", fused, 30);
  want.forEach((w, i) => assertEquals(Array.from(got[i]!), Array.from(w), `tensor ${i}`));
});

Deno.test("HarnessAdam divides by 1 − βᵗ to the bit for values of every magnitude", async () => {
  await tf.setBackend("wasm");
  // Random bit patterns: every exponent, subnormals included (NaN and infinity left out: their payloads may differ).
  const n = 4099;
  const rng = new Rng(12345);
  const words = new Uint32Array(4 * n);
  for (let i = 0; i < words.length; i++) {
    words[i] = rng.nextUint32();
    if ((words[i]! & 0x7f800000) === 0x7f800000) words[i]! &= 0xbfffffff; // no NaN or infinity
  }
  const floats = new Float32Array(words.buffer);
  const part = (k: number, scale: number) => tf.tensor1d(floats.subarray(k * n, (k + 1) * n)).mul(scale);
  const f32 = Math.fround;
  const oms: Array<[number, number]> = [[1, 1], [1, f32(1 - 0.999 ** 7)], [f32(1 - 0.5 ** 3), f32(1 - 0.999 ** 3)], [
    0.75,
    0.3,
  ]];
  for (const [om1, om2] of oms) {
    const [got, want] = tf.tidy(() => {
      // Small moments and gradients, so that the squares and quotients stay finite for most lanes.
      const [value, m, v, gradient] = [part(0, 1), part(1, 1e-20), part(2, 1e-20).abs(), part(3, 1e-20)];
      const attrs = { beta1: 0.5, beta2: 0.999, epsilon: 1e-7, learningRate: 0.01, om1, om2 };
      const fused = tf.engine().runKernel("HarnessAdam", { value, m, v, gradient }, attrs) as tf.Tensor[];
      // tfjs's AdamOptimizer, op by op.
      const m2 = tf.add(tf.mul(m, 0.5), tf.mul(gradient, 1 - 0.5));
      const v2 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(gradient), 1 - 0.999));
      const step = tf.div(tf.div(m2, om1), tf.add(tf.sqrt(tf.div(v2, om2)), 1e-7));
      const w2 = tf.add(tf.mul(step, -0.01), value);
      return [fused.map((t) => t.dataSync()), [w2, m2, v2].map((t) => t.dataSync())];
    });
    want.forEach((w, i) => assertEquals(got[i], w, `om1 ${om1}, om2 ${om2}: output ${i}`));
  }
});

Deno.test("HarnessAdam's division by 1 − β₁ᵗ is the float32 quotient on a stride of all 2^32 floats", async () => {
  for (const build of BUILDS) {
    const c = await checkAdamDivision(build, adamDivisors(), 65_537);
    assertEquals([c.mismatches, c.examples], [0, []], `${build} build`);
    assertLess(65_000, c.floats);
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
