/**
 * Dense and Conv2D layers whose gradients the tape can skip when nobody asked
 * for them.
 *
 * tfjs-layers runs Dense as `tf.fused.matMul` and Conv2D as `tf.fused.conv2d`.
 * Each fused op's gradient is one custom function that always computes all
 * three gradients (input, kernel, bias), so a GAN iteration pays for
 * - D's kernel gradients during the G step (only G's variables are trained), and
 * - D's first-layer input gradient during the D step (the images are constants):
 * about 0.8 of the seed-002 MLP's 5.3 GFLOP per iteration, and on the DCGANs
 * a filter gradient per D layer plus the slowest input gradient of all, the
 * one onto single-channel images.
 *
 * While a gradient is being recorded, these layers run as the plain op
 * (`matMul` / `conv2d`) + `add` + activation: separate tape entries the tape
 * prunes. (Dense's product and bias run as one `HarnessDense` call on wasm and
 * cpu, whose gradients are as separable: `dense_op.ts`.) Outside gradients
 * (sampling, evaluation, the generator's pass for a D step) the fused op is
 * kept: Dense's as one `HarnessFusedDense` call on wasm and cpu. The sums
 * computed are the same; the bias is added after the product either way.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dense, fusedDense, fusedDenseRuns } from "./dense_op.ts";

/** The parts of tfjs-layers' Dense and Conv2D used here (not in their public types). */
interface LayerInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor };
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): void;
  // Conv2D only:
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: number | [number, number];
}

type Call = (this: LayerInternals, inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor | tf.Tensor[];
type Proto = { call: Call; __prunable?: true };

/** Whether a gradient tape is recording (inside `tf.grads`, `variableGrads`, `minimize`…). */
function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/** A layer's whole call outside a tape, where `runs` says it can take the input on the current backend. */
interface FusedCall {
  runs(input: tf.Tensor): boolean;
  call(layer: LayerInternals, input: tf.Tensor): tf.Tensor;
}

/**
 * Replace `proto.call` by `unfused` (the product and bias) + activation while
 * a tape records, for the inputs `applies` accepts; outside a tape by `fused`
 * where it runs, else the layer's own fused call.
 */
function unfuseUnderTape(
  proto: Proto,
  applies: (layer: LayerInternals, input: tf.Tensor) => boolean,
  unfused: (layer: LayerInternals, input: tf.Tensor) => tf.Tensor,
  fused?: FusedCall,
): void {
  if (proto.__prunable) return;
  const fusedCall = proto.call;
  proto.call = function (this: LayerInternals, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const taped = recordingGradients();
    if (!applies(this, input) || (!taped && !fused?.runs(input))) return fusedCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      return taped ? this.activation.apply(unfused(this, input)) : fused!.call(this, input);
    });
  };
  proto.__prunable = true;
}

unfuseUnderTape(
  Object.getPrototypeOf(tf.layers.dense({ units: 1 })),
  (_, x) => x.rank === 2,
  (layer, x) => layer.bias ? dense(x, layer.kernel.read(), layer.bias.read()) : tf.matMul(x, layer.kernel.read()),
  {
    runs: (x) => x.dtype === "float32" && fusedDenseRuns(),
    call: (layer, x) => fusedDense(x, layer.kernel.read(), layer.bias?.read() ?? null, layer.activation),
  },
);

unfuseUnderTape(
  Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })),
  (layer, x) =>
    x.rank === 4 && layer.dataFormat === "channelsLast" && (layer.padding === "same" || layer.padding === "valid"),
  (layer, x) => {
    const y = tf.conv2d(
      x as tf.Tensor4D,
      layer.kernel.read() as tf.Tensor4D,
      layer.strides,
      layer.padding as "same" | "valid",
      "NHWC",
      layer.dilationRate,
    );
    return layer.bias ? tf.add(y, layer.bias.read()) : y;
  },
);
