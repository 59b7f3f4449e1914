import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertLess } from "@std/assert";
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

/** Column sums of `v` (`rows × cols`) in float64, in row order, scaled, then rounded to float32: the JS loop's bits. */
function float64ColumnSums(v: Float32Array, rows: number, cols: number, scale: number): Float32Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[c] = acc[c]! + v[r * cols + c]!;
  return Float32Array.from(acc, (a) => a * scale);
}

Deno.test("small wasm Sum and Mean over leading axes give the float64 loop's bits", async () => {
  await tf.setBackend("wasm");
  for (const [rows, cols] of [[200, 256], [7, 13], [45, 9], [1, 8], [3, 1]] as const) {
    // Large values that cancel make a float32 running sum differ from a float64 one.
    const v = randomData(rows * cols, rows + cols).map((x, i) => i % 3 === 0 ? x * 1e6 : x);
    const x = tf.tensor2d(v, [rows, cols]);
    const sum = tf.sum(x, 0);
    const mean = tf.mean(x, 0);
    assertEquals(Array.from(sum.dataSync()), Array.from(float64ColumnSums(v, rows, cols, 1)), `sum ${rows}×${cols}`);
    assertEquals(
      Array.from(mean.dataSync()),
      Array.from(float64ColumnSums(v, rows, cols, 1 / rows)),
      `mean ${rows}×${cols}`,
    );
    tf.dispose([x, sum, mean]);
  }
});
