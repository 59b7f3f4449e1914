/**
 * Checks an experiment file's default export against the schema and turns
 * the first problem into one message naming the file, the field path, the bad
 * value and what would be accepted.
 * @module
 */
import { z } from "zod";
import { archNames, getArch, registerArch } from "../archs/registry.ts";
import { getKind, kindNames, registerKind } from "../train/kinds/kind.ts";
import { collidingKey, CONFIG_KEYS, type ConfigKey, configShape, DATASETS, partialConfigSchema } from "./config.ts";
import { cifarSchema, imageFolderSchema, isSource, npySchema } from "../data/sources.ts";
import { drawTrials, type Search, STRATEGIES } from "./search.ts";
import { SOBOL_MAX_DIMENSIONS } from "./sobol.ts";
import { RANKED_METRICS, type RankedMetric } from "./stopping.ts";
import { canonicalJson } from "./canonical_json.ts";
import type { Experiment } from "./define.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";

const gridShape = Object.fromEntries(
  Object.entries(configShape).map((
    [k, s],
  ) => [
    k,
    z.array(s as z.ZodType).min(1, {
      message: "an empty list: give at least one value to try",
    }),
  ]),
);

const architectureSchema = z.custom<Experiment["archs"]>(
  (v) =>
    typeof v === "object" && v !== null &&
    Object.values(v).every((a) =>
      typeof a === "object" && a !== null &&
      typeof (a as Record<string, unknown>).generator === "function" &&
      typeof (a as Record<string, unknown>).discriminator === "function"
    ),
  {
    message: "expected { name: { description, generator(ctx), discriminator(ctx) } }",
  },
);

const kindSchema = z.custom<Experiment["kinds"]>(
  (v) =>
    typeof v === "object" && v !== null &&
    Object.values(v).every((k) => {
      const kind = k as Record<string, unknown> | null;
      return typeof kind === "object" && kind !== null && typeof kind.build === "function" &&
        Array.isArray(kind.numbers) && Array.isArray(kind.losses) && Array.isArray(kind.options);
    }),
  { message: "expected { name: { description, numbers, losses, options, build(config, ctx) } } (a GanKind)" },
);

const claimSchema = z.strictObject({
  id: z.string().min(1),
  text: z.string().min(1),
  method: z.string().min(1),
  check: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === "function", { message: "expected a function" }),
});

const bounds = { low: z.number(), high: z.number() };
const distributionSchema = z.discriminatedUnion("distribution", [
  z.strictObject({ distribution: z.literal("uniform"), ...bounds }),
  z.strictObject({ distribution: z.literal("logUniform"), low: z.number().positive(), high: z.number() }),
  z.strictObject({ distribution: z.literal("intUniform"), low: z.number().int(), high: z.number().int() }),
  z.strictObject({
    distribution: z.literal("choice"),
    values: z.array(z.unknown()).min(1, { message: "an empty list: give at least one value to choose from" }),
  }),
], {
  message: "expected a distribution: uniform(low, high), logUniform(low, high), intUniform(low, high) or choice([...])",
});

const searchSchema = z.strictObject({
  strategy: z.enum(STRATEGIES),
  trials: z.number().int().positive().max(100_000),
  seed: z.number().int().min(0).optional(),
  space: z.strictObject(Object.fromEntries(CONFIG_KEYS.map((k) => [k, distributionSchema]))).partial(),
});

const pruneSchema = z.strictObject({
  metric: z.enum(Object.keys(RANKED_METRICS) as [RankedMetric, ...RankedMetric[]]),
  mode: z.enum(["min", "max"]).optional(),
  rungs: z.array(z.number().int().positive()).min(1, { message: "an empty list: give at least one rung (a step)" }),
  keep: z.number().gt(0).lt(1),
});

const collapseSchema = z.strictObject({
  classesAtMost: z.number().int().min(0).optional(),
  dWinsFor: z.number().int().positive().optional(),
});

const experimentSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: "expected a folder name: letters, digits, '.', '_' or '-', starting with a letter or digit",
  }),
  description: z.string().optional(),
  base: partialConfigSchema.optional(),
  grid: z.strictObject(gridShape).partial().optional(),
  archs: architectureSchema.optional(),
  kinds: kindSchema.optional(),
  profiles: z.record(z.string(), partialConfigSchema).optional(),
  claims: z.array(claimSchema).optional(),
  search: searchSchema.optional(),
  prune: pruneSchema.optional(),
  collapse: collapseSchema.optional(),
});

const EXPERIMENT_KEYS = Object.keys(experimentSchema.shape);
const CLAIM_KEYS = Object.keys(claimSchema.shape);
const SEARCH_KEYS = Object.keys(searchSchema.shape);
const DISTRIBUTION_KEYS = ["distribution", "low", "high", "values"];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    v = (v as Record<PropertyKey, unknown> | undefined)?.[p];
  }
  return v;
}

/** `grid.lr[1]` from `["grid", "lr", 1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`).join("");
}

function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (v === undefined) return "undefined";
  if (typeof v === "number" && !Number.isFinite(v)) return `${v} (number)`;
  const json = JSON.stringify(v);
  return `${json.length > 60 ? json.slice(0, 57) + "..." : json} (${Array.isArray(v) ? "array" : typeof v})`;
}

/** "; null is accepted too (…)" when the config key at `path` takes null, which zod's message leaves out. */
function orNull(path: readonly PropertyKey[]): string {
  const at = path.findLastIndex((p) => typeof p === "string" && Object.hasOwn(configShape, p));
  const key = path[at] as string | undefined;
  // Only about the value itself (`base.steps`, `grid.steps[1]`), not a grid's list (`grid.steps`).
  const last = path.length - 1;
  const aboutValue = (at === last && !(path[0] === "grid" && at === 1)) ||
    (at === last - 1 && typeof path[last] === "number");
  if (key === undefined || !aboutValue || !configShape[key as keyof typeof configShape].safeParse(null).success) {
    return "";
  }
  return `; null is accepted too (${NULL_MEANS[key] ?? "the default"})`;
}

/** What null means for the config keys that accept it. */
const NULL_MEANS: Record<string, string> = {
  steps: "train for `epochs`",
  trainSize: "all training images",
  sampleEvery: "once an epoch",
  checkpointEvery: "once an epoch",
  nCritic: "as the loss's paper sets it: 5 for wgan and wgan-gp, 1 otherwise",
  datasetB: "no second domain",
  identityWeight: "half of cycleWeight",
};

/** Where a path is inside a `dataset` (or `datasetB`) value: the index of that key, or -1. */
function datasetAt(path: readonly PropertyKey[]): number {
  return path.findLastIndex((p) => p === "dataset" || p === "datasetB");
}

/** The keys that may stand where an unknown key was found. */
function knownKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return EXPERIMENT_KEYS;
  if (path[0] === "claims") return CLAIM_KEYS;
  if (path[0] === "prune") return Object.keys(pruneSchema.shape);
  if (path[0] === "collapse") return Object.keys(collapseSchema.shape);
  if (path[0] === "search") {
    return path.length === 1 ? SEARCH_KEYS : path.length === 2 ? CONFIG_KEYS : DISTRIBUTION_KEYS;
  }
  return CONFIG_KEYS;
}

/** The keys a dataset source of this kind takes, for "known keys". */
function sourceKeys(value: unknown): readonly string[] {
  const v = isSource(value) ? value : {};
  const schema = "images" in v ? imageFolderSchema : "npy" in v ? npySchema : cifarSchema;
  return Object.keys(schema.shape);
}

/**
 * What is wrong with a `dataset` value zod's union could only call "Invalid input": the source its key names,
 * checked alone, or what would be accepted.
 */
function describeDataset(path: readonly PropertyKey[], value: unknown): string {
  const where = formatPath(path);
  const schema = isSource(value)
    ? ("images" in value ? imageFolderSchema : "npy" in value ? npySchema : "cifar" in value ? cifarSchema : null)
    : null;
  const inner = schema?.safeParse(value).error?.issues[0];
  if (inner) return describeIssue({ ...inner, path: [...path, ...inner.path] } as z.core.$ZodIssue, value, path);
  return `${where}: expected a built-in dataset (${DATASETS.map((d) => JSON.stringify(d)).join(", ")}) or a ` +
    `source of your own: { images: "folder", size?, channels? }, { npy: "x.npy", labels? } or { cifar: "folder" }, ` +
    `got ${show(value)}`;
}

