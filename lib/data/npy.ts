/**
 * NumPy `.npy` files (format versions 1–3, as `numpy.save` writes them): images as uint8 (0–255) or float32
 * (0–1), labels as any integer dtype.
 *
 * Image layout is told apart by where the channel axis (size 1 or 3) is: `[n, h, w]` is grayscale; `[n, h, w, c]`
 * is NHWC and `[n, c, h, w]` is NCHW. A shape that reads both ways (`[n, 3, 3, 3]`, `[n, 1, 5, 1]`) or neither is
 * refused: save it with `np.save` after a transpose that makes it plain.
 * @module
 */
import { DatasetError } from "./dataset_info.ts";
import { classCount, type DecodedSet } from "./decoded_set.ts";
import { MAX_CLASSES } from "./decoded_set.ts";
import type { NpySource } from "./sources.ts";
import { sha256Hex } from "../sha256.ts";

/** A parsed `.npy` file. */
export interface NpyArray {
  /** NumPy's dtype string, e.g. `|u1`, `<f4`, `<i8`. */
  descr: string;
  shape: number[];
  /** The data bytes (after the header). */
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function fail(path: string, problem: string): never {
  throw new DatasetError(`${path}: ${problem}`);
}

/** Parse the header dict `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(path: string, text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    fail(path, `the .npy header ${JSON.stringify(text.trim())} lacks 'descr', 'fortran_order' or 'shape'`);
  }
  const dims = shape.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail(path, `the .npy shape (${shape}) is not a tuple of sizes`);
  return { descr, fortran: fortran === "True", shape: dims };
}

/**
 * Read a `.npy` file.
 * @throws {DatasetError} naming the file when it is not a whole `.npy` file or is in Fortran order.
 */
export async function readNpy(path: string): Promise<NpyArray> {
  const bytes = await readBytes(path);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(path, "not a NumPy .npy file (it does not start with \\x93NUMPY); save the array with numpy.save");
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) {
    fail(path, `truncated: the header says ${headerLen} bytes, the file is shorter`);
  }
  const header = parseHeader(path, new TextDecoder().decode(bytes.subarray(start, start + headerLen)));
  if (header.fortran) fail(path, "the array is in Fortran order; save np.ascontiguousarray(x) instead");
  const data = bytes.subarray(start + headerLen);
  const expected = header.shape.reduce((a, b) => a * b, 1) * itemSize(path, header.descr);
  if (data.length !== expected) {
    fail(
      path,
      `${data.length} data bytes, but shape (${header.shape.join(", ")}) of ${header.descr} needs ${expected}`,
    );
  }
  return { descr: header.descr, shape: header.shape, data };
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      fail(path, "no such file; check the path (a relative one is taken from the experiment file's folder)");
    }
    if (e instanceof Deno.errors.NotCapable) fail(path, `${(e as Error).message}: grant read access (--allow-read)`);
    throw e;
  }
}

function itemSize(path: string, descr: string): number {
  const m = /^[<>|=]?[uif](\d+)$/.exec(descr);
  if (!m) fail(path, `dtype ${descr} is not a number type; expected uint8 or float32 images, integer labels`);
  return Number(m[1]);
}

/** Where an image array's channel axis is, or why it cannot be told. */
function layoutOf(path: string, shape: number[]): "gray" | "nhwc" | "nchw" {
  if (shape.length === 3) return "gray";
  if (shape.length !== 4) {
    fail(path, `shape (${shape.join(", ")}): expected images as [n, h, w], [n, h, w, c] or [n, c, h, w]`);
  }
  const last = shape[3] === 1 || shape[3] === 3;
  const second = shape[1] === 1 || shape[1] === 3;
  if (last && !second) return "nhwc";
  if (second && !last) return "nchw";
  fail(
    path,
    `shape (${shape.join(", ")}) is ${
      last ? "ambiguous: axis 1 and axis 3 could both be channels" : "not images: " +
        "no axis of 1 or 3 channels at position 1 (NCHW) or 3 (NHWC)"
    }; save it as NHWC [n, h, w, c] with h, w > 3`,
  );
}

