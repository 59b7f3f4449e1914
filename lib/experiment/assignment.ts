/**
 * `key=value` assignments from the command line (`--set`, `--only`), checked against the config schema.
 * @module
 */
import { type ConfigKey, configKeys, configShape } from "./config.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";
import { describeIssue } from "./validate.ts";

/** Parse `key=value` from `--set`/`--only`: the value as JSON where it parses and fits, else as text. */
export function parseAssignment(
  text: string,
  flag: string,
): [ConfigKey, unknown] {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new InputError(
      flag,
      `expected key=value, got ${JSON.stringify(text)}`,
    );
  }
  const key = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  const keys = configKeys();
  const schema = configShape()[key];
  if (!schema) {
    throw new InputError(
      flag,
      `${key}: unknown key${didYouMean(key, keys)} (known keys: ${keys.join(", ")})`,
    );
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch { /* plain text */ }
  if (!schema.safeParse(value).success && schema.safeParse(raw).success) {
    value = raw;
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    throw new InputError(
      flag,
      describeIssue({ ...checked.error.issues[0]!, path: [key] }, {
        [key]: value,
      }),
    );
  }
  return [key as ConfigKey, checked.data];
}
