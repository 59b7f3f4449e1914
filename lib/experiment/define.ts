/**
 * What an experiment file declares, and `defineExperiment`, which types it.
 * @module
 */
import type { AnyArchitecture } from "../archs/registry.ts";
import type { AnyGanKind } from "../plugins/kinds.ts";
import type { AnyGanLoss } from "../plugins/losses.ts";
import type { Claim } from "../claims/claims.ts";
import type { ConfigKey, PartialConfig, ResolvedConfig } from "./config.ts";
import type { Search } from "./search.ts";
import type { Collapse, Prune } from "./stopping.ts";
import type { Reseed } from "./reseed.ts";

/**
 * A grid: each config key maps to the list of values to try.
 * @typeParam O the options of the plug-ins the experiment file brings (their keys and value types).
 */
export type Grid<O extends object = Record<never, never>> =
  & { [K in ConfigKey]?: ResolvedConfig[K][] }
  & { [K in keyof O]?: O[K][] };

/**
 * An experiment: a base config, a grid over it, and optional extras.
 * @typeParam O the options of the plug-ins the file brings under `archs`, `kinds` and `losses`, so that `base`,
 *   `grid` and `profiles` may set them (`defineExperiment<{ gamma: number }>({ ... })`).
 */
export interface Experiment<O extends object = Record<never, never>> {
  /** Folder name under `results/`: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** One or two sentences: the question the sweep answers. */
  description?: string;
  /** Values shared by every run, over the harness defaults. */
  base?: PartialConfig & Partial<O>;
  /** Values to sweep; runs are the cartesian product, last key fastest. */
  grid?: Grid<O>;
  /** Architectures this file brings, by name (usable as `arch` values; see `lib/archs/registry.ts`). */
  archs?: Record<string, AnyArchitecture>;
  /** Kinds of GAN this file brings, by name (usable as `kind` values; see `lib/plugins/kinds.ts`). */
  kinds?: Record<string, AnyGanKind>;
  /** Losses this file brings, by name (usable as `loss` values; see `lib/plugins/losses.ts`). */
  losses?: Record<string, AnyGanLoss>;
  /**
   * Named overrides picked with `--profile NAME` (e.g. a quick budget); `trials` sets how many trials the search
   * draws under that profile.
   */
  profiles?: Record<string, PartialConfig & Partial<O> & { trials?: number }>;
  /** What the sweep is expected to show, as checks over its results (see `lib/claims/claims.ts`). */
  claims?: Claim[];
  /** Trials drawn from a search space, crossed with the grid (see `lib/experiment/search.ts`). */
  search?: Search<O>;
  /** Successive-halving pruning: stop the runs that rank low at each rung (see `lib/sweep/asha.ts`). */
  prune?: Prune;
  /** Stop runs that have collapsed (off unless set). */
  collapse?: Collapse;
  /**
   * The seeds phase: once the grid and search have finished, rerun the best configurations of each group with
   * several seeds (see `lib/experiment/reseed.ts`).
   */
  reseed?: Reseed;
}

/**
 * Declare an experiment. It returns its argument unchanged: its use is the
 * type check, so an editor flags a misspelt key or a wrong type as you write.
 *
 * @param experiment The experiment: a name, base settings, the grid to sweep, optional profiles, architectures,
 *   kinds, losses and claims.
 * @typeParam O the options the file's own plug-ins declare, when `base`, `grid` or `profiles` set them.
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
export function defineExperiment<O extends object = Record<never, never>>(
  experiment: Experiment<NoInfer<O>>,
): Experiment {
  return experiment as Experiment;
}
