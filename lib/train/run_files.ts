/**
 * The files a run writes as it trains, in `results/<experiment>/<runId>/`:
 * `metrics.jsonl` (opened, cut back to the checkpoint on a resume, appended),
 * `status.json`, the sample grids in `samples/`, and the checkpoint. A run's
 * result (`completed`, `diverged`, `collapsed`) goes into `status.json` with
 * its end line, recording the files it ended with (lib/results/verify_run.ts).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import type { ResolvedConfig } from "../experiment/config.ts";
import type { Evaluator } from "../metrics/evaluator.ts";
import { writeJsonAtomic } from "../atomic_write.ts";
import { gitCommit } from "../results/git_commit.ts";
import { JsonlWriter, parseJsonl } from "../results/jsonl.ts";
import type { MetricsLine, RunStatusFile } from "../results/records.ts";
import { ENDED_STATUSES, recordEnded } from "../results/verify_run.ts";
import { tileToPng } from "./sample_grid.ts";
import { round } from "./step_stats.ts";
import type { KindRun } from "../plugins/kinds.ts";
import { type LoopProgress, type Restored, saveTrainState } from "./train_state.ts";

/** What the run's files are named and drawn from. */
export interface RunFilesOptions {
  runDir: string;
  config: ResolvedConfig;
  imageShape: [number, number, number];
  totalSteps: number;
  stepsPerEpoch: number;
}

/** A run's folder while it trains. */
export class RunFiles {
  readonly metricsPath: string;
  readonly #log: JsonlWriter;
  /** A result's `status.json`, held until the end line is logged (see {@linkcode RunFiles.writeStatus}). */
  #ending: RunStatusFile | null = null;

  private constructor(readonly options: RunFilesOptions, log: JsonlWriter) {
    this.metricsPath = join(options.runDir, "metrics.jsonl");
    this.#log = log;
  }

  /**
   * Open the run's log and write its `start` line. A fresh run's log starts empty; a resumed run's is cut back to
   * the length its checkpoint recorded (lines written after it, and a torn last line, describe steps that are
   * trained again).
   * @throws {Error} when a resumed run's log is missing, shorter than its checkpoint recorded, or not cut at a line's
   *   end there: the resumed log would lack lines; and when a run starting from step 0 has a log whose steps were
   *   checkpointed (its checkpoints are gone or unusable): starting over would cut that history. The message names
   *   the file and what to do.
   */
  static async open(options: RunFilesOptions, resumed: Restored | null): Promise<RunFiles> {
    const path = join(options.runDir, "metrics.jsonl");
    if (resumed) await cutLog(path, resumed);
    else {
      await refuseLostHistory(options.runDir, path);
      await Deno.truncate(path, 0).catch(() => {});
    }
    const files = new RunFiles(options, await JsonlWriter.open(path));
    await files.log({
      kind: "start",
      time: new Date().toISOString(),
      step: resumed?.state.step ?? 0,
      backend: tf.getBackend(),
      resumed: !!resumed,
      git: await gitCommit(),
    });
    return files;
  }

  /** Epochs completed at `step`. */
  epochAt(step: number): number {
    return Math.floor(step / this.options.stepsPerEpoch);
  }

  /**
   * Append a line to `metrics.jsonl`. The end line of a run whose result is held is synced, then the result is
   * written to `status.json` with the record of the files the run ended with.
   */
  async log(line: MetricsLine): Promise<void> {
    await this.#log.write(line);
    const ending = this.#ending;
    if (line.kind !== "end" || ending === null) return;
    this.#ending = null;
    await this.#log.sync();
    const path = join(this.options.runDir, "status.json");
    await writeJsonAtomic(path, { ...ending, ended: await recordEnded(this.options.runDir) } satisfies RunStatusFile);
  }

  /** Flush `metrics.jsonl` to disk. */
  sync(): Promise<void> {
    return this.#log.sync();
  }

  /**
   * Rewrite `status.json`. A result (`completed`, `diverged`, `collapsed`) is held until the run's end line is
   * logged, and written then with what its files hold: a run stopped between the two still says where its last
   * checkpoint stands, and resumes from there, as it would have before its result.
   */
  writeStatus(
    status: RunStatusFile["status"],
    at: { step: number; seconds: number },
    extra: Partial<RunStatusFile> = {},
  ): Promise<void> {
    const file = {
      status,
      step: at.step,
      epoch: this.epochAt(at.step),
      totalSteps: this.options.totalSteps,
      updated: new Date().toISOString(),
      seconds: round(at.seconds, 3),
      ...extra,
    } satisfies RunStatusFile;
    if (ENDED_STATUSES.includes(status)) {
      this.#ending = file;
      return Promise.resolve();
    }
    this.#ending = null;
    return writeJsonAtomic(join(this.options.runDir, "status.json"), file);
  }

