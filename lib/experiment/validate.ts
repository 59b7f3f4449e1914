/**
 * Checks an experiment file's default export against the schema and turns
 * the first problem into one message naming the file, the field path, the bad
 * value and what would be accepted.
 * @module
 */
import { z } from "zod";
import { archNames, getArch, registerArch } from "../archs/registry.ts";
import { getKind, kindNames, registerKind } from "../plugins/kinds.ts";
import { getLoss, lossNames, registerLoss } from "../plugins/losses.ts";
import { declaredOptions } from "../plugins/options.ts";
import { collidingKey, configKeys, configShape, DATASETS, partialConfigSchema } from "./config.ts";
import { cifarSchema, imageFolderSchema, isSource, npySchema } from "../data/sources.ts";
import { type Distribution, drawTrials, type Search, STRATEGIES } from "./search.ts";
import { SOBOL_MAX_DIMENSIONS } from "./sobol.ts";
import { RANKED_METRICS, type RankedMetric } from "./stopping.ts";
import { reseedSchema } from "./reseed.ts";
import { canonicalJson } from "../canonical_json.ts";
import type { Experiment } from "./define.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";

/** The schema of a grid: each config key (the harness's and every registered option) to a list of its values. */
function gridSchema() {
  return z.strictObject(Object.fromEntries(
    Object.entries(configShape()).map(([k, s]) => [
      k,
      z.array(s).min(1, { message: "an empty list: give at least one value to try" }),
    ]),
  )).partial();
}

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
        Array.isArray(kind.numbers) && Array.isArray(kind.losses) &&
        (kind.options === undefined || (typeof kind.options === "object" && kind.options !== null));
    }),
  { message: "expected { name: { description, numbers, losses, options?, build(config, ctx) } } (a GanKind)" },
);

const lossSchema = z.custom<Experiment["losses"]>(
  (v) =>
    typeof v === "object" && v !== null &&
    Object.values(v).every((l) => {
      const loss = l as Record<string, unknown> | null;
      return typeof loss === "object" && loss !== null && typeof loss.discriminator === "function" &&
        typeof loss.generator === "function" && typeof loss.critic === "boolean" &&
        typeof loss.output === "object" && loss.output !== null;
    }),
  {
    message: "expected { name: { description, discriminator(real, fake, ctx), generator(fake, ctx), output: " +
      "{ sigmoid, threshold }, critic, options? } } (a GanLoss)",
  },
);

const claimSchema = z.strictObject({
  id: z.string().min(1),
  text: z.string().min(1),
  method: z.string().min(1),
  check: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === "function", { message: "expected a function" }),
});

const bounds = { low: z.number(), high: z.number() };
const condition = {
  when: z.record(z.string(), z.array(z.unknown()).min(1, { message: "an empty list: give the values it applies to" }))
    .optional(),
  otherwise: z.unknown().optional(),
};
const distributionSchema = z.discriminatedUnion("distribution", [
  z.strictObject({ distribution: z.literal("uniform"), ...bounds, ...condition }),
  z.strictObject({ distribution: z.literal("logUniform"), low: z.number().positive(), high: z.number(), ...condition }),
  z.strictObject({
    distribution: z.literal("intUniform"),
    low: z.number().int(),
    high: z.number().int(),
    ...condition,
  }),
  z.strictObject({
    distribution: z.literal("choice"),
    values: z.array(z.unknown()).min(1, { message: "an empty list: give at least one value to choose from" }),
    ...condition,
  }),
], {
  message: "expected a distribution: uniform(low, high), logUniform(low, high), intUniform(low, high) or choice([...])",
});

const searchShape = {
  strategy: z.enum(STRATEGIES),
  trials: z.number().int().positive().max(100_000),
  seed: z.number().int().min(0).optional(),
};

function searchSchema() {
  return z.strictObject({
    ...searchShape,
    space: z.strictObject(Object.fromEntries(configKeys().map((k) => [k, distributionSchema]))).partial(),
  });
}

const pruneSchema = z.strictObject({
  metric: z.enum(Object.keys(RANKED_METRICS) as [RankedMetric, ...RankedMetric[]]),
  mode: z.enum(["min", "max"]).optional(),
  rungs: z.array(z.number().int().positive()).min(1, { message: "an empty list: give at least one rung (a step)" }),
  keep: z.number().gt(0).lt(1),
  by: z.array(z.string().min(1)).optional(),
});

const collapseSchema = z.strictObject({
  classesAtMost: z.number().int().min(0).optional(),
  dWinsFor: z.number().int().positive().optional(),
}).refine((c) => c.classesAtMost !== undefined || c.dWinsFor !== undefined, {
  message: "an empty rule stops nothing: set classesAtMost (e.g. 2) or dWinsFor (e.g. 5), or drop collapse",
});

