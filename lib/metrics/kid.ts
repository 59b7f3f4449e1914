/**
 * The kernel distance KID (Bińkowski et al., 2018, "Demystifying MMD GANs"):
 * the squared maximum mean discrepancy between real and generated feature
 * vectors under the cubic polynomial kernel
 *
 *   k(x, y) = (x·y / d + 1)³,
 *
 * estimated without bias on random subsets and averaged over them, as the
 * paper's code (`polynomial_mmd_averages` in mbinkowski/MMD-GAN
 * `gan/compute_scores.py`), torch-fidelity and clean-fid do. Products of the
 * float32 features are exact in float64 and every sum is a float64 one.
 * @module
 */
import { Rng } from "../rng.ts";

/** Options of {@linkcode kernelDistance}. */
export interface KernelDistanceOptions {
  /** Random subsets averaged (default 20, see {@linkcode kernelDistanceDefaults}). */
  subsets?: number;
  /** Vectors per side in each subset (default 1000; fewer when a side has fewer). */
  subsetSize?: number;
  /** Seed of the subsets' {@linkcode Rng} (default 0). */
  seed?: number;
}

/**
 * Defaults of {@linkcode KernelDistanceOptions}. torch-fidelity and clean-fid
 * average 100 subsets of 1000 (the paper's `polynomial_mmd_averages`, 50);
 * here 20: a subset's three Gram sums are 2·1000²·d multiply-adds (2.6·10⁸ at
 * d = 128, ~0.1 s in one core's JavaScript), so 100 would add ~10 s to every
 * evaluation during training (measured at n = 10,000: 9.5 s; 20 take 1.9 s).
 * The count changes only the precision of the average (its standard error is
 * about `kidStd / √subsets`), not what it estimates: each subset's estimate is
 * unbiased.
 */
export const kernelDistanceDefaults = {
  subsets: 20,
  subsetSize: 1000,
  seed: 0,
} as const;

/** A kernel distance and how it was averaged. */
export interface KernelDistance {
  /** The mean of the subsets' unbiased MMD² estimates (lower is better; ~0, possibly below, for alike sets). */
  kid: number;
  /** Their standard deviation across subsets (divisor `subsets`, numpy's `std` as torch-fidelity reports it). */
  kidStd: number;
  /** Distinct subsets averaged: 1 when the subsets hold both whole sets (every draw would be the same). */
  subsets: number;
  /** Vectors per side in each subset. */
  subsetSize: number;
}

/** Rows padded to a multiple of the 4×4 register block. */
const BLOCK = 4;

/**
 * The kernel distance between real and generated feature vectors: the
 * unbiased estimate of MMD² under k(x, y) = (x·y/d + 1)³ (d the feature
 * length, sklearn's `polynomial_kernel` with degree 3, gamma 1/d, coef0 1),
 *
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / m(m−1) + Σ_{i≠j} k(yᵢ, yⱼ) / m(m−1) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²,
 *
 * on `subsets` random subsets of `subsetSize` vectors per side, each drawn
 * without replacement (independently of the others), and averaged. Being
 * unbiased, its expectation does not depend on the sample count, so it is
 * meaningful at the small counts a CPU affords, where FID and FCD are biased
 * upward (and by an amount that depends on the generator), and it can come
 * out slightly negative for sets from one distribution. Deterministic for a
 * seed.
 *
 * Defaults: 20 subsets of min(1000, n) vectors, seed 0
 * ({@linkcode kernelDistanceDefaults} says why 20 rather than the references'
 * 100). When the subset size reaches both sets' sizes, every subset is the
 * whole sets, so the estimate is computed once (`subsets` 1, `kidStd` 0).
 * Cost: 2·m²·d multiply-adds per subset, ~0.1 s for m = 1000, d = 128.
 *
 * @param real Row-major `n×d` real features.
 * @param fake Row-major `n'×d` generated features (n' may differ from n).
 * @param d Feature length.
 * @param options See {@linkcode KernelDistanceOptions}.
 * @returns The average, its spread and the subsets used.
 * @throws {RangeError} When `d` is not a positive integer, a set does not hold whole vectors or holds fewer than 2,
 *   or an option is out of range.
 * @example Two sets of one distribution, and one shifted
 * ```ts
 * import { kernelDistance } from "./kid.ts";
 * import { Rng } from "../rng.ts";
 * const rng = new Rng(1);
 * const a = rng.fillNormal(new Float32Array(200 * 8));
 * const b = rng.fillNormal(new Float32Array(200 * 8));
 * const shifted = b.map((v) => v + 1);
 * kernelDistance(a, b, 8).kid; // ≈ 0
 * kernelDistance(a, shifted, 8).kid; // clearly positive
 * ```
 */
