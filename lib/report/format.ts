/**
 * Number and duration formatting for labels and tables.
 * @module
 */

/**
 * A number in 3 significant digits (whole numbers from 1,000 on, e.g. an FCD
 * of `1235`, not `1230`), exponential when very large or small.
 *
 * @param value The number.
 * @returns Its label, e.g. `0.693`, `177`, `1235`, `1.2e-5`, `NaN`.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2);
  if (abs >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/**
 * Seconds as `1h 02m`, `3m 05s` or `12.3s`.
 *
 * @param seconds A duration.
 * @returns Its label.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(r)}s`;
}
