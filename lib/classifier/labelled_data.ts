/**
 * The images a dataset's domain classifier trains and is tested on, and the real images the quality metrics
 * compare generated ones with, for any dataset value a config can name.
 *
 * - MNIST and Fashion-MNIST: the training split, the test split (10,000 images) as the real side.
 * - Every other labelled set (`emoji`, `{ images }`, `{ npy, labels }`, `{ cifar }`): one test split of 10% of the
 *   images, drawn by a fixed seed, holds out the classifier's test images; the real side of the metrics is the
 *   whole set in that seeded order (the set the generator learnt from, as FID is taken on CIFAR-10's training
 *   images), at most all of it.
 * - An unlabelled set has no classifier, so no classifier metric (FCD, KID, classifier score, coverage,
 *   precision/recall, labelAccuracy) applies to it.
 * @module
 */
import { type DatasetName, loadDataset } from "../data/datasets.ts";
import { datasetFacts, type DatasetValue, isIdxName, loadDecoded } from "../data/dataset_ref.ts";
import { DatasetError } from "../data/dataset_info.ts";
import type { DecodedSet } from "../data/decoded_set.ts";
import { Rng } from "../rng.ts";

/** Labelled images: bytes, NHWC. */
export interface LabelledImages {
  /** `count × h × w × c` bytes. */
  images: Uint8Array;
  /** The class of each image. */
  labels: Uint8Array;
  count: number;
  /** Height, width, channels. */
  shape: [number, number, number];
}

/** What a dataset's classifier is trained and tested on. */
export interface ClassifierData {
  /** The classifier's folder under `classifiers/` and its key in the manifest. */
  id: string;
  /** Height, width, channels. */
  shape: [number, number, number];
  /** Class names in label order. */
  classNames: string[];
  /** The dataset's content digest. */
  digest: string;
  /** Where it was read from. */
  source: string;
  train: LabelledImages;
  test: LabelledImages;
  /** How the test images were chosen. */
  split: string;
}

/** Seed of the held-out split and of the real side's order: fixed, so every run and machine agree. */
export const HOLDOUT_SEED = 0;
/** Share of a labelled source held out to test its classifier. */
export const HOLDOUT_SHARE = 0.1;
/** The real images of MNIST's and Fashion-MNIST's test split. */
export const IDX_TEST_IMAGES = 10_000;

/**
 * The classifier id of a dataset: its name for the built-in ones, `data-` and 16 hex digits of the content digest
 * for a source of one's own (so editing the files asks for a new classifier).
 */
export function classifierId(dataset: DatasetValue, digest: string): string {
  return typeof dataset === "string" ? dataset : `data-${digest.slice(0, 16)}`;
}

/** The command that trains and pins a dataset's classifier (a source as JSON, its paths absolute). */
export function classifierCommand(dataset: DatasetValue): string {
  return `deno task classifier --dataset ${typeof dataset === "string" ? dataset : `'${JSON.stringify(dataset)}'`}`;
}

/**
 * What a dataset's classifier trains and tests on.
 * @param dataDir The folder a source's relative paths resolve against.
 * @throws {DatasetError} for an unlabelled set, or one with a single class.
 */
export async function classifierData(dataset: DatasetValue, dataDir: string): Promise<ClassifierData> {
  if (isIdxName(dataset)) return idxData(dataset);
  const set = await labelled(dataset, dataDir);
  const order = seededOrder(set.count);
  const held = Math.max(1, Math.round(set.count * HOLDOUT_SHARE));
  return {
    id: classifierId(dataset, set.digest),
    shape: set.shape,
    classNames: set.classNames!,
    digest: set.digest,
    source: set.source,
    train: pick(set, order.subarray(held)),
    test: pick(set, order.subarray(0, held)),
    split: `${held} images (${100 * HOLDOUT_SHARE}%) held out by seed ${HOLDOUT_SEED}`,
  };
}

/**
 * The real images the metrics compare with: the first `n` of MNIST's or Fashion-MNIST's test split, or of a
 * source's images in the seeded order.
 * @throws {RangeError} when the dataset holds fewer than `n` images there.
 */
export async function referenceImages(dataset: DatasetValue, dataDir: string, n: number): Promise<LabelledImages> {
  if (isIdxName(dataset)) {
    const test = await loadDataset(dataset, "test", { limit: n });
    return { images: test.images, labels: test.labels, count: test.count, shape: [test.rows, test.cols, 1] };
  }
  const set = await labelled(dataset, dataDir);
  if (n > set.count) {
    throw new RangeError(`Cannot evaluate with n = ${n}: ${set.source} holds ${set.count} images; use at most that`);
  }
  return pick(set, seededOrder(set.count).subarray(0, n));
}

/** The most real images a dataset's metrics can compare with. */
export async function referenceLimit(dataset: DatasetValue, dataDir: string): Promise<number> {
  return isIdxName(dataset) ? IDX_TEST_IMAGES : (await datasetFacts(dataset, dataDir)).count;
}

async function idxData(name: DatasetName): Promise<ClassifierData> {
  const toLabelled = (s: Awaited<ReturnType<typeof loadDataset>>): LabelledImages => ({
    images: s.images,
    labels: s.labels,
    count: s.count,
    shape: [s.rows, s.cols, 1],
  });
  const train = toLabelled(await loadDataset(name, "train"));
  return {
    id: name,
    shape: train.shape,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    digest: "",
    source: name,
    train,
    test: toLabelled(await loadDataset(name, "test")),
    split: "the dataset's test split",
  };
}

async function labelled(dataset: DatasetValue, dataDir: string): Promise<DecodedSet & { labels: Uint8Array }> {
  const set = await loadDecoded(dataset, dataDir);
  if (set.labels === null || set.classNames === null) throw unlabelled(set.source);
  if (set.classNames.length < 2) {
    throw new DatasetError(
      `${set.source}: one class (${set.classNames[0]}): a classifier needs at least two classes to learn features`,
    );
  }
  return set as DecodedSet & { labels: Uint8Array };
}

/** The error for a classifier or a metric asked of an unlabelled set. */
export function unlabelled(source: string): DatasetError {
  return new DatasetError(
    `${source}: unlabelled (no class subfolders, no labels file), so it has no domain classifier and no ` +
      "classifier metric applies (FCD, KID, classifier score, coverage, precision/recall); judge its runs by " +
      "their losses and sample grids, or give it labels: class subfolders, or { npy, labels }",
  );
}

/** The indices 0…count−1 in the fixed seeded order. */
function seededOrder(count: number): Uint32Array {
  const order = Array.from({ length: count }, (_, i) => i);
  new Rng(HOLDOUT_SEED).shuffle(order);
  return Uint32Array.from(order);
}

function pick(set: DecodedSet & { labels: Uint8Array }, indices: Uint32Array): LabelledImages {
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((j, i) => {
    images.set(set.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = set.labels[j]!;
  });
  return { images, labels, count: indices.length, shape: set.shape };
}
