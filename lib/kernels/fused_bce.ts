/**
 * The binary cross-entropy of logits against a constant target, per item, as one wasm kernel and its gradient as
 * another. lib/train/losses.ts writes it `relu(x) − x·t + softplus(−|x|)`: seven kernels forward and seventeen
 * backward (the gradients of each, their casts, steps and reshapes, and two sums), and nine saved tensors cloned
 * for the tape, each an engine call: a third of a small MLP GAN's engine calls per iteration, for 100-float
 * tensors. `HarnessBceLogits` and `HarnessBceLogitsGrad` give the same bits in one call each: the softplus and the
 * sigmoid are the stock kernels', the rest the same float32 operations in the same order
 * (lib/kernels/simd/elementwise.c). On other backends, or where the SIMD module is off, the expression is tfjs's.
 *
 * `HarnessBceMean` is the batch mean of the same loss in one call, and its gradient one more (tfjs's `Mean` and its
 * gradient around the two kernels: four engine calls fewer forward and backward per loss term).
 *
 * The gradient kernels are differentiable again, as the unfused ops' gradients would be (the mean's, where a tape
 * records its backward pass, runs as separate ops).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor, type SimdKernels } from "./_simd_module.ts";
import { free, meanOfAll, run, scalarOf } from "./_wasm_ops.ts";

/** The fused forward kernel's name: inputs `logits`, attr `target`. */
export const BCE_LOGITS = "HarnessBceLogits";
/** The fused gradient kernel's name: inputs `x` (the logits), `dy`, attr `target`. */
export const BCE_LOGITS_GRAD = "HarnessBceLogitsGrad";
/** The batch mean of the loss as one kernel: inputs `logits`, attr `target`; a scalar. */
export const BCE_MEAN = "HarnessBceMean";
/** Its gradient: inputs `x` (the logits), `dy` (a scalar), attr `target`. */
export const BCE_MEAN_GRAD = "HarnessBceMeanGrad";

/** The SIMD module of a wasm backend, or an error naming the kernel that needed it. */
function simdOf(backend: BackendWasm, kernel: string): SimdKernels {
  const simd = simdFor(backend);
  if (!simd) throw new Error(`${kernel}: needs the SIMD module (setSimdKernels is "off")`);
  return simd;
}

/** −|x| into a new buffer, and a stock unary kernel (`Softplus` or `Sigmoid`) on it. */
function ofNegAbs(b: BackendWasm, simd: SimdKernels, x: tf.TensorInfo, stock: "Softplus" | "Sigmoid"): tf.TensorInfo {
  const e = b.makeOutput([...x.shape], "float32");
  simd.elementwise.neg_abs_f32(b.getMemoryOffset(x.dataId), b.getMemoryOffset(e.dataId), sizeOf(x));
  const out = run(stock, b, { x: e });
  free(b, e);
  return out;
}

function sizeOf(t: tf.TensorInfo): number {
  return tf.util.sizeFromShape(t.shape as number[]);
}

function target(attrs: tf.NamedAttrMap | undefined): number {
  return Math.fround(attrs?.["target"] as number);
}

const forwardConfig: tf.KernelConfig = {
  kernelName: BCE_LOGITS,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = backend as BackendWasm;
    const x = inputs["logits"];
    if (!x) throw new Error(`${BCE_LOGITS}: needs logits`);
    const simd = simdOf(b, BCE_LOGITS);
    const f = ofNegAbs(b, simd, x, "Softplus");
    const y = b.makeOutput([...x.shape], "float32");
    const at = (t: tf.TensorInfo) => b.getMemoryOffset(t.dataId);
    simd.elementwise.bce_logits(at(x), at(f), at(y), sizeOf(x), target(attrs));
    free(b, f);
    return y;
  },
};

const gradientConfig: tf.KernelConfig = {
  kernelName: BCE_LOGITS_GRAD,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = backend as BackendWasm;
    const [x, dy] = [inputs["x"], inputs["dy"]];
    if (!x || !dy) throw new Error(`${BCE_LOGITS_GRAD}: needs x and dy`);
    const simd = simdOf(b, BCE_LOGITS_GRAD);
    const s = ofNegAbs(b, simd, x, "Sigmoid");
    const dx = b.makeOutput([...x.shape], "float32");
    const at = (t: tf.TensorInfo) => b.getMemoryOffset(t.dataId);
    simd.elementwise.bce_logits_grad(at(x), at(s), at(dy), at(dx), sizeOf(x), target(attrs));
    free(b, s);
    return dx;
  },
};

/** The per-item kernel, then the stock `Mean` over every axis, as `tf.mean` runs it: the same bits, one call. */
const meanConfig: tf.KernelConfig = {
  kernelName: BCE_MEAN,
  backendName: "wasm",
  kernelFunc: (args) => {
    const b = args.backend as BackendWasm;
    const perItem = forwardConfig.kernelFunc(args) as tf.TensorInfo;
    const out = meanOfAll(b, perItem);
    free(b, perItem);
    return out;
  },
};