/** One line for a zod issue. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, base: readonly PropertyKey[] = []): string {
  const at = datasetAt(issue.path);
  if (
    issue.code === "invalid_union" && at === issue.path.length - 1 || (at >= 0 && at === issue.path.length - 2 &&
      typeof issue.path.at(-1) === "number" && issue.code === "invalid_union")
  ) {
    return describeDataset(issue.path, valueAt(input, issue.path));
  }
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const where = formatPath([...issue.path, key]);
    const known = datasetAt(issue.path) >= 0
      ? sourceKeys(valueAt(input, issue.path.slice(base.length)))
      : knownKeys(issue.path);
    return `${where}: unknown key${didYouMean(key, known)} (known keys: ${known.join(", ")})`;
  }
  const where = formatPath(issue.path) || "(top level)";
  const message = issue.message.replace(/^(Invalid input|Too small|Too big): /, "");
  const value = valueAt(input, issue.path.slice(base.length));
  return `${where}: ${message}, got ${show(value)}${orNull(issue.path)}`;
}

/**
 * Validate an experiment (the default export of `source`), registering the
 * architectures it brings and checking every `arch` it names exists.
 * @throws {InputError} naming `source`, the field and the bad value.
 */
export function validateExperiment(value: unknown, source: string): Experiment {
  const parsed = experimentSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(source, describeIssue(parsed.error.issues[0]!, value));
  }
  const exp = parsed.data as Experiment;
  for (const [name, arch] of Object.entries(exp.archs ?? {})) {
    try {
      registerArch(name, arch);
    } catch (e) {
      throw new InputError(source, `archs.${name}: ${(e as Error).message}`);
    }
  }
  for (const [name, kind] of Object.entries(exp.kinds ?? {})) {
    try {
      registerKind(name, kind);
    } catch (e) {
      throw new InputError(source, `kinds.${name}: ${(e as Error).message}`);
    }
  }
  checkArchName(exp.base?.arch, "base.arch", source);
  exp.grid?.arch?.forEach((a, i) => checkArchName(a, `grid.arch[${i}]`, source));
  checkKindName(exp.base?.kind, "base.kind", source);
  exp.grid?.kind?.forEach((k, i) => checkKindName(k, `grid.kind[${i}]`, source));
  if (exp.grid) exp.grid = inDeclaredOrder(exp.grid, (value as { grid: object }).grid);
  for (const [k, values] of Object.entries(exp.grid ?? {}) as [string, unknown[]][]) {
    const first = new Map<string, number>();
    values.forEach((v, j) => {
      const json = canonicalJson(v);
      const i = first.get(json);
      if (i !== undefined) {
        throw new InputError(source, `grid.${k}[${j}]: ${json} repeats grid.${k}[${i}]; list each value once`);
      }
      first.set(json, j);
    });
  }
  if (exp.search) checkSearch(exp.search, Object.keys(exp.grid ?? {}), source);
  exp.prune?.rungs.forEach((r, i, rungs) => {
    if (i > 0 && r <= rungs[i - 1]!) {
      throw new InputError(source, `prune.rungs[${i}]: ${r} is not after ${rungs[i - 1]}; list the rungs increasing`);
    }
  });
  // The keys that vary from run to run: the grid's and the search space's.
  const gridKeys = [...Object.keys(exp.grid ?? {}), ...Object.keys(exp.search?.space ?? {})];
  for (const k of Object.keys(exp.base ?? {})) {
    // A base value for the very key the grid varies is the usual default-then-vary; one that a grid over lr
    // overwrites (lrD, lrG) would never be used.
    const g = collidingKey(k, gridKeys);
    if (g !== undefined && g !== k) {
      throw new InputError(
        source,
        `base.${k}: the grid varies ${g}, which sets ${k} too, so this value would never be used; vary ${k} in the grid instead of ${g}, or drop it`,
      );
    }
  }
  for (const [p, layer] of Object.entries(exp.profiles ?? {})) {
    checkArchName(layer.arch, `profiles.${p}.arch`, source);
    checkKindName(layer.kind, `profiles.${p}.kind`, source);
    for (const k of Object.keys(layer)) {
      const g = collidingKey(k, gridKeys);
      if (g !== undefined) {
        throw new InputError(
          source,
          `profiles.${p}.${k}: the grid varies ${g}, so a profile cannot set it (the grid's value would win); ` +
            `remove it from the profile, or narrow the run with --only ${g}=<value>`,
        );
      }
    }
  }
  return exp;
}

