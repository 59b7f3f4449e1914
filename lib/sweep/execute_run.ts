/**
 * One run from start to its status: lock the folder, write `config.json`,
 * train, and record how it ended — `completed`, `diverged` (a result), or
 * `failed` (an exception, with the message in `status.json`).
 * @module
 */
import { InputError } from "../input_error.ts";
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "@std/path";
import { removeTempFiles, writeJsonAtomic } from "../atomic_write.ts";
import type { BackendInfo } from "../tfjs/backend.ts";
import { gitCommit } from "../results/git_commit.ts";
import type { PlannedRun } from "../experiment/plan.ts";
import type { RunConfigFile, RunStatusFile } from "../results/records.ts";
import { acquireRunLock } from "./run_lock.ts";
import { readRunFile, readStatus } from "./run_status.ts";
import { misplacedRunPath } from "./run_paths.ts";
import { doneBecause, rulesFor, stoppingFor } from "./early_stop.ts";
import type { Experiment } from "../experiment/define.ts";
import { type Progress, trainRun } from "../train/loop.ts";
import { loadTrainingImages, type TrainingImages } from "../data/training_images.ts";
import { datasetFacts } from "../data/dataset_ref.ts";
import { type ArchFingerprint, archFingerprint, fingerprintChange } from "../archs/fingerprint.ts";
import { damagedRunMessage } from "../results/verify_run.ts";
import { getLoss } from "../plugins/losses.ts";

/** How a run attempt ended, from the sweep's point of view. */
export interface RunResult {
  runId: string;
  status: "completed" | "diverged" | "stopped" | "pruned" | "collapsed" | "failed" | "skipped" | "locked";
  seconds: number;
  step?: number;
  error?: string;
  resumedFrom?: number;
  note?: string;
}

/** Everything `executeRun` needs. */
export interface ExecuteOptions {
  experiment: string;
  runDir: string;
  backend: BackendInfo;
  onProgress?: (p: Progress) => void;
  warn?: (message: string) => void;
  /** Polled after every step: true asks the run to checkpoint where it is and stop. */
  shouldStop?: () => boolean;
  /** The experiment, for its early-stopping rules (none when absent). */
  rules?: Experiment;
}

/** What an earlier start of this same config recorded in `config.json`: when it was created, its networks. */
async function readEarlier(runDir: string, configHash: string): Promise<Partial<RunConfigFile> | null> {
  const earlier = await readRunFile<Partial<RunConfigFile>>(runDir, "config.json");
  return earlier?.configHash === configHash ? earlier : null;
}

/**
 * The run's architecture's networks, layer by layer, as built for it now; null when building them throws (training
 * then fails on it and says why, as it would have without the fingerprint).
 */
async function fingerprintOf(run: PlannedRun): Promise<ArchFingerprint | null> {
  try {
    const { shape } = await datasetFacts(run.config.dataset, run.dataDir ?? ".");
    const energy = getLoss(run.config.loss)?.energy === true;
    return archFingerprint(run.config.arch, { ...run.config, imageShape: shape, options: run.config }, energy);
  } catch {
    return null;
  }
}

/**
 * Why the run's folder is not of the architecture it names now (its experiment file edited the architecture but
 * kept its name, so the run's id), or null when it is, or when the folder recorded none.
 */
export async function changedArchitecture(run: PlannedRun, runDir: string): Promise<string | null> {
  return changedArch(run, runDir, await readEarlier(runDir, run.configHash), await fingerprintOf(run));
}

function changedArch(
  run: PlannedRun,
  runDir: string,
  earlier: Partial<RunConfigFile> | null,
  now: ArchFingerprint | null,
): string | null {
  const change = earlier?.archFingerprint && now ? fingerprintChange(earlier.archFingerprint, now) : null;
  if (change === null) return null;
  return `${join(runDir, "config.json")}: architecture '${run.config.arch}' has changed since this run was trained ` +
    `(${change}), so its checkpoint and results are of the old one; give the changed architecture a new name ` +
    `(new runs), or delete the run folder to train it again`;
}

