/**
 * Registers the harness's own kernels whenever a backend starts: on wasm, a
 * fast BatchMatMul and the conv backprop kernels tfjs-wasm lacks or runs slowly,
 * and which GEMM they run on (OpenBLAS or the wasm SIMD GEMM) goes into the
 * backend info.
 * Also makes Dense and Conv2D gradients prunable on every backend (see
 * `prunable_gradients.ts`), draws dropout masks in one loop (`dropout_masks.ts`)
 * and differentiates means and sums without a tensor of ones
 * (`reduce_gradients.ts`), each to the bit of tfjs's own, and saves tensors for
 * the backward pass without a kernel call each (`saved_tensors.ts`).
 * @module
 */
import "./prunable_gradients.ts";
import "./dropout_masks.ts";
import "./reduce_gradients.ts";
import "./saved_tensors.ts";
import { onBackendReady } from "./backend.ts";
import { gemmInfo } from "../kernels/gemm_info.ts";
import { registerWasmKernels } from "../kernels/register_wasm_kernels.ts";

onBackendReady((backend) => {
  if (backend !== "wasm") return {};
  registerWasmKernels();
  const gemm = gemmInfo();
  return gemm ? { gemm } : {};
});
