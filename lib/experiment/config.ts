/**
 * The run configuration: every key a grid may vary, its schema and its default. The harness's own keys are
 * here ({@linkcode coreShape}); the keys only one loss, kind of GAN or architecture reads are declared by that owner
 * (`lib/plugins/options.ts`), and {@linkcode configShape} is both.
 *
 * A run's resolved config is {@linkcode configDefaults} ← experiment `base` ← grid point ←
 * `--set` overrides ({@linkcode resolveConfig}), each layer checked against {@linkcode configShape}.
 * @module
 */
import { z } from "zod";
import type { PixelRange } from "../data/pixels.ts";
import { DATASET_NAMES } from "../data/dataset_info.ts";
import { type DatasetSource, datasetSourceSchema, NAMED_SOURCES } from "../data/sources.ts";
import { declaredOptions, reserveOptionKeys } from "../plugins/options.ts";
import { getLoss } from "../plugins/losses.ts";

/** The built-in datasets: MNIST and Fashion-MNIST (IDX files), and Twitter's emoji (32×32 RGB, 9 classes). */
export const DATASETS = [...DATASET_NAMES, ...NAMED_SOURCES] as const;
/**
 * The built-in GAN losses (`lib/train/losses.ts`): non-saturating BCE, the original minimax game, least squares,
 * hinge, Wasserstein with weight clipping, Wasserstein with a gradient penalty, and DRAGAN (BCE with a penalty
 * around the real images). An experiment file may register more under `losses`.
 */
export const LOSSES = ["bce", "minimax", "lsgan", "hinge", "wgan", "wgan-gp", "dragan"] as const;
/**
 * D updates per G update: the config's `nCritic`, else as the loss's paper sets them (its `criticSteps`: 5 for
 * WGAN and WGAN-GP), else 1.
 */
export function criticSteps(config: Pick<ResolvedConfig, "loss" | "nCritic">): number {
  return config.nCritic ?? getLoss(config.loss)?.criticSteps ?? 1;
}

/** Pixel ranges: `[-1,1]` pairs with a tanh generator, `[0,1]` with sigmoid. */
export const PIXEL_RANGES = ["[-1,1]", "[0,1]"] as const;
/** A built-in dataset's name, or a source of the researcher's own (`lib/data/sources.ts`). */
export type Dataset = (typeof DATASETS)[number] | DatasetSource;
/** The schema of a `dataset` value. */
export const datasetSchema: z.ZodType<Dataset> = z.union([z.enum(DATASETS), datasetSourceSchema]);
/** A built-in GAN loss's name. */
export type Loss = (typeof LOSSES)[number];

const positiveInt = z.number().int().positive();
const probability = z.number().gt(0).lte(1);

/**
 * A fully resolved run config: every key present. An experiment file writes any subset
 * ({@linkcode PartialConfig}) in `base`, `grid` lists and profiles; {@linkcode configDefaults} fill the rest.
 */
export type ResolvedConfig = CoreConfig & BuiltinOptions;

