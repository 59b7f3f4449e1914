/**
 * Internal: validate conv attributes and compute the geometry the harness's
 * wasm conv kernels need.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Attributes shared by Conv2DBackpropFilter and Conv2DBackpropInput. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  dilations?: [number, number] | number;
}

/**
 * Check the attributes our kernels support (NHWC, dilation 1) and compute
 * `Conv2DInfo` for the forward convolution `x (*) filter → y`.
 * @throws {RangeError} for NCHW data or a dilation other than 1.
 */
export function forwardConvInfo(
  kernelName: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.backend_util.Conv2DInfo {
  const dataFormat = attrs.dataFormat ?? "NHWC";
  if (dataFormat !== "NHWC") {
    throw new RangeError(
      `${kernelName} on wasm supports dataFormat 'NHWC' only: got '${dataFormat}'`,
    );
  }
  const d = attrs.dilations ?? 1;
  const [dh, dw] = typeof d === "number" ? [d, d] : d;
  if (dh !== 1 || dw !== 1) {
    throw new RangeError(
      `${kernelName} on wasm supports dilation 1 only: got dilations [${dh}, ${dw}]`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}
