/**
 * Durations typed on the command line (`--stop-after 2h45m`).
 * @module
 */
import { InputError } from "../input_error.ts";

/** The longest delay a timer keeps (2^31 − 1 ms, ~24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Parse a duration such as `45s`, `90m`, `2h45m` or `1.5h` into seconds.
 * @throws {InputError} naming `flag` when `text` is not one.
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  const seconds = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
  if (!m || text.trim() === "" || !(seconds > 0)) {
    throw new InputError(
      flag,
      `expected a positive duration in hours, minutes and/or seconds (e.g. 45s, 90m, 2h45m, 1.5h), got ${
        JSON.stringify(text)
      }`,
    );
  }
  if (seconds * 1000 > MAX_TIMER_MS) {
    throw new InputError(flag, `at most 596h (a timer's limit), got ${JSON.stringify(text)}`);
  }
  return seconds;
}

/** The `--stop-after` flag's value in seconds, or undefined when it was not given. */
export function parseStopAfter(value: unknown): number | undefined {
  return value === undefined ? undefined : parseDuration(String(value), "--stop-after");
}

/** Format seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }
  return `${s}s`;
}
