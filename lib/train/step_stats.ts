/**
 * The five numbers logged per window of steps (D loss, G loss, D(x), D(G(z)),
 * D accuracy): sums, means and rounding for the log.
 * @module
 */

/** Sums or means of the five numbers over a window of steps. */
export type Stats = {
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  dAcc: number;
};
export const STAT_KEYS = ["dLoss", "dReal", "dFake", "dAcc", "gLoss"] as const;

/** All zero. */
export function zeroStats(): Stats {
  return { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0, dAcc: 0 };
}

/** Each number times `f`. */
export function scaleStats(s: Stats, f: number): Stats {
  return {
    dLoss: s.dLoss * f,
    gLoss: s.gLoss * f,
    dReal: s.dReal * f,
    dFake: s.dFake * f,
    dAcc: s.dAcc * f,
  };
}

/** Rounded to 6 digits for the log. */
export function roundStats(s: Stats): Stats {
  return {
    dLoss: round(s.dLoss, 6),
    gLoss: round(s.gLoss, 6),
    dReal: round(s.dReal, 6),
    dFake: round(s.dFake, 6),
    dAcc: round(s.dAcc, 6),
  };
}

/** Round for the log; non-finite values are kept as they are (JSON writes them as null). */
export function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
