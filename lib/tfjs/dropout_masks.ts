/**
 * Dropout masks drawn in one loop, to the bit of tfjs's.
 *
 * tfjs-layers' `Dropout` runs `tf.dropout`: `randomUniform` fills a tensor one
 * value at a time through seedrandom's Alea (seeded from `Math.random()` when
 * the layer has no seed), then `add(u, keep)`, `floor`, `div(·, keep)` and
 * `mul(x, mask)`: the draw in JavaScript through two closures per value, an
 * upload, and four kernels over the whole tensor. On dcgan-tf at batch 64 that
 * was ~60 ms of a ~600 ms iteration (3.6M values drawn).
 *
 * Here the layer seeds the same Alea the same way, steps its recurrence in one
 * loop and computes each mask value with the same float32 operations
 * (`floor(fround(u + keep)) / keep`, exact in float64 then rounded once, as
 * the kernels round), then multiplies once: the same mask, the same output
 * and the same gradient (`Multiply`'s), one kernel instead of four.
 *
 * Only where the kernels are IEEE float32 (wasm, cpu), for a float32 input whose
 * noise shape is its own shape; tfjs's dropout otherwise (a WebGPU shader's
 * division need not be correctly rounded).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
// @ts-types="../seedrandom_alea.d.ts"
import alea from "seedrandom/lib/alea.js";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** Alea's state: `next()` is `t = 2091639·s0 + c·2⁻³²; s0 = s1; s1 = s2; c = t | 0; s2 = t − c`. */
interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/**
 * Fill `out` with the multipliers `tf.dropout(x, rate, undefined, seed)` builds for `out.length` values: `1/keep`
 * (in float32) where the value is kept, 0 where it is dropped, drawing the seed from `Math.random()` when `seed`
 * is undefined, as tfjs does.
 * @param out where the multipliers go, in tfjs's order.
 * @param rate the dropout rate, in (0, 1).
 * @param seed the layer's seed, if it has one.
 */
export function fillDropoutMultipliers(out: Float32Array, rate: number, seed?: number | string): void {
  let { c, s0, s1, s2 }: AleaState = alea(String(seed ?? Math.random()), { state: true }).state();
  const keep = Math.fround(1 - rate);
  const kept = Math.fround(1 / keep);
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    s0 = s1;
    s1 = s2;
    // Alea's `t | 0`: t is in [0, 2^21), so floor gives the same integer, kept as a double (half the latency
    // of the loop's chain through c).
    c = Math.floor(t);
    s2 = t - c;
    // randomUniform stores min + range·u = u in a Float32Array; add rounds to float32; floor is 0 or 1, and
    // multiplying by it keeps the loop free of a branch that would mispredict on every drop.
    out[i] = Math.floor(Math.fround(Math.fround(s2) + keep)) * kept;
  }
}

/**
 * The multipliers as a tensor of `shape`: on wasm written straight into the tensor's heap buffer (a fresh
 * JavaScript array of a few MB costs more in page faults than the draw itself), elsewhere uploaded.
 */
function multiplierTensor(shape: number[], rate: number, seed: number | undefined): tf.Tensor {
  if (tf.getBackend() === "wasm") {
    const backend = tf.backend() as BackendWasm;
    const info = backend.makeOutput(shape, "float32");
    fillDropoutMultipliers(backend.typedArrayFromHeap(info) as Float32Array, rate, seed);
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  fillDropoutMultipliers(values, rate, seed);
  return tf.tensor(values, shape, "float32");
}

/** The parts of tfjs-layers' Dropout used here (not in its public types). */
interface DropoutInternals {
  rate: number;
  seed?: number;
  getNoiseShape(input: tf.Tensor): number[] | undefined;
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): void;
}

type Call = (this: DropoutInternals, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => unknown;
type Proto = { call: Call; __loopMasks?: true };

/** Whether this dropout call can draw its mask here: training, a float32 input as the noise's shape, IEEE kernels. */
function drawsHere(layer: DropoutInternals, input: tf.Tensor, kwargs: Record<string, unknown>): boolean {
  if (kwargs?.["training"] !== true || !(layer.rate > 0 && layer.rate < 1) || input.dtype !== "float32") return false;
  const noise = layer.getNoiseShape(input);
  if (noise !== undefined && noise !== null && !tf.util.arraysEqual(noise, input.shape)) return false;
  const backend = tf.getBackend();
  return backend === "wasm" || backend === "cpu";
}

function install(proto: Proto): void {
  if (proto.__loopMasks) return;
  const stockCall = proto.call;
  proto.call = function (this: DropoutInternals, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!input || Array.isArray(inputs) && inputs.length !== 1 || !drawsHere(this, input, kwargs)) {
      return stockCall.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      return tf.mul(input, multiplierTensor([...input.shape], this.rate, this.seed));
    });
  };
  proto.__loopMasks = true;
}

install(Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })));
