/**
 * The domain classifier behind the quality metrics: a small CNN for images in
 * [0, 1] of any side and 1 or 3 channels (28×28 grayscale for MNIST and
 * Fashion-MNIST), whose 128-unit `features` layer is the embedding the
 * Fréchet distance, KID and precision/recall are computed on.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Name of the penultimate layer whose activations are the features. */
export const FEATURE_LAYER = "features";
/** Width of the feature layer. */
export const FEATURE_DIM = 128;
/** Number of classes of both IDX datasets (MNIST, Fashion-MNIST). */
export const NUM_CLASSES = 10;

/** Side the strided convolutions stop at: two for 28 and 32 px (7 and 8), three for 64 px. */
const LAST_SIDE = 8;

/**
 * Build the untrained classifier: conv 32 k×k stride 2 → conv 64 k×k stride 2 → (conv 128 stride 2 while the side
 * is above 8, as at 64 px) → dense 128 ReLU (`features`) → dropout 0.3 → dense `classes` softmax.
 * Initial weights come from `Math.random` (route it through a seeded
 * generator for reproducible weights).
 *
 * @param kernelSize Side of the convolution kernels (default 5: 3×3 stride-2 kernels stayed below 99% on MNIST).
 * @param shape Height, width, channels of the images (default MNIST's `[28, 28, 1]`).
 * @param classes Classes of the labels (default 10).
 * @returns A fresh model mapping `[n, ...shape]` to `[n, classes]` probabilities.
 * @example
 * ```ts ignore
 * const model = buildClassifier(5, [32, 32, 3], 9);
 * model.outputs[0]!.shape; // [null, 9]
 * ```
 */
export function buildClassifier(
  kernelSize = 5,
  shape: readonly [number, number, number] = [28, 28, 1],
  classes = NUM_CLASSES,
): tf.Sequential {
  const m = tf.sequential({ name: "classifier" });
  // Strided convolutions instead of max-pooling: wasm's MaxPoolGrad is the slowest kernel of a training step.
  m.add(
    tf.layers.conv2d({
      inputShape: [...shape],
      filters: 32,
      kernelSize,
      strides: 2,
      padding: "same",
      activation: "relu",
    }),
  );
  m.add(tf.layers.conv2d({ filters: 64, kernelSize, strides: 2, padding: "same", activation: "relu" }));
  for (let side = Math.ceil(shape[0] / 4); side > LAST_SIDE; side = Math.ceil(side / 2)) {
    m.add(tf.layers.conv2d({ filters: 128, kernelSize, strides: 2, padding: "same", activation: "relu" }));
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: FEATURE_DIM, activation: "relu", name: FEATURE_LAYER }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: classes, activation: "softmax", name: "probs" }));
  return m;
}
