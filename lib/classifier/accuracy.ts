/**
 * Test accuracy of a classifier, and the byte-to-[0, 1] conversion its
 * inputs use.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LabelledImages } from "./labelled_data.ts";

/**
 * Bytes (0..255) to floats in [0, 1], the classifier's input range.
 *
 * @param bytes Pixels.
 * @returns A new array of the same length.
 */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

/**
 * Share of `set`'s images whose most probable class is their label.
 *
 * @param model A classifier mapping `[n, h, w, c]` in [0, 1] to `[n, classes]`.
 * @param set Images and labels.
 * @param batchSize Images per forward pass (default 500).
 * @returns The accuracy in [0, 1].
 */
export async function accuracy(model: tf.LayersModel, set: LabelledImages, batchSize = 500): Promise<number> {
  const pixels = set.shape[0] * set.shape[1] * set.shape[2];
  let right = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(bytesToUnit(set.images.subarray(start * pixels, (start + n) * pixels)), [n, ...set.shape]);
      return tf.argMax(model.predict(x) as tf.Tensor, 1);
    });
    const classes = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < n; i++) if (classes[i] === set.labels[start + i]) right++;
  }
  return right / set.count;
}
