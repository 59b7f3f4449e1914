/**
 * Watching a run for the two ways a GAN fails outright, as the experiment's `collapse` rule asks (off unless
 * set): the generator has collapsed onto few classes, or the discriminator has won (its loss ≈ 0 with D(x) ≈ 1,
 * so G's gradients vanish). FID-like metrics are not monotone, so the class rule looks at the best evaluation so
 * far: a run that once covered more classes than the bound is not stopped for a bad evaluation later.
 * @module
 */
import type { Collapse } from "../experiment/stopping.ts";

/** D has won when its loss is below this… */
export const D_WINS_LOSS = 0.01;
/** …and its mean output on real images above this. */
export const D_WINS_REAL = 0.99;

/** What the watch keeps across a checkpoint. */
export interface CollapseWatchState {
  /** The most classes covered at any evaluation so far (null before the first). */
  bestClasses: number | null;
  /** Log windows in a row in which D has won. */
  dWinsRun: number;
}

/** The collapse rule applied to a run's evaluations and log windows. */
export class CollapseWatch {
  readonly #rule: Collapse;
  #state: CollapseWatchState = { bestClasses: null, dWinsRun: 0 };

  /** A watch for `rule`; an empty rule never fires. */
  constructor(rule: Collapse = {}) {
    this.#rule = rule;
  }

  /**
   * Told each evaluation's classes covered.
   * @returns why the run has collapsed, or null.
   */
  onEval(classesCovered: number): string | null {
    const best = Math.max(this.#state.bestClasses ?? -Infinity, classesCovered);
    this.#state.bestClasses = best;
    const bound = this.#rule.classesAtMost;
    if (bound === undefined || best > bound) return null;
    return `at most ${best} classes covered at every evaluation so far (collapse.classesAtMost ${bound})`;
  }

  /**
   * Told each log window's mean D loss and D(x).
   * @returns why the run has collapsed, or null.
   */
  onWindow(dLoss: number, dReal: number): string | null {
    const won = dLoss < D_WINS_LOSS && dReal > D_WINS_REAL;
    this.#state.dWinsRun = won ? this.#state.dWinsRun + 1 : 0;
    const needed = this.#rule.dWinsFor;
    if (needed === undefined || this.#state.dWinsRun < needed) return null;
    return `D won for ${this.#state.dWinsRun} log windows in a row (D loss < ${D_WINS_LOSS}, D(x) > ${D_WINS_REAL}; ` +
      `collapse.dWinsFor ${needed})`;
  }

  /** The state to checkpoint. */
  getState(): CollapseWatchState {
    return { ...this.#state };
  }

  /** Continue from a checkpointed state. */
  setState(state: CollapseWatchState): void {
    this.#state = { ...state };
  }
}
