/**
 * LeakyReLU's gradient as one wasm kernel. tfjs differentiates `LeakyRelu` as `where(x > 0, dy, dy·alpha)`: a
 * `Greater`, a `Multiply` and a `Select` (each an engine call with a tape entry, and a pass over the tensor) plus a
 * scalar. `HarnessLeakyReluGrad` computes the same values in one pass (`leaky_relu_grad` in
 * lib/kernels/simd/elementwise.c). On other backends, or where the SIMD module is off, the gradient is tfjs's own.
 *
 * The fused kernel is differentiable again (a gradient penalty differentiates D's input gradient): with respect to
 * `dy` it is itself, with respect to `x` zero (as the comparison's is, lib/tfjs/second_order_gradients.ts).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor } from "./_simd_module.ts";

/** The fused kernel's name. */
export const LEAKY_RELU_GRAD = "HarnessLeakyReluGrad";

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** The wasm kernel: inputs `dy`, `x` (float32, one shape), attribute `alpha`. */
export const leakyReluGradKernelConfig: tf.KernelConfig = {
  kernelName: LEAKY_RELU_GRAD,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x } = inputs;
    const b = backend as BackendWasm;
    const simd = simdFor(b);
    if (!simd || !dy || !x) throw new Error(`${LEAKY_RELU_GRAD}: needs dy, x and the SIMD module`);
    const out = b.makeOutput([...x.shape], "float32");
    const n = tf.util.sizeFromShape(x.shape as number[]);
    if (n > 0) {
      simd.elementwise.leaky_relu_grad(
        b.getMemoryOffset(x.dataId),
        b.getMemoryOffset(dy.dataId),
        b.getMemoryOffset(out.dataId),
        n,
        (attrs?.["alpha"] as number | undefined) ?? 0.2,
      );
    }
    return out;
  },
};

function fused(x: tf.Tensor, dy: tf.Tensor): boolean {
  return tf.getBackend() === "wasm" && simdFor(tf.backend() as BackendWasm) !== null &&
    tf.getKernel(LEAKY_RELU_GRAD, "wasm") !== undefined && x.dtype === "float32" && dy.dtype === "float32" &&
    sameShape(x.shape, dy.shape);
}

function runFused(dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, attrs) as tf.Tensor;
}

let installed = false;

/**
 * Route `LeakyRelu`'s gradient through the fused kernel where it can run (wasm with the SIMD module), tfjs's own
 * gradient elsewhere, and give the fused kernel its gradient. Idempotent.
 * @throws {Error} if tfjs has no `LeakyRelu` gradient to fall back to.
 */
export function installLeakyReluGradient(): void {
  if (installed) return;
  const stock = tf.getGradient("LeakyRelu");
  if (!stock) throw new Error("Cannot fuse LeakyRelu's gradient: tfjs registers none to fall back to");
  tf.registerGradient({
    kernelName: "LeakyRelu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const g = dy as tf.Tensor;
      return fused(x, g) ? { x: () => runFused(g, x, attrs) } : stock.gradFunc(dy, saved, attrs);
    },
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      return { dy: () => runFused(dy as tf.Tensor, x, attrs), x: () => tf.zerosLike(x) };
    },
  });
  installed = true;
}
