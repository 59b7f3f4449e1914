/**
 * GAN research harness: declare a grid of GAN trainings in a typed
 * experiment file, train it with `deno task sweep`, compare with
 * `deno task report`.
 *
 * @example A learning-rate × noise-dimension sweep (experiments/lr-vs-noise.ts)
 * ```ts ignore
 * import { defineExperiment } from "../mod.ts";
 *
 * export default defineExperiment({
 *   name: "lr-vs-noise",
 *   description: "Does 1e-2 diverge where 2e-4 trains?",
 *   base: { dataset: "mnist", arch: "mlp-keras", loss: "bce", epochs: 5, batchSize: 128 },
 *   grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] },
 * });
 * ```
 * @module
 */
export { defineExperiment, type Experiment, type Grid } from "./lib/experiment.ts";
export { type ArchContext, type Architecture, archNames, getArch, registerArch } from "./lib/arch.ts";
export {
  type ConfigKey,
  type Dataset,
  DATASETS,
  defaults,
  type Loss,
  LOSSES,
  type PartialConfig,
  PIXEL_RANGES,
  type ResolvedConfig,
} from "./lib/config.ts";
export type { PixelRange } from "./lib/pixels.ts";
export { type CheckedClaim, type Claim, type ClaimOutcome, type Verdict } from "./lib/claims.ts";
export { Runs } from "./lib/runs.ts";
export { formatStat, type Stat, stat } from "./lib/stat.ts";
export type { RunData, RunState, SampleRef, SeriesPoint } from "./lib/report/read_results.ts";
export type {
  EndLine,
  EpochLine,
  EvalLine,
  ExperimentFile,
  MetricsLine,
  RunConfigFile,
  RunStatus,
  RunStatusFile,
  SampleLine,
  StartLine,
  StepLine,
} from "./lib/records.ts";
export type { BackendInfo } from "./lib/backend.ts";
export type { TfFlagValue } from "./lib/tf_flags.ts";
import "./lib/archs/builtin.ts";
