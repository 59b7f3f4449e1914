/**
 * The training loop for one run. It reads top to bottom: build, restore,
 * then for each step a D step and a G step; every `logEvery` steps read the
 * numbers back (once, for the whole window), log them and check they are
 * finite; at epoch ends sample and checkpoint. Asked to stop, it checkpoints
 * the step it is at (with the unlogged window, so the log reads as if it never
 * stopped) and returns.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { requireArch } from "../archs/registry.ts";
import { writeJsonAtomic } from "../results/atomic_write.ts";
import { BatchOrder, type BatchOrderState, gatherImages } from "../data/batches.ts";
import { loadCheckpoint, type LoopState, saveCheckpoint } from "./checkpoint.ts";
import type { ResolvedConfig } from "../experiment/config.ts";
import { gitCommit } from "../results/git_commit.ts";
import { JsonlWriter } from "../results/jsonl.ts";
import { FusedAdamOptimizer } from "../kernels/fused_adam.ts";
import { createEvaluator, evalFields, type Evaluator } from "../metrics/evaluator.ts";
import { fillNoise } from "./noise.ts";
import type { PlannedRun } from "../experiment/plan.ts";
import type { EpochLine, RunStatusFile, StepLine } from "../results/records.ts";
import { disposeOptimizerState, optimizerState, restoreOptimizerState } from "./optimizer_state.ts";
import { Rng, type RngState, routeMathRandom } from "./rng.ts";
import { tileToPng } from "./sample_grid.ts";
import { saveGenerator } from "./save_generator.ts";
import { writeProgressGif } from "./progress_gif.ts";
import { round, roundStats, scaleStats, STAT_KEYS, type Stats, zeroStats } from "./step_stats.ts";
import { discriminatorStep, type Gan, generatorStep, type StepSettings } from "./steps.ts";
import type { TrainingImages } from "../data/training_images.ts";

/** The loop's state in a checkpoint, beside the tensors: everything else a resumed run needs to go on as if never stopped. */
interface TrainState extends LoopState {
  /** The training stream (batches' noise, dropout, weight init) where it stood. */
  rng: RngState;
  /** The epoch's batch order and the position in it. */
  order: BatchOrderState;
  /** Sums of the step stats so far this epoch, for its `epoch` line. */
  epochSums: Stats;
  /** The last finite window means (the progress display's losses; a diverged run's last good numbers). */
  lastFinite: Stats | null;
  /** Training milliseconds so far this epoch (absent in checkpoints from before it was recorded). */
  epochMs?: number;
  /** Steps trained but not yet logged, kept by a stop between log lines: 5 stats per step, and their milliseconds. */
  window?: { stats: number[]; ms: number };
}

/** What the progress display is told after every step. */
export interface Progress {
  runId: string;
  step: number;
  totalSteps: number;
  epoch: number;
  /** Latest logged losses (undefined before the first log line). */
  dLoss?: number;
  gLoss?: number;
  msPerStep: number;
}

/** How a run ended. */
export interface RunOutcome {
  /** `stopped`: asked to stop before its budget; its checkpoint holds the step it reached. */
  status: "completed" | "diverged" | "stopped";
  step: number;
  seconds: number;
  /** Set when a checkpoint was found and training continued from it. */
  resumedFrom?: number;
}

/** What `trainRun` needs besides the run itself. */
export interface TrainOptions {
  runDir: string;
  data: TrainingImages;
  onProgress?: (p: Progress) => void;
  /** Told about anything surprising that did not stop the run (e.g. a corrupt checkpoint). */
  warn?: (message: string) => void;
  /** Polled after every step: true asks the run to checkpoint where it is and return `stopped`. */
  shouldStop?: () => boolean;
}

/** The budget in steps and the length of an epoch. */
export function budget(
  config: ResolvedConfig,
  images: number,
): { totalSteps: number; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.floor(
    Math.min(config.trainSize ?? images, images) / config.batchSize,
  );
  return {
    totalSteps: config.steps ?? config.epochs * stepsPerEpoch,
    stepsPerEpoch,
  };
}

