/**
 * wasm `LeakyRelu`, `Sqrt`, `Tanh`, `Greater` and `Select` as SIMD loops
 * (lib/kernels/simd/elementwise.c).
 *
 * Measured on a 784×1024 float32 tensor here, the stock kernels take
 * 5.5 ms (LeakyRelu), 4.1 ms (Greater with a scalar), 6.4 ms (Select) and
 * 1.4 ms (Sqrt), against ~0.35 ms for a stock Add: a LeakyReLU layer's
 * forward pass and its gradient (`Greater`, `Multiply`, `Select`) cost more
 * than its dense layer's bias. Cases these do not take (other dtypes,
 * broadcasting beyond a one-value operand, empty tensors, no SIMD) go to
 * the stock kernels.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor } from "./_simd_module.ts";

type Kernel = (args: Parameters<tf.KernelFunc>[0], backend: BackendWasm) => tf.TensorInfo | null;

function wrap(kernelName: string, stockFunc: tf.KernelFunc, fast: Kernel): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => fast(args, args.backend as BackendWasm) ?? stockFunc(args);
  return { kernelName, backendName: "wasm", kernelFunc };
}

const size = (shape: readonly number[]) => tf.util.sizeFromShape(shape as number[]);
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** `LeakyRelu` for float32 tensors. */
export function fastLeakyRelu(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return wrap("LeakyRelu", stockFunc, ({ inputs, attrs }, backend) => {
    const x = inputs["x"];
    const simd = simdFor(backend);
    if (!simd || !x || x.dtype !== "float32" || size(x.shape) === 0) return null;
    const alpha = (attrs?.["alpha"] as number | undefined) ?? 0.2;
    const out = backend.makeOutput([...x.shape], "float32");
    const [xp, op] = [backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId)];
    simd.elementwise.leaky_relu(xp, op, size(x.shape), alpha);
    return out;
  });
}

/** A one-input float32 kernel on the SIMD module's `fn(x, out, n)`. */
function unaryF32(kernelName: string, stockFunc: tf.KernelFunc, fn: "sqrt_f32" | "tanh_f32"): tf.KernelConfig {
  return wrap(kernelName, stockFunc, ({ inputs }, backend) => {
    const x = inputs["x"];
    const simd = simdFor(backend);
    if (!simd || !x || x.dtype !== "float32" || size(x.shape) === 0) return null;
    const out = backend.makeOutput([...x.shape], "float32");
    simd.elementwise[fn](backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), size(x.shape));
    return out;
  });
}

/** `Sqrt` for float32 tensors. */
export function fastSqrt(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return unaryF32("Sqrt", stockFunc, "sqrt_f32");
}

/**
 * `Tanh` for float32 tensors, to the bit what the stock kernel returns (it
 * calls musl's `tanhf` per float; `tanh_f32` is the same operations on four
 * lanes at once). A vector whose four lanes lie in one region takes a short
 * path: |x| < 0.17 or < 0.52 (an untrained generator), or 0.55 < |x| < 7.75
 * and |x| > 10 (a trained one's strokes and background); others take the
 * general one. On a generator's 100×784 output here: ~1.0 ms stock, 0.17 ms
 * at N(0, 0.05), 0.19 ms on saturated pixels, 0.26–0.35 ms at N(0, 0.15–0.3)
 * and 0.32 ms at N(0, 3). Checked against the stock kernel on all 2³² floats
 * (tests/kernels_tanh_test.ts checks a stride of them, and runs of
 * neighbouring floats for each short path).
 */
export function fastTanh(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return unaryF32("Tanh", stockFunc, "tanh_f32");
}

/** `Greater` for float32 tensors of one shape, or a tensor against one value. */
export function fastGreater(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return wrap("Greater", stockFunc, ({ inputs }, backend) => {
    const a = inputs["a"];
    const b = inputs["b"];
    const simd = simdFor(backend);
    if (!simd || !a || !b || a.dtype !== "float32" || b.dtype !== "float32" || size(a.shape) === 0) return null;
    const scalar = size(b.shape) === 1 && b.shape.length <= a.shape.length;
    if (!scalar && !sameShape(a.shape, b.shape)) return null;
    const out = backend.makeOutput([...a.shape], "bool");
    simd.elementwise.greater_f32(
      backend.getMemoryOffset(a.dataId),
      backend.getMemoryOffset(b.dataId),
      scalar ? 0 : 1,
      backend.getMemoryOffset(out.dataId),
      size(a.shape),
    );
    return out;
  });
}

/** `Select` (`tf.where`) with a bool condition and float32 branches, all of one shape. */
export function fastSelect(stockFunc: tf.KernelFunc): tf.KernelConfig {
  return wrap("Select", stockFunc, ({ inputs }, backend) => {
    const { condition: c, t, e } = inputs;
    const simd = simdFor(backend);
    if (
      !simd || !c || !t || !e || c.dtype !== "bool" || t.dtype !== "float32" || e.dtype !== "float32" ||
      !sameShape(c.shape, t.shape) || !sameShape(t.shape, e.shape) || size(t.shape) === 0
    ) {
      return null;
    }
    const out = backend.makeOutput([...t.shape], "float32");
    simd.elementwise.select_f32(
      backend.getMemoryOffset(c.dataId),
      backend.getMemoryOffset(t.dataId),
      backend.getMemoryOffset(e.dataId),
      backend.getMemoryOffset(out.dataId),
      size(t.shape),
    );
    return out;
  });
}
