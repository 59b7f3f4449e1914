/**
 * The machine's limit for the bench's "of limit" column: the GFLOP/s of a large square sgemm on the GEMM the wasm
 * backend uses now (OpenBLAS or the SIMD GEMM, at the thread count set), through the same matMul kernel the
 * iterations call, the best of a few. An iteration's GFLOP/s over it is how close the iteration runs to what the
 * GEMM can do on these cores.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The side of the square product: 2·2048³ ≈ 17.2 GFLOP, a fraction of a second at ~100 GFLOP/s. */
export const LIMIT_SIDE = 2048;

/**
 * Time `repeats` products of two `side`×`side` matrices (after one untimed) and return the best GFLOP/s.
 * @param side The matrices' side.
 * @param repeats How many timed products.
 */
export async function gemmLimitGflops(side = LIMIT_SIDE, repeats = 4): Promise<number> {
  const [a, b] = [
    tf.randomUniform([side, side], -1, 1, "float32", 1),
    tf.randomUniform([side, side], -1, 1, "float32", 2),
  ];
  try {
    let best = Infinity;
    for (let i = 0; i <= repeats; i++) {
      const started = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      const ms = performance.now() - started;
      c.dispose();
      if (i > 0) best = Math.min(best, ms);
    }
    return (2 * side ** 3) / (best * 1e6);
  } finally {
    tf.dispose([a, b]);
  }
}
