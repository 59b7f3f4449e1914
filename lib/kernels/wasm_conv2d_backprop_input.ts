/**
 * Fast wasm `Conv2DBackpropInput` (the input gradient of Conv2D, and the
 * forward pass of Conv2DTranspose) instead of the stock naive loop: as
 * blocked GEMMs and col2im on the harness's GEMM (wasm_conv_gemm.ts) where
 * its SIMD module runs, otherwise with the XNNPACK-backed wasm `Conv2D`
 * kernel as follows.
 *
 * With stride `s`, the rows of `dx` split into `s` phases (`h mod s`); each
 * phase is a stride-1 convolution of `dy` with every `s`-th tap of the
 * spatially flipped filter (channels swapped to `[fh, fw, co, ci]`). The
 * `s × s` phase results are then interleaved. No zero-inserted input, so no
 * multiply-by-zero work.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type ConvAttrs, forwardConvInfo } from "./_conv_info.ts";
import { concat, conv2dSigned, free, type Info, pad, reshape, slice, zeros } from "./_wasm_ops.ts";
import { conv2dBackpropInputGemm } from "./wasm_conv_gemm.ts";

type Shape4 = [number, number, number, number];

/** Geometry of one phase along one spatial axis. */
interface Phase {
  /** First tap of the flipped filter this phase uses. */
  offset: number;
  /** Number of taps (0: the phase gets no contribution). */
  taps: number;
  /** Output rows in this phase. */
  size: number;
  /** Signed pads for the stride-1 conv. */
  before: number;
  after: number;
}

function phase(
  p: number,
  stride: number,
  k: number,
  padBefore: number,
  inSize: number,
  outSize: number,
): Phase {
  const r = (p + padBefore) % stride;
  const q = Math.floor((p + padBefore) / stride);
  const taps = Math.max(0, Math.ceil((k - r) / stride));
  const size = Math.max(0, Math.ceil((inSize - p) / stride));
  return {
    offset: k - 1 - r - stride * (taps - 1),
    taps,
    size,
    before: taps - 1 - q,
    after: size + q - outSize,
  };
}

/**
 * The taps of one phase: `out[i, j, o, c] = filter[fh − 1 − r.offset − sh·i,
 * fw − 1 − c.offset − sw·j, c, o]`, i.e. every `s`-th tap of the spatially
 * flipped filter with the channel axes swapped. One pass over the heap (the
 * stock Reverse and StridedSlice kernels are 10–50 ms on DCGAN filters).
 */
function phaseFilter(
  b: BackendWasm,
  filter: Info,
  r: Phase,
  c: Phase,
  sh: number,
  sw: number,
): Info {
  const [fh, fw, ci, co] = filter.shape as Shape4;
  const out = b.makeOutput([r.taps, c.taps, co, ci], "float32");
  const src = b.typedArrayFromHeap(filter) as Float32Array;
  const dst = b.typedArrayFromHeap(out) as Float32Array;
  let k = 0;
  for (let i = 0; i < r.taps; i++) {
    const y = fh - 1 - r.offset - sh * i;
    for (let j = 0; j < c.taps; j++) {
      const x = fw - 1 - c.offset - sw * j;
      const base = (y * fw + x) * ci * co;
      for (let o = 0; o < co; o++) {
        for (let m = 0; m < ci; m++) {
          dst[k++] = src[base + m * co + o] as number;
        }
      }
    }
  }
  return out;
}

/**
 * Kernel function for `Conv2DBackpropInput` on wasm (NHWC, dilation 1, any
 * strides, `same` / `valid` / explicit padding).
 *
 * @throws {RangeError} for NCHW data or a dilation other than 1.
 * @throws {TypeError} if `dy` or `filter` is missing or not rank 4.
 */
export const conv2dBackpropInputWasm: tf.KernelFunc = (
  { inputs, backend, attrs },
) => {
  const b = backend as BackendWasm;
  const { dy, filter } = inputs;
  if (!dy || !filter || dy.shape.length !== 4 || filter.shape.length !== 4) {
    throw new TypeError(
      `Conv2DBackpropInput on wasm needs rank-4 inputs 'dy' and 'filter': got ` +
        `dy ${dy?.shape ?? "missing"}, filter ${filter?.shape ?? "missing"}`,
    );
  }
  const a = attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  const viaGemm = conv2dBackpropInputGemm(b, dy, filter, a.inputShape, a);
  if (viaGemm) return viaGemm;
  const info = forwardConvInfo(
    "Conv2DBackpropInput",
    a.inputShape,
    filter.shape as Shape4,
    a,
  );
  const {
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const [n, h, w, ci] = a.inputShape;
  const [, oh, ow] = dy.shape as Shape4;

  const rows = Array.from(
    { length: sh },
    (_, p) => phase(p, sh, fh, info.padInfo.top, h, oh),
  );
  const cols = Array.from(
    { length: sw },
    (_, p) => phase(p, sw, fw, info.padInfo.left, w, ow),
  );

  const phaseOut = (r: Phase, c: Phase): Info => {
    if (r.taps === 0 || c.taps === 0 || r.size === 0 || c.size === 0) {
      return zeros(b, [n, r.size, c.size, ci]);
    }
    const sub = phaseFilter(b, filter, r, c, sh, sw);
    const out = conv2dSigned(b, dy, sub, {
      top: r.before,
      bottom: r.after,
      left: c.before,
      right: c.after,
    }, [1, 1]);
    free(b, sub);
    return out;
  };

  const first = rows[0];
  const firstCol = cols[0];
  if (sh === 1 && sw === 1 && first && firstCol) {
    return phaseOut(first, firstCol);
  }

  // Interleave: dx[:, s·i + ph, s·j + pw] = phase(ph, pw)[:, i, j].
  const hMax = Math.ceil(h / sh);
  const wMax = Math.ceil(w / sw);
  const rowBlocks: Info[] = [];
  for (const r of rows) {
    const parts: Info[] = [];
    for (const c of cols) {
      const p = phaseOut(r, c);
      const padded = r.size === hMax && c.size === wMax
        ? p
        : pad(b, p, [[0, 0], [0, hMax - r.size], [0, wMax - c.size], [0, 0]]);
      if (padded !== p) free(b, p);
      parts.push(reshape(b, padded, [n, hMax, wMax, 1, ci]));
      free(b, padded);
    }
    const joined = concat(b, parts, 3); // [n, hMax, wMax, sw, ci]
    free(b, ...parts);
    rowBlocks.push(reshape(b, joined, [n, hMax, 1, wMax * sw, ci]));
    free(b, joined);
  }
  const all = concat(b, rowBlocks, 2); // [n, hMax, sh, wMax·sw, ci]
  free(b, ...rowBlocks);
  const full = reshape(b, all, [n, hMax * sh, wMax * sw, ci]);
  free(b, all);
  if (hMax * sh === h && wMax * sw === w) return full;
  const dx = slice(b, full, [0, 0, 0, 0], [n, h, w, ci]);
  free(b, full);
  return dx;
};

/** Kernel config registering {@linkcode conv2dBackpropInputWasm}. */
export const conv2dBackpropInputWasmConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: conv2dBackpropInputWasm,
};
