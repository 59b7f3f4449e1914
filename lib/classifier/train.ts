/**
 * Training the domain classifier, reproducibly: weights, data order and
 * dropout all follow one seed (through `Math.random`), on the wasm backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DatasetValue } from "../data/dataset_ref.ts";
import { Rng, routeMathRandom } from "../rng.ts";
import { buildClassifier } from "./model.ts";
import { accuracy, bytesToUnit } from "./accuracy.ts";
import { type ClassifierData, classifierData, type LabelledImages } from "./labelled_data.ts";

/** Settings of {@linkcode trainClassifier}. */
export interface ClassifierTrainOptions {
  /** Seed of weights, data order and dropout (default 1). */
  seed?: number;
  /** Passes over the training images (default 3). */
  epochs?: number;
  /** Images per Adam step (default 128). */
  batchSize?: number;
  /** Adam learning rate of the first epoch; each later epoch multiplies it by `lrDecay` (default 1e-3). */
  lr?: number;
  /** Per-epoch learning-rate factor (default 0.5). */
  lrDecay?: number;
  /** Side of the convolution kernels (default 5). */
  kernelSize?: number;
  /** Use only the first N training images (default all; tests use a few). */
  trainLimit?: number;
  /** Use only the first N test images for the accuracy (default all). */
  testLimit?: number;
  /** The folder a source's relative paths resolve against (default the working directory). */
  dataDir?: string;
  /** Told after each epoch. */
  onEpoch?: (info: { epoch: number; loss: number; testAccuracy: number; seconds: number }) => void;
}

/** Defaults of {@linkcode ClassifierTrainOptions}. */
export const classifierTrainDefaults: ClassifierSettings = {
  seed: 1,
  epochs: 3,
  batchSize: 128,
  lr: 1e-3,
  lrDecay: 0.5,
  kernelSize: 5,
};

/** The resolved training settings. */
export interface ClassifierSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  kernelSize: number;
}

/** A trained classifier and how well it does on the test split. */
export interface TrainedClassifier {
  model: tf.LayersModel;
  /** What it was trained and tested on (the images, whole, as the dataset gave them). */
  data: ClassifierData;
  /** Share of the test images classified right. */
  testAccuracy: number;
  /** The settings used. */
  settings: ClassifierSettings;
  /** Wall seconds spent training. */
  seconds: number;
}

/**
 * Train the classifier of a dataset on its training split and measure it on
 * the test split (a labelled source's held-out 10%: `./labelled_data.ts`). The backend must already be started.
 *
 * @param dataset Any labelled dataset value (`mnist`, `emoji`, `{ images }`, …).
 * @param options See {@linkcode ClassifierTrainOptions}.
 * @returns The model (the caller disposes it) and its test accuracy.
 * @example
 * ```ts ignore
 * const { model, testAccuracy } = await trainClassifier("mnist", { epochs: 3 });
 * ```
 */
export async function trainClassifier(
  dataset: DatasetValue,
  options: ClassifierTrainOptions = {},
): Promise<TrainedClassifier> {
  const s: ClassifierSettings = {
    seed: options.seed ?? classifierTrainDefaults.seed,
    epochs: options.epochs ?? classifierTrainDefaults.epochs,
    batchSize: options.batchSize ?? classifierTrainDefaults.batchSize,
    lr: options.lr ?? classifierTrainDefaults.lr,
    lrDecay: options.lrDecay ?? classifierTrainDefaults.lrDecay,
    kernelSize: options.kernelSize ?? classifierTrainDefaults.kernelSize,
  };
  const data = await classifierData(dataset, options.dataDir ?? ".");
  const train = first(data.train, options.trainLimit);
  const test = first(data.test, options.testLimit);
  const pixels = train.shape[0] * train.shape[1] * train.shape[2];
  const classes = data.classNames.length;
  if (train.count < s.batchSize) {
    throw new RangeError(
      `Cannot train the classifier of ${data.source}: ${train.count} training images, fewer than a batch of ` +
        `${s.batchSize}; pass a smaller batchSize`,
    );
  }
  const images = bytesToUnit(train.images);
  const rng = new Rng(s.seed);
  const restore = routeMathRandom(rng);
  const model = buildClassifier(s.kernelSize, data.shape, classes);
  const opt = tf.train.adam(s.lr);
  const start = performance.now();
  let testAccuracy = 0;
  try {
    const order = Array.from({ length: train.count }, (_, i) => i);
    const steps = Math.floor(train.count / s.batchSize);
    const x = new Float32Array(s.batchSize * pixels);
    const y = new Int32Array(s.batchSize);
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      // tfjs reads the rate on every step; the field is protected in its types.
      (opt as unknown as { learningRate: number }).learningRate = s.lr * s.lrDecay ** epoch;
      rng.shuffle(order);
      const losses: tf.Tensor[] = [];
      for (let b = 0; b < steps; b++) {
        for (let i = 0; i < s.batchSize; i++) {
          const j = order[b * s.batchSize + i]!;
          x.set(images.subarray(j * pixels, (j + 1) * pixels), i * pixels);
          y[i] = train.labels[j]!;
        }
        const loss = tf.tidy(() => {
          const xs = tf.tensor4d(x, [s.batchSize, ...train.shape]);
          const ys = tf.oneHot(tf.tensor1d(y, "int32"), classes);
          return opt.minimize(
            // The model ends in a softmax: cross-entropy on probabilities (clipped), not on logits.
            () => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)),
            true,
          )!;
        });
        losses.push(loss);
      }
      const mean = tf.tidy(() => tf.mean(tf.stack(losses)));
      const lossValue = (await mean.data())[0]!;
      tf.dispose([mean, ...losses]);
      testAccuracy = await accuracy(model, test);
      options.onEpoch?.({
        epoch: epoch + 1,
        loss: lossValue,
        testAccuracy,
        seconds: (performance.now() - start) / 1000,
      });
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    opt.dispose();
    restore();
  }
  return { model, data, testAccuracy, settings: s, seconds: (performance.now() - start) / 1000 };
}

/** The first `limit` images of a set (all of them without a limit). */
function first(set: LabelledImages, limit: number | undefined): LabelledImages {
  if (limit === undefined || limit >= set.count) return set;
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  return { ...set, images: set.images.subarray(0, limit * size), labels: set.labels.subarray(0, limit), count: limit };
}
