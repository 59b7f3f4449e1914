/**
 * Internal helpers for the harness's wasm kernels: call the stock wasm
 * kernels directly (no engine bookkeeping) and free intermediates.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A tensor as a kernel sees it. */
export type Info = tf.TensorInfo;

/** The stock wasm kernel functions, captured before any re-registration. */
const stock = new Map<string, tf.KernelFunc>();

/**
 * Remember the currently registered wasm kernel `name` as the stock one
 * (first call wins, so re-registration never captures our own wrapper).
 * @throws {Error} if no wasm kernel `name` is registered.
 */
export function captureStock(name: string): tf.KernelFunc {
  const known = stock.get(name);
  if (known) return known;
  const config = tf.getKernel(name, "wasm");
  if (!config) {
    throw new Error(
      `Cannot set up wasm kernels: stock kernel '${name}' is not registered ` +
        `for backend 'wasm' (import "@tensorflow/tfjs-backend-wasm" first)`,
    );
  }
  stock.set(name, config.kernelFunc);
  return config.kernelFunc;
}

/** Time spent per stock kernel inside our kernels, when enabled. */
let timing: Map<string, { ms: number; calls: number }> | undefined;

/**
 * Start (or stop, with `false`) timing the stock kernels our kernels call;
 * returns the table filled so far. Timings are wall clock: wasm kernels are
 * synchronous.
 */
export function innerKernelTiming(
  on: boolean,
): Map<string, { ms: number; calls: number }> {
  const table = timing ?? new Map();
  timing = on ? table : undefined;
  return table;
}

/** Run the stock wasm kernel `name` and return its single output. */
export function run(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): Info {
  const fn = stock.get(name) ?? captureStock(name);
  const t0 = timing ? performance.now() : 0;
  const out = fn({ inputs, backend, attrs });
  if (timing) {
    const e = timing.get(name) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    timing.set(name, e);
  }
  if (Array.isArray(out)) {
    const [first] = out;
    if (!first) throw new Error(`wasm kernel '${name}' returned no output`);
    return first;
  }
  return out;
}

/** Free intermediates made by {@linkcode run}. */
export function free(backend: BackendWasm, ...infos: Info[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** The first float of a float32 tensor in the wasm heap (a scalar's value), read in place. */
export function scalarOf(b: BackendWasm, x: Info): number {
  return (b.typedArrayFromHeap(x) as Float32Array)[0]!;
}

/** `tf.mean(x)` (every axis) as a kernel call: the stock `Mean`, as the op runs it. */
export function meanOfAll(b: BackendWasm, x: Info): Info {
  return run("Mean", b, { x }, { axis: x.shape.map((_, i) => i), keepDims: false });
}

/** `tf.transpose` as a kernel call. */
export function transpose(b: BackendWasm, x: Info, perm: number[]): Info {
  return run("Transpose", b, { x }, { perm });
}

/** `tf.reshape` as a kernel call (shares the data; free it like any other). */
export function reshape(b: BackendWasm, x: Info, shape: number[]): Info {
  return run("Reshape", b, { x }, { shape });
}

/** `tf.slice` as a kernel call. */
export function slice(
  b: BackendWasm,
  x: Info,
  begin: number[],
  size: number[],
): Info {
  return run("Slice", b, { x }, { begin, size });
}

/** Zero padding as a kernel call; `paddings` is `[before, after]` per axis. */
export function pad(b: BackendWasm, x: Info, paddings: number[][]): Info {
  return run("PadV2", b, { x }, { paddings, constantValue: 0 });
}

/** `tf.concat` as a kernel call. */
export function concat(b: BackendWasm, xs: Info[], axis: number): Info {
  return run("Concat", b, xs as unknown as tf.NamedTensorInfoMap, { axis });
}

/** A float32 tensor of zeros. */
export function zeros(b: BackendWasm, shape: number[]): Info {
  return run("Fill", b, {}, { shape, value: 0, dtype: "float32" });
}

/**
 * Stride-1 NHWC Conv2D (XNNPACK) with explicit padding and dilation, where a
 * negative pad crops the input instead.
 */
export function conv2dSigned(
  b: BackendWasm,
  x: Info,
  filter: Info,
  pads: { top: number; bottom: number; left: number; right: number },
  dilations: [number, number],
): Info {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const cropTop = Math.max(0, -pads.top);
  const cropBottom = Math.max(0, -pads.bottom);
  const cropLeft = Math.max(0, -pads.left);
  const cropRight = Math.max(0, -pads.right);
  let input = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    input = slice(b, x, [0, cropTop, cropLeft, 0], [
      n,
      h - cropTop - cropBottom,
      w - cropLeft - cropRight,
      c,
    ]);
  }
  const out = run("Conv2D", b, { x: input, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [Math.max(0, pads.top), Math.max(0, pads.bottom)], [
      Math.max(0, pads.left),
      Math.max(0, pads.right),
    ], [0, 0]],
    dataFormat: "NHWC",
    dilations,
  });
  if (input !== x) free(b, input);
  return out;
}