/** What `config.json` records of the training data. */
function datasetRecord(data: TrainingImages): NonNullable<RunConfigFile["data"]> {
  return { digest: data.digest, count: data.count, shape: data.shape, classes: data.classes, source: data.source };
}

/**
 * Why the run's folder was trained on other data than its dataset holds now (files added, removed or edited under
 * the same source), or null when it is the same data, or the folder recorded none.
 */
function changedDataset(runDir: string, earlier: Partial<RunConfigFile> | null, data: TrainingImages): string | null {
  const before = earlier?.data;
  if (!before || before.digest === data.digest) return null;
  return `${join(runDir, "config.json")}: the run was trained on ${before.count} images of ${before.source} ` +
    `(digest ${before.digest.slice(0, 12)}), but that dataset now holds ${data.count} images with digest ` +
    `${data.digest.slice(0, 12)}: its checkpoint and results are of the old data; restore the files, or delete the ` +
    "run folder to train it again on the new data";
}

/**
 * Mark the run in `runDir` failed with `error`, keeping how far it got (its last checkpoint's step, epoch and
 * training seconds). The next sweep resumes a failed run from that checkpoint.
 */
export async function writeFailedStatus(runDir: string, error: string): Promise<void> {
  const prior = await readStatus(runDir);
  await writeJsonAtomic(
    join(runDir, "status.json"),
    {
      status: "failed",
      step: prior?.step ?? 0,
      epoch: prior?.epoch ?? 0,
      totalSteps: prior?.totalSteps ?? 0,
      updated: new Date().toISOString(),
      seconds: prior?.seconds ?? 0,
      error,
    } satisfies RunStatusFile,
  );
}

/**
 * Mark failed a run whose worker died (an uncaught error, a wasm abort) before it could say how the run ended.
 * Only under the run's lock, taken once the dead worker's is gone (up to 2 s), and never over a run that
 * completed or diverged: another sweep may have the run, or the worker may have finished it before dying.
 * Problems are told to `warn`; they do not end the sweep.
 */
export async function markCrashedRun(runDir: string, error: string, warn: (message: string) => void): Promise<void> {
  try {
    await Deno.mkdir(runDir, { recursive: true }); // a worker can die before it made the folder
    let lock = await acquireRunLock(runDir);
    for (let i = 0; i < 20 && !lock; i++) {
      await new Promise((r) => setTimeout(r, 100));
      lock = await acquireRunLock(runDir);
    }
    if (!lock) {
      warn(`${runDir}: not marked failed: another process holds its lock`);
      return;
    }
    try {
      const status = (await readStatus(runDir))?.status;
      if (status !== "completed" && status !== "diverged" && status !== "collapsed") {
        await writeFailedStatus(runDir, error);
      }
    } finally {
      await lock.release();
    }
  } catch (e) {
    warn(`${runDir}: could not mark the run failed: ${(e as Error).message}`);
  }
}

