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
import type { BackendInfo } from "./backend.ts";
import type { ResolvedConfig } from "./config.ts";

/**
 * Where a run stands. `diverged` is a result (non-finite loss), `failed` a crash, `stopped` a run asked to stop
 * (Ctrl-C, SIGTERM, `--stop-after`) that checkpointed where it was and continues when the sweep runs again.
 */
export type RunStatus = "running" | "stopped" | "completed" | "failed" | "diverged";

/** `results/<experiment>/experiment.json`: the sweep as declared. */
export interface ExperimentFile {
  name: string;
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
  runId: string;
  experiment: string;
  /** The grid values of this run (the keys that vary). */
  gridValues: Record<string, unknown>;
  config: ResolvedConfig;
  /** sha256 of the canonical JSON of `config`. */
  configHash: string;
  backend: BackendInfo;
  versions: Record<string, string>;
  /** The commit of the latest start (each start's is on its `start` line in `metrics.jsonl`). */
  git: string | null;
  /** When the run was first started; kept across resumes. */
  created: string;
}

/** `status.json`: rewritten atomically as the run progresses. */
export interface RunStatusFile {
  status: RunStatus;
  step: number;
  epoch: number;
  totalSteps: number;
  updated: string;
  /** Wall seconds spent training, summed over resumes. */
  seconds: number;
  /** For `failed`: the error message (and stack). */
  error?: string;
  /** For `diverged`: where, and the last finite losses seen. */
  diverged?: {
    step: number;
    reason: string;
    lastFinite: Record<string, number> | null;
  };
}

/** First line of every (re)start. */
export interface StartLine {
  kind: "start";
  time: string;
  step: number;
  backend: string;
  resumed: boolean;
  /** The commit this start trained with (null outside a git checkout; absent in logs from before it was recorded). */
  git?: string | null;
}

/** Every `logEvery` steps: means over the window that ends at `step`. */
export interface StepLine {
  kind: "step";
  step: number;
  epoch: number;
  dLoss: number;
  gLoss: number;
  /** Mean D output on real images (probability for bce/minimax, raw score for lsgan). */
  dReal: number;
  /** Mean D output on generated images. */
  dFake: number;
  /** Share of real and fake images D classifies right (threshold 0.5 / 0.5 score). */
  dAcc: number;
  /** Wall milliseconds per step over the window. */
  ms: number;
}

/** End of each epoch: means over the epoch. */
export interface EpochLine {
  kind: "epoch";
  epoch: number;
  step: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  dAcc: number;
  seconds: number;
}

/** A sample grid was written. `path` is relative to the run folder. */
export interface SampleLine {
  kind: "sample";
  step: number;
  epoch: number;
  path: string;
}

/** Quality metrics computed during or after training (any numeric fields). */
export interface EvalLine {
  kind: "eval";
  step: number;
  epoch: number;
  [metric: string]: number | string;
}

/** Last line of a run that stopped on its own. */
export interface EndLine {
  kind: "end";
  time: string;
  step: number;
  status: Exclude<RunStatus, "running" | "stopped">;
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
