/**
 * The Fréchet distance between two Gaussians, in float64:
 *
 *   d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁ Σ₂)^½
 *
 * The trace of the square root of the (non-symmetric) product is computed
 * through a symmetric one: with S = Σ₁^½, `S Σ₂ S` is similar to `Σ₁ Σ₂`
 * (same eigenvalues, all ≥ 0), so tr (Σ₁ Σ₂)^½ = Σᵢ √λᵢ(S Σ₂ S). Both steps
 * are symmetric eigendecompositions ({@linkcode symmetricEigen}); tiny
 * negative eigenvalues from rounding are clamped to 0.
 * @module
 */
import { symmetricEigen } from "./symmetric_eigen.ts";

/** Mean and covariance of a set of feature vectors. */
export interface Gaussian {
  /** Length `d`. */
  mean: Float64Array;
  /** Row-major `d×d`, symmetric positive semi-definite. */
  cov: Float64Array;
}

/**
 * The square root of a symmetric positive semi-definite matrix.
 *
 * @param a Row-major `n×n`.
 * @param n Its order.
 * @returns `S` with `S S = A`, symmetric PSD (negative eigenvalues clamped to 0).
 */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(values[k]!, 0));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * vectors[j * n + k]!;
    }
  }
  return out;
}

/** Row-major n×n product. */
function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return out;
}

/**
 * tr (Σ₁ Σ₂)^½ for symmetric PSD Σ₁, Σ₂, via the eigenvalues of Σ₁^½ Σ₂ Σ₁^½.
 *
 * @param c1 Row-major `n×n`.
 * @param c2 Row-major `n×n`.
 * @param n The order.
 * @returns The trace.
 */
export function traceSqrtProduct(c1: Float64Array, c2: Float64Array, n: number): number {
  const s = sqrtPsd(c1, n);
  const m = matmul(matmul(s, c2, n), s, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = 0.5 * (m[i * n + j]! + m[j * n + i]!);
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  const { values } = symmetricEigen(m, n);
  let sum = 0;
  for (const l of values) sum += Math.sqrt(Math.max(l, 0));
  return sum;
}

/**
 * The squared Fréchet (2-Wasserstein) distance between N(μ₁, Σ₁) and
 * N(μ₂, Σ₂) — what FID reports, here on whatever features the caller gives.
 *
 * @param a The first Gaussian.
 * @param b The second, of the same dimension.
 * @returns d² ≥ 0 up to rounding (not clamped: identical inputs may give ~−1e-12).
 * @throws {RangeError} When the dimensions disagree.
 * @example Two 1-d Gaussians: (μ₁−μ₂)² + (σ₁−σ₂)²
 * ```ts
 * import { frechetDistance } from "./frechet.ts";
 * const d = frechetDistance(
 *   { mean: new Float64Array([0]), cov: new Float64Array([4]) },
 *   { mean: new Float64Array([3]), cov: new Float64Array([1]) },
 * );
 * d; // 9 + (2 - 1)² = 10
 * ```
 */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  const n = a.mean.length;
  if (b.mean.length !== n || a.cov.length !== n * n || b.cov.length !== n * n) {
    throw new RangeError(
      `Cannot compare Gaussians of different dimensions: means ${n} and ${b.mean.length}, ` +
        `covariances ${a.cov.length} and ${b.cov.length} values`,
    );
  }
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < n; i++) traces += a.cov[i * n + i]! + b.cov[i * n + i]!;
  return meanTerm + traces - 2 * traceSqrtProduct(a.cov, b.cov, n);
}