/** The harness's own keys: those every run reads, whatever its loss, kind and architecture. */
export type CoreConfig = {
  /**
   * Dataset: `mnist` or `fashion-mnist` (60,000 training images each), `emoji` (3,781 colour images), or a source of
   * your own: `{ images: "folder", size?, channels? }`, `{ npy: "x.npy", labels? }`, `{ cifar: "folder" }`.
   */
  dataset: Dataset;
  /** Architecture name, as registered (built-in or by the experiment file). */
  arch: string;
  /** GAN loss, as registered: one of {@linkcode LOSSES}, or one an experiment file brings under `losses`. */
  loss: string;
  /** Adam learning rate for both networks; `lrD`/`lrG` override it per network. */
  lr: number;
  /** Discriminator learning rate (defaults to `lr`). */
  lrD: number;
  /** Generator learning rate (defaults to `lr`). */
  lrG: number;
  /** Adam beta1. */
  beta1: number;
  /** Adam beta2. */
  beta2: number;
  /** Adam epsilon (Keras 1e-7, PyTorch and TF1 1e-8). */
  adamEpsilon: number;
  /** Images per batch. */
  batchSize: number;
  /** Training budget in epochs (ignored when `steps` is set). */
  epochs: number;
  /** Training budget in iterations; when set it replaces `epochs`. */
  steps: number | null;
  /** Length of the generator's noise vector. */
  noiseDim: number;
  /** Noise distribution: standard normal, or uniform on [-1, 1]. */
  noise: "normal" | "uniform";
  /** Target for real images in D's loss; 1 = no smoothing, 0.9 = one-sided smoothing. */
  labelSmoothing: number;
  /** Seed for weights, noise, data order and dropout. */
  seed: number;
  /** Use only the first N training images (null = all). */
  trainSize: number | null;
  /** Write a `step` line every N iterations (losses averaged over those N). */
  logEvery: number;
  /** Write a sample grid every N epochs (every N steps when `steps` is set); null = once an epoch either way. */
  sampleEvery: number | null;
  /** Rows and columns of the fixed-noise sample grid. */
  sampleGrid: [rows: number, columns: number];
  /** Pixel range of the data and the generator's output. */
  pixelRange: PixelRange;
  /** Batching: shuffle every epoch, draw each batch at random with replacement, or take the images in order. */
  batching: "shuffle" | "random" | "sequential";
  /** How D's real and fake losses combine: their sum (TF, PyTorch) or mean (Keras). */
  dLossReduce: "sum" | "mean";
  /** Evaluate quality every N epochs (every N steps when `steps` is set); 0 = only at the end. */
  evalEvery: number;
  /** Generated (and real test) images per evaluation; 0 = no evaluation. */
  evalSamples: number;
  /** A loss whose magnitude exceeds this (or is not finite) stops the run as `diverged`. */
  divergenceThreshold: number;
  /**
   * Checkpoint every N epochs (every N steps when `steps` is set); 0 = only at the end; null = once an epoch
   * either way (a default of "every 1" would checkpoint every step of a step budget).
   */
  checkpointEvery: number | null;
  /**
   * D (critic) updates per G update, each on its own real batch and noise; null = as the loss's paper sets it
   * ({@linkcode criticSteps}: 5 for `wgan` and `wgan-gp`, 1 otherwise).
   */
  nCritic: number | null;
  /**
   * The kind of GAN, as registered (`lib/train/kinds/`): `gan` (one G, one D, unconditional), `cgan` (G and D
   * both take the class label), `acgan` (G takes the label, D also names the class), or one an experiment file
   * brings under `kinds`.
   */
  kind: string;
  /**
   * What `steps` and `epochs` count: `iterations` (G updates, each with `nCritic` D updates), or `dSteps`, D
   * updates (compare_gan's budget: a run with 5 critic steps then makes a fifth of the iterations).
   */
  budgetIn: "iterations" | "dSteps";
};

/**
 * The options of the built-in losses and kinds, typed for the code that reads them. Each is declared (schema,
 * default, what it does) by its owner, in the file named, and checked against this type there.
 */
export type BuiltinOptions = {
  /** Of loss wgan (lib/train/losses.ts). */
  clipValue: number;
  /** Of losses wgan-gp and dragan (lib/train/losses.ts). */
  gpWeight: number;
  /** Of kind acgan (lib/train/kinds/conditional.ts). */
  auxWeight: number;
  /** Of kind srgan (lib/train/kinds/srgan.ts). */
  lowRes: number;
  /** Of kind srgan (lib/train/kinds/srgan.ts). */
  contentWeight: number;
  /** Of kind srgan (lib/train/kinds/srgan.ts). */
  perceptualWeight: number;
  /** Of kind srgan (lib/train/kinds/srgan.ts). */
  adversarialWeight: number;
  /** Of kind cyclegan (lib/train/kinds/cyclegan.ts). */
  datasetB: Dataset | null;
  /** Of kind cyclegan (lib/train/kinds/cyclegan.ts). */
  cycleWeight: number;
  /** Of kind cyclegan (lib/train/kinds/cyclegan.ts). */
  identityWeight: number | null;
};

