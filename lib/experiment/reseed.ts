/**
 * The seeds phase of a search: once the first phase (the grid × the search's trials) has finished, rerun the best
 * `top` configurations of each group with several seeds, so a configuration's result is a spread over restarts,
 * not one draw (Lucic et al. 2018 reran each loss's best setting with many seeds).
 *
 * ```ts ignore
 * reseed: { top: 1, seeds: [1, 2, 3, 4, 5], by: ["dataset", "loss"], metric: "fcd" },
 * ```
 *
 * A second-phase run is its first-phase trial with `seed` set to each seed: the same config otherwise, so the same
 * run id rules, and the trial itself is reused where its seed is one of them. Runs that did not finish with a
 * value of `metric` (diverged, pruned, failed) are not candidates.
 * @module
 */
import { z } from "zod";
import { RANKED_METRICS, type RankedMetric } from "./stopping.ts";

/** What an experiment file writes under `reseed`. */
export interface Reseed {
  /** Configurations kept from each group, best first (default 1). */
  top?: number;
  /** The seeds each kept configuration runs with. */
  seeds: number[];
  /** Config keys that form the groups (e.g. `["dataset", "loss"]`); none: one group. */
  by?: string[];
  /** The eval metric that ranks the first phase's runs (its direction is the metric's: FCD lower, recall higher). */
  metric: RankedMetric;
}

/** The schema of {@linkcode Reseed}. */
export const reseedSchema = z.strictObject({
  top: z.number().int().min(1).optional(),
  seeds: z.array(z.number().int().min(0)).min(1).refine((s) => new Set(s).size === s.length, "seeds repeat"),
  by: z.array(z.string().min(1)).optional(),
  metric: z.enum(Object.keys(RANKED_METRICS) as [RankedMetric, ...RankedMetric[]]),
});

/** A first-phase run as the seeds phase sees it. */
export interface FinishedTrial {
  runId: string;
  /** Its grid and search values (its `seed` among them when the grid or search sets one). */
  gridValues: Record<string, unknown>;
  /** Its resolved config (the `by` keys are read here, so a key set in `base` groups too). */
  config: Record<string, unknown>;
  /** The last value of the metric, or null when it has none (not completed, diverged, never evaluated). */
  value: number | null;
}

/** One configuration picked for the seeds phase. */
export interface ReseedPick {
  /** The group it won in (the `by` keys' values). */
  group: Record<string, unknown>;
  /** Its rank in the group (1 = best). */
  rank: number;
  /** The first-phase run it comes from. */
  from: FinishedTrial;
  /** The points to run: its values with each seed. */
  points: Record<string, unknown>[];
}

/**
 * Pick each group's best configurations of a finished first phase and the points of their reruns.
 * Ties keep the earlier run (plan order).
 * @param reseed The experiment's `reseed`.
 * @param trials The first phase's runs, in plan order.
 * @returns The picks, group by group in order of first appearance.
 * @example
 * ```ts
 * import { planReseed } from "./reseed.ts";
 * const trials = [
 *   { runId: "a", gridValues: { lr: 1e-3 }, config: { loss: "bce" }, value: 9 },
 *   { runId: "b", gridValues: { lr: 1e-4 }, config: { loss: "bce" }, value: 7 },
 * ];
 * planReseed({ seeds: [1, 2], by: ["loss"], metric: "fcd" }, trials)[0]!.points;
 * // [{ lr: 1e-4, seed: 1 }, { lr: 1e-4, seed: 2 }]
 * ```
 */
export function planReseed(reseed: Reseed, trials: readonly FinishedTrial[]): ReseedPick[] {
  const higher = RANKED_METRICS[reseed.metric] === "max";
  const groups = new Map<string, { group: Record<string, unknown>; members: FinishedTrial[] }>();
  for (const t of trials) {
    if (t.value === null || !Number.isFinite(t.value)) continue;
    const group = Object.fromEntries((reseed.by ?? []).map((k) => [k, t.config[k]]));
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, { group, members: [] });
    groups.get(key)!.members.push(t);
  }
  const picks: ReseedPick[] = [];
  for (const { group, members } of groups.values()) {
    const ranked = members.map((t, i) => ({ t, i })).sort((a, b) =>
      (higher ? b.t.value! - a.t.value! : a.t.value! - b.t.value!) || a.i - b.i
    );
    ranked.slice(0, reseed.top ?? 1).forEach(({ t }, r) => {
      picks.push({ group, rank: r + 1, from: t, points: reseed.seeds.map((seed) => ({ ...t.gridValues, seed })) });
    });
  }
  return picks;
}
