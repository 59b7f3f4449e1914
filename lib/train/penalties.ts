/**
 * Gradient penalties on the discriminator (critic): the squared distance of the norm of D's input gradient
 * from 1, at points between or around the real images.
 *
 * | loss      | where D's gradient is taken                                  | paper                      |
 * | --------- | ------------------------------------------------------------ | -------------------------- |
 * | `wgan-gp` | x̂ = ε·x + (1 − ε)·G(z), ε ~ U[0, 1] per image                | Gulrajani et al. 2017      |
 * | `dragan`  | x̂ = x + 0.5·std(x)·u, u ~ U[0, 1] per pixel (its reference code) | Kodali et al. 2017      |
 *
 * Both return `gpWeight · mean((‖∇ₓ̂ D(x̂)‖₂ − 1)²)`, to be added to D's loss inside its gradient tape; the
 * random ε or u come from the caller (the run's seeded stream), so the penalty is as deterministic as the rest.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "../tfjs/second_order_gradients.ts";

/**
 * `weight · mean((‖∇D(x̂)‖₂ − 1)²)` at the points `xHat` (one per image), differentiable in D's weights.
 * @param score D's score of a batch of images (in training mode), one per image.
 */
export function gradientPenalty(score: (x: tf.Tensor) => tf.Tensor, xHat: tf.Tensor, weight: number): tf.Scalar {
  return tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => tf.sum(score(x)))(xHat);
    const axes = grad.shape.slice(1).map((_, i) => i + 1);
    // A small epsilon inside the square root keeps the norm's own gradient finite at a zero gradient.
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), axes), 1e-12));
    return tf.mul(tf.mean(tf.square(tf.sub(norm, 1))), weight) as tf.Scalar;
  });
}

/** WGAN-GP's points: `ε·real + (1 − ε)·fake`, with `epsilon` of shape `[batch]` in [0, 1). */
export function interpolates(real: tf.Tensor, fake: tf.Tensor, epsilon: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const e = tf.reshape(epsilon, [epsilon.shape[0], ...real.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake));
  });
}

/** DRAGAN's points: `real + 0.5·std(real)·u`, with `u` the shape of `real`, uniform on [0, 1). */
export function perturbed(real: tf.Tensor, u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const { variance } = tf.moments(real);
    return tf.add(real, tf.mul(tf.mul(tf.sqrt(variance), 0.5), u));
  });
}
