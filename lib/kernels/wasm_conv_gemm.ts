/**
 * wasm convolutions as patch-matrix (im2col) GEMMs on the harness's own
 * GEMM (lib/kernels/simd/gemm.c + conv.c), in row blocks:
 *
 *   Conv2D / FusedConv2D  Y[M, co]  = P[M, K] · W[K, co] (+ bias, activation)
 *   Conv2DBackpropInput    dP[M, K]  = dY[M, co] · Wᵀ, scattered back into dx
 *   Conv2DBackpropFilter   dW[K, co] = Σ_blocks P_blkᵀ · dY_blk
 *
 * with M = batch · oh · ow output pixels, K = fh · fw · ci and P's row r the
 * patch under output pixel r. XNNPACK's convolution, which the stock Conv2D
 * and the harness's earlier backprop kernels used, reached ~20 GFLOP/s on
 * the DCGAN layers; the GEMM reaches ~30 on the same machine.
 *
 * The patch matrix is never built whole (320 MB for one DCGAN layer at
 * batch 256): each block of rows is gathered into a scratch buffer of at
 * most {@linkcode SCRATCH_FLOATS} floats, multiplied, and reused.
 *
 * Every function here returns null for a case it does not take (not
 * float32, NCHW, dilation ≠ 1, an activation the GEMM does not fuse, no
 * SIMD): the caller then runs its other kernel.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type ConvAttrs, forwardConvInfo } from "./_conv_info.ts";
import { type ConvGeometry, GEMM_ACTIVATIONS, simdFor, type SimdKernels } from "./_simd_module.ts";

type Shape4 = [number, number, number, number];

/** Floats in one block of patch rows (4 MB: a block stays in the last-level cache). */
export const SCRATCH_FLOATS = 1 << 20;

/** A setup for one convolution: the kernels, the geometry, and the row blocks. */
interface Plan {
  simd: SimdKernels;
  g: ConvGeometry;
  n: number;
  co: number;
  /** Patch rows M and patch length K. */
  m: number;
  k: number;
  /** Rows per block. */
  rows: number;
}

function plan(
  b: BackendWasm,
  xShape: Shape4,
  filterShape: Shape4,
  attrs: ConvAttrs,
  tensors: tf.TensorInfo[],
): Plan | null {
  const format = attrs.dataFormat ?? "NHWC";
  const d = attrs.dilations ?? 1;
  const [dh, dw] = typeof d === "number" ? [d, d] : d;
  if (format !== "NHWC" || dh !== 1 || dw !== 1) return null;
  if (tensors.some((t) => t.dtype !== "float32" || t.shape.length !== 4)) return null;
  const simd = simdFor(b);
  if (!simd) return null;
  // The checks above are the ones forwardConvInfo throws for, so it does not throw here.
  const info = forwardConvInfo("Conv2D", xShape, filterShape, attrs);
  const g: ConvGeometry = {
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  };
  const m = info.batchSize * g.oh * g.ow;
  const k = g.fh * g.fw * g.c;
  if (m === 0 || k === 0 || info.outChannels === 0) return null;
  const rows = Math.max(1, Math.min(m, Math.floor(SCRATCH_FLOATS / k)));
  return { simd, g, n: info.batchSize, co: info.outChannels, m, k, rows };
}

/** `[row0, rows]` for each block of patch rows. */
function* blocks(p: Plan): Generator<[number, number]> {
  for (let row0 = 0; row0 < p.m; row0 += p.rows) yield [row0, Math.min(p.rows, p.m - row0)];
}

const ptr = (b: BackendWasm, t: tf.TensorInfo) => b.getMemoryOffset(t.dataId);

/**
 * `Conv2D` (or `FusedConv2D` with a length-co bias and a GEMM activation)
 * as blocked im2col GEMMs; null when this path does not take the case.
 */
