import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import "../lib/tfjs/kernels_setup.ts";
import { dense, HARNESS_DENSE, HARNESS_FUSED_DENSE } from "../lib/tfjs/dense_op.ts";

await setUpBackends();

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** x [rows, k], kernel [k, n], bias [n] with values that round. */
function operands(rows: number, k: number, n: number, seed: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  return [
    tf.tensor2d(randomData(rows * k, seed), [rows, k]),
    tf.tensor2d(randomData(k * n, seed + 1).map((v) => v * 0.37), [k, n]),
    tf.tensor1d(randomData(n, seed + 2).map((v) => v * 3.1)),
  ];
}

/** The loss both paths are differentiated through: a weighted sum, so dy is not all ones. */
function weighted(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.linspace(-1.5, 2.5, y.shape[1]!))) as tf.Scalar;
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`dense on ${backend}: one kernel call, and tfjs's matMul + add to the bit, gradients included`, async () => {
    await tf.setBackend(backend);
    for (const [i, [rows, k, n]] of [[200, 784, 256], [100, 256, 1], [7, 3, 5]].entries()) {
      const [x, w, b] = operands(rows!, k!, n!, 10 * i + 1);
      const before = tf.memory().numTensors;
      const ours = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => weighted(dense(xv, wv, bv));
      const theirs = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
        weighted(tf.add(tf.matMul(xv, wv as tf.Tensor2D), bv));
      const run = await tf.profile(() => tf.tidy(() => dense(x, w, b)));
      assertEquals(run.kernels.map((c) => c.name), [HARNESS_DENSE], "one kernel call forward");
      const want = tf.tidy(() => tf.add(tf.matMul(x, w), b));
      assertEquals(bits(run.result as tf.Tensor), bits(want), `forward ${rows}×${k}×${n}`);
      const got = tf.grads(ours)([x, w, b]);
      const stock = tf.grads(theirs)([x, w, b]);
      for (const j of [0, 1, 2]) assertEquals(bits(got[j]!), bits(stock[j]!), `gradient ${j} of ${rows}×${k}×${n}`);
      tf.dispose([run.result as tf.Tensor, want, ...got, ...stock]);
      assertEquals(tf.memory().numTensors, before, "no tensor leaks");
      tf.dispose([x, w, b]);
    }
  });
}

Deno.test("dense's gradients: only those asked for, and three kernel calls fewer than matMul + add", async () => {
  await tf.setBackend("wasm");
  const [x, w, b] = operands(32, 20, 8, 3);
  const [wv, bv] = [tf.variable(w), tf.variable(b)];
  const names = async (f: (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.Tensor) => {
    const run = await tf.profile(() => tf.variableGrads(() => weighted(f(x, wv, bv)), [wv, bv]).grads);
    tf.dispose(Object.values(run.result as Record<string, tf.Tensor>));
    return run.kernels.map((k) => k.name);
  };
  const ours = await names(dense);
  const theirs = await names((xv, wv, bv) => tf.add(tf.matMul(xv, wv as tf.Tensor2D), bv));
  const count = (list: string[], name: string) => list.filter((n) => n === name).length;
  assertEquals(count(ours, "BatchMatMul"), 1, "one product: the kernel's gradient, not the input's");
  assertEquals(count(theirs, "BatchMatMul"), 2, "the forward product and the kernel's gradient");
  assertEquals(count(ours, "Add"), count(theirs, "Add") - 1, "the bias added inside HarnessDense");
  assertEquals(count(ours, "Reshape"), count(theirs, "Reshape") - 2, "dy not reshaped for either input");
  assertEquals(ours.length, theirs.length - 3);
  tf.dispose([x, w, b, wv, bv]);
});

Deno.test("dense's gradient is differentiable: a second derivative through the input gradient", async () => {
  await tf.setBackend("cpu");
  const [x, w, b] = operands(6, 4, 3, 7);
  // A gradient penalty's shape: the input gradient's squared norm, differentiated with respect to the kernel.
  const penalty = (f: (xv: tf.Tensor, wv: tf.Tensor) => tf.Tensor) => (wv: tf.Tensor) =>
    tf.sum(tf.square(tf.grad((xv: tf.Tensor) => weighted(tf.tanh(f(xv, wv))))(x)));
  const got = tf.grad(penalty((xv, wv) => dense(xv, wv, b)))(w);
  const want = tf.grad(penalty((xv, wv) => tf.add(tf.matMul(xv, wv as tf.Tensor2D), b)))(w);
  assertEquals(bits(got), bits(want));
  tf.dispose([x, w, b, got, want]);
});

/** What tfjs-layers' Dense.call computes outside a tape: fused.matMul, with the bias and activation fused or after. */
function layersDense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, activation: string): tf.Tensor {
  if (["linear", "relu", "elu"].includes(activation)) {
    return tf.fused.matMul({ a: x, b: kernel, ...(bias ? { bias } : {}), activation: activation as "linear" });
  }
  const y = tf.fused.matMul({ a: x, b: kernel });
  const withBias = bias ? tf.add(y, bias) : y;
  return activation === "tanh" ? tf.tanh(withBias) : tf.sigmoid(withBias);
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`a Dense layer outside a tape on ${backend} is one kernel call with its own fused call's bits`, async () => {
    await tf.setBackend(backend);
    for (const activation of ["linear", "relu", "elu", "tanh", "sigmoid"] as const) {
      for (const useBias of [true, false]) {
        const [x, w, b] = operands(100, 784, 256, 40);
        const layer = tf.layers.dense({ units: 256, activation, useBias, inputShape: [784] });
        layer.apply(tf.input({ shape: [784] }));
        layer.setWeights(useBias ? [w, b] : [w]);
        const before = tf.memory().numTensors;
        const run = await tf.profile(() => layer.apply(x) as tf.Tensor);
        const names = run.kernels.map((k) => k.name);
        const what = `${activation}, bias ${useBias}`;
        assertEquals(names[0], HARNESS_FUSED_DENSE, `${what}: ${names.join(", ")}`);
        assertEquals(
          names.includes("Reshape") || names.includes("_FusedMatMul"),
          false,
          `${what}: ${names.join(", ")}`,
        );
        const want = tf.tidy(() => layersDense(x, w, useBias ? b : null, activation));
        assertEquals(bits(run.result as tf.Tensor), bits(want), what);
        tf.dispose([run.result as tf.Tensor, want]);
        assertEquals(tf.memory().numTensors, before, `${what}: no tensor leaks`);
        layer.dispose();
        tf.dispose([x, w, b]);
      }
    }
  });
}
