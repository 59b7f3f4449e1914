/**
 * The runs a sweep has yet to take. A run that another process holds (its `run.lock`) goes back to the end of the
 * queue and is tried again after a pause, until this sweep can lock it — then it is trained, or found done by the
 * other process and skipped — so N sweeps on one results folder (`--jobs` workers, two terminals, the tasks of a
 * Slurm array) between them finish every run, each exactly once, even when a holder is stopped or killed part-way.
 * @module
 */

/** A queue of runs where a held run waits at the end for its turn to be tried again. */
export class RunQueue<T> {
  readonly #items: { item: T; notBefore: number }[];
  readonly #heldSince = new Map<T, number>();
  readonly #retryMs: number;

  /**
   * @param items the runs, in the order they are taken.
   * @param retryMs how long a held run waits before it is tried again.
   */
  constructor(items: Iterable<T>, retryMs = 1000) {
    this.#items = [...items].map((item) => ({ item, notBefore: 0 }));
    this.#retryMs = retryMs;
  }

  /** Runs not yet taken (held ones included). */
  get size(): number {
    return this.#items.length;
  }

  /** Put a run another process holds back at the end, to be tried again in `retryMs`. */
  requeue(item: T): void {
    if (!this.#heldSince.has(item)) this.#heldSince.set(item, Date.now());
    this.#items.push({ item, notBefore: Date.now() + this.#retryMs });
  }

  /** Put a run just taken back at the front, untried (the sweep is stopping). */
  putBack(item: T): void {
    this.#items.unshift({ item, notBefore: 0 });
  }

  /** When `item` was first found held by another process (ms since the epoch), or undefined if it never was. */
  heldSince(item: T): number | undefined {
    return this.#heldSince.get(item);
  }

  /**
   * The next run to try: the first that is not waiting out its pause, waiting when every run left is.
   * @param stopped polled while waiting: true ends the wait.
   * @param onWait told once per wait which runs it waits for.
   * @returns the run, or undefined when the queue is empty or `stopped()` says so.
   */
  async next(stopped: () => boolean, onWait?: (held: T[]) => void): Promise<T | undefined> {
    let told = false;
    while (!stopped() && this.#items.length) {
      const now = Date.now();
      const i = this.#items.findIndex((e) => e.notBefore <= now);
      if (i >= 0) return this.#items.splice(i, 1)[0]!.item;
      if (!told) onWait?.(this.#items.map((e) => e.item));
      told = true;
      const soonest = Math.min(...this.#items.map((e) => e.notBefore));
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(250, soonest - now))));
    }
    return undefined;
  }

  /** Take every run left (at the end of a stopped sweep). */
  drain(): T[] {
    return this.#items.splice(0).map((e) => e.item);
  }
}
