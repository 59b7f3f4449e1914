/**
 * A D step's logged numbers as one wasm kernel: the loss, the mean of D's output on the real and on the fake batch,
 * and the share of both batches D called correctly (lib/train/steps.ts). As tfjs ops that is thirteen engine calls
 * (two sigmoids, two comparisons, two casts, three sums and an add, two means, a division and a stack) on 100-float
 * tensors, each costing more than its arithmetic. `HarnessDStepNumbers` runs the stock `Sigmoid` and `Mean` kernels
 * on the same inputs and counts the calls exactly (whole numbers below 2^24 are exact float32 sums), so the
 * numbers are the same bits. On other backends, or where it is not registered, the caller runs the ops.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, meanOfAll, run, scalarOf } from "./_wasm_ops.ts";

/** The kernel's name: inputs `loss` (a scalar), `real`, `fake` (D's outputs); attrs `sigmoid`, `threshold`. */
export const D_STEP_NUMBERS = "HarnessDStepNumbers";

/** How D's raw outputs become the logged scale: through a sigmoid or not, and the real/fake threshold there. */
export interface OutputScale {
  sigmoid: boolean;
  threshold: number;
}

function values(b: BackendWasm, t: tf.TensorInfo): Float32Array {
  return b.typedArrayFromHeap(t) as Float32Array;
}

/** `tf.mean(p)`'s value, on the stock kernel `tf.mean` runs. */
function mean(b: BackendWasm, p: tf.TensorInfo): number {
  const m = meanOfAll(b, p);
  const v = scalarOf(b, m);
  free(b, m);
  return v;
}

/** The kernel for the wasm backend. */
export const stepNumbersKernelConfig: tf.KernelConfig = {
  kernelName: D_STEP_NUMBERS,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = backend as BackendWasm;
    const { loss, real, fake } = inputs;
    if (!loss || !real || !fake) throw new Error(`${D_STEP_NUMBERS}: needs loss, real and fake`);
    const t = Math.fround(attrs?.["threshold"] as number);
    const squash = attrs?.["sigmoid"] === true;
    const [pReal, pFake] = [real, fake].map((x) => squash ? run("Sigmoid", b, { x }) : x) as [
      tf.TensorInfo,
      tf.TensorInfo,
    ];
    let correct = 0;
    for (const p of values(b, pReal)) if (p > t) correct++;
    for (const p of values(b, pFake)) if (p <= t) correct++;
    const numbers = [scalarOf(b, loss), mean(b, pReal), mean(b, pFake), correct / (2 * real.shape[0]!)];
    if (squash) free(b, pReal, pFake);
    const out = b.makeOutput([4], "float32");
    values(b, out).set(numbers);
    return out;
  },
};

/**
 * `[loss, mean D(real), mean D(fake), share called correctly]` as one kernel where it is registered (wasm, float32
 * outputs), or null: the caller then runs the ops.
 */
export function fusedDStepNumbers(
  loss: tf.Scalar,
  real: tf.Tensor,
  fake: tf.Tensor,
  scale: OutputScale,
): tf.Tensor1D | null {
  if (tf.getBackend() !== "wasm" || !tf.getKernel(D_STEP_NUMBERS, "wasm")) return null;
  if ([loss, real, fake].some((t) => t.dtype !== "float32")) return null;
  return tf.engine().runKernel(D_STEP_NUMBERS, { loss, real, fake }, { ...scale }) as tf.Tensor1D;
}
