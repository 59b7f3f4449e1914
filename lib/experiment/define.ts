/**
 * What an experiment file declares, and `defineExperiment`, which types it.
 * @module
 */
import type { Architecture } from "../archs/registry.ts";
import type { GanKind } from "../train/kinds/kind.ts";
import type { Claim } from "../claims/claims.ts";
import type { ConfigKey, PartialConfig, ResolvedConfig } from "./config.ts";
import type { Search } from "./search.ts";
import type { Collapse, Prune } from "./stopping.ts";

/** A grid: each config key maps to the list of values to try. */
export type Grid = { [K in ConfigKey]?: ResolvedConfig[K][] };

/** An experiment: a base config, a grid over it, and optional extras. */
export interface Experiment {
  /** Folder name under `results/`: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** One or two sentences: the question the sweep answers. */
  description?: string;
  /** Values shared by every run, over the harness defaults. */
  base?: PartialConfig;
  /** Values to sweep; runs are the cartesian product, last key fastest. */
  grid?: Grid;
  /** Architectures this file brings, by name (usable as `arch` values). */
  archs?: Record<string, Architecture>;
  /** Kinds of GAN this file brings, by name (usable as `kind` values; see `lib/train/kinds/kind.ts`). */
  kinds?: Record<string, GanKind>;
  /** Named overrides picked with `--profile NAME` (e.g. a quick budget). */
  profiles?: Record<string, PartialConfig>;
  /** What the sweep is expected to show, as checks over its results (see `lib/claims/claims.ts`). */
  claims?: Claim[];
  /** Trials drawn from a search space, crossed with the grid (see `lib/experiment/search.ts`). */
  search?: Search;
  /** Successive-halving pruning: stop the runs that rank low at each rung (see `lib/sweep/asha.ts`). */
  prune?: Prune;
  /** Stop runs that have collapsed (off unless set). */
  collapse?: Collapse;
}

/**
 * Declare an experiment. It returns its argument unchanged: its use is the
 * type check, so an editor flags a misspelt key or a wrong type as you write.
 *
 * @param experiment The experiment: a name, base settings, the grid to sweep, optional profiles, architectures and claims.
 * @returns The same object, typed.
 * @example Declare a learning-rate × noise-dimension sweep
 * ```ts
 * import { defineExperiment } from "../../mod.ts";
 * const exp = defineExperiment({
 *   name: "lr-vs-noise",
 *   base: { dataset: "mnist", arch: "mlp-keras", epochs: 5 },
 *   grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] },
 * });
 * ```
 */
export function defineExperiment(experiment: Experiment): Experiment {
  return experiment;
}
