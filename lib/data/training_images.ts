/**
 * The training images as the loop uses them: floats in the run's pixel range,
 * NHWC, kept on the host (batches are gathered there and uploaded per step).
 * @module
 */
import { type DatasetValue, loadDecoded, type LoadHooks } from "./dataset_ref.ts";
import { byteToRange, type PixelRange } from "./pixels.ts";

/** Training images scaled to a pixel range. */
export interface TrainingImages {
  images: Float32Array;
  count: number;
  shape: [number, number, number];
  /** The class of each image (what a conditional kind conditions on); all 0 for an unlabelled set. */
  labels: Uint8Array;
  /** Classes the labels name (10 for MNIST); 0 for an unlabelled set. */
  classes: number;
  /** Where the images came from (file or folder). */
  source: string;
  /** The set's content digest (see `DecodedSet`). */
  digest: string;
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

/**
 * Load (once per process) a dataset's training images scaled to `range`.
 * @param dataDir The folder a source's relative paths resolve against (the experiment file's).
 */
export async function loadTrainingImages(
  dataset: DatasetValue,
  range: PixelRange,
  dataDir = ".",
  hooks: LoadHooks = {},
): Promise<TrainingImages> {
  const key = `${JSON.stringify(dataset)} ${dataDir} ${range}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const set = await loadDecoded(dataset, dataDir, hooks);
  const images: TrainingImages = {
    images: scaleImages(set.images, range),
    count: set.count,
    shape: set.shape,
    labels: set.labels ?? new Uint8Array(set.count),
    classes: set.classNames?.length ?? 0,
    source: set.source,
    digest: set.digest,
  };
  cache.clear(); // one dataset at a time: 188 MB each
  cache.set(key, images);
  return images;
}
