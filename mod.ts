/**
 * GAN research harness: declare a grid of GAN trainings in a typed
 * experiment file, train it with `deno task sweep`, compare with
 * `deno task report`.
 *
 * @example A learning-rate × noise-dimension sweep (experiments/lr-vs-noise.ts)
 * ```ts
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
export { type ConfigKey, defaults, type PartialConfig, type ResolvedConfig } from "./lib/config.ts";
export type { PixelRange } from "./lib/pixels.ts";
export { type Claim, type ClaimOutcome, formatStat, Runs, stat, type Verdict } from "./lib/claims.ts";
export type { EpochLine, MetricsLine, RunConfigFile, RunStatusFile, StepLine } from "./lib/records.ts";
import "./lib/archs/builtin.ts";
