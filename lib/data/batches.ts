/**
 * Which images make each batch: shuffled epochs (every image once per epoch,
 * the last partial batch dropped so every batch has the same shape), batches
 * drawn at random with replacement (seed 004), or the images in file order
 * every epoch (seed 002's sequential batches).
 * @module
 */
import type { Rng } from "../rng.ts";

/** Saved position in the data order, for resuming. */
export interface BatchOrderState {
  /** The current epoch's permutation (shuffle mode). */
  order: number[] | null;
  /** Batches taken from it. */
  position: number;
}

/** Yields batch index lists. */
export class BatchOrder {
  readonly stepsPerEpoch: number;
  #order: Int32Array | null = null;
  #position = 0;
  #out: Int32Array;

  /** `count` images, batches of `batchSize`, drawn with `rng`. */
  constructor(
    readonly count: number,
    readonly batchSize: number,
    readonly mode: "shuffle" | "random" | "sequential",
    private readonly rng: Rng,
  ) {
    this.stepsPerEpoch = Math.floor(count / batchSize);
    this.#out = new Int32Array(batchSize);
  }

  /** Indices of the next batch (a reused buffer: copy to keep). */
  next(): Int32Array {
    if (this.mode === "random") {
      for (let i = 0; i < this.batchSize; i++) {
        this.#out[i] = this.rng.int(this.count);
      }
      return this.#out;
    }
    if (this.#order === null || this.#position >= this.stepsPerEpoch) {
      this.#order ??= Int32Array.from({ length: this.count }, (_, i) => i);
      if (this.mode === "shuffle") this.rng.shuffle(this.#order);
      this.#position = 0;
    }
    const start = this.#position++ * this.batchSize;
    this.#out.set(this.#order.subarray(start, start + this.batchSize));
    return this.#out;
  }

  /** The position, for a checkpoint. */
  getState(): BatchOrderState {
    return {
      order: this.#order ? Array.from(this.#order) : null,
      position: this.#position,
    };
  }

  /** Continue from a checkpoint. */
  setState(state: BatchOrderState): void {
    this.#order = state.order ? Int32Array.from(state.order) : null;
    this.#position = state.position;
  }
}

/** Copy the images at `indices` (each `size` floats) into `out`. */
export function gatherImages(
  images: Float32Array,
  size: number,
  indices: Int32Array,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]! * size;
    out.set(images.subarray(src, src + size), i * size);
  }
  return out;
}
