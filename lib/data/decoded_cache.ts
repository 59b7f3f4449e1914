/**
 * The decoded-image cache: a folder of images decoded once is kept as bytes under its content digest, so the next
 * run on it starts in seconds. Each entry is one file, `<cache root>/decoded/<digest>.bin`, written atomically
 * (a reader sees a whole entry or none): `GANDSET1`, a 4-byte little-endian header length, a JSON header (count,
 * shape, class names), the images, then the labels.
 *
 * The cache root is the datasets' (`$GAN_HARNESS_DATA`, else `$XDG_CACHE_HOME/gan-harness`, else
 * `~/.cache/gan-harness`). Where it cannot be written the images are decoded every time, with a warning.
 * @module
 */
import { join } from "@std/path";
import { writeFileAtomic } from "../atomic_write.ts";
import { cacheRoot } from "./dataset_search.ts";
import type { DecodedSet } from "./decoded_set.ts";

const MAGIC = new TextEncoder().encode("GANDSET1");

interface Header {
  count: number;
  shape: DecodedSet["shape"];
  classNames: string[] | null;
}

/** The cache file of a digest, or null when no cache root is known. */
export function cachePath(digest: string, root = cacheRoot()): string | null {
  return root === null ? null : join(root, "decoded", `${digest}.bin`);
}

/** The cached set of `digest`, or null when there is none (or it is not a whole entry). */
export async function readDecoded(digest: string, source: string, root?: string | null): Promise<DecodedSet | null> {
  const path = cachePath(digest, root ?? cacheRoot());
  if (path === null) return null;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    return null;
  }
  if (bytes.length < 12 || MAGIC.some((b, i) => bytes[i] !== b)) return null;
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch {
    return null;
  }
  const imageBytes = header.count * header.shape[0] * header.shape[1] * header.shape[2];
  const labelBytes = header.classNames ? header.count : 0;
  const start = 12 + length;
  if (bytes.length !== start + imageBytes + labelBytes) return null;
  return {
    images: bytes.slice(start, start + imageBytes),
    count: header.count,
    shape: header.shape,
    labels: header.classNames ? bytes.slice(start + imageBytes) : null,
    classNames: header.classNames,
    digest,
    source,
  };
}

/**
 * Keep a decoded set under its digest.
 * @returns null when written, else why not (the caller warns; the set is still usable).
 */
export async function writeDecoded(set: DecodedSet, root?: string | null): Promise<string | null> {
  const path = cachePath(set.digest, root ?? cacheRoot());
  if (path === null) return "no cache folder is known (set GAN_HARNESS_DATA or HOME)";
  const header = new TextEncoder().encode(
    JSON.stringify({ count: set.count, shape: set.shape, classNames: set.classNames } satisfies Header),
  );
  const out = new Uint8Array(12 + header.length + set.images.length + (set.labels?.length ?? 0));
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(set.images, 12 + header.length);
  if (set.labels) out.set(set.labels, 12 + header.length + set.images.length);
  try {
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await writeFileAtomic(path, out);
    return null;
  } catch (e) {
    return `${path}: ${(e as Error).message}`;
  }
}
