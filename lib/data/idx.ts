/**
 * The IDX file format of MNIST and Fashion-MNIST: a 4-byte magic number
 * (`00 00 <dtype> <ndims>`), `ndims` big-endian uint32 sizes, then the data in
 * row-major order. Only dtype `0x08` (unsigned byte) is supported: it is the
 * only one these datasets use. Files may be gzipped (detected by `1f 8b`).
 *
 * Every failure names the file, the byte offset and what was expected.
 * @module
 */
import { gunzip, isGzip } from "./gzip.ts";

/** IDX dtype code of unsigned bytes, the only one read here. */
export const IDX_UBYTE = 0x08;

const DTYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  /** Sizes from the header, outermost first (e.g. `[60000, 28, 28]`). */
  dims: number[];
  /** The values, row-major; a view into the parsed buffer. */
  data: Uint8Array;
}

/** An IDX file read from disk. */
export interface IdxFile extends IdxArray {
  /** The whole uncompressed file, header included (what checksums cover). */
  bytes: Uint8Array;
  /** Whether the file on disk was gzipped. */
  gzip: boolean;
}

/**
 * A file that is not a well-formed IDX file. `source` names the file and
 * `offset` the byte where the problem is (in the uncompressed bytes).
 */
export class IdxFormatError extends SyntaxError {
  /** The file (or label) the bytes came from. */
  readonly source: string;
  /** Byte offset of the problem, counted in the uncompressed data. */
  readonly offset: number;

