import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import { installSharedSaves } from "../lib/tfjs/saved_tensors.ts";

await setUpBackends();

type Engine = { saveTensorsForBackwardMode: unknown };
const engine = tf.engine() as unknown as Engine;

/** A dense layer's gradients: every input of the product and the activation is saved for the backward pass. */
function denseGradients(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable) {
  return tf.variableGrads(() => tf.sum(tf.tanh(tf.add(tf.matMul(x, w), b))) as tf.Scalar, [w, b]);
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`saved tensors on ${backend}: no Identity kernel, the same gradients, nothing leaked`, async () => {
    await tf.setBackend(backend);
    installSharedSaves();
    const x = tf.tensor2d(randomData(6 * 5, 1), [6, 5]);
    const w = tf.variable(tf.tensor2d(randomData(5 * 4, 2), [5, 4]));
    const b = tf.variable(tf.tensor1d(randomData(4, 3)));
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    // (tf.profile returns one object that the next profile overwrites: take what is needed at once.)
    const shared = await tf.profile(() => {
      const { value, grads } = denseGradients(x, w, b);
      return [value, grads[w.name]!, grads[b.name]!];
    });
    const got = shared.result as tf.Tensor[];
    assertEquals(shared.kernels.filter((k) => k.name === "Identity").length, 0, "saved without a kernel call");
    const patched = engine.saveTensorsForBackwardMode;
    delete (engine as Partial<Engine>).saveTensorsForBackwardMode; // tfjs's own, from the prototype
    const stock = await tf.profile(() => {
      const { value, grads } = denseGradients(x, w, b);
      return [value, grads[w.name]!, grads[b.name]!];
    });
    engine.saveTensorsForBackwardMode = patched;
    const want = stock.result as tf.Tensor[];
    assertEquals(stock.kernels.some((k) => k.name === "Identity"), true, "tfjs clones what it saves");
    for (let i = 0; i < want.length; i++) assertEquals(Array.from(got[i]!.dataSync()), Array.from(want[i]!.dataSync()));
    tf.dispose([...got, ...want]);
    assertEquals(tf.memory().numTensors, tensors, "no tensor leaks");
    assertEquals(tf.backend().numDataIds(), buffers, "no buffer leaks");
    tf.dispose([x, w, b]);
  });
}

Deno.test("a gradient penalty reaches the weights through the tensors its inner gradient saved, as in tfjs", async () => {
  await tf.setBackend("wasm");
  installSharedSaves();
  const x = tf.tensor2d(randomData(6 * 5, 4), [6, 5]);
  const w = tf.variable(tf.tensor2d(randomData(5 * 4, 5), [5, 4]));
  const b = tf.variable(tf.tensor1d(randomData(4, 6)));
  // WGAN-GP's shape: a score plus the squared norm of the score's input gradient, differentiated for the weights.
  // The penalty depends on w only through the w that the inner gradient's product saved.
  const score = (v: tf.Tensor) => tf.sum(tf.tanh(tf.add(tf.matMul(v, w), b)));
  const step = () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.add(score(x), tf.sum(tf.square(tf.grad(score)(x)))) as tf.Scalar
    );
    return [value, grads[w.name]!, grads[b.name]!];
  };
  const got = step();
  const patched = engine.saveTensorsForBackwardMode;
  delete (engine as Partial<Engine>).saveTensorsForBackwardMode;
  const want = step();
  engine.saveTensorsForBackwardMode = patched;
  for (let i = 0; i < want.length; i++) assertEquals(Array.from(got[i]!.dataSync()), Array.from(want[i]!.dataSync()));
  tf.dispose([...got, ...want, x, w, b]);
});
