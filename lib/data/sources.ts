/**
 * A researcher's own data as an experiment file names it: a folder of PNG/JPEG files, NumPy arrays, or CIFAR's
 * binary files, beside the built-in names (`mnist`, `fashion-mnist`, `emoji`).
 *
 * - `{ images: "folder", size?: 32, channels?: 1 | 3 }`: PNG and JPEG files. One subfolder per class gives labels
 *   (classes sorted by folder name, torchvision's ImageFolder convention); a folder of files alone is unlabelled.
 * - `{ npy: "x.npy", labels?: "y.npy" }`: uint8 (0–255) or float32 (0–1) images, `[n, h, w]`, NHWC or NCHW.
 * - `{ cifar: "cifar-10-batches-bin" }`: CIFAR-10's (or CIFAR-100's) binary version.
 *
 * Relative paths resolve against the experiment file's folder. A run's id follows the source as written.
 * @module
 */
import { z } from "zod";
import { basename, isAbsolute, join } from "@std/path";

/** The built-in datasets that are not IDX files: Twitter's emoji (an npm package), 32×32 RGB, 9 categories. */
export const NAMED_SOURCES = ["emoji"] as const;
/** A built-in dataset read through the image pipeline. */
export type NamedSource = (typeof NAMED_SOURCES)[number];

/** The side images are resized to when `size` is not given. */
export const DEFAULT_IMAGE_SIZE = 32;

const path = z.string().min(1);

/** The schema of a folder of images. */
export const imageFolderSchema = z.strictObject({
  images: path,
  size: z.number().int().min(4).max(512).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
});
/** The schema of NumPy arrays. */
export const npySchema = z.strictObject({ npy: path, labels: path.optional() });
/** The schema of CIFAR's binary files. */
export const cifarSchema = z.strictObject({ cifar: path });

/** A folder of PNG/JPEG images: resized and centre-cropped to `size` (default 32), 1 or 3 channels. */
export type ImageFolderSource = z.infer<typeof imageFolderSchema>;
/** NumPy `.npy` arrays of images and (optionally) integer labels. */
export type NpySource = z.infer<typeof npySchema>;
/** The binary version of CIFAR-10 (a folder of `data_batch_*.bin`) or CIFAR-100 (`train.bin`), or one such file. */
export type CifarSource = z.infer<typeof cifarSchema>;
/** A dataset of the researcher's own, as an experiment file writes it. */
export type DatasetSource = ImageFolderSource | NpySource | CifarSource;

/** The schema of any source (a union the validator explains by its keys). */
export const datasetSourceSchema = z.union([imageFolderSchema, npySchema, cifarSchema]);

/** Whether a config value is a source object (not a built-in name). */
export function isSource(dataset: unknown): dataset is DatasetSource {
  return typeof dataset === "object" && dataset !== null && !Array.isArray(dataset);
}

/** Which reader a source needs. */
export type SourceFormat = "images" | "npy" | "cifar";

/** The reader of a source. */
export function sourceFormat(source: DatasetSource): SourceFormat {
  return "images" in source ? "images" : "npy" in source ? "npy" : "cifar";
}

/** The path a source names, as written. */
export function sourcePath(source: DatasetSource): string {
  return "images" in source ? source.images : "npy" in source ? source.npy : source.cifar;
}

/** A source with its paths made absolute against `dataDir` (the experiment file's folder). */
export function resolveSource(source: DatasetSource, dataDir: string): DatasetSource {
  const abs = (p: string) => isAbsolute(p) ? p : join(dataDir, p);
  if ("images" in source) return { ...source, images: abs(source.images) };
  if ("npy" in source) {
    return { ...source, npy: abs(source.npy), ...(source.labels ? { labels: abs(source.labels) } : {}) };
  }
  return { cifar: abs(source.cifar) };
}

/** A short name for a dataset value, for run ids and tables: `mnist`, `images-flowers`, `npy-x`. */
export function datasetLabel(dataset: string | DatasetSource): string {
  if (!isSource(dataset)) return dataset;
  const name = basename(sourcePath(dataset).replace(/\/+$/, "")).replace(/\.(npy|bin)$/i, "");
  const size = "images" in dataset && dataset.size !== undefined ? `-${dataset.size}` : "";
  return `${sourceFormat(dataset)}-${name}${size}`;
}
