/**
 * The files a run leaves in `results/<experiment>/<runId>/`, as types.
 *
 * - `config.json`  — {@linkcode RunConfigFile}
 * - `status.json`  — {@linkcode RunStatusFile}
 * - `metrics.jsonl` — one {@linkcode MetricsLine} per line, appended whole
 * - `samples/epoch-0001.png` (or `step-000500.png` for step budgets) — the
 *   fixed-noise sample grid, one file per sampling point
 *
 * And in `results/<experiment>/`: `experiment.json` — {@linkcode ExperimentFile}.
 * @module
 */
import type { ArchFingerprint } from "../archs/fingerprint.ts";
import type { BackendInfo } from "../tfjs/backend.ts";
import type { ResolvedConfig } from "../experiment/config.ts";
import type { StepNumbers } from "./step_numbers.ts";

/**
 * Where a run stands. `diverged` is a result (non-finite loss), `failed` a crash, `stopped` a run asked to stop
 * (Ctrl-C, SIGTERM, `--stop-after`) that checkpointed where it was and continues when the sweep runs again.
 */
export type RunStatus = "running" | "stopped" | "completed" | "failed" | "diverged" | "pruned" | "collapsed";

/** `results/<experiment>/experiment.json`: the sweep as declared. */
export interface ExperimentFile {
  /** The experiment's name (its folder). */
  name: string;
  /** The experiment file's description ("" when it has none). */
  description: string;
  /** The experiment file it came from. */
  source: string;
  /** Grid keys and their values, in declaration order. */
  grid: Record<string, unknown[]>;
  /** Run ids in grid order. */
  runs: string[];
  /** When the sweep last started. */
  updated: string;
}

/** `config.json`: everything needed to know what a run was. */
export interface RunConfigFile {
  /** The run's id, its folder name: the grid values and a hash of the config (`lr-0.01_noiseDim-10_3fa2c1`). */
  runId: string;
  /** The experiment's name. */
  experiment: string;
  /** The grid values of this run (the keys that vary). */
  gridValues: Record<string, unknown>;
  /** The whole config the run trained with, defaults included. */
  config: ResolvedConfig;
  /** sha256 of the canonical JSON of `config`. */
  configHash: string;
  /** Where it trained (of the latest start). */
  backend: BackendInfo;
  /** Versions of the TensorFlow.js packages (`tfjs-core`, …) and of Deno (`deno`). */
  versions: Record<string, string>;
  /** The commit of the latest start (each start's is on its `start` line in `metrics.jsonl`). */
  git: string | null;
  /** When the run was first started; kept across resumes. */
  created: string;
  /**
   * The architecture's networks layer by layer when the run was first started (absent in runs from before it was
   * recorded): a later sweep refuses the run if they have changed.
   */
  archFingerprint?: ArchFingerprint;
  /**
   * The training data (absent in runs from before it was recorded): its content digest, images, shape, classes
   * and where it was read. A later sweep refuses to resume the run on other data under the same source.
   */
  data?: { digest: string; count: number; shape: [number, number, number]; classes: number; source: string };
}

/** `status.json`: rewritten atomically as the run progresses. */
export interface RunStatusFile {
  /** Where the run stands. */
  status: RunStatus;
  /** Iterations done (of the latest checkpoint while running). */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** The run's budget in iterations. */
  totalSteps: number;
  /** When this file was written (ISO 8601). */
  updated: string;
  /** Wall seconds spent training, summed over resumes. */
  seconds: number;
  /** For `failed`: the error message (and stack). */
  error?: string;
  /** For `pruned`: the rung it stopped at, its metric there, and its rank among the runs at that rung then. */
  pruned?: { rung: number; metric: string; value: number; rank: number; of: number };
  /** For `collapsed`: why the collapse rule stopped it. */
  collapsed?: { step: number; reason: string };
  /** For `diverged`: where, and the last finite losses seen. */
  diverged?: {
    step: number;
    reason: string;
    lastFinite: Record<string, number> | null;
  };
  /**
   * For a run that ended (`completed`, `diverged`, `collapsed`; absent in runs from before it was recorded): its
   * files as they were when it ended, written with its end line. A later sweep or report checks them
   * (lib/results/verify_run.ts): a run whose files differ is damaged, not done.
   */
  ended?: {
    /** `metrics.jsonl` up to and including its end line (`eval` lines `deno task eval` appends come after it). */
    log: { lines: number; bytes: number; sha256: string };
    /** The sample grids its `sample` lines name and the saved generator's files, relative to the run folder. */
    files: { path: string; bytes: number; sha256: string }[];
  };
}

/** First line of every (re)start. */
export interface StartLine {
  /** The line's kind. */
  kind: "start";
  /** When training (re)started (ISO 8601). */
  time: string;
  /** The step it started from: 0, or the checkpoint's. */
  step: number;
  /** The backend and device, in words. */
  backend: string;
  /** Whether it continued from a checkpoint. */
  resumed: boolean;
  /** The commit this start trained with (null outside a git checkout; absent in logs from before it was recorded). */
  git?: string | null;
}

/** Every `logEvery` steps: the means of each of the `STEP_NUMBERS` (lib/results/step_numbers.ts) over the window that ends at `step`. */
export interface StepLine extends StepNumbers {
  /** The line's kind. */
  kind: "step";
  /** The iteration the window ends at. */
  step: number;
  /** Epochs completed at that iteration. */
  epoch: number;
  /** Wall milliseconds per step over the window. */
  ms: number;
}

/** End of each epoch: the means of each of the `STEP_NUMBERS` (lib/results/step_numbers.ts) over the epoch. */
export interface EpochLine extends StepNumbers {
  /** The line's kind. */
  kind: "epoch";
  /** The epoch that ended (1-based). */
  epoch: number;
  /** The iteration it ended at. */
  step: number;
  /** Wall seconds the epoch took. */
  seconds: number;
}

/** A sample grid was written. `path` is relative to the run folder. */
export interface SampleLine {
  /** The line's kind. */
  kind: "sample";
  /** The iteration the grid was drawn at. */
  step: number;
  /** Epochs completed then. */
  epoch: number;
  /** The PNG, relative to the run folder (`samples/epoch-0005.png`). */
  path: string;
}

/** Quality metrics computed during or after training (any numeric fields). */
export interface EvalLine {
  /** The line's kind. */
  kind: "eval";
  /** The iteration evaluated. */
  step: number;
  /** Epochs completed then. */
  epoch: number;
  /** Each metric by name (`fcd`, `cis`, `classesCovered`, `precision`, `recall`, …), and notes as strings. */
  [metric: string]: number | string;
}

/** Last line of a run that stopped on its own. */
export interface EndLine {
  /** The line's kind. */
  kind: "end";
  /** When the run ended (ISO 8601). */
  time: string;
  /** The last iteration trained. */
  step: number;
  /** How it ended. */
  status: Exclude<RunStatus, "running" | "stopped">;
  /** Wall seconds of training, summed over resumes. */
  seconds: number;
}

/** Any line of `metrics.jsonl`. */
export type MetricsLine =
  | StartLine
  | StepLine
  | EpochLine
  | SampleLine
  | EvalLine
  | EndLine;
