/**
 * From a loaded experiment to the list of runs: apply `--profile`, `--set` and
 * `--only`, resolve each grid point and give it its id. (Loading the file is
 * `load.ts`; the `key=value` flags are parsed in `assignment.ts`.)
 * @module
 */
import {
  collidingKey,
  configDefaults,
  type Dataset,
  type PartialConfig,
  resolveConfig,
  type ResolvedConfig,
} from "./config.ts";
import { type DatasetFacts, datasetFacts } from "../data/dataset_ref.ts";
import { datasetLabel } from "../data/sources.ts";
import { dirname, resolve } from "@std/path";
import { parseAssignment } from "./assignment.ts";
import { checkEvaluation } from "./eval_check.ts";
import { canonicalJson } from "../canonical_json.ts";
import type { Experiment } from "./define.ts";
import { expandGrid } from "./grid.ts";
import { drawTrials, type Search } from "./search.ts";
import { budget } from "./budget.ts";
import type { Prune } from "./stopping.ts";
import type { Reseed } from "./reseed.ts";
import { InputError } from "../input_error.ts";
import { configHash, LONG_HASH_DIGITS, runIdFromHash } from "./run_id.ts";
import { didYouMean } from "../suggest.ts";
import { checkArchName, checkKindName, checkLossName } from "./validate.ts";
import { getKind, type KindData } from "../plugins/kinds.ts";
import { getLoss } from "../plugins/losses.ts";
import { archNames, getArch } from "../archs/registry.ts";
import { declaredOptions, type OptionOwner } from "../plugins/options.ts";

/** One grid point, resolved. */
export interface PlannedRun {
  runId: string;
  /** The values of the keys the grid varies (what tells this run apart). */
  gridValues: Record<string, unknown>;
  config: ResolvedConfig;
  configHash: string;
  /**
   * Whether it is a run of the seeds phase (planned from `extraPoints`, not a first-phase trial): it trains to its
   * budget, as a restart of a picked configuration, not pruned against the trials it was picked from.
   */
  seedsPhase?: true;
  /** The folder a dataset source's relative paths resolve against: the experiment file's (absent: the working one). */
  dataDir?: string;
}

/** A loaded experiment and its runs. */
export interface Plan {
  experiment: Experiment;
  /** The experiment file, as given. */
  source: string;
  runs: PlannedRun[];
  /** Every run id of the whole grid (and search) in order, whatever `--only` selects: what `experiment.json` lists. */
  gridRunIds: string[];
  /** What `--set` changed, one `key=value (was old)` line each. */
  overrides: string[];
}

/** What the command line adds to the experiment. */
export interface PlanOptions {
  profile?: string;
  set?: string[];
  only?: string[];
  /**
   * Points planned from a finished first phase (the seeds phase, `lib/sweep/seeds_phase.ts`), run after the grid's
   * and the search's: each is a first-phase run's values with another seed.
   */
  extraPoints?: Record<string, unknown>[];
}

/** @throws {InputError} when a run cannot be pruned as the experiment asks: no evaluations, or a rung past its end. */
function checkRungs(prune: Prune, config: ResolvedConfig, where: string, source: string, data: DatasetFacts): void {
  if (config.evalSamples === 0) {
    throw new InputError(
      source,
      `prune: ${where} has evalSamples 0, so there is no ${prune.metric} to rank; set evalSamples`,
    );
  }
  if (prune.metric === "labelAccuracy" && !getKind(config.kind)?.needsLabels) {
    throw new InputError(
      source,
      `prune.metric: labelAccuracy is logged by conditional kinds only (cgan, acgan), but ${where} is kind ` +
        `${config.kind}: every rung value would be null; rank on fcd, kid, cis, classesCovered, klUniform, ` +
        "precision or recall",
    );
  }
  const stray = (prune.by ?? []).find((k) => !(k in config));
  if (stray !== undefined) {
    throw new InputError(source, `prune.by: '${stray}' is not a config key${didYouMean(stray, Object.keys(config))}`);
  }
  const { totalSteps } = budget(config, data.count);
  const last = prune.rungs.at(-1)!;
  if (last >= totalSteps) {
    throw new InputError(
      source,
      `prune.rungs[${
        prune.rungs.length - 1
      }]: ${last} is not before the end of ${where}'s budget (${totalSteps} steps); ` +
        `expected rungs below ${totalSteps}`,
    );
  }
}

