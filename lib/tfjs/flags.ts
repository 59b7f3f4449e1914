/**
 * TensorFlow.js environment flags from the command line (`--tf-flag NAME=VALUE`), e.g. the WebGPU backend's
 * `WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30`, `WEBGPU_MATMUL_PROGRAM_TYPE=1` or `WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=false`,
 * so a GPU's settings can be tuned without editing code. A value takes the type of the flag's default.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";

/** A flag's value as tfjs keeps it. */
export type TfFlagValue = number | boolean | string;

/** The names of every flag tfjs and its loaded backends registered. */
export function registeredTfFlags(): string[] {
  const registry = (tf.env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
  return Object.keys(registry).sort();
}

/**
 * Parse `NAME=VALUE` settings against the registered flags; the value is read as the type of the flag's default.
 * @throws {InputError} naming `flag` for an unknown name, a missing `=`, or a value of the wrong type.
 */
export function parseTfFlags(settings: string[], flag = "--tf-flag"): Record<string, TfFlagValue> {
  const known = registeredTfFlags();
  const out: Record<string, TfFlagValue> = {};
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    if (eq <= 0) throw new InputError(flag, `expected NAME=VALUE, got ${JSON.stringify(setting)}`);
    const name = setting.slice(0, eq);
    const text = setting.slice(eq + 1);
    if (!known.includes(name)) {
      throw new InputError(
        flag,
        `${JSON.stringify(name)} is not a TensorFlow.js flag${didYouMean(name, known)} (the WebGPU backend's: ${
          known.filter((k) => k.startsWith("WEBGPU_")).join(", ")
        })`,
      );
    }
    let current: unknown;
    try {
      current = tf.env().get(name);
    } catch (e) {
      throw new InputError(
        flag,
        `${name} cannot be set here: tfjs cannot evaluate its default (${(e as Error).message})`,
      );
    }
    if (typeof current === "boolean") {
      if (text !== "true" && text !== "false") {
        throw new InputError(flag, `${name} is true or false, got ${JSON.stringify(text)}`);
      }
      out[name] = text === "true";
    } else if (typeof current === "number") {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) {
        throw new InputError(flag, `${name} is a number, got ${JSON.stringify(text)}`);
      }
      out[name] = n;
    } else if (typeof current === "string") out[name] = text;
    else throw new InputError(flag, `${name} has no default value to take a type from; it cannot be set here`);
  }
  return out;
}

/** Set parsed flags in the tfjs environment. */
export function applyTfFlags(flags: Record<string, TfFlagValue>): void {
  for (const [name, value] of Object.entries(flags)) tf.env().set(name, value);
}
