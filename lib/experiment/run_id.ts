/**
 * Run ids: a readable slug of the grid values plus a short hash of the
 * resolved config, e.g. `lr-0.01_noiseDim-10_3fa2c1`. The hash makes the id
 * follow the config: change a value and the run is a new run.
 *
 * **A run id never changes because a config key was added.** The hash covers
 * the {@linkcode FOUNDING_KEYS} always, and any key added since only where a
 * run sets it to something other than its default, the value that reproduces
 * the behaviour from before the key existed. So a new key with a default
 * leaves every existing run its id, its folder and its checkpoint.
 * @module
 */
import { canonicalJson } from "../canonical_json.ts";
import { configDefaults, type ConfigKey, inKeyOrder, type ResolvedConfig } from "./config.ts";
import { sha256Hex } from "../sha256.ts";
import { datasetLabel, isSource } from "../data/sources.ts";

/**
 * The config keys the first run ids hashed, all of them, always. Never add to
 * this list: a key added to the config later is hashed only when not at its default.
 */
export const FOUNDING_KEYS: readonly ConfigKey[] = [
  "dataset",
  "arch",
  "loss",
  "lr",
  "lrD",
  "lrG",
  "beta1",
  "beta2",
  "adamEpsilon",
  "batchSize",
  "epochs",
  "steps",
  "noiseDim",
  "noise",
  "labelSmoothing",
  "seed",
  "trainSize",
  "logEvery",
  "sampleEvery",
  "sampleGrid",
  "pixelRange",
  "batching",
  "dLossReduce",
  "evalEvery",
  "evalSamples",
  "divergenceThreshold",
  "checkpointEvery",
];

const founding = new Set<string>(FOUNDING_KEYS);

/**
 * The part of a resolved config that identifies a run: every founding key, and
 * each later key whose value differs from its default (an option's default is its owner's).
 */
export function identityConfig(
  config: ResolvedConfig,
  defaultValues: Record<string, unknown> = configDefaults(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (founding.has(key) || canonicalJson(value) !== canonicalJson(defaultValues[key])) out[key] = value;
  }
  return out;
}

/** The sha256 (hex) of a run's {@linkcode identityConfig}: `config.json`'s `configHash`. */
export function configHash(config: ResolvedConfig, defaultValues?: Record<string, unknown>): Promise<string> {
  return sha256Hex(canonicalJson(identityConfig(config, defaultValues)));
}

/** The hash digits of runs whose 6-digit ids collide (see `plan.ts`): 64 bits. */
export const LONG_HASH_DIGITS = 16;

function slugValue(v: unknown): string {
  const text = Array.isArray(v) ? v.join("x") : isSource(v) ? datasetLabel(v) : String(v);
  return text.replace(/[^A-Za-z0-9.+-]+/g, "") || "x";
}

/** Grid values in the config's key order (`KEY_ORDER`), whatever order the grid declares them in: the slug's order. */
function inConfigOrder(gridValues: Record<string, unknown>): [string, unknown][] {
  return inKeyOrder(Object.keys(gridValues)).map((k) => [k, gridValues[k]]);
}

/**
 * The id of a run with these grid values and this resolved config. The slug lists the grid values in the
 * config's key order (as run ids always have), so the order a grid declares its keys in changes no id.
 */
export async function runId(
  gridValues: Record<string, unknown>,
  config: ResolvedConfig,
  defaultValues?: Record<string, unknown>,
): Promise<string> {
  return runIdFromHash(gridValues, await configHash(config, defaultValues));
}

/** The id of a run with these grid values whose {@linkcode configHash} is `hash`, with `hashDigits` of it. */
export function runIdFromHash(gridValues: Record<string, unknown>, hash: string, hashDigits = 6): string {
  const short = hash.slice(0, hashDigits);
  const slug = inConfigOrder(gridValues).map(([k, v]) => `${k}-${slugValue(v)}`).join("_").slice(0, 80);
  return slug ? `${slug}_${short}` : `run_${short}`;
}