  /** Draw the kind's sample grid at `step` into `samples/`, and log it. */
  async writeSample(step: number, kind: KindRun): Promise<void> {
    const { config, imageShape, stepsPerEpoch } = this.options;
    const images = kind.sampleImages();
    const pixels = await images.data<"float32">();
    images.dispose();
    // Sampling counts steps for a step budget, epochs for an epoch one; a budget's last step that ends no whole
    // epoch (a step budget reached part-way through one) is named by its step.
    const epoch = step / stepsPerEpoch;
    const name = config.steps === null && Number.isInteger(epoch)
      ? `epoch-${String(epoch).padStart(4, "0")}.png`
      : `step-${String(step).padStart(6, "0")}.png`;
    const dir = join(this.options.runDir, "samples");
    await Deno.mkdir(dir, { recursive: true });
    const grid = kind.sampleGrid ?? config.sampleGrid;
    await Deno.writeFile(join(dir, name), tileToPng(pixels, grid, imageShape, config.pixelRange));
    await this.log({ kind: "sample", step, epoch: this.epochAt(step), path: `samples/${name}` });
  }

  /** Evaluate the kind's generator with `evaluator` (its noise is its own: the training stream is untouched), and log it. */
  async writeEval(step: number, evaluator: Evaluator, kind: KindRun): Promise<Record<string, number | string>> {
    const fields = await kind.evaluate(evaluator);
    await this.log({ kind: "eval", step, epoch: this.epochAt(step), ...fields });
    return fields;
  }

  /**
   * Save the checkpoint of `state` (the log's length at this moment added) and say so in `status.json`. Log the
   * window first: the checkpoint keeps only the lines written before it.
   */
  async writeCheckpoint(state: LoopProgress, kind: KindRun): Promise<void> {
    await this.#log.sync();
    const metricsBytes = (await Deno.stat(this.metricsPath)).size;
    const { step, seconds, ...rest } = state;
    await saveTrainState(this.options.runDir, { step, seconds, metricsBytes, ...rest }, kind);
    await this.writeStatus("running", state);
  }

  /** Close the log. */
  close(): void {
    this.#log.close();
  }
}

/**
 * Cut the log at the length the checkpoint recorded. Never lengthens it (`Deno.truncate` would pad it with NUL
 * bytes): a log that lacks what the checkpoint had is refused.
 */
async function cutLog(path: string, resumed: Restored): Promise<void> {
  const { step, metricsBytes } = resumed.state;
  const what = `${resumed.path} continues the run from step ${step}`;
  const fix = `restore that metrics.jsonl (from a backup or git), or delete the run folder to train the run again ` +
    `from step 0`;
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Error(`${path}: missing, but ${what}: its log would lack the lines of steps 1 to ${step}; ${fix}`);
  }
  if (size < metricsBytes) {
    throw new Error(
      `${path}: ${size} bytes, shorter than the ${metricsBytes} bytes recorded when ${what}: lines before step ` +
        `${step} are lost; ${fix}`,
    );
  }
  if (metricsBytes > 0 && !(await endsLine(path, metricsBytes))) {
    throw new Error(
      `${path}: byte ${metricsBytes} (the length recorded when ${what}) is not the end of a line: the log was ` +
        `rewritten since; ${fix}`,
    );
  }
  await Deno.truncate(path, metricsBytes);
}

/** Whether the byte just before offset `at` of the file is a newline. */
async function endsLine(path: string, at: number): Promise<boolean> {
  using file = await Deno.open(path, { read: true });
  await file.seek(at - 1, Deno.SeekMode.Start);
  const byte = new Uint8Array(1);
  return (await file.read(byte)) === 1 && byte[0] === 0x0a;
}

/**
 * Refuse to start a run from step 0 over a log that holds steps a checkpoint had: `status.json` says the run was
 * checkpointed past step 0, or the log has a resumed start, yet no checkpoint could be read (both deleted or
 * unusable). Starting over would cut those lines, and a run stopped again short of them would have lost them. A log
 * without step lines (or none at all) loses nothing.
 * @throws {Error} naming the run folder, the step its log reaches, why, and how to start over on purpose.
 */
async function refuseLostHistory(runDir: string, path: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const records = parseJsonl(text).records;
  const steps = records.filter((r) => r.kind === "step" && typeof r.step === "number").map((r) => r.step as number);
  if (steps.length === 0) return;
  let status: Partial<RunStatusFile> | null = null;
  try {
    status = JSON.parse(await Deno.readTextFile(join(runDir, "status.json")));
  } catch {
    // no status (or an unreadable one): the log's start lines alone say whether it was resumed
  }
  const checkpointed = typeof status?.step === "number" && status.step > 0 ? status.step : null;
  const resumedFrom = records.findLast((r) => r.kind === "start" && r.resumed === true)?.step;
  if (checkpointed === null && resumedFrom === undefined) return;
  const was = checkpointed !== null
    ? `status.json says it was ${status?.status ?? "checkpointed"} at step ${checkpointed}`
    : `its log resumed from a checkpoint at step ${String(resumedFrom)}`;
  throw new Error(
    `${runDir}: ${was}, but neither checkpoint.bin nor checkpoint.prev.bin can be read (deleted, or damaged: see ` +
      `the warnings above), so the run would start again from step 0 and cut ${path}, whose steps reach ` +
      `${
        Math.max(...steps)
      }; the log is left as it is. Restore checkpoint.bin (from a backup or git) to continue the ` +
      `run, or, to train it again from step 0 on purpose, move ${path} away (or delete the run folder) and run the ` +
      "sweep again",
  );
}
