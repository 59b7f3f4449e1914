/**
 * The gradients tfjs 4.22 lacks for differentiating a gradient: a gradient penalty (WGAN-GP, DRAGAN)
 * differentiates D's input gradient with respect to D's weights, and the first-order gradients of LeakyReLU,
 * ReLU6 and clipping contain comparisons (`Greater`, `LessEqual`, …) that have no gradient registered, so the
 * second pass throws "gradient function not found for Greater". A comparison's output is piecewise constant in
 * its inputs: its gradient is zero wherever it is defined, which is what is registered here, on every backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The comparison kernels given a zero gradient. */
export const COMPARISON_KERNELS = ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"] as const;

for (const kernelName of COMPARISON_KERNELS) {
  if (tf.getGradient(kernelName) !== undefined) continue; // a later tfjs that has them
  tf.registerGradient({
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (_dy, saved) => ({ a: () => tf.zerosLike(saved[0]!), b: () => tf.zerosLike(saved[1]!) }),
  });
}
