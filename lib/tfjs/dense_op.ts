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
 * Outside a tape, tfjs-layers' Dense runs `tf.fused.matMul`: a custom-gradient scope, three `Reshape` calls (to and
 * from the 3-D shapes the kernel takes) and `_FusedMatMul`. `HarnessFusedDense` calls the backend's own
 * `_FusedMatMul` on 3-D views of the same buffers (for an activation tfjs cannot fuse, with no bias, then `Add`, as
 * the layer does): the same kernels on the same values, one engine call.
 *
 * Both run on the wasm and cpu backends; elsewhere `dense` is `matMul` + `add` and the layer its own call, as before.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The kernel's name. */
export const HARNESS_DENSE = "HarnessDense";
/** The untaped kernel's name: inputs `x`, `kernel`, `bias` (optional); attrs `activation`, `biasAfter`. */
export const HARNESS_FUSED_DENSE = "HarnessFusedDense";

const BACKENDS = ["wasm", "cpu"] as const;

/** `product + bias` on the backend's own `Add` kernel, the product's buffer freed. */
function biasAdded(backend: tf.KernelBackend, product: tf.TensorInfo, bias: tf.TensorInfo): tf.TensorInfo {
  const out = tf.getKernel("Add", tf.getBackend())!.kernelFunc({ inputs: { a: product, b: bias }, backend, attrs: {} });
  backend.disposeData(product.dataId);
  return out as tf.TensorInfo;
}

/** `x · kernel + bias` on the backend's own `BatchMatMul` and `Add` kernels, one engine call. */
const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, kernel, bias } = inputs as { x: tf.TensorInfo; kernel: tf.TensorInfo; bias: tf.TensorInfo };
  const product = tf.getKernel("BatchMatMul", tf.getBackend())!.kernelFunc({
    inputs: { a: x, b: kernel },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  return biasAdded(backend as tf.KernelBackend, product, bias);
};

/** `info`'s buffer seen with another shape of the same size (what a `Reshape` kernel returns, without the call). */
function viewAs(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * `_FusedMatMul` on `[1, m, k] · [1, k, n]` views, as `tf.fused.matMul` calls it for rank-2 operands, with the bias
 * fused, or (`biasAfter`) added after by `Add`; the output seen as `[m, n]`.
 */
const fusedKernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, kernel, bias } = inputs as { x: tf.TensorInfo; kernel: tf.TensorInfo; bias?: tf.TensorInfo };
  const [m, k] = x.shape as [number, number];
  const n = kernel.shape[1]!;
  const biasAfter = attrs?.["biasAfter"] === true;
  const product = tf.getKernel("_FusedMatMul", tf.getBackend())!.kernelFunc({
    inputs: { a: viewAs(x, [1, m, k]), b: viewAs(kernel, [1, k, n]), ...(bias && !biasAfter ? { bias } : {}) },
    backend,
    attrs: { transposeA: false, transposeB: false, activation: attrs?.["activation"] ?? "linear", leakyreluAlpha: 0.2 },
  }) as tf.TensorInfo;
  return bias && biasAfter
    ? biasAdded(backend as tf.KernelBackend, viewAs(product, [m, n]), bias)
    : viewAs(product, [m, n]);
};

for (const backendName of BACKENDS) {
  tf.registerKernel({ kernelName: HARNESS_DENSE, backendName, kernelFunc });
  tf.registerKernel({ kernelName: HARNESS_FUSED_DENSE, backendName, kernelFunc: fusedKernelFunc });
}

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

/** The activations tfjs-layers' Dense fuses into the product (its `mapActivationToFusedKernel`). */
const FUSED_ACTIVATIONS: ReadonlySet<string> = new Set(["relu", "linear", "elu"]);

/** Whether `HarnessFusedDense` is registered on the current backend. */
export function fusedDenseRuns(): boolean {
  return tf.getKernel(HARNESS_FUSED_DENSE, tf.getBackend()) !== undefined;
}

/**
 * tfjs-layers' Dense outside a tape, for a rank-2 `x`, where {@linkcode fusedDenseRuns}: `HarnessFusedDense` and,
 * for an activation it does not fuse, the activation after it, as the layer's own call computes them.
 */
export function fusedDense(
  x: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor | null,
  activation: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor },
): tf.Tensor {
  const name = activation.getClassName();
  const fused = FUSED_ACTIVATIONS.has(name);
  const inputs = bias ? { x, kernel, bias } : { x, kernel };
  const attrs = { activation: fused ? name : "linear", biasAfter: !fused };
  const y = tf.engine().runKernel(HARNESS_FUSED_DENSE, inputs, attrs) as tf.Tensor;
  return fused ? y : activation.apply(y);
}
