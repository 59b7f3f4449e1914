/**
 * The training loop for one run. It reads top to bottom: build, restore,
 * then for each step one GAN iteration (a D step and a G step); every
 * `logEvery` steps read the numbers back (once, for the whole window), log
 * them and check they are finite; at epoch ends sample, evaluate and
 * checkpoint. Asked to stop, it checkpoints the step it is at (with the
 * unlogged window, so the log reads as if it never stopped) and returns.
 *
 * Its pieces live beside it: the GAN and its iteration (gan.ts), the batches
 * and noise (iteration_inputs.ts), the log window (log_window.ts), the
 * training clock (training_clock.ts), the run's files (run_files.ts) and the
 * checkpoint's state (train_state.ts).
 * @module
 */
import { join } from "@std/path";
import { BatchOrder } from "../data/batches.ts";

import type { PlannedRun } from "../experiment/plan.ts";
import { budget } from "../experiment/budget.ts";
import { createEvaluator, type Evaluator } from "../metrics/evaluator.ts";
import type { EpochLine, RunStatusFile, StepLine } from "../results/records.ts";
import { loadTrainingImages, type TrainingImages } from "../data/training_images.ts";
import type { Dataset } from "../experiment/config.ts";
import { IterationInputs } from "./iteration_inputs.ts";
import { type KindRun, requireKind } from "../plugins/kinds.ts";
import { requireBatchFits } from "./memory_need.ts";
import "./builtins.ts"; // the built-ins with their working halves: a run builds its networks from them
import { type Divergence, LogWindow } from "./log_window.ts";
import { writeProgressGif } from "./progress_gif.ts";
import { Rng, routeMathRandom } from "../rng.ts";
import { RunFiles } from "./run_files.ts";
import { saveGenerator } from "./save_generator.ts";
import { round, roundNumbers } from "./step_stats.ts";
import { restoreTrainState } from "./train_state.ts";
import { TrainingClock } from "./training_clock.ts";
import { CollapseWatch } from "./collapse_watch.ts";
import type { Collapse, Prune, RungDecision } from "../experiment/stopping.ts";

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
  /**
   * `stopped`: asked to stop before its budget; its checkpoint holds the step it reached. `pruned`: stopped at a
   * rung by the experiment's pruning rule, checkpointed there (a promotion resumes it). `collapsed`: stopped by the
   * collapse rule, a result like `diverged`.
   */
  status: "completed" | "diverged" | "stopped" | "pruned" | "collapsed";
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
  /** The experiment's early-stopping rules (off when absent). */
  stopping?: Stopping;
}

/** Early stopping as a sweep asks for it: successive-halving rungs and the collapse rule. */
export interface Stopping {
  /** The pruning rule: at each rung the run is evaluated and `decide` is asked whether it goes on. */
  prune?: Prune;
  /** The rung decision (the sweep's rung book): given the rung and the metric's value there. */
  decide?: (rung: number, value: number) => Promise<RungDecision>;
  /** The collapse rule. */
  collapse?: Collapse;
}

