/**
 * The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers, `new-joe-kuo-6.21201`), in up to 32
 * dimensions, 32 bits, Gray-code order, with an optional random digital shift: each coordinate XORed with a
 * fixed seeded 32-bit word, which keeps the sequence's spread and makes its seed mean something.
 *
 * For a search space of few trials, these points cover the cube more evenly than independent random draws.
 * @module
 */

/**
 * Each dimension's primitive polynomial (its bits, the leading and constant terms included: 7 = x² + x + 1)
 * and its initial direction numbers m₁…m_s, as published by Joe and Kuo; the first dimension is van der
 * Corput's (m = 1 throughout).
 */
const DIRECTIONS: readonly (readonly [poly: number, m: readonly number[]])[] = [
  [1, [1]],
  [3, [1]],
  [7, [1, 3]],
  [11, [1, 3, 1]],
  [13, [1, 1, 1]],
  [19, [1, 1, 3, 3]],
  [25, [1, 3, 5, 13]],
  [37, [1, 1, 5, 5, 17]],
  [41, [1, 1, 5, 5, 5]],
  [47, [1, 1, 7, 11, 19]],
  [55, [1, 1, 5, 1, 1]],
  [59, [1, 1, 1, 3, 11]],
  [61, [1, 3, 5, 5, 31]],
  [67, [1, 3, 3, 9, 7, 49]],
  [91, [1, 1, 1, 15, 21, 21]],
  [97, [1, 3, 1, 13, 27, 49]],
  [103, [1, 1, 1, 15, 7, 5]],
  [109, [1, 3, 1, 15, 13, 25]],
  [115, [1, 1, 5, 5, 19, 61]],
  [131, [1, 3, 7, 11, 23, 15, 103]],
  [137, [1, 3, 7, 13, 13, 15, 69]],
  [143, [1, 1, 3, 13, 7, 35, 63]],
  [145, [1, 3, 5, 9, 1, 25, 53]],
  [157, [1, 3, 1, 13, 9, 35, 107]],
  [167, [1, 3, 1, 5, 27, 61, 31]],
  [171, [1, 1, 5, 11, 19, 41, 61]],
  [185, [1, 3, 5, 3, 3, 13, 69]],
  [191, [1, 1, 7, 13, 1, 19, 1]],
  [193, [1, 3, 7, 5, 13, 19, 59]],
  [203, [1, 1, 3, 9, 25, 29, 41]],
  [211, [1, 3, 5, 13, 23, 1, 55]],
  [213, [1, 3, 7, 3, 13, 59, 17]],
];

/** The most dimensions {@linkcode sobolPoints} draws. */
export const SOBOL_MAX_DIMENSIONS: number = DIRECTIONS.length;

const BITS = 32;

/** The 32 direction words of one dimension. */
function directionWords(poly: number, m: readonly number[]): Uint32Array {
  const v = new Uint32Array(BITS);
  if (poly === 1) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const s = Math.floor(Math.log2(poly));
  for (let k = 0; k < s; k++) v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let word = v[k - s]! ^ (v[k - s]! >>> s);
    for (let l = 1; l < s; l++) {
      if ((poly >>> (s - l)) & 1) word ^= v[k - l]!;
    }
    v[k] = word >>> 0;
  }
  return v;
}

/**
 * The first `count` points of the `dimensions`-dimensional Sobol sequence in [0, 1)^d, the origin first,
 * each coordinate XORed with `shift[j]` (a random digital shift; all zero gives the plain sequence).
 * @throws {RangeError} for more than {@linkcode SOBOL_MAX_DIMENSIONS} dimensions.
 */
export function sobolPoints(count: number, dimensions: number, shift?: Uint32Array): number[][] {
  if (dimensions > SOBOL_MAX_DIMENSIONS) {
    throw new RangeError(
      `Cannot draw Sobol points in ${dimensions} dimensions: at most ${SOBOL_MAX_DIMENSIONS} are supported`,
    );
  }
  const words = DIRECTIONS.slice(0, dimensions).map(([poly, m]) => directionWords(poly, m));
  const x = new Uint32Array(dimensions);
  const points: number[][] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      // Gray code: the point after i−1 flips the direction word of the lowest zero bit of i−1.
      let c = 0;
      while (((i - 1) >>> c) & 1) c++;
      for (let j = 0; j < dimensions; j++) x[j] = (x[j]! ^ words[j]![c]!) >>> 0;
    }
    points.push(Array.from(x, (xj, j) => ((xj ^ (shift?.[j] ?? 0)) >>> 0) / 2 ** BITS));
  }
  return points;
}