/** Train `run` in `runDir`, unless another process holds its lock. */
export async function executeRun(
  run: PlannedRun,
  options: ExecuteOptions,
): Promise<RunResult> {
  const { runDir } = options;
  const failed = (error: string): RunResult => ({ runId: run.runId, status: "failed", seconds: 0, error });
  try {
    await Deno.mkdir(runDir, { recursive: true });
  } catch (e) {
    return failed(`cannot make the run folder ${runDir}: ${(e as Error).message}`);
  }
  // Nothing is written beside a lock that cannot be taken, nor a status where status.json cannot go.
  const unlockable = await misplacedRunPath(runDir, ["run.lock", "status.json"]);
  if (unlockable) return failed(unlockable);
  const lock = await acquireRunLock(runDir).catch((e: Error) => e);
  if (lock instanceof Error) return failed(`cannot lock ${join(runDir, "run.lock")}: ${lock.message}`);
  if (!lock) {
    return {
      runId: run.runId,
      status: "locked",
      seconds: 0,
      note: "another sweep is training it",
    };
  }
  const started = performance.now();
  try {
    const misplaced = await misplacedRunPath(runDir);
    if (misplaced) {
      await writeFailedStatus(runDir, misplaced);
      return failed(misplaced);
    }
    // Half-written files of a process killed mid-write: the lock says no one else is writing here now.
    for (const dir of [runDir, join(runDir, "samples"), join(runDir, "generator")]) {
      const removed = await removeTempFiles(dir).catch((e) =>
        e instanceof Deno.errors.NotFound ? [] : Promise.reject(e)
      );
      if (removed.length) options.warn?.(`${dir}: removed ${removed.join(", ")} left by an interrupted write`);
    }
    const earlier = await readEarlier(runDir, run.configHash);
    const fingerprint = await fingerprintOf(run);
    const changed = changedArch(run, runDir, earlier, fingerprint);
    if (changed) return failed(changed);
    const before = await readStatus(runDir);
    const expDir = dirname(runDir);
    const rules = options.rules ? rulesFor(options.rules, run) : undefined;
    const done = await doneBecause(before, rules ?? {}, expDir, run.runId);
    if (done !== null) {
      // Ended since the sweep looked (another process trained it): done only if its files are what it ended with.
      const damaged = before === null ? null : await damagedRunMessage(runDir, before);
      if (damaged !== null) return failed(damaged);
      return { runId: run.runId, status: "skipped", seconds: 0, note: done };
    }
    const stopping = rules ? stoppingFor(rules, expDir, run.runId, run.config, options.warn) : undefined;
    const recorded = earlier?.archFingerprint ?? fingerprint; // what the run was first trained with
    const data = await loadTrainingImages(run.config.dataset, run.config.pixelRange, run.dataDir, {
      ...(options.warn ? { warn: options.warn } : {}),
    });
    const changedData = changedDataset(runDir, earlier, data);
    if (changedData) return failed(changedData);
    const configFile: RunConfigFile = {
      runId: run.runId,
      experiment: options.experiment,
      gridValues: run.gridValues,
      config: run.config,
      configHash: run.configHash,
      backend: options.backend,
      versions: { ...tf.version, deno: Deno.version.deno },
      git: await gitCommit(),
      created: typeof earlier?.created === "string" ? earlier.created : new Date().toISOString(),
      ...(recorded ? { archFingerprint: recorded } : {}),
      data: datasetRecord(data),
    };
    await writeJsonAtomic(join(runDir, "config.json"), configFile);
    try {
      const outcome = await trainRun(run, {
        runDir,
        data,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.warn ? { warn: options.warn } : {}),
        ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
        ...(stopping ? { stopping } : {}),
      });
      return {
        runId: run.runId,
        status: outcome.status,
        seconds: (performance.now() - started) / 1000,
        step: outcome.step,
        ...(outcome.resumedFrom !== undefined ? { resumedFrom: outcome.resumedFrom } : {}),
      };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // A refusal (bad input, named) is its message; anything else keeps its stack for a bug report.
      const detail = e instanceof Error && !(e instanceof InputError) ? `${message}\n${e.stack ?? ""}` : message;
      const recorded = await writeFailedStatus(runDir, detail)
        .then(() => "", (w: Error) => ` (and its status.json could not say so: ${w.message})`);
      return {
        runId: run.runId,
        status: "failed",
        seconds: (performance.now() - started) / 1000,
        error: message + recorded,
      };
    }
  } catch (e) {
    // Outside training (cleaning up, reading its status, writing config.json): this run fails, the sweep goes on.
    return failed(e instanceof Error ? e.message : String(e));
  } finally {
    await lock.release();
  }
}