/** The plug-ins an experiment file brings: registered before the rest is checked, so their options are keys. */
const pluginsSchema = z.object({
  archs: architectureSchema.optional(),
  kinds: kindSchema.optional(),
  losses: lossSchema.optional(),
});

/** A profile: config values, and for an experiment with a search, how many trials it draws (`trials`). */
function profileSchema() {
  return z.strictObject({ ...configShape(), trials: z.number().int().positive() }).partial();
}

/** The schema of an experiment, with the config keys of the owners registered now. */
function experimentSchema() {
  return z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
      message: "expected a folder name: letters, digits, '.', '_' or '-', starting with a letter or digit",
    }),
    description: z.string().optional(),
    base: partialConfigSchema().optional(),
    grid: gridSchema().optional(),
    ...pluginsSchema.shape,
    profiles: z.record(z.string(), profileSchema()).optional(),
    claims: z.array(claimSchema).optional(),
    search: searchSchema().optional(),
    prune: pruneSchema.optional(),
    collapse: collapseSchema.optional(),
    reseed: reseedSchema.optional(),
  });
}

const EXPERIMENT_KEYS = [
  "name",
  "description",
  "base",
  "grid",
  ...Object.keys(pluginsSchema.shape),
  "profiles",
  "claims",
  "search",
  "prune",
  "collapse",
  "reseed",
];
const CLAIM_KEYS = Object.keys(claimSchema.shape);
const SEARCH_KEYS = [...Object.keys(searchShape), "space"];
const DISTRIBUTION_KEYS = ["distribution", "low", "high", "values", "when", "otherwise"];

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
  const shape = configShape();
  const at = path.findLastIndex((p) => typeof p === "string" && Object.hasOwn(shape, p));
  const key = path[at] as string | undefined;
  // Only about the value itself (`base.steps`, `grid.steps[1]`), not a grid's list (`grid.steps`).
  const last = path.length - 1;
  const aboutValue = (at === last && !(path[0] === "grid" && at === 1)) ||
    (at === last - 1 && typeof path[last] === "number");
  if (key === undefined || !aboutValue || !shape[key]!.safeParse(null).success) {
    return "";
  }
  return `; null is accepted too (${NULL_MEANS[key] ?? declaredOptions().get(key)?.spec.nullMeans ?? "the default"})`;
}

/** What null means for the harness's own keys that accept it (an option's is its spec's `nullMeans`). */
const NULL_MEANS: Record<string, string> = {
  steps: "train for `epochs`",
  trainSize: "all training images",
  sampleEvery: "once an epoch",
  checkpointEvery: "once an epoch",
  nCritic: "as the loss's paper sets it: 5 for wgan and wgan-gp, 1 otherwise",
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
  if (path[0] === "reseed") return Object.keys(reseedSchema.shape);
  if (path[0] === "search") {
    return path.length === 1 ? SEARCH_KEYS : path.length === 2 ? configKeys() : DISTRIBUTION_KEYS;
  }
  return configKeys();
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
  const value = valueAt(input, issue.path.slice(base.length));
  return `${where}: ${zodMessage(issue, value)}, got ${show(value)}${orNull(issue.path)}`;
}

/**
 * zod's message for an issue without its category ("Invalid option: ", "Too small: ") or the "received …" that the
 * message's own "got …" says with the value; for NaN, which zod calls a wrong type, "expected a finite number".
 * @example
 * ```ts
 * import { z } from "zod";
 * import { zodMessage } from "./validate.ts";
 * zodMessage(z.enum(["a", "b"]).safeParse("c").error!.issues[0]!, "c"); // 'expected one of "a"|"b"'
 * ```
 */
export function zodMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "invalid_type" && typeof value === "number" && Number.isNaN(value)) {
    return "expected a finite number";
  }
  return issue.message.replace(/^[A-Z][a-z]+(?: [a-z]+)*: /, "").replace(/, received \w+$/, "");
}

/** `parsed`'s entries in the key order of `input` (the value it was parsed from). */
function inOrderOf<T extends object>(parsed: T, input: object | undefined): T {
  const order = Object.keys(input ?? {});
  return Object.fromEntries(
    order.filter((k) => k in parsed).map((k) => [k, (parsed as Record<string, unknown>)[k]]),
  ) as T;
}

/**
 * Validate an experiment (the default export of `source`), registering the
 * architectures it brings and checking every `arch` it names exists.
 * @throws {InputError} naming `source`, the field and the bad value.
 */
