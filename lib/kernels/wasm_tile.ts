/**
 * Fast wasm `Tile`: block copies on the wasm heap instead of the stock
 * per-element loop (the batch-norm gradient tiles `[1, 1, 1, C]` up to the
 * activation shape on every step; 100+ ms per call at DCGAN sizes).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * Write `src` (shape `shape`) tiled `reps` times into `dst`.
 * Each axis: fill one copy of the block recursively, then repeat it with
 * `copyWithin`.
 */
function tileInto(
  src: Typed,
  shape: number[],
  reps: number[],
  dst: Typed,
): void {
  const rank = shape.length;
  const srcStride = new Array<number>(rank).fill(1);
  const dstStride = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) {
    srcStride[a] = (srcStride[a + 1] as number) * (shape[a + 1] as number);
    dstStride[a] = (dstStride[a + 1] as number) * (shape[a + 1] as number) *
      (reps[a + 1] as number);
  }
  const fill = (a: number, srcOff: number, dstOff: number): void => {
    const d = shape[a] as number;
    const r = reps[a] as number;
    const block = d * (dstStride[a] as number);
    if (a === rank - 1) {
      dst.set(src.subarray(srcOff, srcOff + d), dstOff);
    } else {
      for (let i = 0; i < d; i++) {
        fill(
          a + 1,
          srcOff + i * (srcStride[a] as number),
          dstOff + i * (dstStride[a] as number),
        );
      }
    }
    for (let k = 1; k < r; k++) {
      dst.copyWithin(dstOff + k * block, dstOff, dstOff + block);
    }
  };
  fill(0, 0, 0);
}

/**
 * Wrap the stock wasm `Tile` kernel: numeric tensors are tiled with block
 * copies; strings go to the stock kernel.
 *
 * @param stockFunc The stock wasm `Tile` kernel function.
 * @returns A kernel config for `tf.registerKernel`.
 */
export function fastTile(stockFunc: tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const b = args.backend as BackendWasm;
    const x = args.inputs["x"];
    const reps = args.attrs?.["reps"] as number[] | undefined;
    if (
      !x || !reps || x.dtype === "string" || x.dtype === "complex64" ||
      x.shape.length === 0 || reps.length !== x.shape.length
    ) {
      return stockFunc(args);
    }
    const outShape = x.shape.map((d, i) => d * (reps[i] as number));
    const out = b.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    // Views after makeOutput: allocation may grow (and detach) the heap.
    const src = b.typedArrayFromHeap(x) as Typed;
    const dst = b.typedArrayFromHeap(out) as Typed;
    tileInto(src, x.shape, reps, dst);
    return out;
  };
  return { kernelName: "Tile", backendName: "wasm", kernelFunc };
}