export function conv2dGemm(
  b: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: ConvAttrs & { activation?: string; leakyreluAlpha?: number },
  bias?: tf.TensorInfo,
): tf.TensorInfo | null {
  const act = GEMM_ACTIVATIONS[(attrs.activation ?? "linear") as keyof typeof GEMM_ACTIVATIONS];
  if (act === undefined) return null;
  const p = plan(b, x.shape as Shape4, filter.shape as Shape4, attrs, [x, filter]);
  if (!p || (bias && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== p.co))) return null;
  const y = b.makeOutput([p.n, p.g.oh, p.g.ow, p.co], "float32");
  const scratch = p.simd.scratch(p.rows * p.k);
  const [xAt, wAt, yAt, biasAt] = [ptr(b, x), ptr(b, filter), ptr(b, y), bias ? ptr(b, bias) : 0];
  for (const [row0, rows] of blocks(p)) {
    p.simd.im2col(xAt, p.g, row0, rows, scratch);
    p.simd.gemm(
      { ptr: scratch, rowStride: p.k, colStride: 1 },
      { ptr: wAt, rowStride: p.co, colStride: 1 },
      yAt + row0 * p.co * 4,
      rows,
      p.co,
      p.k,
      biasAt,
      act,
      attrs.leakyreluAlpha ?? 0.2,
    );
  }
  return y;
}

/** `Conv2DBackpropInput` as blocked GEMMs and col2im; null when this path does not take the case. */
export function conv2dBackpropInputGemm(
  b: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: Shape4,
  attrs: ConvAttrs,
): tf.TensorInfo | null {
  const p = plan(b, inputShape, filter.shape as Shape4, attrs, [dy, filter]);
  if (!p) return null;
  const dx = b.makeOutput([...inputShape], "float32");
  const [dyAt, wAt, dxAt] = [ptr(b, dy), ptr(b, filter), ptr(b, dx)];
  p.simd.zero(dxAt, inputShape.reduce((s, d) => s * d, 1));
  const scratch = p.simd.scratch(p.rows * p.k);
  for (const [row0, rows] of blocks(p)) {
    p.simd.gemm(
      { ptr: dyAt + row0 * p.co * 4, rowStride: p.co, colStride: 1 },
      { ptr: wAt, rowStride: 1, colStride: p.co },
      scratch,
      rows,
      p.k,
      p.co,
      0,
      GEMM_ACTIVATIONS.linear,
      0,
    );
    p.simd.col2imAdd(scratch, p.g, row0, rows, dxAt);
  }
  return dx;
}

/** `Conv2DBackpropFilter` as blocked, accumulated GEMMs; null when this path does not take the case. */
export function conv2dBackpropFilterGemm(
  b: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: Shape4,
  attrs: ConvAttrs,
): tf.TensorInfo | null {
  const p = plan(b, x.shape as Shape4, filterShape, attrs, [x, dy]);
  if (!p) return null;
  const dw = b.makeOutput([...filterShape], "float32");
  const [xAt, dyAt, dwAt] = [ptr(b, x), ptr(b, dy), ptr(b, dw)];
  const scratch = p.simd.scratch(p.rows * p.k);
  for (const [row0, rows] of blocks(p)) {
    p.simd.im2col(xAt, p.g, row0, rows, scratch);
    p.simd.gemm(
      { ptr: scratch, rowStride: 1, colStride: p.k },
      { ptr: dyAt + row0 * p.co * 4, rowStride: p.co, colStride: 1 },
      dwAt,
      p.k,
      p.co,
      rows,
      0,
      GEMM_ACTIVATIONS.linear,
      0,
      row0 > 0,
    );
  }
  return dw;
}

/**
 * Wrap the stock `Conv2D` or `FusedConv2D` kernel so that every case the
 * GEMM takes runs there.
 * @param kernelName `"Conv2D"` or `"FusedConv2D"`.
 * @param fallback the stock kernel, for the other cases.
 */
export function gemmConv2d(kernelName: "Conv2D" | "FusedConv2D", fallback: tf.KernelFunc): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const out = x && filter && !preluActivationWeights
      ? conv2dGemm(args.backend as BackendWasm, x, filter, args.attrs as unknown as ConvAttrs, bias)
      : null;
    return out ?? fallback(args);
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}
