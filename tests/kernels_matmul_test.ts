import * as tf from "@tensorflow/tfjs";
import { assert, assertLess } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";

await setUpBackends();

const cases: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
  { a: [5, 7], b: [7, 3], tA: false, tB: false },
  { a: [7, 5], b: [7, 3], tA: true, tB: false },
  { a: [5, 7], b: [3, 7], tA: false, tB: true },
  { a: [7, 5], b: [3, 7], tA: true, tB: true },
  { a: [2, 6, 4], b: [2, 6, 9], tA: true, tB: false },
  { a: [3, 4, 6], b: [1, 9, 6], tA: false, tB: true },
  { a: [64, 33], b: [64, 17], tA: true, tB: false },
];

Deno.test("wasm BatchMatMul with transposes matches cpu", async () => {
  for (const [i, c] of cases.entries()) {
    const av = randomData(c.a.reduce((x, y) => x * y), 2 * i + 1);
    const bv = randomData(c.b.reduce((x, y) => x * y), 2 * i + 2);
    const err = await compareBackends(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.tA, c.tB));
    assertLess(err, 1e-5, `case ${JSON.stringify(c)}: rel error ${err}`);
  }
});

Deno.test("wasm _FusedMatMul with transposes, bias and relu matches cpu", async () => {
  for (const [i, c] of cases.slice(0, 4).entries()) {
    const av = randomData(c.a.reduce((x, y) => x * y), 3 * i + 1);
    const bv = randomData(c.b.reduce((x, y) => x * y), 3 * i + 2);
    const n = c.tB ? c.b[0] as number : c.b[1] as number;
    const biasv = randomData(n, 3 * i + 3);
    const err = await compareBackends(() =>
      tf.fused.matMul({
        a: tf.tensor2d(av, c.a as [number, number]),
        b: tf.tensor2d(bv, c.b as [number, number]),
        transposeA: c.tA,
        transposeB: c.tB,
        bias: tf.tensor1d(biasv),
        activation: "relu",
      })
    );
    assertLess(err, 1e-5, `case ${JSON.stringify(c)}: rel error ${err}`);
  }
});

Deno.test("dense layer gradients on wasm match cpu", async () => {
  const xv = randomData(16 * 20, 7);
  const wv = randomData(20 * 12, 8);
  const err = await compareBackends(() => {
    const x = tf.tensor2d(xv, [16, 20]);
    const w = tf.tensor2d(wv, [20, 12]);
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.leakyRelu(tf.matMul(x, w), 0.2).square().sum());
    return g([x, w]);
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});

Deno.test("registerWasmKernels() is idempotent", async () => {
  const { registerWasmKernels, wasmKernelsRegistered } = await import(
    "../lib/kernels/register_wasm_kernels.ts"
  );
  registerWasmKernels();
  registerWasmKernels();
  assert(wasmKernelsRegistered());
});