/** @throws {InputError} when the run's loss needs an energy D (BEGAN's autoencoder) its architecture does not offer. */
function checkDiscriminatorOutput(config: ResolvedConfig, where: string, from: (...keys: string[]) => string): void {
  if (getKind(config.kind)?.ownNetworks !== undefined || !getLoss(config.loss)?.energy) return;
  const arch = getArch(config.arch);
  if (arch === undefined || arch.hasEnergyDiscriminator) return;
  const offering = archNames().filter((n) => getArch(n)!.hasEnergyDiscriminator);
  throw new InputError(
    from("loss", "arch"),
    `${where}: loss ${config.loss}'s D is an autoencoder (an energy D), which arch ${config.arch} does not offer; ` +
      `use ${offering.join(" or ") || "an architecture with an energyDiscriminator"}`,
  );
}

/** @throws {InputError} when the seeds phase could not rank a run: no evaluations, a metric its kind never logs. */
function checkReseed(reseed: Reseed, config: ResolvedConfig, where: string, source: string): void {
  const unknown = (reseed.by ?? []).find((k) => !(k in config));
  if (unknown !== undefined) {
    throw new InputError(
      source,
      `reseed.by: '${unknown}' is not a config key${didYouMean(unknown, Object.keys(config))}; group by config keys`,
    );
  }
  if (config.evalSamples === 0) {
    throw new InputError(source, `reseed: ${where} has evalSamples 0, so there is no ${reseed.metric} to rank on`);
  }
  if (reseed.metric === "labelAccuracy" && !getKind(config.kind)?.needsLabels) {
    throw new InputError(
      source,
      `reseed.metric: labelAccuracy is logged by conditional kinds only, but ${where} is kind ${config.kind}`,
    );
  }
}

/** Checks that span several keys, on a resolved config. */
async function checkResolved(
  config: ResolvedConfig,
  where: string,
  source: string,
  set: PartialConfig,
  data: DatasetFacts & KindData,
): Promise<void> {
  // Blame --set when it gave one of the values.
  const from = (...keys: string[]) => keys.some((k) => k in set) ? "--set" : source;
  checkData(config, where, from, data);
  const images = data.count;
  const available = Math.min(config.trainSize ?? images, images);
  if (config.batchSize > available) {
    throw new InputError(
      from("batchSize", "trainSize"),
      `${where}: batchSize ${config.batchSize} is larger than the ${available} training images available (trainSize ${config.trainSize}); use batchSize ≤ ${available}`,
    );
  }
  checkLossName(config.loss, `${where}: loss`, from("loss"));
  if (getLoss(config.loss)?.critic && config.labelSmoothing !== 1) {
    throw new InputError(
      from("loss", "labelSmoothing"),
      `${where}: labelSmoothing ${config.labelSmoothing} with loss ${config.loss}: a critic scores on an open scale, ` +
        `so there is no real label to smooth; use labelSmoothing 1 (or a cross-entropy loss)`,
    );
  }
  checkKindName(config.kind, `${where}: kind`, from("kind"));
  checkDiscriminatorOutput(config, where, from);
  checkOwnedOptions(config, where, from);
  const problem = await getKind(config.kind)?.check?.(config, data);
  if (problem) {
    const { key, problem: what } = problem;
    throw new InputError(
      from(key, "kind"),
      `${where}: ${key} ${JSON.stringify((config as Record<string, unknown>)[key])} with kind ${config.kind}: ${what}`,
    );
  }
  if (config.sampleGrid[0] * config.sampleGrid[1] > 1024) {
    throw new InputError(
      from("sampleGrid"),
      `${where}: sampleGrid ${JSON.stringify(config.sampleGrid)} has more than 1024 cells; use rows × cols ≤ 1024`,
    );
  }
}

/** @throws {InputError} when the dataset cannot serve the run: too few images, no labels, no classifier. */
function checkData(config: ResolvedConfig, where: string, from: (...keys: string[]) => string, data: DatasetFacts) {
  const name = datasetLabel(config.dataset);
  if (config.trainSize !== null && config.trainSize > data.count) {
    throw new InputError(
      from("trainSize", "dataset"),
      `${where}: trainSize ${config.trainSize} is more than the ${data.count} training images of ${name}; use ` +
        `trainSize ≤ ${data.count} (or null for all of them)`,
    );
  }
  if (getKind(config.kind)?.needsLabels && data.classes < 2) {
    throw new InputError(
      from("kind", "dataset"),
      `${where}: kind ${config.kind} conditions on class labels, but ${name} (${data.source}) is unlabelled; give ` +
        "the images one subfolder per class (or labels: for .npy), or use kind gan",
    );
  }
}

/** The config key that picks an owner of each sort. */
const OWNER_KEY = { loss: "loss", kind: "kind", architecture: "arch" } as const;

/** The owners whose options a run reads: its loss, its kind, and its architecture unless the kind builds its own. */
function runOwners(config: ResolvedConfig): OptionOwner[] {
  const owners: OptionOwner[] = [{ of: "loss", name: config.loss }, { of: "kind", name: config.kind }];
  if (!getKind(config.kind)?.ownNetworks) owners.push({ of: "architecture", name: config.arch });
  return owners;
}

