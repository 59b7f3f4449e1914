/**
 * Run the classifier over images in batches and read back what the metrics
 * need: the penultimate features and the class probabilities.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FEATURE_DIM, FEATURE_LAYER } from "../classifier/model.ts";

/** Features and probabilities of `n` images. */
export interface ClassifierOutputs {
  n: number;
  /** Row-major `n×128` penultimate activations. */
  features: Float32Array;
  /** Row-major `n×K` class probabilities (K classes of the classifier). */
  probs: Float32Array;
}

/**
 * A model giving both outputs of a classifier: `[features, probs]`. It
 * shares the classifier's weights; dispose the classifier, not this.
 *
 * @param classifier A model built by `buildClassifier` (with a `features` layer).
 * @returns The two-output model.
 */
export function featureModel(classifier: tf.LayersModel): tf.LayersModel {
  return tf.model({
    inputs: classifier.inputs,
    outputs: [classifier.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor, classifier.outputs[0]!],
  });
}

/**
 * Classify `n` images given batch by batch.
 *
 * @param model From {@linkcode featureModel}.
 * @param n Number of images.
 * @param batch Builds the images `[start, start+count)` as a `[count, h, w, c]` tensor in [0, 1]; the
 *   tensor is disposed here.
 * @param batchSize Images per forward pass.
 * @returns Features and probabilities.
 */
export async function classify(
  model: tf.LayersModel,
  n: number,
  batch: (start: number, count: number) => tf.Tensor,
  batchSize = 500,
): Promise<ClassifierOutputs> {
  const features = new Float32Array(n * FEATURE_DIM);
  const classes = model.outputs[1]!.shape[1] as number;
  const probs = new Float32Array(n * classes);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const [f, p] = tf.tidy(() => model.predict(batch(start, count)) as tf.Tensor[]);
    features.set(await f!.data<"float32">(), start * FEATURE_DIM);
    probs.set(await p!.data<"float32">(), start * classes);
    tf.dispose([f!, p!]);
  }
  return { n, features, probs };
}
