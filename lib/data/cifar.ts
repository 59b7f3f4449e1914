/**
 * The binary version of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html): records of label
 * byte(s) then 3,072 bytes, the 32×32 red plane, then green, then blue.
 *
 * - CIFAR-10 (`cifar-10-binary.tar.gz` unpacks to `cifar-10-batches-bin/`): `data_batch_1.bin` … `data_batch_5.bin`
 *   (the 50,000 training images) and `test_batch.bin`, 1 label byte a record (3,073 bytes), class names in
 *   `batches.meta.txt`.
 * - CIFAR-100 (`cifar-100-binary/`): `train.bin` and `test.bin`, a coarse and a fine label byte (3,074 bytes); the
 *   fine label (100 classes, names in `fine_label_names.txt`) is the class.
 *
 * The source names the folder (its training files are read) or one `.bin` file.
 * @module
 */
import { basename, dirname, join } from "@std/path";
import { DatasetError } from "./dataset_info.ts";
import { classCount, type DecodedSet } from "./decoded_set.ts";
import type { CifarSource } from "./sources.ts";
import { sha256Hex } from "../sha256.ts";

const PIXELS = 32 * 32;
const IMAGE_BYTES = 3 * PIXELS;

/** One CIFAR variant: its training files, label bytes per record and class-name file. */
interface Variant {
  name: string;
  /** Bytes before the image in a record; the last of them is the class. */
  labelBytes: 1 | 2;
  namesFile: string;
}
const CIFAR10: Variant = { name: "CIFAR-10", labelBytes: 1, namesFile: "batches.meta.txt" };
const CIFAR100: Variant = { name: "CIFAR-100", labelBytes: 2, namesFile: "fine_label_names.txt" };

function fail(path: string, problem: string): never {
  throw new DatasetError(`${path}: ${problem}`);
}

/** The variant a file is of, by its name (CIFAR-100's are `train.bin` and `test.bin`). */
function variantOf(file: string): Variant {
  return /^(train|test)\.bin$/.test(basename(file)) ? CIFAR100 : CIFAR10;
}

/** The training files of a folder, or the one file named. */
async function trainingFiles(path: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      fail(path, "no such file or folder; unpack cifar-10-binary.tar.gz there (or name the folder it made)");
    }
    if (e instanceof Deno.errors.NotCapable) fail(path, `${(e as Error).message}: grant read access (--allow-read)`);
    throw e;
  }
  if (info.isFile) return [path];
  const names: string[] = [];
  for await (const entry of Deno.readDir(path)) if (entry.isFile) names.push(entry.name);
  const batches = names.filter((n) => /^data_batch_\d+\.bin$/.test(n)).sort();
  if (batches.length > 0) return batches.map((n) => join(path, n));
  if (names.includes("train.bin")) return [join(path, "train.bin")];
  fail(
    path,
    `holds no CIFAR training file (data_batch_1.bin … for CIFAR-10, train.bin for CIFAR-100); found ${
      names.slice(0, 8).join(", ") || "nothing"
    }`,
  );
}

/** Class names from the variant's text file beside `file`, one a line; numbers when it is absent. */
async function classNames(file: string, variant: Variant, classes: number): Promise<string[]> {
  try {
    const lines = (await Deno.readTextFile(join(dirname(file), variant.namesFile))).split("\n").map((l) => l.trim())
      .filter((l) => l !== "");
    if (lines.length >= classes) return lines;
  } catch {
    // no names file: numbers will do
  }
  return Array.from({ length: classes }, (_, i) => String(i));
}

/**
 * Load a `{ cifar }` source (path already absolute): the training batches of a folder, or one file.
 * @throws {DatasetError} naming the file when its length is not a whole number of records, or it is missing.
 */
export async function loadCifarSource(source: CifarSource): Promise<DecodedSet> {
  const files = await trainingFiles(source.cifar);
  const variant = variantOf(files[0]!);
  const record = variant.labelBytes + IMAGE_BYTES;
  const parts: Uint8Array[] = [];
  for (const file of files) {
    const bytes = await Deno.readFile(file);
    if (bytes.length === 0 || bytes.length % record !== 0) {
      fail(
        file,
        `${bytes.length} bytes is not a whole number of ${record}-byte ${variant.name} records ` +
          `(${variant.labelBytes} label byte${variant.labelBytes > 1 ? "s" : ""} + 3,072 pixels); the file is ` +
          "truncated or not CIFAR's binary version (download cifar-10-binary.tar.gz, not the Python one)",
      );
    }
    parts.push(bytes);
  }
  const count = parts.reduce((n, p) => n + p.length / record, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const bytes of parts) {
    for (let at = 0; at < bytes.length; at += record, i++) {
      labels[i] = bytes[at + variant.labelBytes - 1]!;
      const out = i * IMAGE_BYTES;
      const px = at + variant.labelBytes;
      for (let p = 0; p < PIXELS; p++) {
        images[out + 3 * p] = bytes[px + p]!;
        images[out + 3 * p + 1] = bytes[px + PIXELS + p]!;
        images[out + 3 * p + 2] = bytes[px + 2 * PIXELS + p]!;
      }
    }
  }
  const classes = classCount(labels);
  const digests = await Promise.all(parts.map((p) => sha256Hex(p)));
  return {
    images,
    count,
    shape: [32, 32, 3],
    labels,
    classNames: await classNames(files[0]!, variant, classes),
    digest: await sha256Hex(`cifar-v1 ${variant.name} ${digests.join(" ")}`),
    source: source.cifar,
  };
}
