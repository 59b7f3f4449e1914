/**
 * What a GEMM in use is, as recorded in each run's `config.json` and the bench JSON, and the line that names it (the
 * sweep's start-up line, the report's header). No imports: the report reads it without loading a backend.
 * @module
 */

/** The GEMM in use on wasm. */
export interface GemmInfo {
  /**
   * `openblas`: OpenBLAS's `cblas_sgemm` through Deno's FFI, on the wasm heap in place;
   * `wasm-simd`: the harness's own SIMD GEMM (lib/kernels/simd/gemm.c);
   * `tfjs-wasm`: the stock kernels (no SIMD module here, or switched off).
   */
  library: "openblas" | "wasm-simd" | "tfjs-wasm";
  /** The library's own description: `openblas_get_config()`, or the SIMD build (`relaxed`, `simd`). */
  version: string;
  /** Threads per product. */
  threads: number;
  /** The shared library loaded, for `openblas`. */
  path?: string;
  /** Why the native GEMM is not in use, for the others. */
  fallback?: string;
}

/**
 * One line for the console: `OpenBLAS 0.3.21 … , 1 thread` or the SIMD GEMM and why.
 * @param gemm what `gemmInfo` (gemm_info.ts) returned, or a run's `config.json` recorded.
 */
export function describeGemm(gemm: GemmInfo): string {
  const threads = `${gemm.threads} thread${gemm.threads === 1 ? "" : "s"}`;
  switch (gemm.library) {
    case "openblas":
      return `matrix products and convolutions on ${gemm.version} (cblas_sgemm via FFI), ${threads}`;
    case "wasm-simd":
    case "tfjs-wasm":
      return `matrix products and convolutions on the ${
        gemm.library === "wasm-simd" ? `wasm SIMD GEMM (${gemm.version})` : "stock tfjs-wasm kernels"
      }, ${threads}: ${gemm.fallback ?? "native GEMM not in use"}`;
  }
}
