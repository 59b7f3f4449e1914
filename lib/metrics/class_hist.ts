/**
 * The `classHist` field of `eval` lines: the share of generated samples per
 * class, written as comma-separated decimals (the report charts numeric
 * fields only, so the histogram travels as a string).
 * @module
 */

/**
 * Write a class histogram as an `eval` line's `classHist` field.
 *
 * @param shares Share per class, classes 0 to K−1.
 * @returns E.g. `"0.1000,0.0950,…"` (4 decimals).
 */
export function formatClassHist(shares: readonly number[]): string {
  return shares.map((p) => p.toFixed(4)).join(",");
}

/**
 * Read an `eval` line's `classHist` field back.
 *
 * @param field The field's value.
 * @returns Share per class, or `null` when the field is absent or malformed.
 * @example
 * ```ts
 * import { parseClassHist } from "./class_hist.ts";
 * parseClassHist("0.5000,0.5000"); // [0.5, 0.5]
 * parseClassHist(undefined); // null
 * ```
 */
export function parseClassHist(field: unknown): number[] | null {
  if (typeof field !== "string" || field === "") return null;
  const shares = field.split(",").map(Number);
  return shares.every((p) => Number.isFinite(p) && p >= 0 && p <= 1) ? shares : null;
}
