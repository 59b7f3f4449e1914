/**
 * Exponential moving average for noisy loss curves.
 * @module
 */

/**
 * Debiased exponential moving average (as TensorBoard draws it): early points
 * are not pulled towards zero.
 *
 * @param values The raw series.
 * @param weight Smoothing weight in [0, 1); 0 returns the series unchanged.
 * @returns The smoothed series, same length.
 * @throws {RangeError} When `weight` is outside [0, 1).
 *
 * @example
 * ```ts
 * import { ema } from "./smooth.ts";
 * ema([1, 1, 1], 0.9); // [1, 1, 1]
 * ```
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) {
    throw new RangeError(
      `Cannot smooth as 'weight' must be in [0, 1): current value is ${weight}`,
    );
  }
  let acc = 0;
  let norm = 0;
  return values.map((v) => {
    acc = acc * weight + (1 - weight) * v;
    norm = norm * weight + (1 - weight);
    return acc / norm;
  });
}

/**
 * A smoothing weight that averages over about 1/15 of a series of `n`
 * points: short runs stay nearly raw, long runs get a readable trend. The
 * window is a power of two, so a series that gains points keeps its smoothed
 * values until its length doubles (a live report then sends only new points).
 *
 * @param n Number of points in the series.
 * @returns A weight for {@linkcode ema}.
 *
 * @example
 * ```ts
 * import { autoWeight } from "./smooth.ts";
 * autoWeight(10); // 0 (raw)
 * autoWeight(60) === autoWeight(100); // true (window 4)
 * ```
 */
export function autoWeight(n: number): number {
  const window = 2 ** Math.floor(Math.log2(Math.max(1, n / 15)));
  return 1 - 1 / window;
}
