/**
 * wasm `Sum` / `Mean` over leading axes without a transpose.
 *
 * Bias and batch-norm gradients reduce `[B, H, W, C]` over `[0, 1, 2]`; the
 * stock wasm kernels first transpose the whole tensor so the reduced axes
 * come last (≈25 ms for a `[128, 14, 14, 128]` tensor here). Summing
 * columns of the row-major data in one pass (float64 accumulators) avoids
 * the transpose; where OpenBLAS is loaded (native_blas.ts) the pass is its
 * `cblas_sgemv` (xᵀ · 1, float32 sums, ~4× faster than the JS loop). Small
 * reductions keep float64 sums, on the SIMD module's `column_sums_f64` (the
 * same sums in the same order as the JS loop, which runs without it). Any
 * other reduction goes to the stock kernel.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { nativeColumnSums } from "./native_blas.ts";
import { simdFor } from "./_simd_module.ts";

/** Reductions of at least this many floats run on OpenBLAS's sgemv when it is loaded (float32 sums). */
export const NATIVE_MIN_FLOATS = 1 << 16;

/**
 * Wrap the stock wasm `Sum` or `Mean` kernel so float32 reductions over
 * leading axes (`[0, …, k − 1]`, `k` < rank) run as one column-sum pass.
 *
 * @param kernelName `"Sum"` or `"Mean"`.
 * @param stockFunc The stock wasm kernel function for that name.
 * @returns A kernel config for `tf.registerKernel`.
 */
export function leadingAxesReduce(
  kernelName: "Sum" | "Mean",
  stockFunc: tf.KernelFunc,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs["x"];
    const axis = args.attrs?.["axis"] as number | number[] | undefined;
    const keepDims = args.attrs?.["keepDims"] === true;
    if (!x || x.dtype !== "float32" || axis === undefined) {
      return stockFunc(args);
    }
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((
      a,
      b,
    ) => a - b);
    const k = axes.length;
    const leading = k > 0 && k < x.shape.length &&
      axes.every((a, i) => a === i);
    if (!leading) return stockFunc(args);
    const rows = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const rest = x.shape.slice(k);
    const cols = rest.reduce((p, d) => p * d, 1);
    if (rows === 0 || cols === 0) return stockFunc(args);

    const b = args.backend as BackendWasm;
    const outShape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
    const out = b.makeOutput(outShape, "float32");
    // Views after makeOutput: allocation may grow (and detach) the heap.
    const scale = kernelName === "Mean" ? 1 / rows : 1;
    const heap = new Float32Array((b.typedArrayFromHeap(out) as Float32Array).buffer);
    // Small reductions keep the float64 loop (exact enough for batch-norm's cancellations, and cheap); big ones go
    // to OpenBLAS where it is loaded.
    if (
      rows * cols >= NATIVE_MIN_FLOATS &&
      nativeColumnSums(heap, b.getMemoryOffset(x.dataId) / 4, rows, cols, b.getMemoryOffset(out.dataId) / 4, scale)
    ) {
      return out;
    }
    const simd = simdFor(b);
    if (simd) {
      simd.elementwise.column_sums_f64(b.getMemoryOffset(x.dataId), rows, cols, b.getMemoryOffset(out.dataId), scale);
      return out;
    }
    const src = b.typedArrayFromHeap(x) as Float32Array;
    const dst = b.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(cols);
    for (let r = 0, base = 0; r < rows; r++, base += cols) {
      for (let c = 0; c < cols; c++) {
        acc[c] = (acc[c] as number) + (src[base + c] as number);
      }
    }
    for (let c = 0; c < cols; c++) dst[c] = (acc[c] as number) * scale;
    return out;
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}
