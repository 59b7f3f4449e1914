/**
 * BEGAN (Berthelot et al. 2017)'s terms, written against the same `GanLoss` seam an experiment file uses (its
 * declaration, with the options below, is in `builtin_losses.ts`).
 * D is an autoencoder whose output per image is its reconstruction error L(v) = mean |AE(v) − v| (the
 * architecture's `energyDiscriminator`, such as `infogan`'s, compare_gan's BEGAN D):
 *
 * - D's loss: L(x) − k·L(G(z)); G's loss: L(G(z)).
 * - k starts at 0 and after every D update becomes k + λ_k·(γ·L(x) − L(G(z))), on that update's batch. It is the
 *   loss's state, kept in the checkpoint, so a resumed run continues from it. As google/compare_gan (623f646)
 *   does, k is not clipped (the BEGAN paper clips it to [0, 1]); the study this harness reproduces is compare_gan's.
 * - The log's `dReal` and `dFake` are L(x) and L(G(z)); it adds `k` (after the iteration's D updates) and the
 *   convergence measure `M` = L(x) + |γ·L(x) − L(G(z))|, from the means over the iteration's D updates. `dAcc`
 *   means nothing here (energies are all "real" at threshold 0: it reads 0.5).
 *
 * Options: `gamma` (γ, the equilibrium ratio E[L(G(z))]/E[L(x)] D aims at, default 0.5) and `lambdaK` (λ_k, k's
 * rate, default 0.001), the BEGAN paper's values; the study searches γ U[0, 1] and λ_k 10^U[−4, −2].
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BeganOptions, LossTerms } from "./builtin_losses.ts";

/** The BEGAN loss's terms. */
export const beganTerms: LossTerms<BeganOptions> = {
  discriminator: (real, fake, { state }) =>
    tf.tidy(() => [tf.mean(real) as tf.Scalar, tf.neg(tf.mul(state!.slice(0, 1).reshape([]), tf.mean(fake)))]),
  generator: (fake) => tf.tidy(() => tf.mean(fake) as tf.Scalar),
  state: {
    initial: () => [0],
    update: (k, real, fake, { gamma, lambdaK }) =>
      tf.add(k, tf.mul(lambdaK, tf.sub(tf.mul(gamma, tf.mean(real)), tf.mean(fake)))) as tf.Tensor1D,
    logged: {
      names: ["k", "M"],
      values: (k, real, fake, { gamma }) =>
        tf.concat([k.slice(0, 1), tf.add(real, tf.abs(tf.sub(tf.mul(gamma, real), fake))).reshape([1])]) as tf.Tensor1D,
    },
  },
};
