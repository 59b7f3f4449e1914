/**
 * From a loaded experiment to the list of runs: apply `--profile`, `--set` and
 * `--only`, resolve each grid point and give it its id. (Loading the file is
 * `load.ts`; the `key=value` flags are parsed in `assignment.ts`.)
 * @module
 */
import { collidingKey, type PartialConfig, resolveConfig, type ResolvedConfig } from "./config.ts";
import { DATASET_INFO } from "../data/dataset_info.ts";
import { parseAssignment } from "./assignment.ts";
import { canonicalJson } from "./canonical_json.ts";
import type { Experiment } from "./define.ts";
import { expandGrid } from "./grid.ts";
import { InputError } from "../input_error.ts";
import { configHash, runId } from "./run_id.ts";
import { didYouMean } from "../suggest.ts";
import { checkArchName } from "./validate.ts";
import "../archs/builtin.ts";

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

/** Checks that span several keys, on a resolved config. */
function checkResolved(
  config: ResolvedConfig,
  where: string,
  source: string,
  set: PartialConfig,
): void {
  // Blame --set when it gave one of the values.
  const from = (...keys: string[]) => keys.some((k) => k in set) ? "--set" : source;
  const images = DATASET_INFO[config.dataset].files.train.images.dims[0]!;
  const available = Math.min(config.trainSize ?? images, images);
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
    runs.push({
      runId: await runId(point, config),
      gridValues: point,
      config,
      configHash: await configHash(config),
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
