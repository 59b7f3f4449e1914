/**
 * The files a run writes as it trains, in `results/<experiment>/<runId>/`:
 * `metrics.jsonl` (opened, cut back to the checkpoint on a resume, appended),
 * `status.json`, the sample grids in `samples/`, and the checkpoint.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import type { ResolvedConfig } from "../experiment/config.ts";
import type { Evaluator } from "../metrics/evaluator.ts";
import { writeJsonAtomic } from "../results/atomic_write.ts";
import { gitCommit } from "../results/git_commit.ts";
import { JsonlWriter } from "../results/jsonl.ts";
import type { MetricsLine, RunStatusFile } from "../results/records.ts";
import { tileToPng } from "./sample_grid.ts";
import { round } from "./step_stats.ts";
import type { KindRun } from "./kinds/kind.ts";
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

  private constructor(readonly options: RunFilesOptions, log: JsonlWriter) {
    this.metricsPath = join(options.runDir, "metrics.jsonl");
    this.#log = log;
  }

  /**
   * Open the run's log and write its `start` line. A fresh run's log starts empty; a resumed run's is cut back to
   * the length its checkpoint recorded (lines written after it, and a torn last line, describe steps that are
   * trained again).
   * @throws {Error} when a resumed run's log is missing, shorter than its checkpoint recorded, or not cut at a line's
   *   end there: the resumed log would lack lines. The message names the file and what to do.
   */
  static async open(options: RunFilesOptions, resumed: Restored | null): Promise<RunFiles> {
    const path = join(options.runDir, "metrics.jsonl");
    if (resumed) await cutLog(path, resumed);
    else await Deno.truncate(path, 0).catch(() => {});
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

  /** Append a line to `metrics.jsonl`. */
  log(line: MetricsLine): Promise<void> {
    return this.#log.write(line);
  }

  /** Flush `metrics.jsonl` to disk. */
  sync(): Promise<void> {
    return this.#log.sync();
  }

  /** Rewrite `status.json`. */
  writeStatus(
    status: RunStatusFile["status"],
    at: { step: number; seconds: number },
    extra: Partial<RunStatusFile> = {},
  ): Promise<void> {
    return writeJsonAtomic(
      join(this.options.runDir, "status.json"),
      {
        status,
        step: at.step,
        epoch: this.epochAt(at.step),
        totalSteps: this.options.totalSteps,
        updated: new Date().toISOString(),
        seconds: round(at.seconds, 3),
        ...extra,
      } satisfies RunStatusFile,
    );
  }

  /** Draw the kind's sample grid at `step` into `samples/`, and log it. */
  async writeSample(step: number, kind: KindRun): Promise<void> {
    const { config, imageShape, stepsPerEpoch } = this.options;
    const images = kind.sampleImages();
    const pixels = await images.data<"float32">();
    images.dispose();
    // Sampling counts steps for a step budget, epochs for an epoch one.
    const name = config.steps !== null
      ? `step-${String(step).padStart(6, "0")}.png`
      : `epoch-${String(step / stepsPerEpoch).padStart(4, "0")}.png`;
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
