/**
 * Stopping runs early, as a sweep's policy (neither changes a run's trajectory, so neither is part of a run's
 * id): successive-halving pruning on an evaluation metric, and the GAN-aware collapse rule.
 * @module
 */

/** The evaluation metrics a rule can rank or watch, each with the direction that is better. */
export const RANKED_METRICS = {
  fcd: "min",
  kid: "min",
  cis: "max",
  classesCovered: "max",
  klUniform: "min",
  precision: "max",
  recall: "max",
  labelAccuracy: "max",
} as const;

/** A metric {@linkcode Prune} can rank on. */
export type RankedMetric = keyof typeof RANKED_METRICS;

/** An experiment's successive-halving rule (see `lib/sweep/asha.ts`). */
export interface Prune {
  /** The evaluation metric ranked at each rung. */
  metric: RankedMetric;
  /** `min` (lower is better) or `max`; default: the metric's own direction (fcd min, cis max, …). */
  mode?: "min" | "max";
  /** The steps at which runs are evaluated and ranked: increasing, each before every run's budget ends. */
  rungs: number[];
  /** The share of the runs at a rung that go on, in (0, 1): 1/3 keeps the best third (at least the best one). */
  keep: number;
  /**
   * Config keys whose values form separate brackets (e.g. `["dataset", "loss"]`): a run is ranked only against the
   * runs of its own bracket, so one loss's FCDs never prune another's. None: one bracket.
   */
  by?: string[];
}

/** A run's bracket under `prune.by`: the canonical JSON of its values of those keys ("" without `by`). */
export function pruneBracket(prune: Prune, config: Record<string, unknown>): string {
  return prune.by?.length ? JSON.stringify(prune.by.map((k) => config[k] ?? null)) : "";
}

/**
 * The GAN-aware early stop: a run whose generator has collapsed, or whose discriminator has won outright, stops
 * as `collapsed` instead of training to its budget. Off unless set. FID-like metrics are not monotone, so the
 * class rule looks at the best evaluation so far, not the last.
 */
export interface Collapse {
  /** Stop at an evaluation when the most classes covered at any evaluation so far is at most this. */
  classesAtMost?: number;
  /** Stop when D's loss is below 0.01 and D(x) above 0.99 for this many log windows in a row. */
  dWinsFor?: number;
}

/** The direction a rule ranks in. */
export function pruneMode(prune: Prune): "min" | "max" {
  return prune.mode ?? RANKED_METRICS[prune.metric];
}

/** A rung's decision for a run: go on or stop, with its 0-based rank among the runs at the rung then. */
export interface RungDecision {
  kind: "continue" | "prune";
  rank: number;
  of: number;
}