/**
 * The schema of each of the harness's own keys (documented on {@linkcode CoreConfig}). Each key is optional in an
 * experiment file; defaults fill the gaps. Architecture, loss and kind names are checked against their registries
 * after parsing.
 */
export const coreShape = {
  dataset: datasetSchema,
  arch: z.string().min(1),
  loss: z.string().min(1),
  lr: z.number().positive(),
  lrD: z.number().positive(),
  lrG: z.number().positive(),
  beta1: z.number().min(0).lt(1),
  beta2: z.number().min(0).lt(1),
  adamEpsilon: z.number().positive(),
  batchSize: positiveInt,
  epochs: positiveInt,
  steps: positiveInt.nullable(),
  noiseDim: positiveInt,
  noise: z.enum(["normal", "uniform"]),
  labelSmoothing: probability,
  seed: z.number().int().min(0),
  trainSize: positiveInt.nullable(), // at most the dataset's images: checked when the run is planned
  logEvery: positiveInt,
  sampleEvery: positiveInt.nullable(),
  sampleGrid: z.tuple([positiveInt, positiveInt]),
  pixelRange: z.enum(PIXEL_RANGES),
  batching: z.enum(["shuffle", "random", "sequential"]),
  dLossReduce: z.enum(["sum", "mean"]),
  evalEvery: z.number().int().min(0),
  evalSamples: z.number().int().min(0).max(10_000),
  divergenceThreshold: z.number().positive(),
  checkpointEvery: z.number().int().min(0).nullable(),
  nCritic: positiveInt.nullable(),
  kind: z.string().min(1),
  budgetIn: z.enum(["iterations", "dSteps"]),
} as const satisfies { [K in CoreKey]: z.ZodType<CoreConfig[K]> };

// And the other way round: each schema's output is exactly the interface's type, so the two cannot drift apart.
type SchemaOutput = { [K in CoreKey]: z.infer<(typeof coreShape)[K]> };
const _sameTypes: [SchemaOutput, CoreConfig] extends [CoreConfig, SchemaOutput] ? true : never = true;

/** One of the harness's own keys. */
export type CoreKey = keyof CoreConfig;

/** A config key: one of the harness's own or of a built-in owner's options (a plug-in's are strings beyond these). */
export type ConfigKey = keyof ResolvedConfig;

/** Any subset of the config, as an experiment file's `base` or a profile writes it, or `--set` gives it. */
export type PartialConfig = { [K in ConfigKey]?: ResolvedConfig[K] | undefined };

/**
 * Harness defaults for its own keys: seed 002's Keras MLP architecture, lr 2e-4 and β₁ 0.5 on MNIST, with the
 * harness's own choices elsewhere (100-d normal noise, no label smoothing, shuffled batches) and a short budget.
 * (The options' defaults are their owners': {@linkcode configDefaults} has both.)
 */
export const coreDefaults = {
  dataset: "mnist",
  arch: "mlp-keras",
  loss: "bce",
  lr: 2e-4,
  lrD: 2e-4,
  lrG: 2e-4,
  beta1: 0.5,
  beta2: 0.999,
  adamEpsilon: 1e-7,
  batchSize: 128,
  epochs: 5,
  steps: null,
  noiseDim: 100,
  noise: "normal",
  labelSmoothing: 1,
  seed: 1,
  trainSize: null,
  logEvery: 50,
  sampleEvery: null,
  sampleGrid: [4, 4],
  pixelRange: "[-1,1]",
  batching: "shuffle",
  dLossReduce: "sum",
  evalEvery: 0,
  evalSamples: 10_000,
  divergenceThreshold: 1e6,
  checkpointEvery: null,
  // Keys added after the first run ids: each default is the behaviour from before it existed (lib/experiment/run_id.ts).
  nCritic: null,
  kind: "gan",
  budgetIn: "iterations",
} satisfies CoreConfig;

