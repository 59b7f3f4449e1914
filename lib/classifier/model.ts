/**
 * The domain classifier behind the quality metrics: a small CNN for 28×28
 * grayscale images in [0, 1], whose 128-unit `features` layer is the
 * embedding the Fréchet distance and precision/recall are computed on.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Name of the penultimate layer whose activations are the features. */
export const FEATURE_LAYER = "features";
/** Width of the feature layer. */
export const FEATURE_DIM = 128;
/** Number of classes of both datasets. */
export const NUM_CLASSES = 10;

/**
 * Build the untrained classifier: conv 32 k×k stride 2 → conv 64 k×k stride 2 →
 * dense 128 ReLU (`features`) → dropout 0.3 → dense 10 softmax.
 * Initial weights come from `Math.random` (route it through a seeded
 * generator for reproducible weights).
 *
 * @param kernelSize Side of the convolution kernels (default 5: 3×3 stride-2 kernels stayed below 99% on MNIST).
 * @returns A fresh model mapping `[n, 28, 28, 1]` to `[n, 10]` probabilities.
 * @example
 * ```ts ignore
 * const model = buildClassifier();
 * model.outputs[0]!.shape; // [null, 10]
 * ```
 */
export function buildClassifier(kernelSize = 5): tf.Sequential {
  const m = tf.sequential({ name: "classifier" });
  // Strided convolutions instead of max-pooling: wasm's MaxPoolGrad is the slowest kernel of a training step.
  m.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize,
      strides: 2,
      padding: "same",
      activation: "relu",
    }),
  );
  m.add(tf.layers.conv2d({ filters: 64, kernelSize, strides: 2, padding: "same", activation: "relu" }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: FEATURE_DIM, activation: "relu", name: FEATURE_LAYER }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: NUM_CLASSES, activation: "softmax", name: "probs" }));
  return m;
}