/**
 * @throws {InputError} when a run sets (off its default) an option that only another loss, kind of GAN or
 *   architecture reads: it would be silently ignored.
 */
function checkOwnedOptions(config: ResolvedConfig, where: string, from: (...keys: string[]) => string): void {
  const values = config as Record<string, unknown>;
  const defaults = configDefaults() as Record<string, unknown>;
  const mine = runOwners(config);
  for (const [key, { owners }] of declaredOptions()) {
    if (canonicalJson(values[key]) === canonicalJson(defaults[key])) continue;
    if (owners.some((o) => mine.some((m) => m.of === o.of && m.name === o.name))) continue;
    const sorts = [...new Set(owners.map((o) => o.of))];
    const of = sorts.map((sort) => `${sort} ${owners.filter((o) => o.of === sort).map((o) => o.name).join(" and ")}`);
    const runs = sorts.map((sort) => {
      const name = mine.find((m) => m.of === sort)?.name;
      return name === undefined ? `it builds its own networks (kind ${config.kind})` : `${sort} is ${name}`;
    });
    const set = sorts.map((sort) =>
      `${OWNER_KEY[sort]} to ${owners.filter((o) => o.of === sort).map((o) => o.name).join(" or ")}`
    );
    throw new InputError(
      from(key, ...sorts.map((sort) => OWNER_KEY[sort])),
      `${where}: ${key} ${JSON.stringify(values[key])} is an option of ${of.join(" and ")}, but the run's ` +
        `${runs.join(" and its ")}, which does not read it; drop ${key}, or set ${set.join(" or ")}`,
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
    const { trials, ...values } = profile;
    layers.push(values);
    if (trials !== undefined && experiment.search) {
      experiment = { ...experiment, search: { ...experiment.search, trials } };
    }
  }
  const set: PartialConfig = {};
  for (const text of options.set ?? []) {
    const [k, v] = parseAssignment(text, "--set");
    (set as Record<string, unknown>)[k] = v;
  }
  checkArchName(set.arch, "arch", "--set");
  checkKindName(set.kind, "kind", "--set");
  checkLossName(set.loss, "loss", "--set");
  const only = onlyFilter((options.only ?? []).map((t) => parseAssignment(t, "--only")));

  const grid = (experiment.grid ?? {}) as Record<string, unknown[]>;
  const searched = Object.keys(experiment.search?.space ?? {});
  for (const k of Object.keys(set)) {
    const g = collidingKey(k, [...Object.keys(grid), ...searched]);
    if (g !== undefined && searched.includes(g)) {
      throw new InputError(
        "--set",
        `${k}: ${source} searches ${g} (search.space.${g}), so --set cannot fix it; remove it from the space to fix it`,
      );
    }
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
  const all: PlannedRun[] = [];
  checkPlanSize(grid, experiment.search, source);
  const extra = (options.extraPoints ?? []).map((point) => ({ point, seedsPhase: true as const }));
  for (const drawn of [...runPoints(grid, experiment.search).map((point) => ({ point })), ...extra]) {
    const point = applyConditions(
      drawn.point,
      experiment.search,
      (p) => resolveConfig(...layers, set, p as PartialConfig),
    );
    const config = resolveConfig(...layers, set, point as PartialConfig);
    const hash = await configHash(config);
    const run: PlannedRun = { runId: runIdFromHash(point, hash), gridValues: point, config, configHash: hash };
    all.push("seedsPhase" in drawn ? { ...run, seedsPhase: true } : run);
  }
  // Over the whole grid, so that --only never changes which ids need telling apart.
  dropRepeatedTrials(all);
  separateCollidingIds(all);
  const runs = all.filter((r) => only(r.config));
  const dataDir = dirname(resolve(source));
  const facts = new Map<string, DatasetFacts>();
  const factsOf = async (dataset: Dataset): Promise<DatasetFacts> => {
    const key = canonicalJson(dataset);
    if (!facts.has(key)) facts.set(key, await datasetFacts(dataset, dataDir));
    return facts.get(key)!;
  };
  for (const r of runs) {
    r.dataDir = dataDir;
    const data = await factsOf(r.config.dataset);
    await checkResolved(r.config, formatPoint(r.gridValues), source, set, { ...data, facts: factsOf });
    const blame = "evalSamples" in set || "dataset" in set ? "--set" : source;
    await checkEvaluation(r.config, formatPoint(r.gridValues), blame, data, dataDir);
    if (experiment.prune) {
      checkRungs(experiment.prune, r.config, formatPoint(r.gridValues), source, data);
    }
    if (experiment.reseed) checkReseed(experiment.reseed, r.config, formatPoint(r.gridValues), source);
  }
  if (runs.length === 0) {
    throw new InputError(
      "--only",
      `${(options.only ?? []).join(" ")} matches no run of ${source} (${describeGrid(grid)})`,
    );
  }
  return { experiment, source, runs, gridRunIds: all.map((r) => r.runId), overrides };
}

/** The most runs a sweep plans: beyond it planning alone takes minutes and gigabytes. */
export const MAX_RUNS = 200_000;

/** @throws {InputError} at once, before anything is expanded, for a grid × search beyond {@linkcode MAX_RUNS}. */
function checkPlanSize(grid: Record<string, unknown[]>, search: Search | undefined, source: string): void {
  const points = Object.values(grid).reduce((n, values) => n * values.length, 1);
  const runs = points * (search?.trials ?? 1);
  if (runs <= MAX_RUNS) return;
  throw new InputError(
    source,
    `the grid's ${points.toLocaleString("en")} points × ${search?.trials ?? 1} trials make ` +
      `${runs.toLocaleString("en")} runs, more than the ${MAX_RUNS.toLocaleString("en")} a sweep plans; ` +
      "narrow the grid or draw fewer trials (a search covers a wide space with few runs)",
  );
}

/**
 * A point with each conditional searched key (`when`) kept where its condition holds on the config without the
 * searched keys, set to its `otherwise` value or dropped where it does not.
 */
function applyConditions(
  point: Record<string, unknown>,
  search: Search | undefined,
  resolve: (point: Record<string, unknown>) => ResolvedConfig,
): Record<string, unknown> {
  const conditional = Object.entries(search?.space ?? {}).filter(([, d]) => d?.when !== undefined);
  if (conditional.length === 0) return point;
  const searched = Object.keys(search!.space);
  const config = resolve(Object.fromEntries(Object.entries(point).filter(([k]) => !searched.includes(k)))) as Record<
    string,
    unknown
  >;
  const out = { ...point };
  for (const [key, d] of conditional) {
    if (!(key in point)) continue; // a seeds-phase point carries what its trial had
    const holds = Object.entries(d!.when!).every(([k, values]) =>
      values.some((v) => canonicalJson(v) === canonicalJson(config[k]))
    );
    if (holds) continue;
    if ("otherwise" in d!) out[key] = d!.otherwise;
    else delete out[key];
  }
  return out;
}

/**
 * The value sets of the runs: every grid point (declared order, the last key fastest), each crossed with every
 * trial of the search when there is one (the trials vary fastest).
 */
function runPoints(grid: Record<string, unknown[]>, search: Search | undefined): Record<string, unknown>[] {
  const points = expandGrid(grid);
  if (!search) return points;
  const trials = drawTrials(search);
  return points.flatMap((p) => trials.map((t) => ({ ...p, ...t })));
}

/**
 * A search over few choices can draw the same configuration twice: it is one run, trained once (the first).
 * (Only trials repeat: two grid points always differ in a value.)
 */
function dropRepeatedTrials(runs: PlannedRun[]): void {
  const seen = new Set<string>();
  let kept = 0;
  for (const run of runs) {
    if (seen.has(run.configHash)) continue;
    seen.add(run.configHash);
    runs[kept++] = run;
  }
  runs.length = kept;
}

/**
 * `--only` as a test on a resolved config: several values of one key are alternatives (`--only seed=1 --only
 * seed=2` keeps both seeds); different keys must all match.
 */
function onlyFilter(assignments: [string, unknown][]): (config: ResolvedConfig) => boolean {
  const wanted = new Map<string, Set<string>>();
  for (const [k, v] of assignments) {
    const values = wanted.get(k) ?? new Set<string>();
    wanted.set(k, values.add(canonicalJson(v)));
  }
  return (config) =>
    [...wanted].every(([k, values]) => values.has(canonicalJson((config as Record<string, unknown>)[k])));
}

/**
 * Two different configs whose ids agree (the slug is cut at 80 characters and the hash is 6 hex digits) would
 * share a folder, and one of them would never train. Those runs, and only those, get a longer hash, so every
 * id that was unique stays as it is. (Repeated trials are dropped first, so the configs differ.)
 */
function separateCollidingIds(runs: PlannedRun[]): void {
  for (const group of Map.groupBy(runs, (r) => r.runId).values()) {
    if (group.length < 2) continue;
    for (const run of group) run.runId = runIdFromHash(run.gridValues, run.configHash, LONG_HASH_DIGITS);
  }
}

function describeGrid(grid: Record<string, unknown[]>): string {
  const axes = Object.entries(grid).map(([k, vs]) => `${k}: ${vs.map((v) => JSON.stringify(v)).join(", ")}`);
  return axes.length ? `its grid: ${axes.join("; ")}` : "it has no grid";
}

function formatPoint(point: Record<string, unknown>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `grid point ${parts.join(", ")}` : "base";
}
