/**
 * A run's checkpoint as the loop saves and restores it: the networks' weights
 * and the optimisers' state as tensor groups, and beside them the
 * {@linkcode TrainState}, everything else a resumed run needs to go on as if
 * never stopped.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchOrder, BatchOrderState } from "../data/batches.ts";
import type { StepNumbers } from "../results/step_numbers.ts";
import { loadCheckpoint, type LoadedCheckpoint, type LoopState, saveCheckpoint } from "./checkpoint.ts";
import type { KeptWindow } from "./log_window.ts";
import type { CollapseWatchState } from "./collapse_watch.ts";
import { disposeOptimizerState, optimizerState, restoreOptimizerState } from "./optimizer_state.ts";
import type { Rng, RngState } from "../rng.ts";
import type { Gan } from "./steps.ts";

/** The loop's state in a checkpoint, beside the tensors: {@linkcode LoopProgress} and the log's length. */
export interface TrainState extends LoopState, LoopProgress {}

/** The loop's own part of {@linkcode TrainState}: all but the log's length, which the run's files add. */
export interface LoopProgress {
  /** Steps trained. */
  step: number;
  /** Training seconds of the steps logged. */
  seconds: number;
  /** The training stream (batches' noise, dropout, weight init) where it stood. */
  rng: RngState;
  /** The epoch's batch order and the position in it. */
  order: BatchOrderState;
  /** Sums of the step numbers so far this epoch, for its `epoch` line. */
  epochSums: StepNumbers;
  /** The last finite window means (the progress display's losses; a diverged run's last good numbers). */
  lastFinite: StepNumbers | null;
  /** Training milliseconds so far this epoch (absent in checkpoints from before it was recorded). */
  epochMs?: number;
  /** Steps trained but not yet logged, kept by a stop between log lines. */
  window?: KeptWindow;
  /** The collapse rule's watch (runs with a `collapse` rule only). */
  collapse?: CollapseWatchState;
}

/** A restored run: its state, and which checkpoint file it came from. */
export interface Restored {
  state: TrainState;
  /** The checkpoint file read (the newest, or the previous one when the newest was unusable). */
  path: string;
}

/**
 * Restore `gan`, `rng` and `order` from the newest usable checkpoint in `runDir`.
 * @returns its state, or null when the run has no checkpoint (nothing is changed then).
 */
export async function restoreTrainState(
  runDir: string,
  parts: { gan: Gan; rng: Rng; order: BatchOrder },
  warn: (message: string) => void,
): Promise<Restored | null> {
  const checkpoint = await loadCheckpoint(runDir, warn);
  if (!checkpoint) return null;
  const { gan, rng, order } = parts;
  const state = checkpoint.state as TrainState;
  const g = checkpoint.groups;
  try {
    gan.generator.setWeights((g.generator ?? []).map((t) => t.tensor));
    gan.discriminator.setWeights((g.discriminator ?? []).map((t) => t.tensor));
    await restoreOptimizerState(gan.optD, g.optD ?? []);
    await restoreOptimizerState(gan.optG, g.optG ?? []);
  } finally {
    disposeGroups(checkpoint);
  }
  rng.setState(state.rng);
  order.setState(state.order);
  return { state, path: checkpoint.path };
}

/** Save `state` and the GAN's weights and optimiser state as the run's checkpoint. */
export async function saveTrainState(runDir: string, state: TrainState, gan: Gan): Promise<void> {
  const named = (model: tf.LayersModel) => model.weights.map((v) => ({ name: v.originalName, tensor: v.read() }));
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
}

function disposeGroups(checkpoint: LoadedCheckpoint): void {
  tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
}
