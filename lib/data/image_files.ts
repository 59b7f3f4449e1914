/**
 * Decode a list of PNG/JPEG files into one {@linkcode DecodedSet}: each image composited on white (RGBA), scaled
 * to cover `size`×`size` and centre-cropped (jimp's `cover`), then kept as RGB or gray bytes. The set is keyed by
 * the files' content and the preprocessing, and kept in the decoded cache (`decoded_cache.ts`): a second run hashes
 * the files and reads the cache instead of decoding them.
 * @module
 */
import { DatasetError } from "./dataset_info.ts";
import type { DecodedSet } from "./decoded_set.ts";
import { readDecoded, writeDecoded } from "./decoded_cache.ts";
import { sha256Hex } from "../sha256.ts";
import { lateImport } from "../late_import.ts";

/** One image file and its class (null in an unlabelled set). */
export interface ImageFile {
  path: string;
  /** The name it is keyed by (the path relative to the source), so that moving the folder keeps its digest. */
  name: string;
  label: number | null;
}

/** How to decode a list of files. */
export interface DecodeOptions {
  /** Side of the square the images are brought to. */
  size: number;
  /** 1 (gray) or 3 (RGB); undefined = 3 when any image is in colour, else 1. */
  channels: 1 | 3 | undefined;
  /** Class names in label order, or null for an unlabelled set. */
  classNames: string[] | null;
  /** The folder or package the files are of (absolute), for the set and for messages. */
  source: string;
  /** Told `(done, total)` while decoding. */
  progress?: (done: number, total: number) => void;
  /** Told why the decoded set could not be cached. */
  warn?: (message: string) => void;
  /** The cache root (default: the datasets' cache root, `cacheRoot()`). */
  cacheDir?: string;
}

/** The preprocessing version: bump it when decoding changes, so old cache entries are not used. */
const FORMAT = "images-v1";

async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      throw new DatasetError(`${path}: ${(e as Error).message}: grant read access to the folder (--allow-read)`);
    }
    throw new DatasetError(`${path}: cannot be read (${(e as Error).message})`);
  }
}

/** The digest of the files' content and the preprocessing. */
async function digestOf(files: readonly ImageFile[], options: DecodeOptions): Promise<string> {
  const lines = [`${FORMAT} size=${options.size} channels=${options.channels ?? "auto"}`];
  if (options.classNames) lines.push(`classes=${JSON.stringify(options.classNames)}`);
  for (const f of files) lines.push(`${f.name}\t${f.label ?? "-"}\t${await sha256Hex(await readImageFile(f.path))}`);
  return sha256Hex(lines.join("\n"));
}

/** RGB to gray: the ITU-R 601 luma, as PIL's `convert("L")`. */
function toGray(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) {
    out[p] = Math.round(0.299 * rgb[3 * p]! + 0.587 * rgb[3 * p + 1]! + 0.114 * rgb[3 * p + 2]!);
  }
  return out;
}

/**
 * Decode `files` (or read them from the cache).
 * @throws {DatasetError} naming the file that cannot be read or decoded; nothing is cached then.
 */
export async function decodeImageFiles(files: readonly ImageFile[], options: DecodeOptions): Promise<DecodedSet> {
  const digest = await digestOf(files, options);
  const cached = await readDecoded(digest, options.source, options.cacheDir);
  if (cached) return cached;
  const { size } = options;
  const { decodeImage } = await lateImport<typeof import("./image_decode.ts")>(
    new URL("./image_decode.ts", import.meta.url),
  ); // jimp loads only when there is something to decode
  const rgb = new Uint8Array(files.length * size * size * 3);
  let colour = false;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const one = decodeImage(await readImageFile(file.path), file.path, size);
    rgb.set(one.rgb, i * size * size * 3);
    colour ||= one.colour;
    options.progress?.(i + 1, files.length);
  }
  const channels = options.channels ?? (colour ? 3 : 1);
  const labelled = options.classNames !== null;
  const set: DecodedSet = {
    images: channels === 3 ? rgb : toGray(rgb),
    count: files.length,
    shape: [size, size, channels],
    labels: labelled ? Uint8Array.from(files, (f) => f.label ?? 0) : null,
    classNames: options.classNames,
    digest,
    source: options.source,
  };
  const problem = await writeDecoded(set, options.cacheDir);
  if (problem) options.warn?.(`the decoded images are not cached (${problem}): they will be decoded again next time`);
  return set;
}