reserveOptionKeys(Object.keys(coreShape));

/**
 * The order of the config's keys as they were when options moved to their owners: a resolved config lists its keys
 * in this order (then any other option, in the order declared), and run ids list their grid values in it. Never
 * reorder it: a slug would change.
 */
export const KEY_ORDER: readonly string[] = [
  ...Object.keys(coreShape).filter((k) => k !== "kind"),
  "clipValue",
  "gpWeight",
  "kind",
  "auxWeight",
  "lowRes",
  "contentWeight",
  "perceptualWeight",
  "adversarialWeight",
  "datasetB",
  "cycleWeight",
  "identityWeight",
];

const keyRank = new Map(KEY_ORDER.map((k, i) => [k, i]));

/** `keys` in {@linkcode KEY_ORDER}, the others after it in the order given. */
export function inKeyOrder(keys: Iterable<string>): string[] {
  const list = [...keys];
  const rank = (k: string) => keyRank.get(k) ?? KEY_ORDER.length + list.indexOf(k);
  return list.sort((a, b) => rank(a) - rank(b));
}

let cached: { size: number; shape: Record<string, z.ZodType>; defaults: ResolvedConfig } | null = null;

function assembled(): { shape: Record<string, z.ZodType>; defaults: ResolvedConfig } {
  const options = declaredOptions();
  if (cached?.size === options.size) return cached;
  const shape: Record<string, z.ZodType> = { ...coreShape };
  const values: Record<string, unknown> = { ...coreDefaults };
  for (const [key, { spec }] of options) {
    shape[key] = spec.schema;
    values[key] = spec.default;
  }
  const keys = inKeyOrder(Object.keys(shape));
  cached = {
    size: options.size,
    shape: Object.fromEntries(keys.map((k) => [k, shape[k]!])),
    defaults: Object.fromEntries(keys.map((k) => [k, values[k]])) as ResolvedConfig,
  };
  return cached;
}

/**
 * The schema of every config key: the harness's own and every registered owner's options, in
 * {@linkcode KEY_ORDER}.
 */
export function configShape(): Readonly<Record<string, z.ZodType>> {
  return assembled().shape;
}

/** Every config key: the harness's own and every registered owner's options, in {@linkcode KEY_ORDER}. */
export function configKeys(): string[] {
  return Object.keys(assembled().shape);
}

/**
 * The defaults of every config key: the harness's own ({@linkcode coreDefaults}) and each registered option's, its
 * owner's. (A fresh object each call.)
 */
export function configDefaults(): ResolvedConfig {
  return { ...assembled().defaults };
}

/** The schema of any subset of the config, as written in `base` or `--set`. */
export function partialConfigSchema(): z.ZodType<PartialConfig> {
  return z.strictObject(configShape()).partial() as unknown as z.ZodType<PartialConfig>;
}

/**
 * The key among `keys` (a grid's) that would overwrite a value set for `key`:
 * the same key, or `lr` over `lrD`/`lrG` (it sets both). The other way round
 * is meaningful (`lr` still sets the rate the grid does not vary).
 * @returns the overwriting key, or undefined when there is none.
 */
export function collidingKey(key: string, keys: readonly string[]): string | undefined {
  return keys.find((k) => k === key || (k === "lr" && (key === "lrD" || key === "lrG")));
}

/**
 * Merge layers of partial config over the defaults ({@linkcode configDefaults}). `lr` sets `lrD` and `lrG`
 * unless a later or same layer sets them explicitly.
 */
export function resolveConfig(...layers: PartialConfig[]): ResolvedConfig {
  const out: Record<string, unknown> = configDefaults();
  for (const layer of layers) {
    if (layer.lr !== undefined) {
      out.lrD = layer.lr;
      out.lrG = layer.lr;
    }
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined && k !== "lrD" && k !== "lrG") out[k] = v;
    }
    if (layer.lrD !== undefined) out.lrD = layer.lrD;
    if (layer.lrG !== undefined) out.lrG = layer.lrG;
  }
  return out as ResolvedConfig;
}