export function kernelDistance(
  real: Float32Array,
  fake: Float32Array,
  d: number,
  options: KernelDistanceOptions = {},
): KernelDistance {
  const nReal = vectorCount(real, d, "real");
  const nFake = vectorCount(fake, d, "generated");
  const subsets = options.subsets ?? kernelDistanceDefaults.subsets;
  const wanted = options.subsetSize ?? kernelDistanceDefaults.subsetSize;
  if (!Number.isInteger(subsets) || subsets < 1) {
    throw new RangeError(`Cannot compute KID with 'subsets' = ${subsets}: expected a positive integer`);
  }
  if (!Number.isInteger(wanted) || wanted < 2) {
    throw new RangeError(`Cannot compute KID with 'subsetSize' = ${wanted}: expected an integer of at least 2`);
  }
  const m = Math.min(wanted, nReal, nFake);
  const whole = m === nReal && m === nFake;
  const lists = kidSubsets(nReal, nFake, {
    subsets: whole ? 1 : subsets,
    subsetSize: m,
    seed: options.seed ?? kernelDistanceDefaults.seed,
  });
  const mmd = new PolynomialMmd(d, m);
  const estimates = lists.map(({ real: r, fake: f }) => mmd.estimate(real, r, fake, f));
  let sum = 0;
  for (const e of estimates) sum += e;
  const kid = sum / estimates.length;
  let sq = 0;
  for (const e of estimates) sq += (e - kid) ** 2;
  return { kid, kidStd: Math.sqrt(sq / estimates.length), subsets: estimates.length, subsetSize: m };
}

/** One subset: row indices into each set, of equal length. */
export interface KidSubset {
  real: Int32Array;
  fake: Int32Array;
}

/**
 * The subsets {@linkcode kernelDistance} averages over (for a check against
 * another implementation): per subset, `subsetSize` distinct real rows, then
 * `subsetSize` distinct generated rows, each a partial Fisher–Yates shuffle
 * driven by one {@linkcode Rng} seeded with `seed`.
 *
 * @param nReal Real vectors.
 * @param nFake Generated vectors.
 * @param options Subsets, their size (at most `nReal` and `nFake`), and the seed; defaults as {@linkcode kernelDistance}'s.
 * @returns The index lists, in draw order.
 * @throws {RangeError} When the subset size exceeds a set.
 */
export function kidSubsets(nReal: number, nFake: number, options: KernelDistanceOptions = {}): KidSubset[] {
  const subsets = options.subsets ?? kernelDistanceDefaults.subsets;
  const m = options.subsetSize ?? Math.min(kernelDistanceDefaults.subsetSize, nReal, nFake);
  if (m > nReal || m > nFake) {
    throw new RangeError(`Cannot draw subsets of ${m} from ${nReal} real and ${nFake} generated vectors`);
  }
  const rng = new Rng(options.seed ?? kernelDistanceDefaults.seed);
  const realOrder = Int32Array.from({ length: nReal }, (_, i) => i);
  const fakeOrder = Int32Array.from({ length: nFake }, (_, i) => i);
  const draw = (order: Int32Array): Int32Array => {
    for (let t = 0; t < m; t++) {
      const j = t + rng.int(order.length - t);
      const v = order[t]!;
      order[t] = order[j]!;
      order[j] = v;
    }
    return order.slice(0, m);
  };
  return Array.from({ length: subsets }, () => {
    const real = draw(realOrder);
    return { real, fake: draw(fakeOrder) };
  });
}

/**
 * The unbiased MMD² of one subset pair under the cubic polynomial kernel: the
 * reference's `polynomial_mmd` (its `mmd_est='unbiased'`) on the given rows.
 *
 * @param real Row-major real features.
 * @param realRows The real rows of the subset.
 * @param fake Row-major generated features.
 * @param fakeRows The generated rows, as many as `realRows` (at least 2).
 * @param d Feature length.
 * @returns MMD²ᵤ.
 * @throws {RangeError} When the row lists differ in length or hold fewer than 2.
 */
export function polynomialMmd(
  real: Float32Array,
  realRows: ArrayLike<number>,
  fake: Float32Array,
  fakeRows: ArrayLike<number>,
  d: number,
): number {
  const m = realRows.length;
  if (fakeRows.length !== m || m < 2) {
    throw new RangeError(
      `Cannot estimate MMD² on ${m} real and ${fakeRows.length} generated rows: expected as many, at least 2`,
    );
  }
  return new PolynomialMmd(d, m).estimate(real, realRows, fake, fakeRows);
}

/** The number of length-`d` vectors in `x`. */
function vectorCount(x: Float32Array, d: number, side: string): number {
  if (!Number.isInteger(d) || d < 1) {
    throw new RangeError(`Cannot compute KID with feature length 'd' = ${d}: expected a positive integer`);
  }
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(
      `Cannot compute KID: expected at least 2 ${side} vectors of length ${d}, got ${n} (${x.length} values)`,
    );
  }
  return n;
}

