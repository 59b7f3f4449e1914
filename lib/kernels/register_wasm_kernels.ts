/**
 * Register the harness's wasm kernels: `BatchMatMul`/`_FusedMatMul` on the
 * harness's own SIMD GEMM (explicit transposes + the stock kernel as the
 * fallback), SIMD `LeakyRelu`/`Sqrt`/`Tanh`/`Greater`/`Select`, LeakyReLU's
 * and tanh's gradients as one kernel each (fused_gradients.ts), the binary
 * cross-entropy of logits and its gradient as one kernel each (fused_bce.ts), the one-pass
 * `HarnessAdam` update (used by `FusedAdamOptimizer`), a copy-free
 * `Identity` and same-type `Cast`, `Conv2D`/`FusedConv2D`, `Conv2DBackpropFilter` (missing
 * upstream) and `Conv2DBackpropInput` (the stock one is a naive loop) as
 * im2col GEMMs (XNNPACK-backed where the SIMD module cannot run), a block-copy
 * `Tile`, and transpose-free `Sum`/`Mean` over leading axes (what bias and
 * batch-norm gradients spend their time in).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { setGemmThreads } from "./_gemm_threads.ts";
import { simdFor } from "./_simd_module.ts";
import { nativeBlas, setNativeBlasThreads } from "./native_blas.ts";
import { captureStock } from "./_wasm_ops.ts";
import { adamKernelConfig } from "./fused_adam.ts";
import { explicitTransposeMatMul } from "./wasm_batch_matmul.ts";
import { fastGreater, fastLeakyRelu, fastSelect, fastSqrt, fastTanh } from "./wasm_elementwise.ts";
import { gemmMatMul } from "./wasm_gemm_matmul.ts";
import { sharedCast, sharedIdentity } from "./wasm_identity.ts";
import { conv2dBackpropFilterWasmConfig } from "./wasm_conv2d_backprop_filter.ts";
import { conv2dBackpropInputWasmConfig } from "./wasm_conv2d_backprop_input.ts";
import { gemmConv2d } from "./wasm_conv_gemm.ts";
import { leadingAxesReduce } from "./wasm_reduce.ts";
import { fastTile } from "./wasm_tile.ts";
import { fusedGradientKernelConfigs, installFusedGradients } from "./fused_gradients.ts";
import { fusedBceKernelConfigs, installFusedBceGradients } from "./fused_bce.ts";
import { stepNumbersKernelConfig } from "./fused_step_stats.ts";

export { setSimdKernels, type SimdChoice } from "./_simd_module.ts";

/** Stock wasm kernels our kernels call; captured before anything is replaced. */
const STOCK_USED = [
  "BatchMatMul",
  "_FusedMatMul",
  "Conv2D",
  "FusedConv2D",
  "Cast",
  "Concat",
  "Fill",
  "Greater",
  "Identity",
  "LeakyRelu",
  "Mean",
  "PadV2",
  "Reshape",
  "Select",
  "Sigmoid",
  "Slice",
  "Softplus",
  "Sqrt",
  "Sum",
  "Tanh",
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
      sharedCast(captureStock("Cast")),
      fastLeakyRelu(captureStock("LeakyRelu")),
      ...fusedGradientKernelConfigs,
      ...fusedBceKernelConfigs,
      stepNumbersKernelConfig,
      fastSqrt(captureStock("Sqrt")),
      fastTanh(captureStock("Tanh")),
      fastGreater(captureStock("Greater")),
      fastSelect(captureStock("Select")),
      adamKernelConfig,
      fastTile(captureStock("Tile")),
      leadingAxesReduce("Sum", captureStock("Sum")),
      leadingAxesReduce("Mean", captureStock("Mean")),
    ];
  }
  for (const c of configs) replace(c);
  installFusedGradients();
  installFusedBceGradients();
}

/** Whether {@linkcode registerWasmKernels} has installed its kernels. */
export function wasmKernelsRegistered(): boolean {
  return configs !== undefined &&
    configs.every((c) => tf.getKernel(c.kernelName, "wasm")?.kernelFunc === c.kernelFunc);
}

/**
 * Let the harness's GEMM (matrix products and convolutions) use `threads`
 * threads, 1 or 2, on the current wasm backend: for one run that has the
 * machine to itself (a sweep training two runs at once already uses both
 * cores). On OpenBLAS this sets its threads (process-wide); on the SIMD GEMM
 * it starts or stops the second thread. Results are bit-identical either
 * way (tests/kernels_native_blas_test.ts checks OpenBLAS's). Call it again with 1 to
 * stop the second thread (a running one keeps the process alive).
 * @param threads 1 or 2.
 * @returns the threads in use: 1 off wasm, without the SIMD module, or where
 * shared memory or workers are missing.
 * @throws {RangeError} for a count other than 1 or 2.
 */
export async function useGemmThreads(threads: number): Promise<number> {
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(`GEMM threads: expected 1 or 2, got ${threads}`);
  }
  if (tf.getBackend() === "wasm" && nativeBlas()) {
    // OpenBLAS runs its own threads: the SIMD GEMM's second thread stays off.
    await setGemmThreads(1);
    return setNativeBlasThreads(threads);
  }
  const kernels = tf.getBackend() === "wasm" ? simdFor(tf.backend() as BackendWasm) : null;
  if (!kernels) return await setGemmThreads(threads === 2 ? 1 : threads);
  return await setGemmThreads(threads, kernels.variant);
}
