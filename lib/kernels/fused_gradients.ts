/**
 * Activation gradients as one wasm kernel each. tfjs differentiates `LeakyRelu` as `where(x > 0, dy, dy·alpha)`
 * (a `Greater`, a `Multiply` and a `Select`, plus a scalar), `Relu` as `mul(dy, cast(step(x)))` (a `Step`, a
 * `Cast` and a `Multiply`) and `Tanh` as `mul(sub(1, square(y)), dy)` (three kernels and a scalar): each an engine
 * call with a tape entry and a pass over the tensor. `HarnessLeakyReluGrad`, `HarnessReluGrad` and
 * `HarnessTanhGrad` compute the same values, to the bit, in one pass (`leaky_relu_grad`, `relu_grad` and
 * `tanh_grad` in lib/kernels/simd/elementwise.c). On other backends, or where the SIMD module is off, the gradients
 * are tfjs's own.
 *
 * The fused kernels are differentiable again (a gradient penalty differentiates D's input gradient), each as the
 * unfused ops' gradient would be.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor } from "./_simd_module.ts";

/** One fused activation gradient: `kernel(dy, saved) → dx`. */
interface FusedGradient {
  /** The activation whose gradient is replaced. */
  activation: "LeakyRelu" | "Relu" | "Tanh";
  /** The fused kernel's name. */
  kernel: string;
  /** The tensor the activation's gradient saves: its input (`x`) or its output (`y`). */
  saved: "x" | "y";
  /** The SIMD module's function: `(saved, dy, out, n, alpha)`. */
  simd: "leaky_relu_grad" | "relu_grad" | "tanh_grad";
  /**
   * The fused kernel's own gradient, from the outer gradient `g`; `again(g)` is the fused kernel on `g` with the same
   * saved tensor and attributes.
   */
  secondOrder(
    g: tf.Tensor,
    dy: tf.Tensor,
    saved: tf.Tensor,
    again: (g: tf.Tensor) => tf.Tensor,
  ): Record<string, () => tf.Tensor>;
}

/** The fused kernel's name for LeakyReLU's gradient. */
export const LEAKY_RELU_GRAD = "HarnessLeakyReluGrad";
/** The fused kernel's name for ReLU's gradient. */
export const RELU_GRAD = "HarnessReluGrad";
/** The fused kernel's name for tanh's gradient. */
export const TANH_GRAD = "HarnessTanhGrad";

const FUSED: readonly FusedGradient[] = [
  {
    activation: "LeakyRelu",
    kernel: LEAKY_RELU_GRAD,
    saved: "x",
    simd: "leaky_relu_grad",
    // Linear in dy with the same mask; the mask's gradient is zero (lib/tfjs/second_order_gradients.ts).
    secondOrder: (g, _dy, x, again) => ({ dy: () => again(g), x: () => tf.zerosLike(x) }),
  },
  {
    activation: "Relu",
    kernel: RELU_GRAD,
    saved: "x",
    simd: "relu_grad",
    // Linear in dy with the same mask, as LeakyRelu's.
    secondOrder: (g, _dy, x, again) => ({ dy: () => again(g), x: () => tf.zerosLike(x) }),
  },
  {
    activation: "Tanh",
    kernel: TANH_GRAD,
    saved: "y",
    simd: "tanh_grad",
    // tfjs's chain through Multiply, Sub and Square: ∂/∂dy = (1 − y²)·g, ∂/∂y = −(g·dy)·(y·2). (tfjs does not
    // differentiate through a saved output, so the y branch runs only if a later tfjs does.)
    secondOrder: (g, dy, y, again) => ({
      dy: () => again(g),
      y: () => tf.mul(tf.neg(tf.mul(g, dy)), tf.mul(y, 2)),
    }),
  },
];

function kernelConfig(f: FusedGradient): tf.KernelConfig {
  return {
    kernelName: f.kernel,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const dy = inputs["dy"];
      const saved = inputs[f.saved];
      const b = backend as BackendWasm;
      const simd = simdFor(b);
      if (!simd || !dy || !saved) throw new Error(`${f.kernel}: needs dy, ${f.saved} and the SIMD module`);
      const out = b.makeOutput([...saved.shape], "float32");
      const n = tf.util.sizeFromShape(saved.shape as number[]);
      if (n === 0) return out;
      const [s, d, o] = [b.getMemoryOffset(saved.dataId), b.getMemoryOffset(dy.dataId), b.getMemoryOffset(out.dataId)];
      switch (f.simd) {
        case "leaky_relu_grad":
          simd.elementwise.leaky_relu_grad(s, d, o, n, (attrs?.["alpha"] as number | undefined) ?? 0.2);
          break;
        case "relu_grad":
          simd.elementwise.relu_grad(s, d, o, n);
          break;
        case "tanh_grad":
          simd.elementwise.tanh_grad(s, d, o, n);
          break;
      }
      return out;
    },
  };
}

/** The fused kernels for the wasm backend. */
export const fusedGradientKernelConfigs: readonly tf.KernelConfig[] = FUSED.map(kernelConfig);

function fusable(f: FusedGradient, saved: tf.Tensor, dy: tf.Tensor): boolean {
  return tf.getBackend() === "wasm" && simdFor(tf.backend() as BackendWasm) !== null &&
    tf.getKernel(f.kernel, "wasm") !== undefined && saved.dtype === "float32" && dy.dtype === "float32" &&
    tf.util.arraysEqual(saved.shape, dy.shape);
}

function runFused(f: FusedGradient, dy: tf.Tensor, saved: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(f.kernel, { dy, [f.saved]: saved }, attrs) as tf.Tensor;
}

function install(f: FusedGradient): void {
  const stock = tf.getGradient(f.activation);
  if (!stock) throw new Error(`Cannot fuse ${f.activation}'s gradient: tfjs registers none to fall back to`);
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const s = saved[0]!;
      const g = dy as tf.Tensor;
      return fusable(f, s, g) ? { x: () => runFused(f, g, s, attrs) } : stock.gradFunc(dy, saved, attrs);
    },
  });
  tf.registerGradient({
    kernelName: f.kernel,
    inputsToSave: ["dy", f.saved],
    gradFunc: (g, saved, attrs) =>
      f.secondOrder(g as tf.Tensor, saved[0]!, saved[1]!, (outer) => runFused(f, outer, saved[1]!, attrs)),
  });
}

let installed = false;

/**
 * Route `LeakyRelu`'s, `Relu`'s and `Tanh`'s gradients through the fused kernels where they can run (wasm with the SIMD
 * module), tfjs's own gradients elsewhere, and give the fused kernels their gradients. Idempotent.
 * @throws {Error} if tfjs has no gradient for one of them to fall back to.
 */
export function installFusedGradients(): void {
  if (installed) return;
  for (const f of FUSED) install(f);
  installed = true;
}