/** Train one run to its budget (or to divergence), resuming from its checkpoint if it has one. */
export async function trainRun(run: PlannedRun, options: TrainOptions): Promise<RunOutcome> {
  const { config } = run;
  const { runDir, data } = options;
  const warn = options.warn ?? (() => {});
  const { totalSteps, stepsPerEpoch } = budget(config, data.count);
  // Everything random follows the seed: weights and dropout through Math.random.
  const rng = new Rng(config.seed);
  const restoreMathRandom = routeMathRandom(rng);
  const kindOf = requireKind(config.kind, "config.kind");
  const loadImages = (name: Dataset) => loadTrainingImages(name, config.pixelRange, run.dataDir);
  const kind = await kindOf.build(config, {
    imageShape: data.shape,
    classes: data.classes,
    rng,
    loadImages,
    dataDir: run.dataDir ?? ".",
  });
  const count = Math.min(config.trainSize ?? data.count, data.count);
  const order = new BatchOrder(count, config.batchSize, config.batching, rng);
  try {
    requireBatchFits(kind.networks, config.batchSize);
    const resumed = await restoreTrainState(runDir, { kind, rng, order }, warn);
    const state = resumed?.state ?? null;
    const files = await RunFiles.open({ runDir, config, imageShape: data.shape, totalSteps, stepsPerEpoch }, resumed);
    const numbers = [...kindOf.numbers, ...kind.loggedNumbers ?? []];
    const window = new LogWindow(numbers, kindOf.losses, config.divergenceThreshold, state);
    const clock = new TrainingClock({
      seconds: state?.seconds ?? 0,
      epochMs: state?.epochMs ?? 0,
      windowMs: state?.window?.ms ?? 0,
    });
    let evaluator: Evaluator | null = null;
    try {
      // Quality metrics through the dataset's pinned classifier (lib/metrics); its noise is its own, so evaluating
      // does not change the training trajectory. Loading it is not training time.
      if (config.evalSamples > 0) {
        evaluator = await clock.pause(() =>
          createEvaluator(config.dataset, { n: config.evalSamples, dataDir: run.dataDir ?? ".", warn })
        );
      }
      const inputs = new IterationInputs(data, config, order, rng);
      const watch = new CollapseWatch(options.stopping?.collapse);
      if (state?.collapse) watch.setState(state.collapse);
      const parts = { run, options, totalSteps, stepsPerEpoch, numbers, kind, inputs, rng, order, watch };
      const training = { ...parts, files, window, clock, evaluator, collapsedBy: null };
      return await train(training, state?.step ?? 0, state !== null);
    } finally {
      evaluator?.dispose();
      files.close();
      window.dispose();
    }
  } finally {
    kind.dispose();
    restoreMathRandom();
  }
}

/** Everything a run trains with, built by `trainRun`. */
interface Training {
  run: PlannedRun;
  options: TrainOptions;
  totalSteps: number;
  stepsPerEpoch: number;
  /** What the run logs (its kind's numbers and its loss's), and its kind's networks for this run. */
  numbers: readonly string[];
  kind: KindRun;
  inputs: IterationInputs;
  rng: Rng;
  order: BatchOrder;
  files: RunFiles;
  window: LogWindow<string>;
  clock: TrainingClock;
  evaluator: Evaluator | null;
  /** The collapse rule's watch over evaluations and log windows. */
  watch: CollapseWatch;
  /** Set by a log window in which the collapse rule fired: the loop stops the run at its next check. */
  collapsedBy: string | null;
}

/** Why a run stops before its budget, by a rule of the sweep's. */
type EarlyStop =
  | { status: "pruned"; pruned: NonNullable<RunStatusFile["pruned"]> }
  | { status: "collapsed"; reason: string };

/** A stop request is a signal handler or a timer: they run only when the loop yields, which a step does not. */
const YIELD_MS = 100;

