/**
 * The built-ins' working halves, bound when the training code loads. A built-in architecture, loss or kind is
 * registered in two halves: its declaration (name, description, options, checks: what validation and planning read)
 * loads without TensorFlow.js, so experiment files and `sweep --dry-run` do not load it; its working half (the
 * builders, loss terms and builds) loads with the training code (`lib/train/builtins.ts`), which binds it here. The
 * registered value's working methods call through to the bound half.
 * @module
 */

/** A value bound once, when the module that makes it loads; read by the methods that call through to it. */
export class Deferred<T> {
  #value: T | undefined;

  /** @param what the value, in a few words, for the error when it is read before it is bound. */
  constructor(readonly what: string) {}

  /** Bind the value (the training code does, on import). */
  bind(value: T): void {
    this.#value = value;
  }

  /** The bound value. @throws {Error} when the training code has not loaded (nothing bound it). */
  get(): T {
    if (this.#value === undefined) {
      throw new Error(
        `${this.what} are not loaded: they load with the training code (import lib/train/builtins.ts, as every ` +
          "command that trains does, before building networks or computing losses)",
      );
    }
    return this.#value;
  }
}
