/**
 * A config's `dataset` value, whatever it names: a built-in IDX dataset (`mnist`, `fashion-mnist`), a built-in
 * colour set (`emoji`), or a source of the researcher's own (`{ images }`, `{ npy }`, `{ cifar }`). Each is loaded
 * as a {@linkcode DecodedSet}, once per process.
 * @module
 */
import { DATASET_INFO, DATASET_NAMES, type DatasetName, imageShape } from "./dataset_info.ts";
import { loadDataset } from "./datasets.ts";
import type { DecodedSet } from "./decoded_set.ts";
import { loadEmoji } from "./emoji.ts";
import { loadImageFolder } from "./image_folder.ts";
import { loadNpySource } from "./npy.ts";
import { loadCifarSource } from "./cifar.ts";
import { type DatasetSource, isSource, type NamedSource, resolveSource, sourceFormat } from "./sources.ts";

/** Any dataset a config can name. */
export type DatasetValue = DatasetName | NamedSource | DatasetSource;

/** What planning needs to know of a dataset. */
export interface DatasetFacts {
  /** Training images. */
  count: number;
  /** Height, width, channels. */
  shape: [number, number, number];
  /** Classes its labels name; 0 for an unlabelled set. */
  classes: number;
  /** Class names in label order; null when unlabelled. */
  classNames: string[] | null;
  /** The set's content digest. */
  digest: string;
  /** Where it was read from (absolute). */
  source: string;
}

/** Hooks for loading: a progress bar while decoding, and warnings. */
export interface LoadHooks {
  progress?: (done: number, total: number) => void;
  warn?: (message: string) => void;
}

/** Whether a value names one of the IDX datasets. */
export function isIdxName(dataset: unknown): dataset is DatasetName {
  return typeof dataset === "string" && (DATASET_NAMES as readonly string[]).includes(dataset);
}

/** A progress bar on stderr while images decode, when stderr is a terminal. */
export function terminalProgress(what: string): (done: number, total: number) => void {
  let shown = -1;
  const encoder = new TextEncoder();
  return (done, total) => {
    if (!Deno.stderr.isTerminal()) return;
    const percent = Math.floor((100 * done) / total);
    if (percent === shown && done !== total) return;
    shown = percent;
    const bar = "#".repeat(Math.round(percent / 5)).padEnd(20, ".");
    Deno.stderr.writeSync(encoder.encode(`\rdecoding ${what}: [${bar}] ${done}/${total}${done === total ? "\n" : ""}`));
  };
}

async function loadIdx(name: DatasetName): Promise<DecodedSet> {
  const set = await loadDataset(name, "train");
  return {
    images: set.images,
    count: set.count,
    shape: imageShape(name),
    labels: set.labels,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    digest: DATASET_INFO[name].files.train.images.sha256,
    source: set.source,
  };
}

function loadSource(source: DatasetSource, hooks: LoadHooks): Promise<DecodedSet> {
  const format = sourceFormat(source);
  switch (format) {
    case "images":
      return loadImageFolder(source as Extract<DatasetSource, { images: string }>, hooks);
    case "npy":
      return loadNpySource(source as Extract<DatasetSource, { npy: string }>);
    case "cifar":
      return loadCifarSource(source as Extract<DatasetSource, { cifar: string }>);
    default: {
      const never: never = format;
      throw new TypeError(`unknown dataset source ${never}`);
    }
  }
}

const loaded = new Map<string, Promise<DecodedSet>>();

/** A dataset value with its paths made absolute (built-in names as they are). */
export function resolveDataset(dataset: DatasetValue, dataDir: string): DatasetValue {
  return isSource(dataset) ? resolveSource(dataset, dataDir) : dataset;
}

/**
 * Load a dataset's training images as bytes (once per process; one set is kept at a time).
 * @param dataDir The folder relative paths resolve against (the experiment file's).
 * @throws {DatasetError} naming the file and the fix for anything that cannot be read.
 */
export function loadDecoded(dataset: DatasetValue, dataDir: string, hooks: LoadHooks = {}): Promise<DecodedSet> {
  const resolved = resolveDataset(dataset, dataDir);
  const key = JSON.stringify(resolved);
  const hit = loaded.get(key);
  if (hit) return hit;
  const progress = hooks.progress ?? terminalProgress(key);
  const promise = isIdxName(resolved)
    ? loadIdx(resolved)
    : isSource(resolved)
    ? loadSource(resolved, { ...hooks, progress })
    : loadEmoji({ ...hooks, progress });
  loaded.clear(); // one dataset at a time: MNIST's floats alone are 188 MB
  loaded.set(key, promise);
  promise.catch(() => loaded.delete(key));
  return promise;
}

/** What planning needs to know of a dataset: count, shape, classes. */
export async function datasetFacts(
  dataset: DatasetValue,
  dataDir: string,
  hooks: LoadHooks = {},
): Promise<DatasetFacts> {
  if (isIdxName(dataset)) {
    const { dims } = DATASET_INFO[dataset].files.train.images;
    return {
      count: dims[0]!,
      shape: imageShape(dataset),
      classes: 10,
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      digest: DATASET_INFO[dataset].files.train.images.sha256,
      source: dataset,
    };
  }
  const set = await loadDecoded(dataset, dataDir, hooks);
  return {
    count: set.count,
    shape: set.shape,
    classes: set.classNames?.length ?? 0,
    classNames: set.classNames,
    digest: set.digest,
    source: set.source,
  };
}

/**
 * The IDX dataset a value names, for the parts that need a test split and a pinned classifier (only MNIST and
 * Fashion-MNIST have both so far); planning refuses the other datasets there first, so this is a last guard.
 * @throws {TypeError} naming `what` and the value otherwise.
 */
export function requireIdx(dataset: unknown, what: string): DatasetName {
  if (isIdxName(dataset)) return dataset;
  throw new TypeError(
    `${what} needs mnist or fashion-mnist (a test split and a pinned classifier), not ${JSON.stringify(dataset)}`,
  );
}