/**
 * What the schema cannot say of a search: a space with keys, each distribution's low below its high, keys not
 * also in the grid, and every drawn value one its key accepts.
 * @throws {InputError} naming `search.…` and the bad value.
 */
function checkSearch(search: Search, gridKeys: string[], source: string): void {
  const keys = Object.keys(search.space) as ConfigKey[];
  if (keys.length === 0) {
    throw new InputError(source, "search.space: empty; name at least one config key and its distribution");
  }
  if (search.strategy === "sobol" && keys.length > SOBOL_MAX_DIMENSIONS) {
    throw new InputError(
      source,
      `search.space: ${keys.length} keys; the sobol strategy draws at most ${SOBOL_MAX_DIMENSIONS} (use random)`,
    );
  }
  for (const k of keys) {
    const d = search.space[k]!;
    const where = `search.space.${k}`;
    if (gridKeys.includes(k)) {
      throw new InputError(source, `${where}: the grid varies ${k} too; vary it in the grid or the search, not both`);
    }
    if (d.distribution !== "choice" && !(d.low < d.high)) {
      throw new InputError(
        source,
        `${where}: ${d.distribution}(${d.low}, ${d.high}) has low ≥ high; expected low < high`,
      );
    }
    if (d.distribution === "choice") {
      d.values.forEach((v, i) => checkValue(k, v, `${where}.values[${i}]`, source));
      const seen = new Set(d.values.map((v) => canonicalJson(v)));
      if (seen.size < d.values.length) {
        throw new InputError(source, `${where}.values: a value is listed twice; list each value once`);
      }
    }
  }
  drawTrials(search).forEach((trial, i) => {
    for (const [k, v] of Object.entries(trial)) checkValue(k as ConfigKey, v, `search.space.${k} (trial ${i})`, source);
  });
}

/** @throws {InputError} when `key` does not accept `value`. */
function checkValue(key: ConfigKey, value: unknown, where: string, source: string): void {
  const parsed = configShape[key].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message = issue.message.replace(/^(Invalid input|Too small|Too big): /, "");
    throw new InputError(
      source,
      `${where}: ${show(value)} is not a value of ${key}: ${message}; narrow the distribution to values ${key} accepts`,
    );
  }
}

/**
 * The parsed grid with its keys in the order the file wrote them (the schema's parse puts them in its own
 * order): the grid expands in that order, the last key varying fastest.
 */
function inDeclaredOrder<G extends object>(parsed: G, declared: object): G {
  return Object.fromEntries(
    Object.keys(declared).filter((k) => Object.hasOwn(parsed, k)).map((k) => [k, parsed[k as keyof G]]),
  ) as G;
}

/** @throws {InputError} when `name` is not a registered architecture. */
export function checkArchName(
  name: string | undefined,
  field: string,
  source: string,
): void {
  if (name === undefined || getArch(name)) return;
  throw new InputError(
    source,
    `${field}: unknown architecture ${JSON.stringify(name)}${didYouMean(name, archNames())} (known: ${
      archNames().join(", ")
    }; an experiment file can add its own under 'archs')`,
  );
}

/** @throws {InputError} when `name` is not a registered kind of GAN. */
export function checkKindName(name: string | undefined, field: string, source: string): void {
  if (name === undefined || getKind(name)) return;
  throw new InputError(
    source,
    `${field}: unknown kind of GAN ${JSON.stringify(name)}${didYouMean(name, kindNames())} (known: ${
      kindNames().join(", ")
    }; an experiment file can add its own under 'kinds')`,
  );
}
