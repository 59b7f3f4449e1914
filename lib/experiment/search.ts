/**
 * Search spaces: instead of (or crossed with) a grid, an experiment file can ask for `trials` configurations
 * drawn from distributions over config keys, at random or from a Sobol sequence. The draw follows the search's
 * seed only, so the same file plans the same trials, and `--dry-run` lists them.
 *
 * @example Six random learning rates and noise sizes
 * ```ts
 * import { choice, logUniform } from "./search.ts";
 * const search = {
 *   strategy: "random" as const,
 *   trials: 6,
 *   seed: 1,
 *   space: { lr: logUniform(1e-5, 1e-2), noiseDim: choice([10, 64, 100]) },
 * };
 * ```
 * @module
 */
import type { ConfigKey, ResolvedConfig } from "./config.ts";
import { sobolPoints } from "./sobol.ts";
import { Rng } from "../rng.ts";

/** A value drawn uniformly from `[low, high)`. */
export interface Uniform {
  distribution: "uniform";
  low: number;
  high: number;
}
/** A value whose logarithm is uniform on `[log low, log high)`: for learning rates and other scales. */
export interface LogUniform {
  distribution: "logUniform";
  low: number;
  high: number;
}
/** An integer drawn uniformly from `low` to `high`, both included. */
export interface IntUniform {
  distribution: "intUniform";
  low: number;
  high: number;
}
/** One of the listed values, each as likely. */
export interface Choice<T = unknown> {
  distribution: "choice";
  values: readonly T[];
}
/**
 * Where a searched key applies: only to runs whose config has one of the listed values for each key (the grid's
 * and the base's, before the search's), e.g. `clipValue` only where `loss` is `wgan`. Elsewhere the key is not set
 * (its default, so no option is left where its owner ignores it), or set to `otherwise`.
 */
export interface Condition {
  when?: Record<string, readonly unknown[]>;
  /** The value where `when` does not hold (absent: the key is left to the base and its default). */
  otherwise?: unknown;
}
/** A distribution over one config key's values, maybe only for some runs. */
export type Distribution = (Uniform | LogUniform | IntUniform | Choice) & Condition;

/** How trials are drawn: independent uniform draws, or a (digitally shifted) Sobol sequence. */
export const STRATEGIES = ["random", "sobol"] as const;

/**
 * A search space and how many trials to draw from it.
 * @typeParam O the options of the experiment file's own plug-ins, which the space may search too.
 */
export interface Search<O extends object = Record<never, never>> {
  /** `random`: independent draws; `sobol`: quasi-random, covering the space more evenly for few trials. */
  strategy: (typeof STRATEGIES)[number];
  /** How many configurations to draw (crossed with the grid, if there is one). */
  trials: number;
  /** The draw's own seed (default 0): not the runs' `seed`, which the base, grid or space sets. */
  seed?: number;
  /** The distribution of each searched key. */
  space: { [K in ConfigKey | keyof O]?: Distribution };
}

/** A value uniform on `[low, high)`. */
export function uniform(low: number, high: number): Uniform {
  return { distribution: "uniform", low, high };
}
/** A value log-uniform on `[low, high)` (both > 0): e.g. `lr: logUniform(1e-5, 1e-2)`. */
export function logUniform(low: number, high: number): LogUniform {
  return { distribution: "logUniform", low, high };
}
/** An integer from `low` to `high`, both included. */
export function intUniform(low: number, high: number): IntUniform {
  return { distribution: "intUniform", low, high };
}
/** One of `values`, each as likely: e.g. `noiseDim: choice([10, 64, 100])`. */
export function choice<T>(values: readonly T[]): Choice<T> {
  return { distribution: "choice", values };
}

/**
 * A distribution that applies only where `condition` holds (conditional search spaces, as Optuna's define-by-run
 * or compare_gan's per-loss ranges): the draw is made for every trial, so adding a condition changes no other key's
 * values.
 * @param condition For each config key, the values it must have (one value or a list).
 * @param distribution The distribution where it holds.
 * @param otherwise The value where it does not (absent: the key is not set there).
 * @example WGAN's clipping range, searched for WGAN runs only
 * ```ts
 * import { logUniform, when } from "./search.ts";
 * const clipValue = when({ loss: "wgan" }, logUniform(1e-3, 1));
 * ```
 */
export function when<D extends Uniform | LogUniform | IntUniform | Choice>(
  condition: Record<string, unknown>,
  distribution: D,
  ...otherwise: [] | [unknown]
): D & Condition {
  const lists = Object.fromEntries(
    Object.entries(condition).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
  );
  return { ...distribution, when: lists, ...(otherwise.length ? { otherwise: otherwise[0] } : {}) };
}

/** Six significant digits: readable run ids, and the same values whatever the platform's `log`/`exp` round to. */
function tidy(x: number): number {
  return Number(x.toPrecision(6));
}

/** The value at `u` in [0, 1) of a distribution. */
export function valueAt(d: Distribution, u: number): unknown {
  switch (d.distribution) {
    case "uniform":
      return tidy(d.low + u * (d.high - d.low));
    case "logUniform":
      return tidy(Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))));
    case "intUniform":
      return Math.min(d.high, d.low + Math.floor(u * (d.high - d.low + 1)));
    case "choice":
      return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))];
    default:
      return unknownDistribution(d);
  }
}

function unknownDistribution(d: never): never {
  throw new TypeError(`Cannot draw from an unknown distribution ${JSON.stringify(d)}`);
}

/** Points in [0, 1)^d, one per trial: the strategy's only part. */
function unitPoints(search: Search, dimensions: number): number[][] {
  const rng = new Rng(search.seed ?? 0);
  switch (search.strategy) {
    case "random":
      return Array.from({ length: search.trials }, () => Array.from({ length: dimensions }, () => rng.next()));
    case "sobol":
      return sobolPoints(search.trials, dimensions, Uint32Array.from({ length: dimensions }, () => rng.nextUint32()));
    default:
      return unknownStrategy(search.strategy);
  }
}

function unknownStrategy(s: never): never {
  throw new TypeError(`Cannot draw trials: unknown strategy ${JSON.stringify(s)}`);
}

/**
 * The trials of a search, in order: each maps the searched keys (in the space's order) to a drawn value.
 * @example
 * ```ts
 * import { drawTrials, uniform } from "./search.ts";
 * drawTrials({ strategy: "sobol", trials: 4, space: { beta1: uniform(0, 0.9) } }).length; // 4
 * ```
 */
export function drawTrials(search: Search): Partial<ResolvedConfig>[] {
  const keys = Object.keys(search.space) as ConfigKey[];
  return unitPoints(search, keys.length).map((u) =>
    Object.fromEntries(keys.map((k, j) => [k, valueAt(search.space[k]!, u[j]!)])) as Partial<ResolvedConfig>
  );
}
