/**
 * wasm `Identity` that shares the input's buffer instead of copying it.
 *
 * `tf.clone` runs Identity, and tfjs-core clones every tensor a custom
 * gradient saves: a fused dense layer saves its input, weights, output and
 * bias, so the stock kernel copied ~40 MB per MLP GAN iteration. Tensors are
 * immutable and wasm buffers are reference-counted (the stock `Reshape`
 * shares them the same way; the cpu backend's Identity does too), so the
 * clone can point at the same data. Strings go to the stock kernel.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Wrap the stock wasm `Identity` kernel so numeric tensors are shared, not copied.
 *
 * @param stockFunc The stock wasm `Identity` kernel function.
 * @returns A kernel config for `tf.registerKernel`.
 */
export function sharedIdentity(stockFunc: tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs["x"];
    if (!x || x.dtype === "string") return stockFunc(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { kernelName: "Identity", backendName: "wasm", kernelFunc };
}
