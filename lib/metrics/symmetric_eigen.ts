/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations,
 * in float64: slow for big matrices, exact to rounding and simple, which is
 * what a 128×128 feature covariance needs.
 * @module
 */

/** Eigenvalues and eigenvectors of a symmetric matrix. */
export interface SymmetricEigen {
  /** The `n` eigenvalues (unordered). */
  values: Float64Array;
  /** Row-major `n×n`; column `j` is the unit eigenvector of `values[j]`. */
  vectors: Float64Array;
}

/**
 * Diagonalise a symmetric matrix: `A = V diag(values) Vᵀ`.
 * Only the upper triangle of `a` is read.
 *
 * @param a Row-major `n×n` symmetric matrix (not modified).
 * @param n Its order.
 * @returns Eigenvalues and eigenvectors.
 * @throws {RangeError} When `a` is not `n×n`, or Jacobi does not converge in 100 sweeps (non-finite input).
 * @example
 * ```ts
 * import { symmetricEigen } from "./symmetric_eigen.ts";
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * [...values].sort(); // [1, 3]
 * ```
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) {
    throw new RangeError(`Cannot diagonalise: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  }
  const m = new Float64Array(n * n); // working copy, upper triangle used
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = a[i * n + j]!;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const d = new Float64Array(n);
  const b = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = b[i] = m[i * n + i]!;
  // Numerical Recipes' `jacobi`, on flat arrays.
  for (let sweep = 1; sweep <= 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) off += Math.abs(m[p * n + q]!);
    if (off === 0) return { values: d, vectors: v };
    if (!Number.isFinite(off)) break;
    const threshold = sweep < 4 ? (0.2 * off) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        const g = 100 * Math.abs(apq);
        if (sweep > 4 && Math.abs(d[p]!) + g === Math.abs(d[p]!) && Math.abs(d[q]!) + g === Math.abs(d[q]!)) {
          m[p * n + q] = 0;
        } else if (Math.abs(apq) > threshold) {
          let h = d[q]! - d[p]!;
          let t: number;
          if (Math.abs(h) + g === Math.abs(h)) {
            t = apq / h;
          } else {
            const theta = (0.5 * h) / apq;
            t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
            if (theta < 0) t = -t;
          }
          const c = 1 / Math.sqrt(1 + t * t);
          const s = t * c;
          const tau = s / (1 + c);
          h = t * apq;
          z[p]! -= h;
          z[q]! += h;
          d[p]! -= h;
          d[q]! += h;
          m[p * n + q] = 0;
          const rot = (x: Float64Array, i: number, j: number) => {
            const gg = x[i]!;
            const hh = x[j]!;
            x[i] = gg - s * (hh + gg * tau);
            x[j] = hh + s * (gg - hh * tau);
          };
          for (let j = 0; j < p; j++) rot(m, j * n + p, j * n + q);
          for (let j = p + 1; j < q; j++) rot(m, p * n + j, j * n + q);
          for (let j = q + 1; j < n; j++) rot(m, p * n + j, q * n + j);
          for (let j = 0; j < n; j++) rot(v, j * n + p, j * n + q);
        }
      }
    }
    for (let p = 0; p < n; p++) {
      b[p]! += z[p]!;
      d[p] = b[p]!;
      z[p] = 0;
    }
  }
  throw new RangeError("Cannot diagonalise: Jacobi rotations did not converge (is the matrix finite?)");
}