/**
 * `Mean`'s gradient as lib/tfjs/reduce_gradients.ts computes it (`dy` divided by the count in float32, broadcast
 * to every item), then the per-item gradient kernel.
 */
const meanGradientConfig: tf.KernelConfig = {
  kernelName: BCE_MEAN_GRAD,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = backend as BackendWasm;
    const [x, dy] = [inputs["x"], inputs["dy"]];
    if (!x || !dy) throw new Error(`${BCE_MEAN_GRAD}: needs x and dy`);
    const perItemDy = b.makeOutput([...x.shape], "float32");
    const each = Math.fround(scalarOf(b, dy) / sizeOf(x));
    (b.typedArrayFromHeap(perItemDy) as Float32Array).fill(each);
    const dx = gradientConfig.kernelFunc({
      inputs: { x, dy: perItemDy },
      attrs: attrs ?? {},
      backend,
    }) as tf.TensorInfo;
    free(b, perItemDy);
    return dx;
  },
};

/** The four kernels for the wasm backend. */
export const fusedBceKernelConfigs: readonly tf.KernelConfig[] = [
  forwardConfig,
  gradientConfig,
  meanConfig,
  meanGradientConfig,
];

/** tfjs's ops for the same per-item loss (every backend). */
function unfused(logits: tf.Tensor, t: number): tf.Tensor {
  // max(x, 0) − x·t + log(1 + e^−|x|): stable for any x.
  return tf.relu(logits).sub(logits.mul(t)).add(tf.softplus(tf.neg(tf.abs(logits))));
}

function fusable(logits: tf.Tensor): boolean {
  return tf.getBackend() === "wasm" && logits.dtype === "float32" && tf.getKernel(BCE_LOGITS, "wasm") !== undefined &&
    simdFor(tf.backend() as BackendWasm) !== null;
}

/**
 * Binary cross-entropy of sigmoid(logits) against the constant target `t`, per item: one kernel on wasm (with its
 * gradient one more), tfjs's ops elsewhere; the same values either way.
 */
export function bceWithLogitsPerItem(logits: tf.Tensor, t: number): tf.Tensor {
  if (!fusable(logits)) return unfused(logits, t);
  return tf.engine().runKernel(BCE_LOGITS, { logits }, { target: t }) as tf.Tensor;
}

/**
 * The batch mean of `bceWithLogitsPerItem(logits, t)`: one kernel on wasm (with its gradient one more), `tf.mean`
 * of the per-item loss elsewhere; the same values either way.
 */
export function bceWithLogitsMean(logits: tf.Tensor, t: number): tf.Scalar {
  if (!fusable(logits) || !tf.getKernel(BCE_MEAN, "wasm")) return tf.mean(bceWithLogitsPerItem(logits, t));
  return tf.engine().runKernel(BCE_MEAN, { logits }, { target: t }) as tf.Scalar;
}

/** Whether a tape records the gradient being computed now (a gradient of a gradient). */
function backwardRecorded(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/** The mean's gradient as separate, differentiable ops: reduce_gradients.ts's and the per-item kernel's. */
function meanGradientOps(x: tf.Tensor, dy: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.tidy(() => {
    const each = tf.div(tf.reshape(dy, x.shape.map(() => 1)), x.size);
    return tf.engine().runKernel(BCE_LOGITS_GRAD, { x, dy: tf.broadcastTo(each, x.shape) }, attrs) as tf.Tensor;
  });
}

let installed = false;

/** Register the fused kernels' gradients (idempotent). */
export function installFusedBceGradients(): void {
  if (installed) return;
  tf.registerGradient({
    kernelName: BCE_LOGITS,
    inputsToSave: ["logits"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      return { logits: () => tf.engine().runKernel(BCE_LOGITS_GRAD, { x, dy: dy as tf.Tensor }, attrs) as tf.Tensor };
    },
  });
  tf.registerGradient({
    kernelName: BCE_LOGITS_GRAD,
    inputsToSave: ["x", "dy"],
    gradFunc: (g, saved, attrs) => {
      const [x, dy] = saved as [tf.Tensor, tf.Tensor];
      return {
        // Linear in dy.
        dy: () => tf.engine().runKernel(BCE_LOGITS_GRAD, { x, dy: g as tf.Tensor }, attrs) as tf.Tensor,
        // Through the sigmoid of −|x| (the steps' gradients are zero): g·dy·s·(1 − s).
        x: () =>
          tf.tidy(() => {
            const s = tf.sigmoid(tf.neg(tf.abs(x)));
            return tf.mul(tf.mul(g as tf.Tensor, dy), tf.mul(s, tf.sub(1, s)));
          }),
      };
    },
  });
  tf.registerGradient({
    kernelName: BCE_MEAN,
    inputsToSave: ["logits"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const g = dy as tf.Tensor;
      return {
        logits: () =>
          backwardRecorded()
            ? meanGradientOps(x, g, attrs)
            : tf.engine().runKernel(BCE_MEAN_GRAD, { x, dy: g }, attrs) as tf.Tensor,
      };
    },
  });
  installed = true;
}
