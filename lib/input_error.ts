/**
 * The error for bad input the user can fix: an experiment file, a flag, a
 * dataset file, a results folder. Commands print its message alone and exit
 * with code 2; the kinds a caller may want to tell apart are subclasses
 * (`DatasetError`, `NotAnExperimentError`).
 * @module
 */

/** How an {@linkcode InputError} is made, beyond the standard error options. */
export interface InputErrorOptions extends ErrorOptions {
  /** The message already names the source (a path or URL at its start): do not prefix `source: `. */
  named?: boolean;
}

/** Bad input: the message names the source, the field and the bad value. */
export class InputError extends Error {
  /**
   * @param source The file or flag the bad value came from.
   * @param message What is wrong and what would be accepted; shown as `source: message`.
   * @param options `cause`, and `named` for a message that names its source itself.
   */
  constructor(readonly source: string, message: string, options?: InputErrorOptions) {
    super(options?.named ? message : `${source}: ${message}`, options);
    this.name = "InputError";
  }
}
