/**
 * The training clock: wall time spent training, for the log's `ms` per step,
 * the epochs' `seconds`, the run's `seconds` (summed over resumes) and the
 * progress display's moving average. Evaluation and loading the classifier are
 * not training: they run with the clock paused.
 * @module
 */

/** Where the clock stood at a checkpoint. */
export interface ClockStart {
  /** Training seconds of the windows logged so far. */
  seconds: number;
  /** Training milliseconds so far this epoch. */
  epochMs: number;
  /** Training milliseconds of the steps not yet logged. */
  windowMs: number;
}

/** Times the log window, the epoch and each step, less the pauses. */
export class TrainingClock {
  /** Training seconds of the windows logged so far, over resumes. */
  seconds: number;
  /** Moving average of the milliseconds a step takes, pauses left out. */
  msPerStep = 0;
  #windowStart: number;
  #epochStart: number;
  #lastStepEnd: number;

  /** Start now, or go on from where a checkpoint's clock stood. */
  constructor(start: ClockStart = { seconds: 0, epochMs: 0, windowMs: 0 }) {
    const now = performance.now();
    this.seconds = start.seconds;
    this.#windowStart = now - start.windowMs;
    this.#epochStart = now - start.epochMs;
    this.#lastStepEnd = now;
  }

  /** Run `work` with the clock stopped: its time counts in no window, epoch or step. */
  async pause<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const spent = performance.now() - started;
      this.#windowStart += spent;
      this.#epochStart += spent;
      this.#lastStepEnd += spent;
    }
  }

  /** Milliseconds of the log window so far. */
  windowMs(): number {
    return performance.now() - this.#windowStart;
  }

  /** End the log window: its milliseconds are added to `seconds`, and the next window starts now. */
  endWindow(): number {
    const now = performance.now();
    const ms = now - this.#windowStart;
    this.seconds += ms / 1000;
    this.#windowStart = now;
    return ms;
  }

  /** Milliseconds of the epoch so far. */
  epochMs(): number {
    return performance.now() - this.#epochStart;
  }

  /** End the epoch: its milliseconds; the next epoch starts now. */
  endEpoch(): number {
    const now = performance.now();
    const ms = now - this.#epochStart;
    this.#epochStart = now;
    return ms;
  }

  /** A step ended: fold its time into `msPerStep`. */
  endStep(): void {
    const now = performance.now();
    const ms = now - this.#lastStepEnd;
    this.msPerStep = this.msPerStep === 0 ? ms : 0.9 * this.msPerStep + 0.1 * ms;
    this.#lastStepEnd = now;
  }
}
