/**
 * `Mean`'s and `Sum`'s gradients without a tensor of ones.
 *
 * tfjs differentiates a reduction by multiplying the reshaped `dy` by `ones(x.shape)` (and, for `Mean`, dividing
 * by the count): the ones are filled in JavaScript and uploaded at the size of `x`, then multiplied and divided
 * over it. Batch-norm's moments are means over the whole activation, so on dcgan-tf at batch 64 that was ~35 ms
 * of a ~600 ms iteration. `dy · 1` is `dy` exactly, and dividing before or after broadcasting divides the same
 * values, so `broadcastTo(div(dy, count), x.shape)` (and `broadcastTo(dy, x.shape)` for `Sum`) gives the same
 * bits with one small division and one copy. Both are differentiable, as the stock gradients are.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type Reduction = "Mean" | "Sum";

/** `dy` reshaped to `x`'s rank with the reduced axes as 1, and the number of values each output reduced. */
function expanded(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): { dy: tf.Tensor; count: number } {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = [...x.shape];
  let count = 1;
  for (const a of axes) {
    count *= shape[a]!;
    shape[a] = 1;
  }
  return { dy: tf.reshape(dy, shape), count };
}

function gradient(reduction: Reduction, dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const e = expanded(dy, x, axis);
  switch (reduction) {
    case "Mean":
      return tf.broadcastTo(tf.div(e.dy, e.count), x.shape);
    case "Sum":
      return tf.broadcastTo(e.dy, x.shape);
  }
}

function install(reduction: Reduction): void {
  const stock = tf.getGradient(reduction);
  if (!stock) throw new Error(`Cannot replace ${reduction}'s gradient: tfjs registers none to fall back to`);
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const g = dy as tf.Tensor;
      // tfjs's gradient multiplies by float32 ones, so a gradient of another type comes out float32: keep that.
      if (g.dtype !== "float32") return stock.gradFunc(dy, saved, attrs);
      return { x: () => gradient(reduction, g, x, attrs["axis"] as number | number[]) };
    },
  });
}

let installed = false;

/** Replace `Mean`'s and `Sum`'s gradients (on every backend). Idempotent. */
export function installReduceGradients(): void {
  if (installed) return;
  install("Mean");
  install("Sum");
  installed = true;
}

installReduceGradients();
