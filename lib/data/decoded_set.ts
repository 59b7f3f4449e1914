/**
 * A dataset in memory as every reader returns it: bytes, NHWC, with labels when the source has them.
 * @module
 */

/** Decoded images (0–255, NHWC) and their labels. */
export interface DecodedSet {
  /** `count × h × w × c` bytes, row-major, channels last. */
  images: Uint8Array;
  /** Number of images. */
  count: number;
  /** Height, width, channels (1 or 3). */
  shape: [h: number, w: number, c: number];
  /** The class of each image (an index into `classNames`), or null for an unlabelled set. */
  labels: Uint8Array | null;
  /** Class names in label order (folder names, CIFAR's meta file, or `0`, `1`, …), or null when unlabelled. */
  classNames: string[] | null;
  /** sha256 of what the set was made from (the files' bytes) and how (the preprocessing): its identity. */
  digest: string;
  /** The file or folder it came from (absolute). */
  source: string;
}

/** The most classes a label byte can hold. */
export const MAX_CLASSES = 256;

/** The number of classes labels name: the largest label plus one. */
export function classCount(labels: Uint8Array): number {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  return max + 1;
}