export function validateExperiment(value: unknown, source: string): Experiment {
  registerPlugins(value, source);
  const parsed = experimentSchema().safeParse(value);
  if (!parsed.success) {
    throw new InputError(source, describeIssue(parsed.error.issues[0]!, value));
  }
  const exp = parsed.data as Experiment;
  // A strict object's output lists its keys in the schema's order, which follows the order owners declared their
  // options (import order); the grid's expansion and the search's draws follow the file's order, so restore it.
  const input = value as { grid?: object; search?: { space?: object } };
  if (exp.grid) exp.grid = inOrderOf(exp.grid, input.grid);
  if (exp.search) exp.search = { ...exp.search, space: inOrderOf(exp.search.space, input.search?.space) };
  checkArchName(exp.base?.arch, "base.arch", source);
  exp.grid?.arch?.forEach((a, i) => checkArchName(a, `grid.arch[${i}]`, source));
  checkKindName(exp.base?.kind, "base.kind", source);
  exp.grid?.kind?.forEach((k, i) => checkKindName(k, `grid.kind[${i}]`, source));
  checkLossName(exp.base?.loss, "base.loss", source);
  exp.grid?.loss?.forEach((l, i) => checkLossName(l, `grid.loss[${i}]`, source));
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
    if (layer.trials !== undefined && !exp.search) {
      throw new InputError(source, `profiles.${p}.trials: the experiment has no search to draw trials from`);
    }
    checkArchName(layer.arch, `profiles.${p}.arch`, source);
    checkKindName(layer.kind, `profiles.${p}.kind`, source);
    checkLossName(layer.loss, `profiles.${p}.loss`, source);
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
 * Register the architectures, kinds and losses an experiment file brings (before the rest is checked: their
 * options are config keys of the file).
 * @throws {InputError} naming `archs.…`, `kinds.…` or `losses.…` when one is malformed or clashes.
 */
function registerPlugins(value: unknown, source: string): void {
  if (typeof value !== "object" || value === null) return; // the full schema says what is wrong
  const parsed = pluginsSchema.safeParse(value);
  if (!parsed.success) throw new InputError(source, describeIssue(parsed.error.issues[0]!, value));
  const { archs, kinds, losses } = parsed.data;
  const register = <T>(field: string, plugins: Record<string, T> | undefined, add: (name: string, p: T) => void) => {
    for (const [name, plugin] of Object.entries(plugins ?? {})) {
      try {
        add(name, plugin);
      } catch (e) {
        throw new InputError(source, `${field}.${name}: ${(e as Error).message}`);
      }
    }
  };
  register("archs", archs, registerArch);
  register("losses", losses, registerLoss);
  register("kinds", kinds, registerKind);
}

/**
 * What the schema cannot say of a search: a space with keys, each distribution's low below its high, keys not
 * also in the grid, and every drawn value one its key accepts.
 * @throws {InputError} naming `search.…` and the bad value.
 */
function checkSearch(search: Search, gridKeys: string[], source: string): void {
  const keys = Object.keys(search.space);
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
    const d = (search.space as Record<string, Distribution>)[k]!;
    const where = `search.space.${k}`;
    if (gridKeys.includes(k)) {
      throw new InputError(source, `${where}: the grid varies ${k} too; vary it in the grid or the search, not both`);
    }
    for (const c of Object.keys(d.when ?? {})) {
      if (c === k || keys.includes(c) || !configKeys().includes(c)) {
        const why = c === k || keys.includes(c)
          ? "a searched key (a condition reads the base and the grid)"
          : `not a config key${didYouMean(c, configKeys())}`;
        throw new InputError(source, `${where}.when.${c}: ${why}; condition on a key the base or the grid sets`);
      }
    }
    if ("otherwise" in d) checkValue(k, d.otherwise, `${where}.otherwise`, source);
    if (d.distribution !== "choice") {
      // intUniform includes both ends, so intUniform(64, 64) is the one value 64; a continuous range needs width.
      const int = d.distribution === "intUniform";
      if (int ? !(d.low <= d.high) : !(d.low < d.high)) {
        throw new InputError(
          source,
          `${where}: ${d.distribution}(${d.low}, ${d.high}) has low ${int ? ">" : "≥"} high; expected ` +
            (int ? "low ≤ high (both ends are drawn)" : "low < high"),
        );
      }
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
    for (const [k, v] of Object.entries(trial)) checkValue(k, v, `search.space.${k} (trial ${i})`, source);
  });
}

/** @throws {InputError} when `key` does not accept `value`. */
function checkValue(key: string, value: unknown, where: string, source: string): void {
  const parsed = configShape()[key]!.safeParse(value);
  if (!parsed.success) {
    const message = zodMessage(parsed.error.issues[0]!, value);
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

/** @throws {InputError} when `name` is not a registered loss. */
export function checkLossName(name: string | undefined, field: string, source: string): void {
  if (name === undefined || getLoss(name)) return;
  throw new InputError(
    source,
    `${field}: unknown loss ${JSON.stringify(name)}${didYouMean(name, lossNames())} (known: ${
      lossNames().join(", ")
    }; an experiment file can add its own under 'losses')`,
  );
}
