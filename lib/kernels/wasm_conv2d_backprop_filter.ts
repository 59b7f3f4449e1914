/**
 * wasm `Conv2DBackpropFilter` (missing upstream, tfjs issue 8474): as
 * blocked im2col GEMMs on the harness's GEMM (wasm_conv_gemm.ts) where its
 * SIMD module runs, otherwise with the XNNPACK-backed wasm `Conv2D` kernel:
 *
 * The filter gradient `dW[i, j, ci, co] = Σ_{b, oh, ow} x[b, oh·s + i − pt,
 * ow·s + j − pl, ci] · dy[b, oh, ow, co]` is itself a convolution once the
 * batch and channel axes of `x` swap: input `xᵀ = [ci, H, W, B]`, filter
 * `dyᵀ = [OH, OW, B, co]` dilated by the forward stride, output
 * `[ci, fh, fw, co]`, transposed to `[fh, fw, ci, co]`.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type ConvAttrs, forwardConvInfo } from "./_conv_info.ts";
import { conv2dSigned, free, type Info, slice, transpose } from "./_wasm_ops.ts";
import { conv2dBackpropFilterGemm } from "./wasm_conv_gemm.ts";

type Shape4 = [number, number, number, number];

/**
 * Kernel function for `Conv2DBackpropFilter` on wasm (NHWC, dilation 1, any
 * strides, `same` / `valid` / explicit padding).
 *
 * @throws {RangeError} for NCHW data or a dilation other than 1.
 * @throws {TypeError} if `x` or `dy` is missing or not rank 4.
 */
export const conv2dBackpropFilterWasm: tf.KernelFunc = (
  { inputs, backend, attrs },
) => {
  const b = backend as BackendWasm;
  const { x, dy } = inputs;
  if (!x || !dy || x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new TypeError(
      `Conv2DBackpropFilter on wasm needs rank-4 inputs 'x' and 'dy': got ` +
        `x ${x?.shape ?? "missing"}, dy ${dy?.shape ?? "missing"}`,
    );
  }
  const a = attrs as unknown as ConvAttrs & { filterShape: Shape4 };
  const viaGemm = conv2dBackpropFilterGemm(b, x, dy, a.filterShape, a);
  if (viaGemm) return viaGemm;
  const info = forwardConvInfo(
    "Conv2DBackpropFilter",
    x.shape as Shape4,
    a.filterShape,
    a,
  );
  const {
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const [, h, w] = x.shape as Shape4;
  const [, oh, ow] = dy.shape as Shape4;
  const { top, left } = info.padInfo;
  // Pad bottom/right so the output is exactly fh × fw (negative: crop).
  const bottom = fh + (oh - 1) * sh - h - top;
  const right = fw + (ow - 1) * sw - w - left;

  const xT = transpose(b, x, [3, 1, 2, 0]); // [ci, H, W, B]
  const dyT = transpose(b, dy, [1, 2, 0, 3]); // [OH, OW, B, co]
  const out = conv2dSigned(b, xT, dyT, { top, bottom, left, right }, [sh, sw]);
  free(b, xT, dyT);
  // [ci, fh', fw', co] with fh' ≥ fh only when a top/left pad exceeds need.
  let cropped: Info = out;
  const [ci, oh2, ow2, co] = out.shape as Shape4;
  if (oh2 !== fh || ow2 !== fw) {
    cropped = slice(b, out, [0, 0, 0, 0], [ci, fh, fw, co]);
    free(b, out);
  }
  const dw = transpose(b, cropped, [1, 2, 0, 3]);
  free(b, cropped);
  return dw;
};

/** Kernel config registering {@linkcode conv2dBackpropFilterWasm}. */
export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilterWasm,
};
