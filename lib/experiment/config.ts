/**
 * The run configuration: every key a grid may vary, its schema and its default.
 *
 * A run's resolved config is `defaults` ← experiment `base` ← grid point ←
 * `--set` overrides ({@linkcode resolveConfig}), each layer checked against {@linkcode configShape}.
 * @module
 */
import { z } from "zod";
import type { PixelRange } from "../data/pixels.ts";
import { DATASET_NAMES } from "../data/dataset_info.ts";
import { type DatasetSource, datasetSourceSchema, NAMED_SOURCES } from "../data/sources.ts";

/** The built-in datasets: MNIST and Fashion-MNIST (IDX files), and Twitter's emoji (32×32 RGB, 9 classes). */
export const DATASETS = [...DATASET_NAMES, ...NAMED_SOURCES] as const;
/**
 * The GAN losses: non-saturating BCE, the original minimax game, least squares, hinge, Wasserstein with weight
 * clipping, Wasserstein with a gradient penalty, and DRAGAN (BCE with a penalty around the real images).
 */
export const LOSSES = ["bce", "minimax", "lsgan", "hinge", "wgan", "wgan-gp", "dragan"] as const;
/** The losses whose D is a critic scoring on an open scale (raw scores; a score above 0 calls an image real). */
export const CRITIC_LOSSES: readonly Loss[] = ["hinge", "wgan", "wgan-gp"];
/** D updates per G update as each loss's paper sets them: WGAN and WGAN-GP train the critic 5 times per G step. */
export function criticSteps(config: Pick<ResolvedConfig, "loss" | "nCritic">): number {
  return config.nCritic ?? (config.loss === "wgan" || config.loss === "wgan-gp" ? 5 : 1);
}

/** Pixel ranges: `[-1,1]` pairs with a tanh generator, `[0,1]` with sigmoid. */
export const PIXEL_RANGES = ["[-1,1]", "[0,1]"] as const;
/** A built-in dataset's name, or a source of the researcher's own (`lib/data/sources.ts`). */
export type Dataset = (typeof DATASETS)[number] | DatasetSource;
/** The schema of a `dataset` value. */
const datasetSchema = z.union([z.enum(DATASETS), datasetSourceSchema]);
/** A GAN loss name. */
export type Loss = (typeof LOSSES)[number];

const positiveInt = z.number().int().positive();
const probability = z.number().gt(0).lte(1);

/**
 * A fully resolved run config: every key present. An experiment file writes any subset
 * ({@linkcode PartialConfig}) in `base`, `grid` lists and profiles; {@linkcode defaults} fill the rest.
 */
export type ResolvedConfig = {
  /**
   * Dataset: `mnist` or `fashion-mnist` (60,000 training images each), `emoji` (3,781 colour images), or a source of
   * your own: `{ images: "folder", size?, channels? }`, `{ npy: "x.npy", labels? }`, `{ cifar: "folder" }`.
   */
  dataset: Dataset;
  /** Architecture name, as registered (built-in or by the experiment file). */
  arch: string;
  /** GAN loss. */
  loss: Loss;
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
  /** `wgan`: D's weights are clipped to ±this after every D update. */
  clipValue: number;
  /** `wgan-gp`, `dragan`: the gradient penalty's weight λ. */
  gpWeight: number;
  /**
   * The kind of GAN, as registered (`lib/train/kinds/`): `gan` (one G, one D, unconditional), `cgan` (G and D
   * both take the class label), `acgan` (G takes the label, D also names the class), or one an experiment file
   * brings under `kinds`.
   */
  kind: string;
  /** `acgan`: the weight of the class cross-entropy in D's and G's losses. */
  auxWeight: number;
  /** `srgan`: side of the low-resolution input, made from the 28×28 image by area averaging (28 / a power of 2). */
  lowRes: number;
  /** `srgan`: the weight of the pixel MSE in G's loss. */
  contentWeight: number;
  /** `srgan`: the weight of the MSE of the pinned classifier's features (the perceptual loss) in G's loss. */
  perceptualWeight: number;
  /** `srgan`: the weight of the adversarial term in G's loss. */
  adversarialWeight: number;
  /** `cyclegan`: domain B (domain A is `dataset`); null for the kinds with one domain. */
  datasetB: Dataset | null;
  /** `cyclegan`: the weight of the cycle-consistency L1 loss. */
  cycleWeight: number;
  /** `cyclegan`: the weight of the identity loss; null = half of `cycleWeight`, as the CycleGAN paper. */
  identityWeight: number | null;
};

/**
 * The schema of every config key (documented on {@linkcode ResolvedConfig}). Each key is optional in an
 * experiment file; defaults fill the gaps. Architecture and kind names are checked against their registries after
 * parsing.
 */
export const configShape = {
  dataset: datasetSchema,
  arch: z.string().min(1),
  loss: z.enum(LOSSES),
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
  clipValue: z.number().positive(),
  gpWeight: z.number().min(0),
  kind: z.string().min(1),
  auxWeight: z.number().min(0),
  lowRes: positiveInt,
  contentWeight: z.number().min(0),
  perceptualWeight: z.number().min(0),
  adversarialWeight: z.number().min(0),
  datasetB: datasetSchema.nullable(),
  cycleWeight: z.number().min(0),
  identityWeight: z.number().min(0).nullable(),
} as const satisfies { [K in ConfigKey]: z.ZodType<ResolvedConfig[K]> };

// And the other way round: each schema's output is exactly the interface's type, so the two cannot drift apart.
type SchemaOutput = { [K in ConfigKey]: z.infer<(typeof configShape)[K]> };
const _sameTypes: [SchemaOutput, ResolvedConfig] extends [ResolvedConfig, SchemaOutput] ? true : never = true;

/** A config key. */
export type ConfigKey = keyof ResolvedConfig;

/** Any subset of the config, as an experiment file's `base` or a profile writes it, or `--set` gives it. */
export type PartialConfig = { [K in ConfigKey]?: ResolvedConfig[K] | undefined };

/** The schema of any subset of the config, as written in `base` or `--set`. */
export const partialConfigSchema = z.strictObject(configShape).partial();

/**
 * Harness defaults: seed 002's Keras MLP architecture, lr 2e-4 and β₁ 0.5 on MNIST, with the harness's own
 * choices elsewhere (100-d normal noise, no label smoothing, shuffled batches) and a short budget.
 */
export const defaults = {
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
  clipValue: 0.01,
  gpWeight: 10,
  kind: "gan",
  auxWeight: 1,
  lowRes: 14,
  contentWeight: 1,
  perceptualWeight: 0.01,
  adversarialWeight: 1e-3,
  datasetB: null,
  cycleWeight: 10,
  identityWeight: null,
} satisfies ResolvedConfig;

/** Every config key, in declaration order. */
export const CONFIG_KEYS = Object.keys(configShape) as ConfigKey[];

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
 * Merge layers of partial config over the defaults. `lr` sets `lrD` and `lrG`
 * unless a later or same layer sets them explicitly.
 */
export function resolveConfig(...layers: PartialConfig[]): ResolvedConfig {
  const out: Record<string, unknown> = { ...defaults };
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
