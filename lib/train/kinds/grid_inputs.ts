/**
 * The sample grid's fixed inputs. They come from their own stream (the seed's, offset), so every run with the same
 * seed and noise settings draws the same grid, and drawing it does not move the training stream.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ResolvedConfig } from "../../experiment/config.ts";
import { fillNoise } from "../../noise.ts";
import { Rng } from "../../rng.ts";

/** The grid's noise, one row per cell, `[rows × columns, noiseDim]`. */
export function sampleGridNoise(config: ResolvedConfig): tf.Tensor2D {
  const cells = config.sampleGrid[0] * config.sampleGrid[1];
  const noise = fillNoise(new Rng(config.seed + 0x5eed), config.noise, new Float32Array(cells * config.noiseDim));
  return tf.tensor2d(noise, [cells, config.noiseDim]);
}

/** A conditional grid's labels, one-hot `[rows × columns, classes]`: row r shows class r mod `classes`. */
export function sampleGridLabels(config: ResolvedConfig, classes: number): tf.Tensor2D {
  const [rows, columns] = config.sampleGrid;
  const y = Int32Array.from({ length: rows * columns }, (_, i) => Math.floor(i / columns) % classes);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat() as tf.Tensor2D);
}
