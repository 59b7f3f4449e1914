import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import { disposeGan, tinyGan } from "./_one_step.ts";
import { generatorStep } from "../lib/train/steps.ts";
import "../lib/tfjs/prunable_gradients.ts";
import "../lib/train/builtins.ts";

await setUpBackends();

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The layer's loss and gradients next to those of the same sums through tfjs's fused op. */
function assertSameGradients(
  layer: tf.layers.Layer,
  x: tf.Tensor,
  fused: (kernel: tf.Variable, bias: tf.Variable) => tf.Tensor,
): void {
  const model = tf.sequential({ layers: [layer] });
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable) as [tf.Variable, tf.Variable];
  const viaLayer = tf.variableGrads(() => tf.sum(model.apply(x) as tf.Tensor), [kernel, bias]);
  const viaFused = tf.variableGrads(() => tf.sum(fused(kernel, bias)), [kernel, bias]);
  assertLess(Math.abs(viaLayer.value.dataSync()[0]! - viaFused.value.dataSync()[0]!), 1e-4);
  assertLess(maxAbsDiff(viaLayer.grads[kernel.name]!, viaFused.grads[kernel.name]!), 1e-4);
  assertLess(maxAbsDiff(viaLayer.grads[bias.name]!, viaFused.grads[bias.name]!), 1e-4);
  tf.dispose([x, viaLayer.value, viaFused.value, ...Object.values(viaLayer.grads), ...Object.values(viaFused.grads)]);
  model.dispose();
}

Deno.test("Dense gradients under a tape equal those of tfjs's fused matMul", async () => {
  await tf.setBackend("wasm");
  const x = tf.tensor2d(randomData(7 * 13, 1), [7, 13]);
  const dense = tf.layers.dense({ units: 5, inputShape: [13], activation: "tanh" });
  assertSameGradients(dense, x, (kernel, bias) => tf.tanh(tf.fused.matMul({ a: x, b: kernel, bias })));
});

Deno.test("Conv2D gradients under a tape equal those of tfjs's fused conv2d", async () => {
  await tf.setBackend("wasm");
  const x = tf.tensor4d(randomData(2 * 9 * 9 * 3, 2), [2, 9, 9, 3]);
  const conv = tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 4, kernelSize: 5, strides: 2, padding: "same" });
  assertSameGradients(conv, x, (kernel, bias) =>
    tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: kernel as tf.Tensor4D,
      strides: 2,
      pad: "same",
      bias,
    }));
});

Deno.test("a G step computes no gradient for D's weights", async () => {
  await tf.setBackend("wasm");
  const gan = tinyGan(5);
  const noise = tf.randomNormal([16, 8]);
  const settings = { loss: "bce", realTarget: 1, dLossReduce: "sum" } as const;
  generatorStep(gan, noise, settings).dispose(); // Adam's slots, kernel set-up
  const info = await tf.profile(() => generatorStep(gan, noise, settings));
  tf.dispose(info.result);
  const matmuls = info.kernels.filter((k) => /MatMul|HarnessDense/.test(k.name)).length;
  // seed-001 MLP: G and D have 3 Dense layers each. Forward: 6 products (with their biases, one HarnessDense each).
  // Backward: D's input gradients (3), G's kernel (3) and input (2) gradients.
  // D's kernel gradients (3) and G's noise gradient (1) are not needed: with
  // tfjs's fused Dense they were computed anyway (18 products).
  assertEquals(matmuls, 6 + 3 + 3 + 2);
  noise.dispose();
  disposeGan(gan);
});

Deno.test("a gradient for the first conv runs one filter and one input backprop, not two of each", async () => {
  await tf.setBackend("wasm");
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: "same" }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const images = tf.randomNormal([4, 8, 8, 1]);
  const first = model.layers[0]!.trainableWeights.map((w) => w.read() as tf.Variable);
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(images) as tf.Tensor), first);
    return [value, ...Object.values(grads)];
  });
  tf.dispose(info.result);
  const backprops = info.kernels.filter((k) => k.name.startsWith("Conv2DBackprop")).map((k) => k.name).sort();
  // The second conv's input gradient and the first conv's filter gradient; not
  // the second conv's filter gradient, nor a gradient onto the images.
  assertEquals(backprops, ["Conv2DBackpropFilter", "Conv2DBackpropInput"]);
  images.dispose();
  model.dispose();
});
