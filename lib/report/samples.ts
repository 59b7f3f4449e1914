/**
 * Which sample grids to show: the first, middle and last sampling points of
 * the sweep (or the epochs asked for), and each run's image at each point.
 * @module
 */
import type { RunData, SampleRef } from "../results/read_results.ts";
import { InputError } from "../input_error.ts";

/** A sampling point asked for: by position or by number. */
export type SamplePick = "first" | "middle" | "last" | number;

/**
 * Parse `--samples first,middle,last` or `--samples 1,5,10`.
 *
 * @param text Comma-separated picks.
 * @returns The picks.
 * @throws {InputError} On anything but first/middle/last or a non-negative integer.
 */
export function parseSamplePicks(text: string): SamplePick[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map(
    (s) => {
      if (s === "first" || s === "middle" || s === "last") return s;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) {
        throw new InputError(
          "--samples",
          `cannot pick sample '${s}': use first, middle, last or an epoch (step) number`,
        );
      }
      return n;
    },
  );
}

/** The unit samples are counted in (from their file names / lines). */
export type SampleUnit = "epoch" | "step";

function position(s: SampleRef, unit: SampleUnit): number | null {
  return unit === "epoch" ? s.epoch : s.step;
}

/**
 * Count samples in epochs when every sample has an epoch and no run has two
 * samples in the same epoch (sampling once per epoch); otherwise in steps
 * (step budgets, or several samples within an epoch).
 *
 * @param runs The runs.
 * @returns The unit.
 */
export function sampleUnit(runs: readonly RunData[]): SampleUnit {
  const byEpoch = runs.every((r) => {
    const epochs = r.samples.map((s) => s.epoch);
    return epochs.every((e) => e !== null) && new Set(epochs).size === epochs.length;
  });
  if (byEpoch) return "epoch";
  return runs.every((r) => r.samples.every((s) => s.step !== null)) ? "step" : "epoch";
}

/**
 * Resolve picks to sampling points over all runs.
 *
 * @param runs The runs.
 * @param picks What to show.
 * @returns The unit and the points (deduplicated, in order), each with a title.
 */
export function samplePoints(
  runs: readonly RunData[],
  picks: readonly SamplePick[],
): { unit: SampleUnit; points: { title: string; at: number }[] } {
  const all = runs.flatMap((r) => r.samples);
  const unit = sampleUnit(runs);
  const values = [
    ...new Set(all.flatMap((s) => {
      const p = position(s, unit);
      return p === null ? [] : [p];
    })),
  ].sort((a, b) => a - b);
  if (values.length === 0) return { unit, points: [] };
  const seen = new Set<number>();
  const points: { title: string; at: number }[] = [];
  for (const pick of picks) {
    const at = pick === "first"
      ? values[0]
      : pick === "last"
      ? values[values.length - 1]
      : pick === "middle"
      ? values[Math.floor((values.length - 1) / 2)]
      : pick;
    if (at === undefined || seen.has(at)) continue;
    seen.add(at);
    const name = typeof pick === "number" ? "" : `${pick}: `;
    points.push({ title: `${name}${unit} ${at}`, at });
  }
  return { unit, points };
}

/**
 * A run's sample at a point: the latest one at or before it (a run that
 * stopped early shows its last image).
 *
 * @param run The run.
 * @param at The sampling point.
 * @param unit Epochs or steps.
 * @returns The sample, or null when the run has none that early.
 */
export function sampleAt(
  run: RunData,
  at: number,
  unit: SampleUnit,
): SampleRef | null {
  let best: SampleRef | null = null;
  for (const s of run.samples) {
    const p = position(s, unit);
    if (
      p !== null && p <= at &&
      (best === null || p >= (position(best, unit) ?? 0))
    ) {
      best = s;
    }
  }
  return best;
}
