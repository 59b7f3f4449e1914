/**
 * The error for bad input the user can fix: an experiment file, a flag, a
 * dataset file. Commands print its message alone and exit with code 2.
 * @module
 */

/** Bad input: the message names the source, the field and the bad value. */
export class InputError extends Error {
  /** `source` is the file or flag the bad value came from. */
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "InputError";
  }
}
