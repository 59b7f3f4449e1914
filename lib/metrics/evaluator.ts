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
 * The real side (features, moments, k-NN radii of the first N test images)
 * is computed once per process and classifier.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DatasetName } from "../data/datasets.ts";
import { loadDataset } from "../data/datasets.ts";
import { imageShape } from "../data/dataset_info.ts";
import { bytesToUnit } from "../classifier/accuracy.ts";
import { loadClassifier } from "../classifier/load.ts";
import { FEATURE_DIM, NUM_CLASSES } from "../classifier/model.ts";
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
  /** Generated and real images compared (default 10,000; at most the 10,000 test images). */
  n?: number;
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
  /** KL(class histogram ‖ uniform) in nats (0 even, ln 10 ≈ 2.303 for one class). */
  klUniform: number;
  /** Improved precision (share of samples on the real manifold); absent when disabled. */
  precision?: number;
  /** Improved recall (share of real images on the generated manifold); absent when disabled. */
  recall?: number;
  /** Share of the samples per class, classes 0 to 9. */
  classHist: number[];
  /**
   * A conditional generator's: the share of its samples the classifier assigns to the class they were drawn for
   * (classes in turn, 0 to 9); absent for an unconditional one.
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
  /** An image-to-image generator's source domain: it takes that dataset's images, not noise (its kind evaluates it). */
  translatesFrom?: DatasetName;
}

