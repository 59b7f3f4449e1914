import * as tf from "@tensorflow/tfjs";
import { assertLess } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";

await setUpBackends();

const cases: Array<
  { shape: number[]; axis: number | number[]; keepDims: boolean }
> = [
  { shape: [4, 3, 3, 5], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 3, 3, 5], axis: [2, 0, 1], keepDims: true },
  { shape: [6, 7], axis: 0, keepDims: false },
  { shape: [6, 7], axis: -1, keepDims: true },
  { shape: [2, 3, 4], axis: [0, 2], keepDims: false },
  { shape: [2, 3, 4], axis: [0, 1, 2], keepDims: false },
  { shape: [8, 1], axis: [0], keepDims: true },
];

Deno.test("wasm Sum and Mean match cpu, leading axes or not", async () => {
  for (const [i, c] of cases.entries()) {
    const v = randomData(c.shape.reduce((a, b) => a * b, 1), i + 1);
    const err = await compareBackends(() => {
      const x = tf.tensor(v, c.shape);
      return [
        tf.sum(x, c.axis, c.keepDims),
        tf.mean(x, c.axis, c.keepDims),
        tf.sum(x.cast("int32"), c.axis, c.keepDims).cast("float32"),
      ];
    });
    assertLess(err, 1e-5, `${JSON.stringify(c)}: rel error ${err}`);
  }
});

Deno.test("batch-norm layer gradients on wasm match cpu", async () => {
  const v = randomData(8 * 5 * 5 * 6, 42);
  const err = await compareBackends(() => {
    const model = tf.sequential({
      layers: [tf.layers.batchNormalization({ inputShape: [5, 5, 6] })],
    });
    const x = tf.tensor4d(v, [8, 5, 5, 6]);
    const f = (x: tf.Tensor) => model.apply(x, { training: true }) as tf.Tensor;
    const { value, grads } = tf.variableGrads(() => f(x).mul(x).sum() as tf.Scalar);
    const xGrad = tf.grad((x: tf.Tensor) => f(x).square().sum())(x);
    const out = [value, xGrad, ...Object.values(grads)];
    model.dispose();
    return out;
  });
  assertLess(err, 1e-4, `rel error ${err}`);
});
