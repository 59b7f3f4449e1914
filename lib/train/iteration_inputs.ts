/**
 * What each iteration trains on: the next batch of real images, gathered on
 * the host in the run's batch order and uploaded, and noise drawn from the
 * run's stream.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BatchOrder, gatherImages } from "../data/batches.ts";
import type { TrainingImages } from "../data/training_images.ts";
import { fillNoise } from "../noise.ts";
import type { Rng } from "../rng.ts";

/** The real batches and the noise of a run's iterations. */
export class IterationInputs {
  readonly #real: Float32Array;
  readonly #noise: Float32Array;
  readonly #imageSize: number;
  /** The images of the batch drawn last (a copy of the order's reused buffer). */
  readonly #last: Int32Array;

  /** Batches of `batchSize` from `data` in `order`; noise of `noiseDim` (`noise`-distributed) from `rng`. */
  constructor(
    readonly data: TrainingImages,
    readonly settings: { batchSize: number; noiseDim: number; noise: "normal" | "uniform" },
    readonly order: BatchOrder,
    readonly rng: Rng,
  ) {
    const [h, w, c] = data.shape;
    this.#imageSize = h * w * c;
    this.#real = new Float32Array(settings.batchSize * this.#imageSize);
    this.#noise = new Float32Array(settings.batchSize * settings.noiseDim);
    this.#last = new Int32Array(settings.batchSize);
  }

  /** The next batch of real images, `[batchSize, h, w, c]` (dispose it). */
  batch(): tf.Tensor4D {
    const [h, w, c] = this.data.shape;
    const indices = this.order.next();
    this.#last.set(indices);
    const pixels = gatherImages(this.data.images, this.#imageSize, indices, this.#real);
    return tf.tensor4d(pixels, [this.settings.batchSize, h, w, c]);
  }

  /** One-hot labels of the batch drawn last, `[batchSize, classes]` (dispose it). */
  labels(classes: number): tf.Tensor2D {
    const y = Int32Array.from(this.#last, (i) => this.data.labels[i]!);
    return tf.tidy(() => tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat() as tf.Tensor2D);
  }

  /** Uniform [0, 1) values of `shape` from the run's stream (a gradient penalty's ε or u; dispose it). */
  uniform(shape: number[]): tf.Tensor {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < out.length; i++) out[i] = this.rng.next();
    return tf.tensor(out, shape);
  }

  /** A fresh draw of noise, `[batchSize, noiseDim]` (dispose it). */
  noise(): tf.Tensor2D {
    const { batchSize, noiseDim, noise } = this.settings;
    return tf.tensor2d(fillNoise(this.rng, noise, this.#noise), [batchSize, noiseDim]);
  }
}