/** Computes {@linkcode EvalMetrics} for one dataset with its pinned classifier. */
export interface Evaluator {
  /** The dataset whose test split is the real side. */
  readonly dataset: DatasetName;
  /** Samples per evaluation. */
  readonly n: number;
  /** sha256 of the classifier's weights. */
  readonly classifierSha256: string;
  /**
   * Metrics of `n` images in [0, 1] (row-major `n×rows×cols`, the dataset's image shape).
   * @throws {RangeError} When `images` does not hold `n` images.
   */
  evaluateImages(images: Float32Array): Promise<EvalMetrics>;
  /**
   * Metrics of `n` images of a generator, from the evaluator's fixed noise
   * (seeded by `seed`), in inference mode, converted from `pixelRange` to [0, 1].
   */
  evaluateGenerator(generator: tf.LayersModel, settings: GeneratorSettings): Promise<EvalMetrics>;
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
 * @param dataset `mnist` or `fashion-mnist`.
 * @param options See {@linkcode EvaluatorOptions}.
 * @returns The evaluator; call `dispose()` when done.
 * @throws {RangeError} When `n` is not an integer in [2, 10000].
 * @throws {ClassifierPinError} When the classifier does not match its pin (unless `allowUnpinned`).
 * @example
 * ```ts ignore
 * const evaluator = await createEvaluator("mnist", { n: 10_000 });
 * const m = await evaluator.evaluateGenerator(generator, { noiseDim: 100, noise: "normal", pixelRange: "[-1,1]" });
 * evaluator.dispose();
 * ```
 */
export async function createEvaluator(dataset: DatasetName, options: EvaluatorOptions = {}): Promise<Evaluator> {
  const o = { ...evaluatorDefaults, ...stripUndefined(options) };
  if (!Number.isInteger(o.n) || o.n < 2 || o.n > 10_000) {
    throw new RangeError(
      `Cannot evaluate with 'n' = ${o.n}: expected an integer from 2 to 10000 (the size of the test split)`,
    );
  }
  if (!(o.coverageShare > 0 && o.coverageShare <= 1)) {
    throw new RangeError(`Cannot evaluate with 'coverageShare' = ${o.coverageShare}: expected a share in (0, 1]`);
  }
  const loaded = await loadClassifier(dataset, {
    ...(o.classifierDir !== undefined ? { dir: o.classifierDir } : {}),
    allowUnpinned: o.allowUnpinned ?? false,
    ...(o.warn !== undefined ? { warn: o.warn } : {}),
  });
  const net = featureModel(loaded.model);
  const n = o.n;
  const withPr = o.precisionRecall;

  const real = (): Promise<RealReference> => {
    const key = `${dataset} ${n} ${loaded.sha256} ${withPr ? o.k : "-"}`;
    let hit = realCache.get(key);
    if (hit === undefined) {
      hit = (async () => {
        const test = await loadDataset(dataset, "test", { limit: n });
        const pixels = bytesToUnit(test.images);
        const size = test.rows * test.cols;
        const outputs = await classify(
          net,
          n,
          (start, count) =>
            tf.tensor4d(pixels.subarray(start * size, (start + count) * size), [count, test.rows, test.cols, 1]),
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

  const score = async (fake: ClassifierOutputs, started: number, classes?: number): Promise<EvalMetrics> => {
    const ref = await real();
    const fcd = frechetDistance(moments(fake.features, FEATURE_DIM), ref.gaussian);
    const kid = o.kid ? kernelDistance(ref.outputs.features, fake.features, FEATURE_DIM, { seed: o.seed }) : null;
    const cov = coverage(fake.probs, NUM_CLASSES, o.coverageShare);
    const pr = ref.radii !== null
      ? await precisionRecall(ref.outputs.features, fake.features, FEATURE_DIM, o.k, ref.radii)
      : null;
    return {
      fcd,
      ...(kid !== null ? { kid: kid.kid, kidStd: kid.kidStd } : {}),
      cis: classifierScore(fake.probs, NUM_CLASSES),
      classesCovered: cov.covered,
      klUniform: cov.klUniform,
      ...(pr !== null ? pr : {}),
      classHist: cov.histogram,
      ...(classes !== undefined ? { labelAccuracy: labelAccuracy(fake, classes) } : {}),
      n: fake.n,
      seconds: (performance.now() - started) / 1000,
    };
  };

  const shape = imageShape(dataset);
  const [rows, cols] = shape;
  const pixels = shape.reduce((a, b) => a * b, 1);
  return {
    dataset,
    n,
    classifierSha256: loaded.sha256,
    async evaluateImages(images) {
      const started = performance.now();
      if (images.length !== n * pixels) {
        throw new RangeError(
          `Cannot evaluate: expected ${n} images of ${rows}×${cols} (${n * pixels} values), got ${images.length}`,
        );
      }
      const fake = await classify(
        net,
        n,
        (start, count) => tf.tensor4d(images.subarray(start * pixels, (start + count) * pixels), [count, ...shape]),
        o.batchSize,
      );
      return score(fake, started);
    },
    async evaluateGenerator(generator, settings) {
      const started = performance.now();
      const rng = new Rng(o.seed);
      const noise = new Float32Array(o.batchSize * settings.noiseDim);
      const [scale, offset] = settings.pixelRange === "[-1,1]" ? [0.5, 0.5] : [1, 0];
      const { classes } = settings;
      const fake = await classify(
        net,
        n,
        (start, count) => {
          const z = fillNoise(rng, settings.noise, noise.subarray(0, count * settings.noiseDim));
          let input: tf.Tensor = tf.tensor2d(z, [count, settings.noiseDim]);
          if (classes !== undefined) input = tf.concat([input, cycledLabels(start, count, classes)], 1);
          const images = generator.apply(input, { training: false }) as tf.Tensor;
          return tf.clipByValue(tf.add(tf.mul(tf.reshape(images, [count, ...shape]), scale), offset), 0, 1);
        },
        o.batchSize,
      );
      return score(fake, started, classes);
    },
    dispose() {
      loaded.model.dispose();
    },
  };
}

/** One-hot labels of samples `start` to `start + count − 1`, sample i of class i mod `classes`. */
function cycledLabels(start: number, count: number, classes: number): tf.Tensor2D {
  const y = Int32Array.from({ length: count }, (_, i) => (start + i) % classes);
  return tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat() as tf.Tensor2D;
}

/** The share of samples whose most probable class is the one they were drawn for (sample i: i mod `classes`). */
function labelAccuracy(fake: ClassifierOutputs, classes: number): number {
  let right = 0;
  for (let i = 0; i < fake.n; i++) {
    const p = fake.probs.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (p[c]! > p[best]!) best = c;
    if (best === i % classes) right++;
  }
  return right / fake.n;
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
  const r = (v: number) => Number(v.toPrecision(6));
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
