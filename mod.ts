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
export { defineExperiment, type Experiment, type Grid } from "./lib/experiment/define.ts";
export {
  type Choice,
  choice,
  type Condition,
  type Distribution,
  type IntUniform,
  intUniform,
  type LogUniform,
  logUniform,
  type Search,
  type Uniform,
  uniform,
  when,
} from "./lib/experiment/search.ts";
export { type Reseed } from "./lib/experiment/reseed.ts";
export { type ArchContext, type Architecture, archNames, getArch, registerArch } from "./lib/archs/registry.ts";
export {
  type BuiltinOptions,
  configDefaults,
  type ConfigKey,
  type CoreConfig,
  type Dataset,
  DATASETS,
  type Loss,
  LOSSES,
  type PartialConfig,
  PIXEL_RANGES,
  type ResolvedConfig,
} from "./lib/experiment/config.ts";
export {
  type GanLoss,
  getLoss,
  type LossContext,
  lossNames,
  type LossPenalty,
  type LossState,
  registerLoss,
} from "./lib/plugins/losses.ts";
export { option, type OptionSchema, type OptionSpec, type OptionValues } from "./lib/plugins/options.ts";
export type { PixelRange } from "./lib/data/pixels.ts";
export type { CifarSource, DatasetSource, ImageFolderSource, NpySource } from "./lib/data/sources.ts";
export {
  type GanKind,
  getKind,
  type KindContext,
  kindNames,
  type KindRun,
  type KindState,
  registerKind,
} from "./lib/plugins/kinds.ts";
export {
  buildGan,
  discriminatorStep,
  disposeGan,
  evaluateGenerator,
  ganIteration,
  generatorSettings,
  generatorStep,
  lossStateCheckpoint,
  sampleGridLabels,
  sampleGridNoise,
  stepSettings,
} from "./lib/train/kit.ts";
export type { IterationDraws, IterationLabels } from "./lib/train/gan.ts";
export type { Conditioning, Gan, StepSettings } from "./lib/train/steps.ts";
export type { IterationInputs } from "./lib/train/iteration_inputs.ts";
export type { EvalMetrics, Evaluator, GeneratorSettings } from "./lib/metrics/evaluator.ts";
export { type CheckedClaim, type Claim, type ClaimOutcome, type Verdict } from "./lib/claims/claims.ts";
export { Runs } from "./lib/claims/run_query.ts";
export { formatStat, type Stat, stat } from "./lib/claims/summary_stats.ts";
export type { RunData, RunState, SampleRef, SeriesPoint } from "./lib/results/read_results.ts";
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
} from "./lib/results/records.ts";
export type { BackendInfo } from "./lib/tfjs/backend.ts";
export { ExperimentRun, runExperiment, type RunExperimentOptions, type StoppedBy } from "./lib/api/run_experiment.ts";
export type { PlannedRunInfo, SweepEvent } from "./lib/api/sweep_events.ts";
export { loadResults, Results, type RunRow, RunTable } from "./lib/api/results.ts";
export { type ChartOptions, reportCharts } from "./lib/api/report_charts.ts";
export { Chart, chartBundle, vegaLiteMime } from "./lib/api/chart.ts";
export { type SampleChoice, SampleImage, sampleImages, SampleMatrix } from "./lib/api/samples.ts";
export { type Displayable, type MediaBundle, show } from "./lib/api/jupyter.ts";
export type { TfFlagValue } from "./lib/tfjs/flags.ts";
import "./lib/train/declared.ts"; // the built-ins, declared: their working halves load with the training code