/** Image bytes (0–255) from uint8 or float32 (0–1) data. */
function toBytes(path: string, array: NpyArray): Uint8Array {
  const { descr, data } = array;
  if (/^[|<>=]?u1$/.test(descr)) return data;
  if (descr === "<f4" || descr === "=f4") {
    const floats = new Float32Array(data.slice().buffer);
    const out = new Uint8Array(floats.length);
    for (let i = 0; i < floats.length; i++) {
      const v = floats[i]!;
      if (!(v >= 0 && v <= 1)) {
        fail(path, `float32 value ${v} at index ${i}: float images must lie in [0, 1] (or save them as uint8 0–255)`);
      }
      out[i] = Math.round(v * 255);
    }
    return out;
  }
  fail(path, `dtype ${descr}: images must be uint8 (|u1) or little-endian float32 (<f4)`);
}

/** The NHWC shape of an image array of `layout`. */
function nhwcShape(shape: number[], layout: "gray" | "nhwc" | "nchw"): DecodedSet["shape"] {
  if (layout === "gray") return [shape[1]!, shape[2]!, 1];
  if (layout === "nhwc") return [shape[1]!, shape[2]!, shape[3]!];
  return [shape[2]!, shape[3]!, shape[1]!];
}

function transposeNchw(bytes: Uint8Array, n: number, c: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * c * plane;
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < plane; p++) out[base + p * c + ch] = bytes[base + ch * plane + p]!;
    }
  }
  return out;
}

/** Integer labels as class indices 0..k-1 in a byte each. */
function readLabels(path: string, array: NpyArray, count: number): Uint8Array {
  const m = /^([<>|=]?)([iu])(\d)$/.exec(array.descr);
  if (!m) fail(path, `dtype ${array.descr}: labels must be integers (int8 to int64, uint8 to uint64)`);
  if (array.shape.length !== 1) fail(path, `shape (${array.shape.join(", ")}): labels must be one integer per image`);
  if (array.shape[0] !== count) fail(path, `${array.shape[0]} labels for ${count} images; expected one per image`);
  const size = Number(m[3]);
  const little = m[1] !== ">";
  const view = new DataView(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const v = m[2] === "u"
      ? (size === 1
        ? view.getUint8(at)
        : size === 2
        ? view.getUint16(at, little)
        : size === 4
        ? view.getUint32(at, little)
        : Number(view.getBigUint64(at, little)))
      : (size === 1
        ? view.getInt8(at)
        : size === 2
        ? view.getInt16(at, little)
        : size === 4
        ? view.getInt32(at, little)
        : Number(view.getBigInt64(at, little)));
    if (v < 0 || v >= MAX_CLASSES) {
      fail(path, `label ${v} at index ${i}: labels must be class numbers 0 to ${MAX_CLASSES - 1}`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Load a `{ npy, labels? }` source (paths already absolute).
 * @throws {DatasetError} naming the file for a wrong dtype, rank or layout, out-of-range values, or a label count
 *   that differs from the images'.
 */
export async function loadNpySource(source: NpySource): Promise<DecodedSet> {
  const array = await readNpy(source.npy);
  const layout = layoutOf(source.npy, array.shape);
  const count = array.shape[0]!;
  if (count === 0) fail(source.npy, "holds no images (shape starts with 0)");
  let images = toBytes(source.npy, array);
  const shape = nhwcShape(array.shape, layout);
  if (layout === "nchw") images = transposeNchw(images, count, shape[2], shape[0], shape[1]);
  const labelArray = source.labels === undefined ? null : await readNpy(source.labels);
  const labels = labelArray && source.labels ? readLabels(source.labels, labelArray, count) : null;
  const classes = labels ? classCount(labels) : 0;
  const digest = await sha256Hex(
    `npy-v1 ${await sha256Hex(array.data)} ${array.descr} ${array.shape} ${
      labelArray ? await sha256Hex(labelArray.data) : "-"
    }`,
  );
  return {
    images,
    count,
    shape,
    labels,
    classNames: labels ? Array.from({ length: classes }, (_, i) => String(i)) : null,
    digest,
    source: source.npy,
  };
}
