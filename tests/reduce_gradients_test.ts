import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import { installReduceGradients } from "../lib/tfjs/reduce_gradients.ts";

await setUpBackends();
installReduceGradients();

/** tfjs 4.22's own gradients of Mean and Sum: reshape dy, multiply by ones of x's shape (and divide by the count). */
function stockGradient(reduction: "mean" | "sum", x: tf.Tensor, dy: tf.Tensor, axis: number[]): tf.Tensor {
  const shape = [...x.shape];
  let count = 1;
  for (const a of axis) {
    count *= shape[a]!;
    shape[a] = 1;
  }
  const spread = tf.mul(tf.reshape(dy, shape), tf.ones(x.shape, "float32"));
  return reduction === "mean" ? tf.div(spread, count) : spread;
}

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

const cases: Array<{ shape: number[]; axis: number[] }> = [
  { shape: [64, 7, 7, 12], axis: [0, 1, 2] }, // batch-norm's moments
  { shape: [10, 13], axis: [0] },
  { shape: [10, 13], axis: [1] },
  { shape: [4, 5, 6], axis: [0, 2] },
  { shape: [7, 3], axis: [0, 1] },
];

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`mean's and sum's gradients on ${backend} equal tfjs's ones-product to the bit`, async () => {
    await tf.setBackend(backend);
    for (const [i, c] of cases.entries()) {
      const x = tf.tensor(randomData(tf.util.sizeFromShape(c.shape), i + 1), c.shape);
      for (const reduction of ["mean", "sum"] as const) {
        const before = tf.memory().numTensors;
        const reduce = (v: tf.Tensor) => reduction === "mean" ? tf.mean(v, c.axis) : tf.sum(v, c.axis);
        const outShape = tf.tidy(() => reduce(x).shape);
        // Values of every size, so the division by the count rounds.
        const dy = tf.tidy(() => tf.mul(tf.tensor(randomData(tf.util.sizeFromShape(outShape), i + 7), outShape), 3.7));
        const run = await tf.profile(() => tf.grad((v: tf.Tensor) => reduce(v))(x, dy));
        const want = tf.tidy(() => stockGradient(reduction, x, dy, c.axis));
        assertEquals(bits(run.result as tf.Tensor), bits(want), `${reduction} ${JSON.stringify(c)}`);
        // tfjs's gradient multiplies by a tensor of ones (made without a kernel); this one broadcasts.
        assertEquals(run.kernels.some((k) => k.name === "Multiply"), false, "no product with ones");
        tf.dispose([dy, want, run.result as tf.Tensor]);
        assertEquals(tf.memory().numTensors, before, "no tensor leaks");
      }
      x.dispose();
    }
  });
}

Deno.test("mean's gradient is differentiable: a second derivative through batch-norm moments", async () => {
  await tf.setBackend("cpu");
  const x = tf.tensor(randomData(2 * 3 * 4, 5), [2, 3, 4]);
  // d/dx of sum((d/dx sum(mean(x, [0, 1])²)) · x): the mean's gradient differentiated again.
  const inner = (v: tf.Tensor) => tf.sum(tf.square(tf.mean(v, [0, 1])));
  const outer = (v: tf.Tensor) => tf.sum(tf.mul(tf.grad(inner)(v), v));
  const got = tf.grad(outer)(x);
  // inner's gradient is 2·m/6 broadcast (m the mean over 6 rows); outer = sum over rows of 2·m·x/6 = 2·m·6·m/6 = 2·Σm²
  // per column, whose gradient is 4·m/6 per element.
  const m = tf.mean(x, [0, 1]);
  const want = tf.broadcastTo(tf.div(tf.mul(m, 4), 6), x.shape);
  const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
  assertEquals(diff < 1e-6, true, `second derivative off by ${diff}`);
  tf.dispose([x, got, m, want]);
});
