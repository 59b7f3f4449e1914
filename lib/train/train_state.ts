/**
 * A run's checkpoint as the loop saves and restores it: the networks' weights
 * and the optimisers' state as tensor groups, and beside them the
 * {@linkcode TrainState}, everything else a resumed run needs to go on as if
 * never stopped.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchOrder, BatchOrderState } from "../data/batches.ts";

import { loadCheckpoint, type LoadedCheckpoint, type LoopState, saveCheckpoint } from "./checkpoint.ts";
import type { KeptWindow } from "./log_window.ts";
import type { CollapseWatchState } from "./collapse_watch.ts";
import { disposeOptimizerState, type NamedTensor, optimizerState, restoreOptimizerState } from "./optimizer_state.ts";
import type { Rng, RngState } from "../rng.ts";
import type { KindRun } from "../plugins/kinds.ts";

/** Each logged number by name (a window's or an epoch's means or sums). */
type Numbers = Record<string, number>;

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
  epochSums: Numbers;
  /** The last finite window means (the progress display's losses; a diverged run's last good numbers). */
  lastFinite: Numbers | null;
  /** Training milliseconds so far this epoch (absent in checkpoints from before it was recorded). */
  epochMs?: number;
  /** Steps trained but not yet logged, kept by a stop between log lines. */
  window?: KeptWindow;
  /** The collapse rule's watch (runs with a `collapse` rule only). */
  collapse?: CollapseWatchState;
  /** The kind's own JSON state (kinds with a `saveState` only; their tensors are groups named `kind:…`). */
  kindState?: unknown;
}

/** A restored run: its state, and which checkpoint file it came from. */
export interface Restored {
  state: TrainState;
  /** The checkpoint file read (the newest, or the previous one when the newest was unusable). */
  path: string;
}

/**
 * Restore the kind's networks and optimisers, `rng` and `order` from the newest usable checkpoint in `runDir`.
 * @returns its state, or null when the run has no checkpoint (nothing is changed then).
 * @throws {Error} naming the checkpoint when it lacks a network's or an optimiser's tensor group (it was written
 *   for another kind of GAN).
 */
export async function restoreTrainState(
  runDir: string,
  parts: { kind: KindRun; rng: Rng; order: BatchOrder },
  warn: (message: string) => void,
): Promise<Restored | null> {
  const checkpoint = await loadCheckpoint(runDir, warn);
  if (!checkpoint) return null;
  const { kind, rng, order } = parts;
  const state = checkpoint.state as TrainState;
  try {
    const group = (name: string) => {
      const g = checkpoint.groups[name];
      if (g) return g;
      const has = Object.keys(checkpoint.groups).join(", ");
      throw new Error(`${checkpoint.path}: no tensor group '${name}' (it has ${has}): not a checkpoint of this kind`);
    };
    for (const [role, model] of Object.entries(kind.networks)) model.setWeights(group(role).map((t) => t.tensor));
    for (const [name, opt] of Object.entries(kind.optimizers)) await restoreOptimizerState(opt, group(name));
    if (kind.restoreState) {
      const tensors = Object.entries(checkpoint.groups).filter(([g]) => g.startsWith(KIND_GROUP))
        .map(([g, t]) => [g.slice(KIND_GROUP.length), t] as const);
      await kind.restoreState({ json: state.kindState, tensors: Object.fromEntries(tensors) });
    }
  } finally {
    disposeGroups(checkpoint);
  }
  rng.setState(state.rng);
  order.setState(state.order);
  return { state, path: checkpoint.path };
}

/** The prefix of the checkpoint groups a kind's own state saves its tensors in. */
const KIND_GROUP = "kind:";

/** Save `state` and the kind's networks' weights, optimisers' state and own state as the run's checkpoint. */
export async function saveTrainState(runDir: string, state: TrainState, kind: KindRun): Promise<void> {
  const named = (model: tf.LayersModel) => model.weights.map((v) => ({ name: v.originalName, tensor: v.read() }));
  const networks = Object.entries(kind.networks).map(([role, model]) => [role, named(model)] as const);
  const optimizers: [string, NamedTensor[]][] = [];
  const own = await kind.saveState?.();
  try {
    for (const [name, opt] of Object.entries(kind.optimizers)) optimizers.push([name, await optimizerState(opt)]);
    const ownGroups = Object.entries(own?.tensors ?? {}).map(([g, t]) => [KIND_GROUP + g, t] as const);
    const saved = own?.json !== undefined ? { ...state, kindState: own.json } : state;
    await saveCheckpoint(runDir, saved, Object.fromEntries([...networks, ...optimizers, ...ownGroups]));
  } finally {
    disposeOptimizerState(optimizers.flatMap(([, o]) => o));
    tf.dispose(Object.values(own?.tensors ?? {}).flat().map((t) => t.tensor));
  }
}

function disposeGroups(checkpoint: LoadedCheckpoint): void {
  tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
}
