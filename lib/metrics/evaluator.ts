/**
 * Quality metrics of generated images against held-out real ones, through a
 * pinned domain classifier (not Inception):
 *
 * - `fcd`: the Fréchet classifier distance — the Fréchet distance between
 *   Gaussians fitted to the classifier's 128-d penultimate features of N
 *   generated and N real test images. FID's formula on another network:
 *   **not comparable to Inception FID**, nor across datasets or classifiers.
 * - `kid`, `kidStd`: the kernel distance (KID's unbiased MMD² with the cubic
 *   polynomial kernel, `./kid.ts`) on the same features, averaged over random
 *   subsets of 1000 (fewer when N is), and its spread across them. Unlike FCD
 *   it is not biased upward at small N, so it compares runs evaluated on
 *   different N; like FCD it is tied to the classifier.
 * - `cis`: the classifier "inception score", exp E KL(p(y|x) ‖ p(y)), 1 to 10.
 * - `classesCovered`, `klUniform`, `classHist`: mode coverage from the
 *   classifier's most probable class of each generated image.
 * - `precision`, `recall`: improved precision/recall (Kynkäänniemi et al.,
 *   2019) in the same feature space, k = 3.
 *
 * The real side (features, moments, k-NN radii of the first N test images, or
 * of a source's images in a fixed seeded order: `../classifier/labelled_data.ts`)
 * is computed once per process and classifier. Any labelled dataset with a
 * pinned classifier (`deno task classifier --dataset …`) can be evaluated.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { datasetFacts, type DatasetValue, isIdxName, resolveDataset } from "../data/dataset_ref.ts";
import { bytesToUnit } from "../classifier/accuracy.ts";
import { loadClassifier } from "../classifier/load.ts";
import {
  classifierCommand,
  classifierId,
  referenceImages,
  referenceLimit,
  unlabelled,
} from "../classifier/labelled_data.ts";
import { FEATURE_DIM } from "../classifier/model.ts";
import { fillNoise } from "../noise.ts";
import type { PixelRange } from "../data/pixels.ts";
import { Rng } from "../rng.ts";
import { formatClassHist } from "./class_hist.ts";
import { classifierScore, coverage } from "./class_metrics.ts";
import { type ClassifierOutputs, classify, featureModel } from "./features.ts";
import { frechetDistance, type Gaussian } from "./frechet.ts";
import { kernelDistance } from "./kid.ts";
import { moments } from "./moments.ts";
import { knnRadii, precisionRecall } from "./precision_recall.ts";

/** Options of {@linkcode createEvaluator}. */
export interface EvaluatorOptions {
  /** Generated and real images compared (default 10,000; at most the 10,000 test images, or a source's images). */
  n?: number;
  /** The folder a source's relative paths resolve against (default the working directory). */
  dataDir?: string;
  /** Also compute precision and recall (default true). */
  precisionRecall?: boolean;
  /**
   * Also compute KID (default true): 20 subsets of 1000, ~2 s on one core whatever `n` once it reaches 1000; below,
   * the whole sets once (~0.1 s at 1000, a quarter of that at 500).
   */
  kid?: boolean;
  /** Neighbour of the precision/recall balls (default 3). */
  k?: number;
  /** Share of the generated images a class needs to count as covered (default 0.02: a fifth of 1/10). */
  coverageShare?: number;
  /** Images per forward pass (default 500). */
  batchSize?: number;
  /**
   * Seed of the evaluation noise (every evaluation of a run uses the same N noise vectors) and of KID's subsets
   * (default 0).
   */
  seed?: number;
  /** Classifiers folder (default: the repository's `classifiers/`). */
  classifierDir?: string;
  /** Accept a classifier whose sha256 differs from its pin (default false). */
  allowUnpinned?: boolean;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/** Defaults of {@linkcode EvaluatorOptions}. */
export const evaluatorDefaults = {
  n: 10_000,
  precisionRecall: true,
  kid: true,
  k: 3,
  coverageShare: 0.02,
  batchSize: 500,
  seed: 0,
} as const;

/** The metrics of one evaluation. */
export interface EvalMetrics {
  /** Fréchet classifier distance (lower is better; ~0 for real vs real). */
  fcd: number;
  /**
   * Kernel distance (KID): unbiased MMD² on the same features (lower is better; ~0, maybe below, for real vs real);
   * absent when disabled.
   */
  kid?: number;
  /** The standard deviation of `kid`'s subset estimates; absent when disabled. */
  kidStd?: number;
  /** Classifier inception-score analogue (higher is better; at most 10). */
  cis: number;
  /** Classes holding at least `coverageShare` of the samples. */
  classesCovered: number;
  /** KL(class histogram ‖ uniform) in nats (0 even, ln K for one class of K: ln 10 ≈ 2.303). */
  klUniform: number;
  /** Improved precision (share of samples on the real manifold); absent when disabled. */
  precision?: number;
  /** Improved recall (share of real images on the generated manifold); absent when disabled. */
  recall?: number;
  /** Share of the samples per class, classes 0 to K − 1. */
  classHist: number[];
  /**
   * A conditional generator's: the share of its samples the classifier assigns to the class they were drawn for
   * (classes in turn); absent for an unconditional one.
   */
  labelAccuracy?: number;
  /** Samples compared. */
  n: number;
  /** Wall seconds the evaluation took (generation included). */
  seconds: number;
}

/** How to draw the noise a generator takes, and the range of its pixels. */
export interface GeneratorSettings {
  noiseDim: number;
  noise: "normal" | "uniform";
  pixelRange: PixelRange;
  /** A conditional generator's classes: it takes the noise, then a one-hot label (sample i is of class i mod this). */
  classes?: number;
  /** A super-resolution generator's input side: it takes `lowRes`² images, not noise (its kind evaluates it). */
  lowRes?: number;
  /**
   * An image-to-image generator's source domain, as its config names it: it takes that dataset's images, not noise
   * (its kind evaluates it).
   */
  translatesFrom?: DatasetValue;
}

/** Computes {@linkcode EvalMetrics} for one dataset with its pinned classifier. */
export interface Evaluator {
  /** The dataset whose images are the real side (paths absolute). */
  readonly dataset: DatasetValue;
  /** Samples per evaluation. */
  readonly n: number;
  /** Height, width, channels of the images. */
  readonly shape: readonly [number, number, number];
  /** Classes of the classifier. */
  readonly classes: number;
  /** sha256 of the classifier's weights. */
  readonly classifierSha256: string;
  /**
   * Metrics of `n` images in [0, 1] (row-major `n×h×w×c`, the dataset's image shape).
   * @throws {RangeError} When `images` does not hold `n` images.
   */
  evaluateImages(images: Float32Array): Promise<EvalMetrics>;
  /**
   * Metrics of `n` images of a generator, from the evaluator's fixed noise
   * (seeded by `seed`), in inference mode, converted from `pixelRange` to [0, 1].
   */
  evaluateGenerator(generator: tf.LayersModel, settings: GeneratorSettings): Promise<EvalMetrics>;
  /**
   * The most probable class of each of `count` images in [0, 1] (row-major `count×h×w×c`), by the classifier.
   * @throws {RangeError} When `images` does not hold `count` images.
   */
  predictClasses(images: Float32Array, count: number): Promise<Uint8Array>;
  /** Free the classifier. */
  dispose(): void;
}

/** The real side, per dataset, n and classifier. */
interface RealReference {
  outputs: ClassifierOutputs;
  gaussian: Gaussian;
  radii: Float32Array | null;
}
const realCache = new Map<string, Promise<RealReference>>();

/**
 * Load the dataset's pinned classifier and prepare to evaluate.
 *
 * @param dataset A labelled dataset with a pinned classifier: `mnist`, `fashion-mnist`, or any other (`emoji`,
 *   `{ images }`, …) after `deno task classifier --dataset …`.
 * @param options See {@linkcode EvaluatorOptions}.
 * @returns The evaluator; call `dispose()` when done.
 * @throws {RangeError} When `n` is not an integer from 2 to the real images there are (10,000 test images).
 * @throws {DatasetError} For an unlabelled dataset (no classifier metric applies).
 * @throws {ClassifierPinError} When the classifier does not match its pin (unless `allowUnpinned`).
 * @example
 * ```ts ignore
 * const evaluator = await createEvaluator("mnist", { n: 10_000 });
 * const m = await evaluator.evaluateGenerator(generator, { noiseDim: 100, noise: "normal", pixelRange: "[-1,1]" });
 * evaluator.dispose();
 * ```
 */
export async function createEvaluator(dataset: DatasetValue, options: EvaluatorOptions = {}): Promise<Evaluator> {
  const o = { ...evaluatorDefaults, ...stripUndefined(options) };
  const dataDir = o.dataDir ?? ".";
  const limit = await referenceLimit(dataset, dataDir);
  if (!Number.isInteger(o.n) || o.n < 2 || o.n > limit) {
    throw new RangeError(
      `Cannot evaluate with 'n' = ${o.n}: expected an integer from 2 to ${limit} (the real images to compare with)`,
    );
  }
  if (!(o.coverageShare > 0 && o.coverageShare <= 1)) {
    throw new RangeError(`Cannot evaluate with 'coverageShare' = ${o.coverageShare}: expected a share in (0, 1]`);
  }
  const facts = await datasetFacts(dataset, dataDir);
  if (facts.classes === 0) throw unlabelled(facts.source);
  const loaded = await loadEvalClassifier(dataset, dataDir, facts.digest, o);
  const net = featureModel(loaded.model);
  const classes = loaded.model.outputs[0]!.shape[1] as number;
  const n = o.n;
  const withPr = o.precisionRecall;

  const real = (): Promise<RealReference> => {
    const key = `${JSON.stringify(resolveDataset(dataset, dataDir))} ${n} ${loaded.sha256} ${withPr ? o.k : "-"}`;
    let hit = realCache.get(key);
    if (hit === undefined) {
      hit = (async () => {
        const ref = await referenceImages(dataset, dataDir, n);
        const pixels = bytesToUnit(ref.images);
        const size = ref.shape[0] * ref.shape[1] * ref.shape[2];
        const outputs = await classify(
          net,
          n,
          (start, count) => tf.tensor4d(pixels.subarray(start * size, (start + count) * size), [count, ...ref.shape]),
          o.batchSize,
        );
        const gaussian = moments(outputs.features, FEATURE_DIM);
        const radii = withPr ? await knnRadii(outputs.features, FEATURE_DIM, o.k) : null;
        return { outputs, gaussian, radii };
      })();
      hit.catch(() => realCache.delete(key));
      realCache.set(key, hit);
    }
    return hit;
  };

  const score = async (fake: ClassifierOutputs, started: number, drawn?: number): Promise<EvalMetrics> => {
    const ref = await real();
    const fcd = frechetDistance(moments(fake.features, FEATURE_DIM), ref.gaussian);
    const kid = o.kid ? kernelDistance(ref.outputs.features, fake.features, FEATURE_DIM, { seed: o.seed }) : null;
    const cov = coverage(fake.probs, classes, o.coverageShare);
    const pr = ref.radii !== null
      ? await precisionRecall(ref.outputs.features, fake.features, FEATURE_DIM, o.k, ref.radii)
      : null;
    return {
      fcd,
      ...(kid !== null ? { kid: kid.kid, kidStd: kid.kidStd } : {}),
      cis: classifierScore(fake.probs, classes),
      classesCovered: cov.covered,
      klUniform: cov.klUniform,
      ...(pr !== null ? pr : {}),
      classHist: cov.histogram,
      ...(drawn !== undefined ? { labelAccuracy: labelAccuracy(fake, drawn, classes) } : {}),
      n: fake.n,
      seconds: (performance.now() - started) / 1000,
    };
  };

  const shape = facts.shape;
  const [rows, cols, channels] = shape;
  const pixels = shape.reduce((a, b) => a * b, 1);
  /** Batches of `images` (row-major, the dataset's shape) as `classify` asks for them. */
  const batchesOf = (images: Float32Array) => (start: number, count: number) =>
    tf.tensor4d(images.subarray(start * pixels, (start + count) * pixels), [count, ...shape]);
  return {
    dataset: resolveDataset(dataset, dataDir),
    n,
    shape,
    classes,
    classifierSha256: loaded.sha256,
    async evaluateImages(images) {
      const started = performance.now();
      if (images.length !== n * pixels) {
        throw new RangeError(
          `Cannot evaluate: expected ${n} images of ${rows}×${cols}×${channels} (${n * pixels} values), ` +
            `got ${images.length}`,
        );
      }
      const fake = await classify(net, n, batchesOf(images), o.batchSize);
      return score(fake, started);
    },
    async evaluateGenerator(generator, settings) {
      const started = performance.now();
      const rng = new Rng(o.seed);
      const noise = new Float32Array(o.batchSize * settings.noiseDim);
      const [scale, offset] = settings.pixelRange === "[-1,1]" ? [0.5, 0.5] : [1, 0];
      const drawn = settings.classes;
      const fake = await classify(
        net,
        n,
        (start, count) => {
          const z = fillNoise(rng, settings.noise, noise.subarray(0, count * settings.noiseDim));
          let input: tf.Tensor = tf.tensor2d(z, [count, settings.noiseDim]);
          if (drawn !== undefined) input = tf.concat([input, cycledLabels(start, count, drawn)], 1);
          const images = generator.apply(input, { training: false }) as tf.Tensor;
          return tf.clipByValue(tf.add(tf.mul(tf.reshape(images, [count, ...shape]), scale), offset), 0, 1);
        },
        o.batchSize,
      );
      return score(fake, started, drawn);
    },
    async predictClasses(images, count) {
      if (images.length !== count * pixels) {
        throw new RangeError(
          `Cannot classify: expected ${count} images (${count * pixels} values), got ${images.length}`,
        );
      }
      const out = await classify(net, count, batchesOf(images), o.batchSize);
      return Uint8Array.from({ length: count }, (_, i) => mostProbable(out.probs, i, classes));
    },
    dispose() {
      loaded.model.dispose();
    },
  };
}

/** The most probable of `classes` classes for row `i` of row-major probabilities. */
function mostProbable(probs: Float32Array, i: number, classes: number): number {
  const p = probs.subarray(i * classes, (i + 1) * classes);
  let best = 0;
  for (let c = 1; c < classes; c++) if (p[c]! > p[best]!) best = c;
  return best;
}

/** One-hot labels of samples `start` to `start + count − 1`, sample i of class i mod `classes`. */
function cycledLabels(start: number, count: number, classes: number): tf.Tensor2D {
  const y = Int32Array.from({ length: count }, (_, i) => (start + i) % classes);
  return tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat() as tf.Tensor2D;
}

/**
 * The share of samples whose most probable class (of the classifier's `classes`) is the one they were drawn for
 * (sample i: i mod `drawn`).
 */
function labelAccuracy(fake: ClassifierOutputs, drawn: number, classes: number): number {
  let right = 0;
  for (let i = 0; i < fake.n; i++) if (mostProbable(fake.probs, i, classes) === i % drawn) right++;
  return right / fake.n;
}

/** The pinned classifier of a dataset (a source's must have been trained on data of the same digest). */
function loadEvalClassifier(
  dataset: DatasetValue,
  dataDir: string,
  digest: string,
  o: EvaluatorOptions,
): ReturnType<typeof loadClassifier> {
  const idx = isIdxName(dataset);
  return loadClassifier(classifierId(dataset, digest), {
    ...(o.classifierDir !== undefined ? { dir: o.classifierDir } : {}),
    allowUnpinned: o.allowUnpinned ?? false,
    ...(o.warn !== undefined ? { warn: o.warn } : {}),
    ...(idx ? {} : { digest, trainCommand: classifierCommand(resolveDataset(dataset, dataDir)) }),
  });
}

/** A metric as an `eval` line logs it: rounded to 6 significant digits. */
export function roundLogged(v: number): number {
  return Number(v.toPrecision(6));
}

/**
 * The fields of an `eval` line of `metrics.jsonl` (besides `kind`, `step`,
 * `epoch`): the metrics rounded to 6 significant digits, `classHist` as a
 * comma-separated string (the report charts numeric fields only).
 *
 * @param m The metrics.
 * @param classifierSha256 The classifier's weights hash (its first 12 hex digits are logged).
 * @returns Field → value.
 */
export function evalFields(m: EvalMetrics, classifierSha256: string): Record<string, number | string> {
  const r = roundLogged;
  return {
    fcd: r(m.fcd),
    ...(m.kid !== undefined ? { kid: r(m.kid) } : {}),
    ...(m.kidStd !== undefined ? { kidStd: r(m.kidStd) } : {}),
    cis: r(m.cis),
    classesCovered: m.classesCovered,
    klUniform: r(m.klUniform),
    ...(m.precision !== undefined ? { precision: r(m.precision) } : {}),
    ...(m.recall !== undefined ? { recall: r(m.recall) } : {}),
    ...(m.labelAccuracy !== undefined ? { labelAccuracy: r(m.labelAccuracy) } : {}),
    classHist: formatClassHist(m.classHist),
    evalN: m.n,
    evalSeconds: Math.round(m.seconds * 10) / 10,
    classifier: classifierSha256.slice(0, 12),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
