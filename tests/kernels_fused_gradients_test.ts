import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";
import { LEAKY_RELU_GRAD, RELU_GRAD, TANH_GRAD } from "../lib/kernels/fused_gradients.ts";
import "../lib/tfjs/second_order_gradients.ts";

await setUpBackends();

Deno.test("LeakyReLU's gradient on wasm is one fused kernel with tfjs's formula's bits", async () => {
  await tf.setBackend("wasm");
  for (const n of [1, 3, 4, 7, 1000]) {
    const xv = randomData(n, 10 + n).map((v, i) => i % 5 === 0 ? 0 : v); // zeros take the alpha side
    const dyv = randomData(n, 20 + n);
    const x = tf.tensor1d(xv);
    const dy = tf.tensor1d(dyv);
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.3))(x, dy));
    const kernels = profile.kernelNames;
    assertEquals(kernels.includes(LEAKY_RELU_GRAD), true, `n=${n}: ${kernels.join(", ")}`);
    assertEquals(kernels.includes("Select"), false, `n=${n}: ${kernels.join(", ")}`);
    const fused = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.3))(x, dy);
    const formula = tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.3));
    assertEquals(Array.from(fused.dataSync()), Array.from(formula.dataSync()), `n=${n}`);
    tf.dispose([x, dy, fused, formula, profile.result as tf.Tensor]);
  }
});

Deno.test("a gradient penalty through LeakyReLU on wasm (fused) matches cpu (tfjs's gradient)", async () => {
  const xv = randomData(6 * 9, 31);
  const w1v = randomData(9 * 5, 32);
  const w2v = randomData(5 * 4, 33);
  const vv = randomData(4, 34);
  const err = await compareBackends(() => {
    const x = tf.tensor2d(xv, [6, 9]);
    const v = tf.tensor1d(vv);
    // D(x) = Σ leakyRelu(leakyRelu(x·W1)·W2)·v; the penalty is ‖∂D/∂x‖², differentiated with respect to W1 and W2
    // (through W2 the first layer's incoming gradient dy depends on a weight: the fused kernel's own gradient).
    const penalty = (w1: tf.Tensor, w2: tf.Tensor) => {
      const d = (t: tf.Tensor) => tf.leakyRelu(tf.matMul(tf.leakyRelu(tf.matMul(t, w1), 0.2), w2), 0.3).mul(v).sum();
      return tf.grad(d)(x).square().sum();
    };
    const [w1, w2] = [tf.tensor2d(w1v, [9, 5]), tf.tensor2d(w2v, [5, 4])];
    return [...tf.grads(penalty)([w1, w2]), penalty(w1, w2)];
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});

Deno.test("ReLU's gradient on wasm is one fused kernel with the bits of tfjs's mul(dy, step(x))", async () => {
  await tf.setBackend("wasm");
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  for (const n of [1, 3, 4, 7, 1000]) {
    // Zeros, NaN and infinities in x, negative and infinite dy: −0, NaN and 0·∞ come out as the product makes them.
    const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30];
    const x = tf.tensor1d(randomData(n, 70 + n).map((v, i) => i % 3 === 0 ? special[(i / 3) % special.length]! : v));
    const dy = tf.tensor1d(randomData(n, 80 + n).map((v, i) => i % 11 === 5 ? -Infinity : v));
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy));
    const kernels = profile.kernelNames;
    assertEquals(kernels.includes(RELU_GRAD), true, `n=${n}: ${kernels.join(", ")}`);
    assertEquals(kernels.includes("Step"), false, `n=${n}: ${kernels.join(", ")}`);
    const fused = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
    const formula = tf.mul(dy, tf.step(x));
    const [got, want] = [bits(fused), bits(formula)];
    const nan = (b: number) => (b & 0x7fffffff) > 0x7f800000;
    assertEquals(got.map((b, i) => nan(b) && nan(want[i]!) ? "NaN" : b), want.map((b) => nan(b) ? "NaN" : b), `n=${n}`);
    tf.dispose([x, dy, fused, formula, profile.result as tf.Tensor]);
  }
});

Deno.test("a gradient penalty through ReLU on wasm (fused) matches cpu (tfjs's gradient)", async () => {
  const xv = randomData(6 * 9, 91);
  const w1v = randomData(9 * 5, 92);
  const w2v = randomData(5 * 4, 93);
  const err = await compareBackends(() => {
    const x = tf.tensor2d(xv, [6, 9]);
    const penalty = (w1: tf.Tensor, w2: tf.Tensor) => {
      const d = (t: tf.Tensor) => tf.relu(tf.matMul(tf.relu(tf.matMul(t, w1)), w2)).sum();
      return tf.grad(d)(x).square().sum();
    };
    const [w1, w2] = [tf.tensor2d(w1v, [9, 5]), tf.tensor2d(w2v, [5, 4])];
    return [...tf.grads(penalty)([w1, w2]), penalty(w1, w2)];
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});

Deno.test("tanh's gradient on wasm is one fused kernel with tfjs's formula's bits", async () => {
  await tf.setBackend("wasm");
  for (const n of [1, 3, 4, 7, 1000]) {
    const x = tf.tensor1d(randomData(n, 40 + n).map((v) => v * 3));
    const dy = tf.tensor1d(randomData(n, 50 + n));
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.tanh(t))(x, dy));
    const kernels = profile.kernelNames;
    assertEquals(kernels.includes(TANH_GRAD), true, `n=${n}: ${kernels.join(", ")}`);
    assertEquals(kernels.includes("Square"), false, `n=${n}: ${kernels.join(", ")}`);
    const fused = tf.grad((t: tf.Tensor) => tf.tanh(t))(x, dy);
    const y = tf.tanh(x);
    const formula = tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy);
    assertEquals(Array.from(fused.dataSync()), Array.from(formula.dataSync()), `n=${n}`);
    tf.dispose([x, dy, y, fused, formula, profile.result as tf.Tensor]);
  }
});

Deno.test("a second derivative through tanh on wasm (fused) matches cpu (tfjs's gradient)", async () => {
  const xv = randomData(5 * 7, 61).map((v) => v * 2);
  const wv = randomData(7 * 3, 62);
  const err = await compareBackends(() => {
    const x = tf.tensor2d(xv, [5, 7]);
    // ‖∂/∂x Σ tanh(tanh(x)·W)‖², differentiated with respect to W: W reaches the inner tanh's fused gradient through
    // its dy (the product's gradient). tfjs does not differentiate through a saved output such as tanh's y.
    const penalty = (w: tf.Tensor) =>
      tf.grad((u: tf.Tensor) => tf.tanh(tf.matMul(tf.tanh(u), w)).sum())(x).square().sum();
    return [tf.grad(penalty)(tf.tensor2d(wv, [7, 3]))];
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});
