/**
 * The images a bench case trains on: MNIST for the 28×28×1 cases (the seed posts'), and for other shapes a pool of
 * seeded random images of that shape in the case's pixel range, as `bench/reference/torch_gan.py` keeps on its
 * device (the time of an iteration does not depend on the pixels' values; only the shape and the pool's size, which
 * sets how often an epoch reshuffles, matter).
 * @module
 */
import { Rng } from "../rng.ts";
import type { PixelRange } from "../data/pixels.ts";
import { loadTrainingImages, type TrainingImages } from "../data/training_images.ts";

/** An image's `[height, width, channels]`. */
export type ImageShape = [number, number, number];

/** MNIST's shape: the cases that train on MNIST itself. */
export const MNIST_SHAPE: ImageShape = [28, 28, 1];

/**
 * Images in the random pool of a non-MNIST case: about the emoji set's 3,781 (the colour study's data), and the
 * pool size `bench/reference/torch_gan.py` uses for the same shapes. At 64×64×3 it is 201 MB of floats.
 */
export const RANDOM_POOL = 4096;

/** `28×28×1`: how tables and logs write a shape. */
export function formatShape([h, w, c]: readonly number[]): string {
  return `${h}×${w}×${c}`;
}

/**
 * `count` random images of `shape`, uniform in `range`, the same for the same seed.
 * @throws {RangeError} for a shape whose sides are not positive integers, or a count below 1.
 * @example
 * ```ts
 * import { randomImages } from "./images.ts";
 * const set = randomImages([4, 4, 3], "[-1,1]", 2);
 * console.log(set.images.length, set.shape); // 96 [4, 4, 3]
 * ```
 */
export function randomImages(shape: ImageShape, range: PixelRange, count: number, seed = 1): TrainingImages {
  if (!shape.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`Cannot make random images of shape [${shape}]: expected positive integer sides`);
  }
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot make random images: 'count' must be a positive integer: current value is ${count}`);
  }
  const lo = range === "[-1,1]" ? -1 : 0;
  const images = new Rng(seed).fillUniform(new Float32Array(count * shape[0] * shape[1] * shape[2]), lo, 1);
  const name = `random ${formatShape(shape)} ${range} ×${count} seed ${seed}`;
  return { images, count, shape: [...shape], labels: new Uint8Array(count), classes: 0, source: name, digest: name };
}

let pool: { key: string; images: TrainingImages } | undefined; // one at a time: 201 MB at 64×64×3

/**
 * The images a case of `imageShape` trains on in the bench: MNIST scaled to `range` for 28×28×1, else
 * {@linkcode RANDOM_POOL} random images (kept until a case of another shape or range asks).
 */
export async function benchImages(imageShape: ImageShape, range: PixelRange): Promise<TrainingImages> {
  if (formatShape(imageShape) === formatShape(MNIST_SHAPE)) return await loadTrainingImages("mnist", range);
  const key = `${formatShape(imageShape)} ${range}`;
  if (pool?.key !== key) pool = { key, images: randomImages(imageShape, range, RANDOM_POOL) };
  return pool.images;
}
