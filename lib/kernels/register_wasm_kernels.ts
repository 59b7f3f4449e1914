/**
 * Register the harness's wasm kernels: `BatchMatMul`/`_FusedMatMul` on the
 * harness's own SIMD GEMM (explicit transposes + the stock kernel as the
 * fallback), SIMD `LeakyRelu`/`Sqrt`/`Greater`/`Select`, the one-pass
 * `HarnessAdam` update (used by `FusedAdamOptimizer`), a copy-free
 * `Identity`, `Conv2D`/`FusedConv2D`, `Conv2DBackpropFilter` (missing
 * upstream) and `Conv2DBackpropInput` (the stock one is a naive loop) as
 * im2col GEMMs (XNNPACK-backed where the SIMD module cannot run), a block-copy
 * `Tile`, and transpose-free `Sum`/`Mean` over leading axes (what bias and
 * batch-norm gradients spend their time in).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { captureStock } from "./_wasm_ops.ts";
import { adamKernelConfig } from "./fused_adam.ts";
import { explicitTransposeMatMul } from "./wasm_batch_matmul.ts";
import { fastGreater, fastLeakyRelu, fastSelect, fastSqrt } from "./wasm_elementwise.ts";
import { gemmMatMul } from "./wasm_gemm_matmul.ts";
import { sharedIdentity } from "./wasm_identity.ts";
import { conv2dBackpropFilterWasmConfig } from "./wasm_conv2d_backprop_filter.ts";
import { conv2dBackpropInputWasmConfig } from "./wasm_conv2d_backprop_input.ts";
import { gemmConv2d } from "./wasm_conv_gemm.ts";
import { leadingAxesReduce } from "./wasm_reduce.ts";
import { fastTile } from "./wasm_tile.ts";

export { setSimdKernels, type SimdChoice } from "./_simd_module.ts";

/** Stock wasm kernels our kernels call; captured before anything is replaced. */
const STOCK_USED = [
  "BatchMatMul",
  "_FusedMatMul",
  "Conv2D",
  "FusedConv2D",
  "Concat",
  "Fill",
  "Greater",
  "Identity",
  "LeakyRelu",
  "Mean",
  "PadV2",
  "Reshape",
  "Select",
  "Slice",
  "Sqrt",
  "Sum",
  "Tile",
  "Transpose",
] as const;

function replace(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, "wasm");
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current) tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel(config);
}

let configs: tf.KernelConfig[] | undefined;

/**
 * Register the harness's wasm kernels. Idempotent; call it after
 * `await tf.setBackend("wasm")` (the stock kernels must be set up first,
 * since ours call them).
 *
 * @throws {Error} if the wasm backend package is not loaded.
 * @example Train convolutions on wasm
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * await tf.setBackend("wasm");
 * registerWasmKernels();
 * ```
 */
export function registerWasmKernels(): void {
  if (!tf.findBackend("wasm")) {
    throw new Error(
      `Cannot register wasm kernels: the wasm backend is not initialised ` +
        `(import "@tensorflow/tfjs-backend-wasm" and await tf.setBackend("wasm") first)`,
    );
  }
  if (!configs) {
    for (const name of STOCK_USED) captureStock(name);
    configs = [
      gemmMatMul("BatchMatMul", explicitTransposeMatMul("BatchMatMul", captureStock("BatchMatMul")).kernelFunc),
      gemmMatMul("_FusedMatMul", explicitTransposeMatMul("_FusedMatMul", captureStock("_FusedMatMul")).kernelFunc),
      gemmConv2d("Conv2D", captureStock("Conv2D")),
      gemmConv2d("FusedConv2D", captureStock("FusedConv2D")),
      conv2dBackpropFilterWasmConfig,
      conv2dBackpropInputWasmConfig,
      sharedIdentity(captureStock("Identity")),
      fastLeakyRelu(captureStock("LeakyRelu")),
      fastSqrt(captureStock("Sqrt")),
      fastGreater(captureStock("Greater")),
      fastSelect(captureStock("Select")),
      adamKernelConfig,
      fastTile(captureStock("Tile")),
      leadingAxesReduce("Sum", captureStock("Sum")),
      leadingAxesReduce("Mean", captureStock("Mean")),
    ];
  }
  for (const c of configs) replace(c);
}

/** Whether {@linkcode registerWasmKernels} has installed its kernels. */
export function wasmKernelsRegistered(): boolean {
  return configs !== undefined &&
    configs.every((c) => tf.getKernel(c.kernelName, "wasm")?.kernelFunc === c.kernelFunc);
}
