/**
 * wasm `Identity`, and `Cast` to the type a tensor already has, that share the
 * input's buffer instead of copying it.
 *
 * `tf.clone` runs Identity, and tfjs-core clones every tensor a custom
 * gradient saves: a fused dense layer saves its input, weights, output and
 * bias, so the stock kernel copied ~40 MB per MLP GAN iteration. tfjs's
 * `Multiply` gradient casts the other operand to float32 (`dy · cast(b)`), and
 * the stock wasm `Cast` copies even when the type is unchanged: a dropout
 * mask's or batch-norm's full-size operand, copied once per backward pass.
 * Tensors are immutable and wasm buffers are reference-counted (the stock
 * `Reshape` shares them the same way; the cpu backend's Identity does too), so
 * the output can point at the same data. Strings, and casts that change the
 * type, go to the stock kernels.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A kernel that returns its input `x` itself where `shares` says so, and runs the stock kernel otherwise. */
function sharing(
  kernelName: "Identity" | "Cast",
  stockFunc: tf.KernelFunc,
  shares: (x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined) => boolean,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs["x"];
    if (!x || x.dtype === "string" || !shares(x, args.attrs)) return stockFunc(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}

/**
 * Wrap the stock wasm `Identity` kernel so numeric tensors are shared, not copied.
 *
 * @param stockFunc The stock wasm `Identity` kernel function.
 * @returns A kernel config for `tf.registerKernel`.
 */
export function sharedIdentity(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return sharing("Identity", stockFunc, () => true);
}

/**
 * Wrap the stock wasm `Cast` kernel so a cast to the tensor's own type shares it, not copies it.
 *
 * @param stockFunc The stock wasm `Cast` kernel function.
 * @returns A kernel config for `tf.registerKernel`.
 */
export function sharedCast(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return sharing("Cast", stockFunc, (x, attrs) => attrs?.["dtype"] === x.dtype);
}