/** The steps from `step` to the budget's end (or divergence, or a stop). */
async function train(t: Training, step: number, resumed: boolean): Promise<RunOutcome> {
  const { config } = t.run;
  const { files, window, clock, kind, totalSteps, stepsPerEpoch, options } = t;
  const resumedFrom = resumed ? step : undefined;
  const outcome = (status: RunOutcome["status"]): RunOutcome => ({
    status,
    step,
    seconds: clock.seconds,
    ...(resumedFrom !== undefined ? { resumedFrom } : {}),
  });
  let diverged: Divergence | null = null;
  let lastYield = performance.now();
  await files.writeStatus("running", { step, seconds: clock.seconds });
  if (step === 0) await files.writeSample(step, kind); // the untrained generator: "epoch 0"
  while (step < totalSteps && !diverged) {
    window.push(kind.iterate(t.inputs));
    step++;

    const epochEnd = step % stepsPerEpoch === 0;
    if (step % config.logEvery === 0 || epochEnd || step === totalSteps) diverged = await logWindow(t, step);
    if (diverged) break;
    if (epochEnd) await logEpoch(t, step);
    const due = (every: number | null) => isDue(every, step, config.steps !== null, stepsPerEpoch);
    if (step === totalSteps || due(config.sampleEvery)) await files.writeSample(step, kind);
    const evaluated = step < totalSteps && due(config.evalEvery) ? await evaluate(t, step) : null;
    const early = step < totalSteps ? await earlyStop(t, step, evaluated) : null;
    if (early) return outcome(await stopEarly(t, step, early));
    if (step < totalSteps && due(config.checkpointEvery)) diverged = await checkpoint(t, step);
    clock.endStep();
    options.onProgress?.(progress(t, step));
    if (options.shouldStop && performance.now() - lastYield > YIELD_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    if (step < totalSteps && options.shouldStop?.()) {
      diverged = (await checkpoint(t, step, true)) ?? diverged;
      if (diverged) break; // the window held a non-finite loss: it ends as diverged, below
      await writeProgressGif(options.runDir); // so far: a run trained in pieces shows its progress in every report
      await files.writeStatus("stopped", { step, seconds: clock.seconds });
      return outcome("stopped");
    }
  }
  return outcome(await finish(t, step, diverged, resumedFrom));
}

/**
 * Whether a cadence (`sampleEvery`, `evalEvery`, `checkpointEvery`) falls on `step`. It counts steps for a step
 * budget and epochs for an epoch one; unset (null), it means once an epoch.
 */
function isDue(every: number | null, step: number, byStep: boolean, stepsPerEpoch: number): boolean {
  const unit = byStep ? step : step % stepsPerEpoch === 0 ? step / stepsPerEpoch : 0;
  const n = every ?? (byStep ? stepsPerEpoch : 1);
  return unit > 0 && n > 0 && unit % n === 0;
}

/** Read the window back and log its `step` line. */
async function logWindow(t: Training, step: number): Promise<Divergence | null> {
  const read = await t.window.flush(step);
  if (!read) return null;
  const { dLoss, dReal } = read.means;
  if (!read.diverged && dLoss !== undefined && dReal !== undefined) t.collapsedBy ??= t.watch.onWindow(dLoss, dReal);
  const ms = t.clock.endWindow();
  await t.files.log(
    {
      kind: "step",
      step,
      epoch: t.files.epochAt(step),
      ...roundNumbers(t.numbers, read.means),
      ms: round(ms / read.steps, 2),
    } as StepLine,
  );
  return read.diverged;
}

/** Log the `epoch` line of the epoch that ends at `step`. */
async function logEpoch(t: Training, step: number): Promise<void> {
  await t.files.log(
    {
      kind: "epoch",
      epoch: step / t.stepsPerEpoch,
      step,
      ...roundNumbers(t.numbers, t.window.endEpoch(t.stepsPerEpoch)),
      seconds: round(t.clock.endEpoch() / 1000, 3),
    } as EpochLine,
  );
}

/**
 * Evaluate the generator at `step`, when the run evaluates, with the training clock paused.
 * @returns the eval line's fields, or null when the run does not evaluate.
 */
async function evaluate(t: Training, step: number): Promise<Record<string, number | string> | null> {
  const evaluator = t.evaluator;
  if (!evaluator) return null;
  const fields = await t.clock.pause(() => t.files.writeEval(step, evaluator, t.kind));
  const reason = typeof fields.classesCovered === "number" ? t.watch.onEval(fields.classesCovered) : null;
  t.collapsedBy ??= reason;
  return fields;
}

/**
 * Whether a rule of the sweep stops the run at `step`: the collapse rule (fired by a log window or an evaluation),
 * or a rung of the pruning rule, where the run is evaluated (unless it just was) and ranked.
 */
async function earlyStop(
  t: Training,
  step: number,
  evaluated: Record<string, number | string> | null,
): Promise<EarlyStop | null> {
  const prune = t.options.stopping?.prune;
  const decide = t.options.stopping?.decide;
  if (prune && decide && prune.rungs.includes(step)) {
    const fields = evaluated ?? await evaluate(t, step);
    if (t.collapsedBy) return { status: "collapsed", reason: t.collapsedBy };
    const field = fields?.[prune.metric];
    const value = typeof field === "number" ? field : NaN;
    const d = await decide(step, value);
    if (d.kind === "prune") {
      return {
        status: "pruned",
        pruned: {
          rung: step,
          metric: prune.metric,
          value,
          rank: d.rank,
          of: d.of,
        },
      };
    }
  }
  return t.collapsedBy ? { status: "collapsed", reason: t.collapsedBy } : null;
}

/**
 * End a run a rule stopped. A pruned run is checkpointed where it stands, so a promotion resumes it exactly; a
 * collapsed one is a result, with its generator saved and an `end` line.
 */
async function stopEarly(t: Training, step: number, early: EarlyStop): Promise<"pruned" | "collapsed"> {
  const { files, clock, options } = t;
  await writeProgressGif(options.runDir);
  switch (early.status) {
    case "pruned":
      await checkpoint(t, step);
      await files.writeStatus("pruned", { step, seconds: clock.seconds }, { pruned: early.pruned });
      return "pruned";
    case "collapsed":
      await logWindow(t, step);
      await saveGenerator(t.kind.exported, join(options.runDir, "generator"));
      await files.writeStatus("collapsed", { step, seconds: clock.seconds }, {
        collapsed: { step, reason: early.reason },
      });
      await files.log({
        kind: "end",
        time: new Date().toISOString(),
        step,
        status: "collapsed",
        seconds: round(clock.seconds, 3),
      });
      await files.sync();
      return "collapsed";
  }
}

/**
 * Save everything needed to continue from `step`. The steps since the last log line are logged first, unless
 * `keepWindow`: a stop between log lines keeps them in the checkpoint instead, so the resumed run logs the same
 * windows as one that never stopped. A window holding a non-finite value is logged (and so ends the run as
 * diverged, as its next log line would have): JSON, which the checkpoint keeps it in, has no NaN.
 * @returns where the logged window diverged, if it did.
 */
async function checkpoint(t: Training, step: number, keepWindow = false): Promise<Divergence | null> {
  const kept = keepWindow ? await t.window.keep() : null;
  const window = kept ? { ...kept, ms: t.clock.windowMs() } : undefined;
  const diverged = window ? null : await logWindow(t, step);
  await t.files.writeCheckpoint({
    step,
    seconds: t.clock.seconds,
    rng: t.rng.getState(),
    order: t.order.getState(),
    epochSums: t.window.epochSums,
    lastFinite: t.window.lastFinite,
    epochMs: t.clock.epochMs(),
    ...(window ? { window } : {}),
    ...(t.options.stopping?.collapse ? { collapse: t.watch.getState() } : {}),
  }, t.kind);
  return diverged;
}

/** What the progress display is told after `step`. */
function progress(t: Training, step: number): Progress {
  const latest = t.window.latest;
  return {
    runId: t.run.runId,
    step,
    totalSteps: t.totalSteps,
    epoch: t.files.epochAt(step),
    ...(latest ? { dLoss: latest.dLoss, gLoss: latest.gLoss } : {}),
    msPerStep: t.clock.msPerStep,
  };
}

/** End the run as diverged or completed: its last files and its `end` line. Returns how it ended. */
async function finish(
  t: Training,
  step: number,
  diverged: Divergence | null,
  resumedFrom: number | undefined,
): Promise<"diverged" | "completed"> {
  const { files, clock, options } = t;
  if (diverged) {
    await writeProgressGif(options.runDir); // how it got there
    const { step: at, reason } = diverged;
    await files.writeStatus("diverged", { step, seconds: clock.seconds }, {
      diverged: { step: at, reason, lastFinite: t.window.lastFinite },
    });
  } else {
    // A checkpoint at the last step is only ever the final one, written after the final evaluation: a run killed
    // after it (before its status said completed) has both already, and must not log the evaluation twice.
    if (resumedFrom !== t.totalSteps) {
      await evaluate(t, step);
      await checkpoint(t, step);
    }
    await saveGenerator(t.kind.exported, join(options.runDir, "generator"));
    await writeProgressGif(options.runDir);
    await files.writeStatus("completed", { step, seconds: clock.seconds });
  }
  const status = diverged ? "diverged" : "completed";
  await files.log({ kind: "end", time: new Date().toISOString(), step, status, seconds: round(clock.seconds, 3) });
  await files.sync();
  return status;
}
