/**
 * Summary statistics for claims' measured text: mean, sample standard deviation and count.
 * @module
 */

/** Mean, standard deviation and count of some numbers. */
export interface Stat {
  /** The mean; NaN for no values. */
  mean: number;
  /** The sample standard deviation; 0 for one value. */
  sd: number;
  /** How many values. */
  n: number;
}

/**
 * Summarise numbers.
 * @param values The numbers, e.g. one final metric per seed.
 * @returns Their mean (NaN when there are none), sample standard deviation (0 for one) and count.
 * @example
 * ```ts
 * import { formatStat, stat } from "../../mod.ts";
 * formatStat(stat([0.55, 0.57])); // "0.560 ± 0.014 (n=2)"
 * ```
 */
export function stat(values: readonly number[]): Stat {
  const n = values.length;
  const mean = n ? values.reduce((a, v) => a + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Format a stat for a claim's measured text.
 * @param s The stat.
 * @param digits Digits after the decimal point.
 * @returns `0.557 ± 0.012 (n=2)`, the mean alone for one value, or "no data".
 */
export function formatStat(s: Stat, digits = 3): string {
  if (s.n === 0) return "no data";
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (n=${s.n})` : s.mean.toFixed(digits);
}
