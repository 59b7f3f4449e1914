/**
 * Mean and covariance of feature vectors, accumulated in float64.
 * @module
 */
import type { Gaussian } from "./frechet.ts";

/**
 * The sample mean and unbiased covariance (divisor `n − 1`, as numpy's
 * `np.cov` and TF-GAN use) of `n` row vectors of length `d`.
 *
 * @param x Row-major `n×d`.
 * @param d The vector length.
 * @returns Mean (length `d`) and covariance (`d×d`).
 * @throws {RangeError} When `x` does not hold at least two whole vectors.
 * @example
 * ```ts
 * import { moments } from "./moments.ts";
 * const { mean, cov } = moments(new Float32Array([0, 0, 2, 2]), 2);
 * [...mean]; // [1, 1]
 * [...cov]; // [2, 2, 2, 2]
 * ```
 */
export function moments(x: Float32Array | Float64Array, d: number): Gaussian {
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`Cannot take moments: need at least 2 vectors of length ${d}, got ${x.length} values`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const rj = row[j]!;
      if (rj === 0) continue;
      const base = j * d;
      for (let k = j; k < d; k++) cov[base + k]! += rj * row[k]!;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const c = cov[j * d + k]! / (n - 1);
      cov[j * d + k] = c;
      cov[k * d + j] = c;
    }
  }
  return { mean, cov };
}
