/**
 * Adam as one wasm kernel per variable, bit-identical to `tf.train.adam`.
 *
 * tfjs's `AdamOptimizer` updates each variable with 13 element-wise kernels
 * (Multiply, Add, Square, RealDiv, Sqrt …), each a full pass over the
 * weights: ~35 ms of a ~250 ms MLP GAN iteration on wasm here. The
 * `HarnessAdam` kernel does the same float32 operations in the same order in
 * one SIMD pass (lib/kernels/simd/elementwise.c, built without contracted
 * multiply-adds), so the new weights and moments are the same bits.
 * {@linkcode FusedAdamOptimizer} uses it on wasm and is a plain
 * `AdamOptimizer` everywhere else (same class name, weights and checkpoints).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor } from "./_simd_module.ts";
import { scalarOf } from "./_wasm_ops.ts";

/** The kernel's name, registered on wasm by `registerWasmKernels()`. */
export const ADAM_KERNEL = "HarnessAdam";

const f32 = Math.fround;

/**
 * The wasm `HarnessAdam` kernel: inputs `value`, `m`, `v`, `gradient`
 * (float32, one size); attrs `beta1`, `beta2`, `epsilon`, `learningRate` and
 * the float32 numbers `om1` = 1 − β₁ᵗ, `om2` = 1 − β₂ᵗ; outputs the new value,
 * first and second moments.
 */
export const adamKernelConfig: tf.KernelConfig = {
  kernelName: ADAM_KERNEL,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { value, m, v, gradient } = inputs;
    if (!value || !m || !v || !gradient) {
      throw new TypeError(`${ADAM_KERNEL} needs inputs value, m, v, gradient`);
    }
    const n = tf.util.sizeFromShape(value.shape);
    for (const t of [value, m, v, gradient]) {
      if (t.dtype !== "float32" || tf.util.sizeFromShape(t.shape) !== n) {
        throw new TypeError(`${ADAM_KERNEL} needs float32 tensors of ${n} values: got ${t.dtype} [${t.shape}]`);
      }
    }
    const beta1 = attrs?.["beta1"] as number;
    const beta2 = attrs?.["beta2"] as number;
    const eps = attrs?.["epsilon"] as number;
    const lr = attrs?.["learningRate"] as number;
    // The scalars tfjs would make: each JS number becomes one float32.
    const k = [f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2)] as const;
    const o1 = attrs?.["om1"] as number;
    const o2 = attrs?.["om2"] as number;
    const outs = [value, m, v].map((t) => b.makeOutput([...t.shape], "float32"));
    const simd = simdFor(b);
    const ptr = (t: tf.TensorInfo) => b.getMemoryOffset(t.dataId);
    if (simd) {
      const [w2, m2, v2] = outs.map(ptr) as [number, number, number];
      simd.elementwise.adam_f32(ptr(value), ptr(m), ptr(v), ptr(gradient), w2, m2, v2, n, ...k, o1, o2, eps, -lr);
    } else {
      const [w, mm, vv, g, w2, m2, v2] = [value, m, v, gradient, ...outs].map((t) =>
        b.typedArrayFromHeap(t) as Float32Array
      ) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
      const [e, nl] = [f32(eps), f32(-lr)];
      for (let i = 0; i < n; i++) {
        const gi = g[i]!;
        const mi = f32(f32(mm[i]! * k[0]) + f32(gi * k[1]));
        const vi = f32(f32(vv[i]! * k[2]) + f32(f32(gi * gi) * k[3]));
        const step = f32(f32(f32(mi / o1) / f32(f32(Math.sqrt(f32(vi / o2))) + e)) * nl);
        w2[i] = step + w[i]!;
        m2[i] = mi;
        v2[i] = vi;
      }
    }
    return outs;
  },
};

type VariableGradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** The private state of tfjs's AdamOptimizer this class drives (tfjs 4.x field names). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<Slot | undefined>;
  accumulatedSecondMoment: Array<Slot | undefined>;
}

/**
 * `tf.train.adam` with each variable's update as one `HarnessAdam` kernel
 * on wasm (same results, bit for bit); on other backends, or if the kernel
 * is not registered, it is tfjs's own `AdamOptimizer`.
 *
 * @example Train with it
 * ```ts ignore
 * const opt = new FusedAdamOptimizer(2e-4, 0.5, 0.999, 1e-7);
 * opt.minimize(() => loss());
 * ```
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const state = this as unknown as AdamState;
    if (
      tf.getBackend() !== "wasm" || !tf.getKernel(ADAM_KERNEL, "wasm") ||
      !(state.accBeta1 instanceof tf.Variable) || !Array.isArray(state.accumulatedFirstMoment)
    ) {
      super.applyGradients(variableGradients);
      return;
    }
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const b = tf.backend() as BackendWasm;
    const accBeta = [state.accBeta1, state.accBeta2].map((acc) => scalarOf(b, acc)) as [number, number];
    tf.tidy(() => {
      // tfjs's tf.sub(1, accBeta): one float32 subtraction each.
      const [om1, om2] = accBeta.map((acc) => f32(1 - acc)) as [number, number];
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`Cannot apply a gradient to '${name}': no such variable`);
        const slot = (list: Array<Slot | undefined>, suffix: string): tf.Variable => {
          list[i] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
          return list[i]!.variable;
        };
        const m = slot(state.accumulatedFirstMoment, "m");
        const v = slot(state.accumulatedSecondMoment, "v");
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
        if (!gradient) return;
        if (gradient.dtype !== "float32" || value.dtype !== "float32" || gradient.size !== value.size) {
          // What tfjs's AdamOptimizer does, op by op.
          const m2 = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
          const v2 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
          const step = tf.div(tf.div(m2, om1), tf.add(tf.sqrt(tf.div(v2, om2)), this.epsilon));
          m.assign(m2);
          v.assign(v2);
          value.assign(tf.add(tf.mul(step, -this.learningRate), value));
          return;
        }
        const [w2, m2, v2] = tf.engine().runKernel(ADAM_KERNEL, { value, m, v, gradient }, {
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          learningRate: this.learningRate,
          om1,
          om2,
        }) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(w2!);
      });
      // tfjs's tf.mul(accBeta, beta): one float32 product each.
      state.accBeta1.assign(tf.scalar(f32(accBeta[0] * f32(this.beta1))));
      state.accBeta2.assign(tf.scalar(f32(accBeta[1] * f32(this.beta2))));
    });
    this.incrementIterations();
  }
}
