/**
 * Sums, means and rounding of a step's named numbers (lib/results/step_numbers.ts) for the log. Each works on
 * any list of names, and builds its result in the list's order (the order of the fields in the log's lines).
 * @module
 */

/** Each number by name. */
export type Numbers<N extends string> = Record<N, number>;

/** All zero. */
export function zeroNumbers<N extends string>(names: readonly N[]): Numbers<N> {
  return Object.fromEntries(names.map((k) => [k, 0])) as Numbers<N>;
}

/** Each number times `f`. */
export function scaleNumbers<N extends string>(names: readonly N[], s: Numbers<N>, f: number): Numbers<N> {
  return Object.fromEntries(names.map((k) => [k, s[k] * f])) as Numbers<N>;
}

/** Rounded to 6 digits for the log. */
export function roundNumbers<N extends string>(names: readonly N[], s: Numbers<N>): Numbers<N> {
  return Object.fromEntries(names.map((k) => [k, round(s[k], 6)])) as Numbers<N>;
}

/** Round for the log; non-finite values are kept as they are (JSON writes them as null). */
export function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
