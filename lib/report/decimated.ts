/**
 * A series kept to a bounded length while it grows without end: every s-th item (s a power of two that doubles
 * whenever the kept items pass the cap) and always the latest one.
 * @module
 */

/**
 * Bounded, evenly spaced memory of an append-only series.
 *
 * @example
 * ```ts
 * import { Decimated } from "./decimated.ts";
 * const d = new Decimated<number>(4);
 * for (let i = 0; i < 10; i++) d.push(i);
 * d.items(); // [0, 4, 8, 9]
 * ```
 */
export class Decimated<T> {
  readonly cap: number;
  #kept: T[] = [];
  #index: number[] = [];
  #stride = 1;
  #count = 0;
  #last: T | undefined;

  /** @param cap Most items kept besides the latest (at least 2). */
  constructor(cap: number) {
    if (!(Number.isInteger(cap) && cap >= 2)) {
      throw new RangeError(`Cannot keep a series as 'cap' must be an integer ≥ 2: current value is ${cap}`);
    }
    this.cap = cap;
  }

  /** Items appended so far, kept or not. */
  get count(): number {
    return this.#count;
  }

  /** @param item The next item of the series. */
  push(item: T): void {
    const i = this.#count++;
    this.#last = item;
    if (i % this.#stride !== 0) return;
    this.#kept.push(item);
    this.#index.push(i);
    if (this.#kept.length <= this.cap) return;
    this.#stride *= 2;
    const keep = this.#index.map((j) => j % this.#stride === 0);
    this.#kept = this.#kept.filter((_, k) => keep[k]);
    this.#index = this.#index.filter((_, k) => keep[k]);
  }

  /** @returns The kept items in order, ending with the latest item. */
  items(): T[] {
    if (this.#last === undefined || this.#index.at(-1) === this.#count - 1) return [...this.#kept];
    return [...this.#kept, this.#last];
  }
}
