/**
 * GAN losses on discriminator logits (or raw scores, for least squares).
 *
 * | loss      | D on real (target t) | D on fake      | G                     |
 * | --------- | -------------------- | -------------- | --------------------- |
 * | `bce`     | BCE(x, t)            | BCE(x, 0)      | BCE(x, 1) (non-saturating) |
 * | `minimax` | BCE(x, t)            | BCE(x, 0)      | −BCE(x, 0) = mean log(1 − D(G(z))) |
 * | `lsgan`   | mean (x − t)²        | mean x²        | mean (x − 1)²         |
 * | `hinge`   | mean relu(1 − x)     | mean relu(1 + x) | −mean x             |
 * | `wgan`, `wgan-gp` | −mean x      | mean x         | −mean x               |
 * | `dragan`  | BCE(x, t)            | BCE(x, 0)      | BCE(x, 1)             |
 *
 * `wgan` clips D's weights to ±`clipValue` after each update; `wgan-gp` and `dragan` add a gradient
 * penalty (`penalties.ts`). For the critic losses (`hinge`, `wgan`, `wgan-gp`) D's outputs are raw scores,
 * and a score above 0 counts as calling the image real.
 *
 * `t` is the real label (1, or 0.9 with one-sided label smoothing). Each term is
 * a mean over the batch; D's two terms are summed or averaged (`dLossReduce`).
 *
 * Each built-in loss is one {@linkcode GanLoss} value, registered by name (`registerLoss`) in two halves: its
 * declaration (`builtin_losses.ts`: description, options, critic or not) and its terms, here, bound to it on import.
 * The functions below take a loss by name, so the kinds that form their own steps (`srgan`, `cyclegan`) use
 * whichever loss the run names.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BuiltinOptions } from "../experiment/config.ts";
import { bceWithLogitsMean } from "../kernels/fused_bce.ts";
import { type GanLoss, lossOptions, requireLoss } from "../plugins/losses.ts";
import { beganTerms } from "./began.ts";
import { LOSS_TERMS, type LossTerms } from "./builtin_losses.ts";
import { interpolates, perturbed } from "./penalties.ts";

/** A loss name: a built-in's ({@linkcode Loss}) or a registered plug-in's. */
export type LossName = string;

/** Mean binary cross-entropy of sigmoid(logits) against a constant target. */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  // max(x, 0) − x·t + log(1 + e^−|x|), stable for any x, and its mean (one kernel on wasm).
  return tf.tidy(() => bceWithLogitsMean(logits, target));
}

/** Mean squared distance of scores from a constant target. */
function squaredError(scores: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(scores.sub(target))) as tf.Scalar);
}

const crossEntropyD: GanLoss["discriminator"] = (real, fake, { realTarget }) => [
  bceWithLogits(real, realTarget),
  bceWithLogits(fake, 0),
];
const wassersteinD: GanLoss["discriminator"] = (real, fake) =>
  tf.tidy(() => [tf.neg(tf.mean(real)), tf.mean(fake)] as [tf.Scalar, tf.Scalar]);
const scoreG: GanLoss["generator"] = (fake) => tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar);
const nonSaturatingG: GanLoss["generator"] = (fake) => bceWithLogits(fake, 1);

type GpOptions = Pick<BuiltinOptions, "gpWeight">;

/** The built-in losses' terms, one value each (every declared loss has one: a name without terms fails to compile). */
LOSS_TERMS.bind({
  bce: { discriminator: crossEntropyD, generator: nonSaturatingG },
  minimax: { discriminator: crossEntropyD, generator: (fake) => tf.tidy(() => tf.neg(bceWithLogits(fake, 0))) },
  lsgan: {
    discriminator: (real, fake, { realTarget }) => [squaredError(real, realTarget), squaredError(fake, 0)],
    generator: (fake) => squaredError(fake, 1),
  },
  hinge: {
    discriminator: (real, fake) =>
      tf.tidy(() => [tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))] as [tf.Scalar, tf.Scalar]),
    generator: scoreG,
  },
  wgan: {
    discriminator: wassersteinD,
    generator: scoreG,
    afterDiscriminatorUpdate(d, options) {
      const c = options.clipValue;
      for (const w of d.trainableWeights) w.write(tf.clipByValue(w.read(), -c, c));
    },
  } satisfies LossTerms<Pick<BuiltinOptions, "clipValue">>,
  "wgan-gp": {
    discriminator: wassersteinD,
    generator: scoreG,
    penalty: {
      noiseShape: (real) => [real[0]!],
      points: (real, fake, noise) => interpolates(real, fake, noise as tf.Tensor1D),
      weight: (options) => options.gpWeight,
    },
  } satisfies LossTerms<GpOptions>,
  dragan: {
    discriminator: crossEntropyD,
    generator: nonSaturatingG,
    penalty: {
      noiseShape: (real) => [...real],
      points: (real, _fake, noise) => perturbed(real, noise),
      weight: (options) => options.gpWeight,
    },
  } satisfies LossTerms<GpOptions>,
  began: beganTerms,
});

/**
 * D's loss on real and fake outputs, each a batch mean, before reduction.
 * @param options the loss's own options (its defaults where absent).
 */
export function discriminatorTerms(
  loss: LossName,
  real: tf.Tensor,
  fake: tf.Tensor,
  realTarget: number,
  options: Readonly<Record<string, unknown>> = {},
): [tf.Scalar, tf.Scalar] {
  const l = requireLoss(loss, "config.loss");
  return l.discriminator(real, fake, { realTarget, options: lossOptions(l, options) });
}

/** G's loss on D's output for generated images. */
export function generatorLoss(
  loss: LossName,
  fake: tf.Tensor,
  options: Readonly<Record<string, unknown>> = {},
): tf.Scalar {
  const l = requireLoss(loss, "config.loss");
  return l.generator(fake, { realTarget: 1, options: lossOptions(l, options) });
}

/**
 * D's output as the report shows it: the probability sigmoid(x) for the
 * cross-entropy losses, the raw score for least squares and the critic losses.
 */
export function discriminatorOutput(loss: LossName, x: tf.Tensor): tf.Tensor {
  return outputIsLogit(loss) ? tf.sigmoid(x) : x;
}

/** Whether D's raw output is a logit (its scale for the log is the sigmoid), or already on its scale. */
export function outputIsLogit(loss: LossName): boolean {
  return requireLoss(loss, "config.loss").output.sigmoid;
}

/** The output value that separates "real" from "fake" calls, on the `discriminatorOutput` scale. */
export function decisionThreshold(loss: LossName): number {
  return requireLoss(loss, "config.loss").output.threshold;
}

/** The losses whose D is a critic scoring on an open scale: label smoothing means nothing there. */
export function isCriticLoss(loss: LossName): boolean {
  return requireLoss(loss, "config.loss").critic;
}