  /**
   * @param source The file the bytes came from.
   * @param offset Byte offset of the problem.
   * @param detail What was wrong, with expected and actual values.
   */
  constructor(source: string, offset: number, detail: string) {
    super(`${source}: ${detail}`);
    this.name = "IdxFormatError";
    this.source = source;
    this.offset = offset;
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Parse the bytes of an (uncompressed) IDX file of unsigned bytes.
 *
 * @param bytes The whole file.
 * @param source The file name, for error messages.
 * @param ndims If given, the number of dimensions the header must declare
 *   (3 for images, 1 for labels).
 * @returns The dimensions and a view of the data.
 * @throws {IdxFormatError} On a bad magic number, a dtype other than `0x08`,
 *   an unexpected number of dimensions, or a length that does not match the
 *   dimensions (truncated or with trailing bytes).
 * @example Parse a 1-D label file
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * const { dims, data } = parseIdx(
 *   new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 5, 0]),
 *   "labels",
 * );
 * // dims: [2], data: Uint8Array [5, 0]
 * ```
 */
export function parseIdx(
  bytes: Uint8Array,
  source: string,
  ndims?: number,
): IdxArray {
  const n = bytes.length;
  const wantMagic = `00 00 08 ${ndims === undefined ? "0N" : ndims.toString(16).padStart(2, "0")}`;
  if (n < 4) {
    throw new IdxFormatError(
      source,
      n,
      `file is ${n} bytes long, too short for the 4-byte IDX magic number ` +
        `(expected ${wantMagic})`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(
      source,
      0,
      `bad IDX magic number at byte 0: expected ${wantMagic}, got ${hex(bytes.subarray(0, 4))}`,
    );
  }
  const dtype = bytes[2] ?? 0;
  if (dtype !== IDX_UBYTE) {
    const what = DTYPE_NAMES[dtype] ?? "not an IDX type";
    throw new IdxFormatError(
      source,
      2,
      `unsupported IDX data type at byte 2: expected 0x08 (unsigned byte), ` +
        `got 0x${dtype.toString(16).padStart(2, "0")} (${what})`,
    );
  }
  const rank = bytes[3] ?? 0;
  if (rank === 0 || (ndims !== undefined && rank !== ndims)) {
    throw new IdxFormatError(
      source,
      3,
      `IDX header declares ${rank} dimensions at byte 3, expected ${ndims ?? "at least 1"}`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (n < headerBytes) {
    throw new IdxFormatError(
      source,
      n,
      `truncated IDX header: ${rank} dimensions need ${headerBytes} header ` +
        `bytes, the file has ${n}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  const expected = headerBytes + size;
  if (n !== expected) {
    const shape = dims.join("×");
    const detail = n < expected
      ? `truncated: the header declares ${shape} bytes of data, so the file ` +
        `should be ${expected} bytes, but it is ${n} (${expected - n} missing from byte ${n} on)`
      : `${n - expected} unexpected trailing bytes: the header declares ` +
        `${shape} bytes of data, so the file should be ${expected} bytes, ` +
        `but it is ${n}`;
    throw new IdxFormatError(source, Math.min(n, expected), detail);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * Encode an array of unsigned bytes as an IDX file (for tests and fixtures).
 *
 * @param dims Sizes, outermost first.
 * @param data Row-major values; its length must be the product of `dims`.
 * @returns The file's bytes.
 * @throws {RangeError} When `data.length` does not match `dims`.
 * @example Encode two labels
 * ```ts
 * import { encodeIdx } from "./idx.ts";
 * encodeIdx([2], new Uint8Array([5, 0])); // 00 00 08 01 00 00 00 02 05 00
 * ```
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new RangeError(
      `Cannot encode IDX: dims ${dims.join("×")} need ${size} values, ` +
        `got ${data.length}`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * Check that a labels file has one label per image: the first dimension of
 * both headers (bytes 4-7) must agree.
 *
 * @param images The parsed images file.
 * @param labels The parsed labels file.
 * @param imagesSource The images file's name, for the message.
 * @param labelsSource The labels file's name, for the message.
 * @throws {IdxFormatError} Naming both files and both counts.
 * @example Matching counts pass
 * ```ts
 * import { assertSameCount } from "./idx.ts";
 * assertSameCount({ dims: [2, 1, 1], data: new Uint8Array(2) }, {
 *   dims: [2],
 *   data: new Uint8Array(2),
 * }, "images", "labels");
 * ```
 */
export function assertSameCount(
  images: IdxArray,
  labels: IdxArray,
  imagesSource: string,
  labelsSource: string,
): void {
  const count = images.dims[0] ?? 0;
  const labelCount = labels.dims[0] ?? 0;
  if (count !== labelCount) {
    throw new IdxFormatError(
      labelsSource,
      4,
      `count mismatch: the header (bytes 4-7) declares ${labelCount} labels, ` +
        `but ${imagesSource} declares ${count} images; expected one label ` +
        `per image`,
    );
  }
}

/**
 * Decompress `raw` when it is gzip, then parse it as IDX.
 *
 * @param raw The file's bytes as stored.
 * @param source The file name, for error messages.
 * @param ndims If given, the number of dimensions the header must declare.
 * @returns The parsed file.
 * @throws {IdxFormatError} On a damaged gzip stream or a malformed IDX file.
 */
export async function decodeIdx(
  raw: Uint8Array,
  source: string,
  ndims?: number,
): Promise<IdxFile> {
  if (!isGzip(raw)) {
    return { ...parseIdx(raw, source, ndims), bytes: raw, gzip: false };
  }
  let bytes: Uint8Array;
  try {
    bytes = await gunzip(raw);
  } catch (e) {
    throw new IdxFormatError(
      source,
      raw.length,
      `not a complete gzip stream (truncated or damaged; ${raw.length} ` +
        `compressed bytes): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const label = `${source} (after gunzip)`;
  return { ...parseIdx(bytes, label, ndims), bytes, gzip: true };
}

/**
 * Read an IDX file, plain or gzipped, and parse it.
 *
 * @param path The file.
 * @param ndims If given, the number of dimensions the header must declare.
 * @returns The parsed file with its uncompressed bytes.
 * @throws {IdxFormatError} On a damaged gzip stream or a malformed IDX file.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @example Read MNIST test labels
 * ```ts ignore
 * import { readIdxFile } from "./idx.ts";
 * const labels = await readIdxFile("t10k-labels-idx1-ubyte", 1);
 * labels.dims; // [10000]
 * ```
 */
export async function readIdxFile(
  path: string,
  ndims?: number,
): Promise<IdxFile> {
  return await decodeIdx(await Deno.readFile(path), path, ndims);
}