/** Train one run to its budget (or to divergence), resuming from its checkpoint if it has one. */
export async function trainRun(
  run: PlannedRun,
  options: TrainOptions,
): Promise<RunOutcome> {
  const { config } = run;
  const { runDir, data } = options;
  const warn = options.warn ?? (() => {});
  const count = Math.min(config.trainSize ?? data.count, data.count);
  const { totalSteps, stepsPerEpoch } = budget(config, data.count);
  const byStep = config.steps !== null; // sampling/checkpoint cadence counts steps, not epochs
  const [h, w, c] = data.shape;
  const imageSize = h * w * c;

  const arch = requireArch(config.arch, "config.arch");
  // Everything random follows the seed: weights and dropout through Math.random.
  const rng = new Rng(config.seed);
  const restoreMathRandom = routeMathRandom(rng);
  const ctx = {
    noiseDim: config.noiseDim,
    imageShape: data.shape,
    pixelRange: config.pixelRange,
  };
  const gan: Gan = {
    generator: arch.generator(ctx),
    discriminator: arch.discriminator(ctx),
    optD: new FusedAdamOptimizer(
      config.lrD,
      config.beta1,
      config.beta2,
      config.adamEpsilon,
    ),
    optG: new FusedAdamOptimizer(
      config.lrG,
      config.beta1,
      config.beta2,
      config.adamEpsilon,
    ),
  };
  const settings: StepSettings = {
    loss: config.loss,
    realTarget: config.labelSmoothing,
    dLossReduce: config.dLossReduce,
  };
  const order = new BatchOrder(count, config.batchSize, config.batching, rng);
  // The fixed noise for sample grids comes from its own stream, so every run
  // with the same seed and noise settings draws the same grid.
  const gridCells = config.sampleGrid[0] * config.sampleGrid[1];
  const fixedNoise = tf.tensor2d(
    fillNoise(
      new Rng(config.seed + 0x5eed),
      config.noise,
      new Float32Array(gridCells * config.noiseDim),
    ),
    [gridCells, config.noiseDim],
  );

  let step = 0;
  let seconds = 0;
  let epochSums = zeroStats();
  let lastFinite: Stats | null = null;
  let resumedFrom: number | undefined;
  let resumedWindow: { stats: number[]; ms: number } | null = null; // steps trained but not yet logged
  let resumedEpochMs = 0;
  const metricsPath = join(runDir, "metrics.jsonl");

  const checkpoint = await loadCheckpoint(runDir, warn);
  if (checkpoint) {
    const s = checkpoint.state as TrainState;
    const g = checkpoint.groups;
    gan.generator.setWeights((g.generator ?? []).map((t) => t.tensor));
    gan.discriminator.setWeights((g.discriminator ?? []).map((t) => t.tensor));
    await restoreOptimizerState(gan.optD, g.optD ?? []);
    await restoreOptimizerState(gan.optG, g.optG ?? []);
    tf.dispose(Object.values(g).flat().map((t) => t.tensor));
    rng.setState(s.rng);
    order.setState(s.order);
    ({ step, seconds, epochSums, lastFinite } = s);
    resumedFrom = step;
    resumedWindow = s.window ?? null;
    resumedEpochMs = s.epochMs ?? 0;
    // Lines written after the checkpoint (and a torn last line) are cut: the
    // steps they describe are trained again.
    await Deno.truncate(metricsPath, s.metricsBytes).catch(() => {});
  } else {
    await Deno.truncate(metricsPath, 0).catch(() => {});
  }
  const log = await JsonlWriter.open(metricsPath);
  await log.write({
    kind: "start",
    time: new Date().toISOString(),
    step,
    backend: tf.getBackend(),
    resumed: !!checkpoint,
    git: await gitCommit(),
  });

  const real = new Float32Array(config.batchSize * imageSize);
  const noise = new Float32Array(config.batchSize * config.noiseDim);
  let pending: tf.Tensor[] = []; // one [5] vector per step, read back together
  let windowStart = performance.now();
  let epochStart = performance.now() - resumedEpochMs;
  if (resumedWindow) {
    for (let i = 0; i < resumedWindow.stats.length; i += 5) {
      pending.push(tf.tensor1d(resumedWindow.stats.slice(i, i + 5)));
    }
    windowStart -= resumedWindow.ms;
  }
  let latest: Stats | null = lastFinite;
  let diverged: { step: number; reason: string } | null = null;
  let msPerStep = 0; // moving average, for the progress display
  let lastStepEnd = performance.now();

  const writeStatus = (
    status: RunStatusFile["status"],
    extra: Partial<RunStatusFile> = {},
  ) =>
    writeJsonAtomic(
      join(runDir, "status.json"),
      {
        status,
        step,
        epoch: Math.floor(step / stepsPerEpoch),
        totalSteps,
        updated: new Date().toISOString(),
        seconds: round(seconds, 3),
        ...extra,
      } satisfies RunStatusFile,
    );

  /** Read the window back, log it, and find the first non-finite step. */
  const flush = async () => {
    if (pending.length === 0) return;
    const stacked = tf.stack(pending);
    const values = await stacked.data();
    tf.dispose([stacked, ...pending]);
    const n = pending.length;
    pending = [];
    const elapsed = performance.now() - windowStart;
    seconds += elapsed / 1000;
    windowStart = performance.now();
    const sums = zeroStats();
    for (let i = 0; i < n; i++) {
      for (const [k, key] of STAT_KEYS.entries()) {
        const v = values[i * 5 + k]!;
        const runaway = (key === "dLoss" || key === "gLoss") && Math.abs(v) > config.divergenceThreshold;
        if ((!Number.isFinite(v) || runaway) && !diverged) {
          diverged = {
            step: step - n + i + 1,
            reason: runaway
              ? `${key} is ${v}, beyond divergenceThreshold ${config.divergenceThreshold}`
              : `${key} is ${v}`,
          };
        }
        sums[key] += v;
      }
    }
    const means = scaleStats(sums, 1 / n);
    for (const k of STAT_KEYS) epochSums[k] += sums[k];
    if (!diverged) lastFinite = means;
    latest = means;
    await log.write(
      {
        kind: "step",
        step,
        epoch: Math.floor(step / stepsPerEpoch),
        ...roundStats(means),
        ms: round(elapsed / n, 2),
      } satisfies StepLine,
    );
  };

  const writeSample = async () => {
    const images = tf.tidy(() => gan.generator.apply(fixedNoise, { training: false }) as tf.Tensor);
    const pixels = await images.data<"float32">();
    images.dispose();
    const name = byStep
      ? `step-${String(step).padStart(6, "0")}.png`
      : `epoch-${String(step / stepsPerEpoch).padStart(4, "0")}.png`;
    await Deno.mkdir(join(runDir, "samples"), { recursive: true });
    await Deno.writeFile(
      join(runDir, "samples", name),
      tileToPng(pixels, config.sampleGrid, [h, w], config.pixelRange),
    );
    await log.write({
      kind: "sample",
      step,
      epoch: Math.floor(step / stepsPerEpoch),
      path: `samples/${name}`,
    });
  };

  // Quality metrics through the dataset's pinned classifier (lib/metrics); its
  // noise is its own, so evaluating does not change the training trajectory.
  // Created inside the try below, so a classifier that fails its pin still closes the run.
  let evaluator: Evaluator | null = null;
  const writeEval = async () => {
    if (!evaluator) return;
    const started = performance.now();
    const m = await evaluator.evaluateGenerator(gan.generator, {
      noiseDim: config.noiseDim,
      noise: config.noise,
      pixelRange: config.pixelRange,
    });
    await log.write({
      kind: "eval",
      step,
      epoch: Math.floor(step / stepsPerEpoch),
      ...evalFields(m, evaluator.classifierSha256),
    });
    // Evaluation time is not training time: keep it out of `ms` and `seconds`.
    const spent = performance.now() - started;
    windowStart += spent;
    lastStepEnd += spent;
    epochStart += spent;
  };

  /**
   * Save everything needed to continue from `step`. The steps since the last log line are logged first, unless
   * `keepWindow`: a stop between log lines keeps them in the checkpoint instead, so the resumed run logs the
   * same windows as one that never stopped. A window holding a non-finite value is logged (and so ends the run
   * as diverged, as its next log line would have): JSON, which the checkpoint keeps it in, has no NaN.
   */
  const writeCheckpoint = async (keepWindow = false) => {
    let window: { stats: number[]; ms: number } | undefined;
    if (keepWindow && pending.length > 0) {
      const stacked = tf.stack(pending);
      const stats = Array.from(await stacked.data());
      stacked.dispose();
      if (stats.every(Number.isFinite)) window = { stats, ms: performance.now() - windowStart };
    }
    if (!window) await flush();
    await log.sync();
    const metricsBytes = (await Deno.stat(metricsPath)).size;
    const named = (model: tf.LayersModel) => model.weights.map((v) => ({ name: v.originalName, tensor: v.read() }));
    const state: TrainState = {
      step,
      seconds,
      metricsBytes,
      rng: rng.getState(),
      order: order.getState(),
      epochSums,
      lastFinite,
      epochMs: performance.now() - epochStart,
      ...(window ? { window } : {}),
    };
    const optD = await optimizerState(gan.optD);
    const optG = await optimizerState(gan.optG);
    try {
      await saveCheckpoint(runDir, state, {
        generator: named(gan.generator),
        discriminator: named(gan.discriminator),
        optD,
        optG,
      });
    } finally {
      disposeOptimizerState([...optD, ...optG]);
    }
    await writeStatus("running");
  };

  try {
    if (config.evalSamples > 0) {
      const loading = performance.now();
      evaluator = await createEvaluator(config.dataset, { n: config.evalSamples, warn });
      // Loading the classifier is not training time either.
      const spent = performance.now() - loading;
      windowStart += spent;
      lastStepEnd += spent;
      epochStart += spent;
    }
    // A stop request is a signal handler or a timer: they run only when the loop yields to the event loop, which a
    // step does not; so yield every `yieldMs` of training when stopping is possible.
    const yieldMs = 100;
    let lastYield = performance.now();
    await writeStatus("running");
    if (step === 0) await writeSample(); // the untrained generator: "epoch 0"
    while (step < totalSteps && !diverged) {
      // One iteration: a D step on a real batch and a fresh fake batch, then a G step.
      const batch = tf.tensor4d(
        gatherImages(data.images, imageSize, order.next(), real),
        [config.batchSize, h, w, c],
      );
      const noiseD = tf.tensor2d(fillNoise(rng, config.noise, noise), [
        config.batchSize,
        config.noiseDim,
      ]);
      const dStats = discriminatorStep(gan, batch, noiseD, settings);
      const noiseG = tf.tensor2d(fillNoise(rng, config.noise, noise), [
        config.batchSize,
        config.noiseDim,
      ]);
      const gLoss = generatorStep(gan, noiseG, settings);
      pending.push(tf.tidy(() => tf.concat([dStats, gLoss.reshape([1])])));
      tf.dispose([batch, noiseD, noiseG, dStats, gLoss]);
      step++;

      const epochEnd = step % stepsPerEpoch === 0;
      if (step % config.logEvery === 0 || epochEnd || step === totalSteps) {
        await flush();
      }
      if (diverged) break;
      if (epochEnd) {
        await log.write(
          {
            kind: "epoch",
            epoch: step / stepsPerEpoch,
            step,
            ...roundStats(scaleStats(epochSums, 1 / stepsPerEpoch)),
            seconds: round((performance.now() - epochStart) / 1000, 3),
          } satisfies EpochLine,
        );
        epochSums = zeroStats();
        epochStart = performance.now();
      }
      const unit = byStep ? step : epochEnd ? step / stepsPerEpoch : 0;
      // An unset (null) cadence means once an epoch, whichever unit the budget counts.
      const due = (every: number | null) => {
        const n = every ?? (byStep ? stepsPerEpoch : 1);
        return unit > 0 && n > 0 && unit % n === 0;
      };
      if (step === totalSteps || due(config.sampleEvery)) await writeSample();
      if (step < totalSteps && due(config.evalEvery)) await writeEval();
      if (step < totalSteps && due(config.checkpointEvery)) {
        await writeCheckpoint();
      }
      const now = performance.now();
      msPerStep = msPerStep === 0 ? now - lastStepEnd : 0.9 * msPerStep + 0.1 * (now - lastStepEnd);
      lastStepEnd = now;
      options.onProgress?.({
        runId: run.runId,
        step,
        totalSteps,
        epoch: Math.floor(step / stepsPerEpoch),
        ...(latest ? { dLoss: latest.dLoss, gLoss: latest.gLoss } : {}),
        msPerStep,
      });
      if (options.shouldStop && now - lastYield > yieldMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      if (step < totalSteps && options.shouldStop?.()) {
        await writeCheckpoint(true);
        if (diverged) break; // the window held a non-finite loss: it ends as diverged, below
        await writeProgressGif(runDir); // so far: a run trained in pieces shows its progress in every report
        await writeStatus("stopped");
        return { status: "stopped", step, seconds, ...(resumedFrom !== undefined ? { resumedFrom } : {}) };
      }
    }

    const finalStatus = diverged ? "diverged" : "completed";
    if (diverged) {
      const d = diverged as { step: number; reason: string };
      await writeProgressGif(runDir); // how it got there
      await writeStatus("diverged", {
        diverged: { step: d.step, reason: d.reason, lastFinite },
      });
    } else {
      // A checkpoint at the last step is only ever the final one, written after the final evaluation: a run killed
      // after it (before its status said completed) has both already, and must not log the evaluation twice.
      if (resumedFrom !== totalSteps) {
        await writeEval();
        await writeCheckpoint();
      }
      await saveGenerator(gan.generator, join(runDir, "generator"));
      await writeProgressGif(runDir);
      await writeStatus("completed");
    }
    await log.write({
      kind: "end",
      time: new Date().toISOString(),
      step,
      status: finalStatus,
      seconds: round(seconds, 3),
    });
    await log.sync();
    return {
      status: finalStatus,
      step,
      seconds,
      ...(resumedFrom !== undefined ? { resumedFrom } : {}),
    };
  } finally {
    evaluator?.dispose();
    log.close();
    tf.dispose(pending);
    fixedNoise.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
    gan.optD.dispose();
    gan.optG.dispose();
    restoreMathRandom();
  }
}