/** Per-subset buffers: the gathered rows in float64, zero-padded to a multiple of {@linkcode BLOCK}. */
class PolynomialMmd {
  readonly #d: number;
  readonly #m: number;
  readonly #padded: number;
  readonly #x: Float64Array;
  readonly #y: Float64Array;

  constructor(d: number, m: number) {
    this.#d = d;
    this.#m = m;
    this.#padded = Math.ceil(m / BLOCK) * BLOCK;
    this.#x = new Float64Array(this.#padded * d);
    this.#y = new Float64Array(this.#padded * d);
  }

  estimate(real: Float32Array, realRows: ArrayLike<number>, fake: Float32Array, fakeRows: ArrayLike<number>): number {
    const m = this.#m;
    const d = this.#d;
    gather(real, realRows, d, this.#x);
    gather(fake, fakeRows, d, this.#y);
    // A zero padding row has k = (0 + 1)³ = 1 with every row: each block sum over-counts by one per padded pair.
    const padPairs = this.#padded * this.#padded - m * m;
    const xx = blockSum(this.#x, this.#x, this.#padded, d, true) - padPairs - diagonalSum(this.#x, m, d);
    const yy = blockSum(this.#y, this.#y, this.#padded, d, true) - padPairs - diagonalSum(this.#y, m, d);
    const xy = blockSum(this.#x, this.#y, this.#padded, d, false) - padPairs;
    return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
  }
}

/** Copy rows `rows` of `x` (length-`d` vectors) into the first rows of `out`. */
function gather(x: Float32Array, rows: ArrayLike<number>, d: number, out: Float64Array): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let k = 0; k < d; k++) out[i * d + k] = x[r * d + k]!;
  }
}

/** Σᵢ k(xᵢ, xᵢ) over the first `m` rows. */
function diagonalSum(x: Float64Array, m: number, d: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += x[i * d + k]! * x[i * d + k]!;
    const t = dot / d + 1;
    s += t * t * t;
  }
  return s;
}

/**
 * Σ_{i,j} k(aᵢ, bⱼ) over all `p×p` row pairs (p a multiple of 4), in 4×4
 * register blocks. `symmetric` (a is b): only the blocks on and above the
 * diagonal are computed, those above counted twice.
 */
function blockSum(a: Float64Array, b: Float64Array, p: number, d: number, symmetric: boolean): number {
  const inv = 1 / d;
  const cube = (dot: number) => {
    const t = dot * inv + 1;
    return t * t * t;
  };
  let total = 0;
  for (let i = 0; i < p; i += BLOCK) {
    const i0 = i * d, i1 = i0 + d, i2 = i1 + d, i3 = i2 + d;
    let rowSum = 0;
    for (let j = symmetric ? i + BLOCK : 0; j < p; j += BLOCK) {
      const j0 = j * d, j1 = j0 + d, j2 = j1 + d, j3 = j2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < d; k++) {
        const a0 = a[i0 + k]!, a1 = a[i1 + k]!, a2 = a[i2 + k]!, a3 = a[i3 + k]!;
        const b0 = b[j0 + k]!, b1 = b[j1 + k]!, b2 = b[j2 + k]!, b3 = b[j3 + k]!;
        s00 += a0 * b0, s01 += a0 * b1, s02 += a0 * b2, s03 += a0 * b3;
        s10 += a1 * b0, s11 += a1 * b1, s12 += a1 * b2, s13 += a1 * b3;
        s20 += a2 * b0, s21 += a2 * b1, s22 += a2 * b2, s23 += a2 * b3;
        s30 += a3 * b0, s31 += a3 * b1, s32 += a3 * b2, s33 += a3 * b3;
      }
      rowSum += cube(s00) + cube(s01) + cube(s02) + cube(s03) + cube(s10) + cube(s11) + cube(s12) + cube(s13) +
        cube(s20) + cube(s21) + cube(s22) + cube(s23) + cube(s30) + cube(s31) + cube(s32) + cube(s33);
    }
    total += symmetric ? 2 * rowSum + diagonalBlock(a, i, d) : rowSum;
  }
  return total;
}

/** Σ k(aᵢ, aⱼ) over the 4×4 block of rows i₀…i₀+3 with themselves (diagonal included). */
function diagonalBlock(a: Float64Array, i0: number, d: number): number {
  let s = 0;
  for (let i = i0; i < i0 + BLOCK; i++) {
    for (let j = i0; j < i0 + BLOCK; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += a[i * d + k]! * a[j * d + k]!;
      const t = dot / d + 1;
      s += t * t * t;
    }
  }
  return s;
}
