/**
 * Training the domain classifier, reproducibly: weights, data order and
 * dropout all follow one seed (through `Math.random`), on the wasm backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type DatasetName, loadDataset } from "../data/datasets.ts";
import { Rng, routeMathRandom } from "../rng.ts";
import { buildClassifier, NUM_CLASSES } from "./model.ts";
import { accuracy, bytesToUnit } from "./accuracy.ts";

/** Settings of {@linkcode trainClassifier}. */
export interface ClassifierTrainOptions {
  /** Seed of weights, data order and dropout (default 1). */
  seed?: number;
  /** Passes over the 60,000 training images (default 3). */
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
  /** Use only the first N test images for the accuracy (default all 10,000). */
  testLimit?: number;
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
  /** Share of the test images classified right. */
  testAccuracy: number;
  /** The settings used. */
  settings: ClassifierSettings;
  /** Wall seconds spent training. */
  seconds: number;
}

/**
 * Train the classifier of a dataset on its training split and measure it on
 * the test split. The backend must already be started.
 *
 * @param dataset `mnist` or `fashion-mnist`.
 * @param options See {@linkcode ClassifierTrainOptions}.
 * @returns The model (the caller disposes it) and its test accuracy.
 * @example
 * ```ts ignore
 * const { model, testAccuracy } = await trainClassifier("mnist", { epochs: 3 });
 * ```
 */
export async function trainClassifier(
  dataset: DatasetName,
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
  const train = await loadDataset(dataset, "train", { limit: options.trainLimit });
  const test = await loadDataset(dataset, "test", { limit: options.testLimit });
  const pixels = train.rows * train.cols;
  const images = bytesToUnit(train.images);
  const rng = new Rng(s.seed);
  const restore = routeMathRandom(rng);
  const model = buildClassifier(s.kernelSize);
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
          const xs = tf.tensor4d(x, [s.batchSize, train.rows, train.cols, 1]);
          const ys = tf.oneHot(tf.tensor1d(y, "int32"), NUM_CLASSES);
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
  return { model, testAccuracy, settings: s, seconds: (performance.now() - start) / 1000 };
}
