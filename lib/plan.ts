/**
 * From an experiment file to the list of runs: load and validate the file,
 * apply `--profile`, `--set` and `--only`, resolve each grid point and give it
 * its id.
 * @module
 */
import { resolve, toFileUrl } from "@std/path";
import {
  collidingKey,
  CONFIG_KEYS,
  type ConfigKey,
  configShape,
  type PartialConfig,
  resolveConfig,
  type ResolvedConfig,
} from "./config.ts";
import { canonicalJson, sha256Hex } from "./canonical_json.ts";
import type { Experiment } from "./experiment.ts";
import { expandGrid } from "./grid.ts";
import { InputError } from "./input_error.ts";
import { runId } from "./run_id.ts";
import { didYouMean } from "./suggest.ts";
import { checkArchName, describeIssue, validateExperiment } from "./validate_experiment.ts";
import "./archs/builtin.ts";

/** Images in the training split of every dataset the harness knows. */
export const TRAIN_IMAGES = 60_000;

/** One grid point, resolved. */
export interface PlannedRun {
  runId: string;
  /** The values of the keys the grid varies (what tells this run apart). */
  gridValues: Record<string, unknown>;
  config: ResolvedConfig;
  configHash: string;
}

/** A loaded experiment and its runs. */
export interface Plan {
  experiment: Experiment;
  /** The experiment file, as given. */
  source: string;
  runs: PlannedRun[];
  /** What `--set` changed, one `key=value (was old)` line each. */
  overrides: string[];
}

/** What the command line adds to the experiment. */
export interface PlanOptions {
  profile?: string;
  set?: string[];
  only?: string[];
}

/** Experiment modules compiled into a one-file bundle (bench/gpu/), by absolute path. */
const bundled = new Map<string, { default?: unknown }>();

/**
 * Make experiment modules available without importing their files: for a one-file bundle run where the npm
 * packages the files import cannot be fetched (bench/gpu/sweep_entry.ts). Keys are paths relative to the
 * working directory, e.g. `experiments/blog-000-tf-dcgan.ts`; the files must still exist there.
 */
export function provideExperiments(modules: Record<string, { default?: unknown }>): void {
  for (const [path, mod] of Object.entries(modules)) bundled.set(resolve(path), mod);
}

/**
 * Import an experiment file and validate its default export.
 * @throws {InputError} for a missing file, a syntax error, no default export or an invalid experiment.
 */
export async function loadExperiment(path: string): Promise<Experiment> {
  let mod: { default?: unknown };
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) {
      throw new InputError(
        path,
        "is not a file; expected an experiment file such as experiments/quickstart.ts",
      );
    }
    mod = bundled.get(resolve(path)) ?? await import(toFileUrl(resolve(path)).href);
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(
        path,
        "no such file; expected an experiment file such as experiments/quickstart.ts",
      );
    }
    const first = String((e as Error).message ?? e).split("\n").slice(0, 3)
      .join(" ");
    throw new InputError(path, `cannot load the experiment file: ${first}`);
  }
  if (mod.default === undefined) {
    throw new InputError(
      path,
      "has no default export; expected `export default defineExperiment({ name, base, grid })`",
    );
  }
  return validateExperiment(mod.default, path);
}

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
  if (!(CONFIG_KEYS as string[]).includes(key)) {
    throw new InputError(
      flag,
      `${key}: unknown key${didYouMean(key, CONFIG_KEYS)} (known keys: ${CONFIG_KEYS.join(", ")})`,
    );
  }
  const schema = configShape[key as ConfigKey];
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

/** Checks that span several keys, on a resolved config. */
function checkResolved(
  config: ResolvedConfig,
  where: string,
  source: string,
  set: PartialConfig,
): void {
  // Blame --set when it gave one of the values.
  const from = (...keys: string[]) => keys.some((k) => k in set) ? "--set" : source;
  const available = Math.min(config.trainSize ?? TRAIN_IMAGES, TRAIN_IMAGES);
  if (config.batchSize > available) {
    throw new InputError(
      from("batchSize", "trainSize"),
      `${where}: batchSize ${config.batchSize} is larger than the ${available} training images available (trainSize ${config.trainSize}); use batchSize ≤ ${available}`,
    );
  }
  if (config.sampleGrid[0] * config.sampleGrid[1] > 1024) {
    throw new InputError(
      from("sampleGrid"),
      `${where}: sampleGrid ${JSON.stringify(config.sampleGrid)} has more than 1024 cells; use rows × cols ≤ 1024`,
    );
  }
}

/**
 * Expand an experiment into runs.
 * @throws {InputError} for an unknown profile, a bad `--set`/`--only` or an impossible combination.
 */
export async function planSweep(
  experiment: Experiment,
  source: string,
  options: PlanOptions = {},
): Promise<Plan> {
  const layers: PartialConfig[] = [experiment.base ?? {}];
  if (options.profile !== undefined) {
    const profile = experiment.profiles?.[options.profile];
    if (!profile) {
      const names = Object.keys(experiment.profiles ?? {});
      throw new InputError(
        "--profile",
        `${JSON.stringify(options.profile)} is not a profile of ${source}${
          didYouMean(options.profile, names)
        } (profiles: ${names.join(", ") || "none"})`,
      );
    }
    layers.push(profile);
  }
  const set: PartialConfig = {};
  for (const text of options.set ?? []) {
    const [k, v] = parseAssignment(text, "--set");
    (set as Record<string, unknown>)[k] = v;
  }
  checkArchName(set.arch, "arch", "--set");
  const only = (options.only ?? []).map((t) => parseAssignment(t, "--only"));

  const grid = (experiment.grid ?? {}) as Record<string, unknown[]>;
  for (const k of Object.keys(set)) {
    const g = collidingKey(k, Object.keys(grid));
    if (g !== undefined) {
      const values = grid[g]!.map((v) => JSON.stringify(v)).join(", ");
      throw new InputError(
        "--set",
        `${k}: the grid of ${source} varies ${g} (${values}), so --set cannot fix it; ` +
          `use --only ${g}=<value> to train only the runs with one of those values, or edit the grid`,
      );
    }
  }
  const before = resolveConfig(...layers) as Record<string, unknown>;
  const overrides = Object.entries(set).map(([k, v]) => `${k}=${JSON.stringify(v)} (was ${JSON.stringify(before[k])})`);
  const runs: PlannedRun[] = [];
  for (const point of expandGrid(grid)) {
    const config = resolveConfig(...layers, set, point as PartialConfig);
    if (only.some(([k, v]) => canonicalJson(config[k]) !== canonicalJson(v))) {
      continue;
    }
    checkResolved(config, formatPoint(point), source, set);
    const configHash = await sha256Hex(canonicalJson(config));
    runs.push({
      runId: await runId(point, config),
      gridValues: point,
      config,
      configHash,
    });
  }
  if (runs.length === 0) {
    throw new InputError(
      "--only",
      `${(options.only ?? []).join(" ")} matches no run of ${source} (${describeGrid(grid)})`,
    );
  }
  return { experiment, source, runs, overrides };
}

function describeGrid(grid: Record<string, unknown[]>): string {
  const axes = Object.entries(grid).map(([k, vs]) => `${k}: ${vs.map((v) => JSON.stringify(v)).join(", ")}`);
  return axes.length ? `its grid: ${axes.join("; ")}` : "it has no grid";
}

function formatPoint(point: Record<string, unknown>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `grid point ${parts.join(", ")}` : "base";
}
