/**
 * The run configuration: every key a grid may vary, its schema and its default.
 *
 * A run's resolved config is `defaults` ← experiment `base` ← grid point ←
 * `--set` overrides, then checked as a whole by {@linkcode resolvedConfigSchema}.
 * @module
 */
import { z } from "zod";

/** Which datasets the harness can load. */
export const DATASETS = ["mnist", "fashion-mnist"] as const;
/** The GAN losses: non-saturating BCE, the original minimax game, least squares. */
export const LOSSES = ["bce", "minimax", "lsgan"] as const;
/** Pixel ranges: `[-1,1]` pairs with a tanh generator, `[0,1]` with sigmoid. */
export const PIXEL_RANGES = ["[-1,1]", "[0,1]"] as const;

const positiveInt = z.number().int().positive();
const probability = z.number().gt(0).lte(1);

/**
 * The schema of every config key. Each key is optional here; defaults fill the
 * gaps. Architecture names are checked against the registry after parsing.
 */
export const configShape = {
  /** Dataset: `mnist` or `fashion-mnist` (60,000 training images each). */
  dataset: z.enum(DATASETS),
  /** Architecture name, as registered (built-in or by the experiment file). */
  arch: z.string().min(1),
  /** GAN loss. */
  loss: z.enum(LOSSES),
  /** Adam learning rate for both networks; `lrD`/`lrG` override it per network. */
  lr: z.number().positive(),
  /** Discriminator learning rate (defaults to `lr`). */
  lrD: z.number().positive(),
  /** Generator learning rate (defaults to `lr`). */
  lrG: z.number().positive(),
  /** Adam beta1. */
  beta1: z.number().min(0).lt(1),
  /** Adam beta2. */
  beta2: z.number().min(0).lt(1),
  /** Adam epsilon (Keras 1e-7, PyTorch and TF1 1e-8). */
  adamEpsilon: z.number().positive(),
  /** Images per batch. */
  batchSize: positiveInt,
  /** Training budget in epochs (ignored when `steps` is set). */
  epochs: positiveInt,
  /** Training budget in iterations; when set it replaces `epochs`. */
  steps: positiveInt.nullable(),
  /** Length of the generator's noise vector. */
  noiseDim: positiveInt,
  /** Noise distribution: standard normal, or uniform on [-1, 1]. */
  noise: z.enum(["normal", "uniform"]),
  /** Target for real images in D's loss; 1 = no smoothing, 0.9 = one-sided smoothing. */
  labelSmoothing: probability,
  /** Seed for weights, noise, data order and dropout. */
  seed: z.number().int().min(0),
  /** Use only the first N training images (null = all). */
  trainSize: positiveInt.max(60_000, { message: "at most 60000, the training images of MNIST and Fashion-MNIST" })
    .nullable(),
  /** Write a `step` line every N iterations (losses averaged over those N). */
  logEvery: positiveInt,
  /** Write a sample grid every N epochs (every N steps when `steps` is set); null = once an epoch either way. */
  sampleEvery: positiveInt.nullable(),
  /** Rows and columns of the fixed-noise sample grid. */
  sampleGrid: z.tuple([positiveInt, positiveInt]),
  /** Pixel range of the data and the generator's output. */
  pixelRange: z.enum(PIXEL_RANGES),
  /** Batching: shuffle every epoch, draw each batch at random with replacement, or take the images in order. */
  batching: z.enum(["shuffle", "random", "sequential"]),
  /** How D's real and fake losses combine: their sum (TF, PyTorch) or mean (Keras). */
  dLossReduce: z.enum(["sum", "mean"]),
  /** Evaluate quality every N epochs (every N steps when `steps` is set); 0 = only at the end. */
  evalEvery: z.number().int().min(0),
  /** Generated (and real test) images per evaluation; 0 = no evaluation. */
  evalSamples: z.number().int().min(0).max(10_000),
  /** A loss whose magnitude exceeds this (or is not finite) stops the run as `diverged`. */
  divergenceThreshold: z.number().positive(),
  /**
   * Checkpoint every N epochs (every N steps when `steps` is set); 0 = only at the end; null = once an epoch
   * either way (a default of "every 1" would checkpoint every step of a step budget).
   */
  checkpointEvery: z.number().int().min(0).nullable(),
} as const;

/** A config key. */
export type ConfigKey = keyof typeof configShape;

/** Any subset of the config, as written in `base` or `--set`. */
export const partialConfigSchema = z.strictObject(configShape).partial();

/** A partial config as an experiment file writes it. */
export type PartialConfig = z.infer<typeof partialConfigSchema>;

/** A fully resolved config: every key present. */
export type ResolvedConfig = {
  [K in ConfigKey]: z.infer<(typeof configShape)[K]>;
};

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
