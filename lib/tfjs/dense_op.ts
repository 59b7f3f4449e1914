/**
 * A dense layer's `x · kernel + bias` as one kernel with one tape entry, while a gradient is recorded.
 *
 * Under a tape, Dense runs unfused (`prunable_gradients.ts`): a `BatchMatMul` and an `Add`, two engine calls and
 * two tape entries, and in the backward pass the `Add`'s gradient reshapes `dy` twice (once per input) and sums it
 * for the bias. `HarnessDense` runs the same two kernels inside one engine call, and its gradient is the two
 * products' and the bias's sum alone: the same kernels on the same values, so the same bits, with three engine
 * calls fewer per layer and step. Each gradient is computed only where the tape asks for it, as before, and is
 * differentiable again (a gradient penalty differentiates D's input gradient).
 *
 * It runs on the wasm and cpu backends; elsewhere `dense` is `matMul` + `add` as before.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The kernel's name. */
export const HARNESS_DENSE = "HarnessDense";

const BACKENDS = ["wasm", "cpu"] as const;

/** `x · kernel + bias` on the backend's own `BatchMatMul` and `Add` kernels, one engine call. */
const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, kernel, bias } = inputs as { x: tf.TensorInfo; kernel: tf.TensorInfo; bias: tf.TensorInfo };
  const name = tf.getBackend();
  const product = tf.getKernel("BatchMatMul", name)!.kernelFunc({
    inputs: { a: x, b: kernel },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  const out = tf.getKernel("Add", name)!.kernelFunc({ inputs: { a: product, b: bias }, backend, attrs: {} });
  (backend as tf.KernelBackend).disposeData(product.dataId);
  return out;
};

for (const backendName of BACKENDS) tf.registerKernel({ kernelName: HARNESS_DENSE, backendName, kernelFunc });

// tfjs's gradients of BatchMatMul (no transposes) and of Add's broadcast operand, without the reshapes.
tf.registerGradient({
  kernelName: HARNESS_DENSE,
  inputsToSave: ["x", "kernel"],
  gradFunc: (dy, saved) => {
    const [x, kernel] = saved as [tf.Tensor2D, tf.Tensor2D];
    const g = dy as tf.Tensor2D;
    return {
      x: () => tf.matMul(g, kernel, false, true),
      kernel: () => tf.matMul(x, g, true, false),
      bias: () => tf.sum(g, 0),
    };
  },
});

/**
 * `x · kernel + bias` for a rank-2 `x`, a `[in, out]` kernel and an `[out]` bias: one `HarnessDense` call where the
 * kernel is registered (wasm, cpu), `matMul` + `add` elsewhere.
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  if (!tf.getKernel(HARNESS_DENSE, tf.getBackend())) {
    return tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias);
  }
  return tf.engine().runKernel(HARNESS_DENSE, { x, kernel, bias }, {}) as tf.Tensor;
}
