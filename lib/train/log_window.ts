/**
 * The log window: the numbers of the steps since the last log line, kept on
 * the device as one small tensor per step and read back together (a readback
 * costs ≥ 10 ms on WebGPU), then summed into the window's means, the epoch's
 * sums, and checked for divergence. A stop between log lines keeps the
 * window's numbers in its checkpoint ({@linkcode KeptWindow}), so the resumed
 * run logs the same windows as one that never stopped.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Numbers, scaleNumbers, zeroNumbers } from "./step_stats.ts";

/** Where a run diverged and why. */
export interface Divergence {
  /** The first step with a non-finite or runaway number. */
  step: number;
  /** Which number, its value and the bound it broke. */
  reason: string;
}

/** A window read back. */
export interface WindowRead<N extends string> {
  /** The window's means. */
  means: Numbers<N>;
  /** Steps in the window. */
  steps: number;
  /** Set when a step of the window diverged (its means are then not kept as the last finite ones). */
  diverged: Divergence | null;
}

/**
 * A window kept in a checkpoint: each step's numbers in turn, and the training milliseconds it took. Checkpoints
 * name the numbers; those written before they did hold them in {@linkcode UNNAMED_WINDOW_ORDER}.
 */
export interface KeptWindow {
  numbers?: string[];
  stats: number[];
  ms: number;
}

/** The order of a kept window's numbers in checkpoints that do not name them (the iteration's order then). */
export const UNNAMED_WINDOW_ORDER: readonly string[] = ["dLoss", "dReal", "dFake", "dAcc", "gLoss"];

/** What the window starts from: an epoch under way and the last finite means, from a checkpoint. */
export interface WindowStart<N extends string> {
  epochSums: Numbers<N>;
  lastFinite: Numbers<N> | null;
  window?: KeptWindow;
}

/** The steps since the last log line, and the sums they go into. */
export class LogWindow<N extends string> {
  #pending: tf.Tensor[] = [];
  /** Sums of the numbers so far this epoch, for its `epoch` line. */
  epochSums: Numbers<N>;
  /** The last finite window means (a diverged run's last good numbers). */
  lastFinite: Numbers<N> | null;
  /** The latest window means, finite or not (the progress display's losses). */
  latest: Numbers<N> | null;

  /**
   * @param names the numbers each step's tensor holds, in order.
   * @param bounded those `threshold` bounds in absolute value (the losses); any number must be finite.
   */
  constructor(
    readonly names: readonly N[],
    readonly bounded: readonly N[],
    readonly threshold: number,
    start: WindowStart<N> | null = null,
  ) {
    this.epochSums = start?.epochSums ?? zeroNumbers(names);
    this.lastFinite = start?.lastFinite ?? null;
    this.latest = this.lastFinite;
    if (start?.window) this.#restore(start.window);
  }

  /** Steps in the window. */
  get size(): number {
    return this.#pending.length;
  }

  /** Add a step's numbers (a kept 1-d tensor in `names` order; the window disposes it). */
  push(numbers: tf.Tensor): void {
    this.#pending.push(numbers);
  }

  /**
   * Read the window back and empty it: its means, added to the epoch's sums, and the first step (of those ending
   * at `lastStep`) with a non-finite number or a bounded one beyond the threshold.
   * @returns null for an empty window.
   */
  async flush(lastStep: number): Promise<WindowRead<N> | null> {
    const n = this.#pending.length;
    if (n === 0) return null;
    const values = await this.#read();
    tf.dispose(this.#pending);
    this.#pending = [];
    const sums = zeroNumbers(this.names);
    let diverged: Divergence | null = null;
    for (let i = 0; i < n; i++) {
      for (const [k, key] of this.names.entries()) {
        const v = values[i * this.names.length + k]!;
        diverged ??= this.#check(key, v, lastStep - n + i + 1);
        sums[key] += v;
      }
    }
    const means = scaleNumbers(this.names, sums, 1 / n);
    for (const k of this.names) this.epochSums[k] += sums[k];
    if (!diverged) this.lastFinite = means;
    this.latest = means;
    return { means, steps: n, diverged };
  }

  /**
   * The window's numbers for a checkpoint, leaving the window as it is; null when it is empty or holds a
   * non-finite number (JSON, which the checkpoint keeps them in, has no NaN: such a window is logged instead).
   */
  async keep(): Promise<Omit<KeptWindow, "ms"> | null> {
    if (this.#pending.length === 0) return null;
    const stats = Array.from(await this.#read());
    return stats.every(Number.isFinite) ? { numbers: [...this.names], stats } : null;
  }

  /** The epoch's means over `steps` steps; its sums start again from zero. */
  endEpoch(steps: number): Numbers<N> {
    const means = scaleNumbers(this.names, this.epochSums, 1 / steps);
    this.epochSums = zeroNumbers(this.names);
    return means;
  }

  /** Dispose the unread steps. */
  dispose(): void {
    tf.dispose(this.#pending);
    this.#pending = [];
  }

  async #read(): Promise<Float32Array | Int32Array | Uint8Array> {
    const stacked = tf.stack(this.#pending);
    try {
      return await stacked.data();
    } finally {
      stacked.dispose();
    }
  }

  #check(key: N, v: number, step: number): Divergence | null {
    const runaway = this.bounded.includes(key) && Math.abs(v) > this.threshold;
    if (Number.isFinite(v) && !runaway) return null;
    return {
      step,
      reason: runaway ? `${key} is ${v}, beyond divergenceThreshold ${this.threshold}` : `${key} is ${v}`,
    };
  }

  /** Push a kept window's steps back, each in `names` order. */
  #restore(kept: KeptWindow): void {
    const saved = kept.numbers ?? UNNAMED_WINDOW_ORDER;
    const at = this.names.map((name) => saved.indexOf(name));
    if (at.includes(-1) || saved.length !== this.names.length || kept.stats.length % saved.length !== 0) {
      throw new RangeError(
        `Cannot resume the checkpoint's log window: it holds ${kept.stats.length} numbers named ${saved.join(", ")}; ` +
          `expected whole steps of ${this.names.join(", ")}`,
      );
    }
    for (let i = 0; i < kept.stats.length; i += saved.length) {
      this.#pending.push(tf.tensor1d(at.map((j) => kept.stats[i + j]!)));
    }
  }
}
