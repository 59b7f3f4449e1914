/**
 * The training images as the loop uses them: floats in the run's pixel range,
 * NHWC, kept on the host (batches are gathered there and uploaded per step).
 * @module
 */
import { type DatasetName, loadDataset } from "./datasets.ts";
import { byteToRange, type PixelRange } from "./pixels.ts";

/** Training images scaled to a pixel range. */
export interface TrainingImages {
  images: Float32Array;
  count: number;
  shape: [number, number, number];
  /** The class of each image, 0 to 9 (what a conditional kind conditions on). */
  labels: Uint8Array;
  /** Where the images came from (file or folder). */
  source: string;
}

/** Scale bytes (0..255) to a pixel range. */
export function scaleImages(
  bytes: Uint8Array,
  range: PixelRange,
): Float32Array {
  const { scale, offset } = byteToRange(range);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! * scale + offset;
  return out;
}

const cache = new Map<string, TrainingImages>();

/** Load (once per process) a dataset's training split scaled to `range`. */
export async function loadTrainingImages(
  name: DatasetName,
  range: PixelRange,
): Promise<TrainingImages> {
  const key = `${name} ${range}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const set = await loadDataset(name, "train");
  const images: TrainingImages = {
    images: scaleImages(set.images, range),
    count: set.count,
    shape: [set.rows, set.cols, 1],
    labels: set.labels,
    source: set.source,
  };
  cache.clear(); // one dataset at a time: 188 MB each
  cache.set(key, images);
  return images;
}
