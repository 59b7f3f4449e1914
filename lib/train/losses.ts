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
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { CRITIC_LOSSES, type LOSSES } from "../experiment/config.ts";
import { bceWithLogitsMean } from "../kernels/fused_bce.ts";

/** A loss name. */
export type LossName = (typeof LOSSES)[number];

/** Mean binary cross-entropy of sigmoid(logits) against a constant target. */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  // max(x, 0) − x·t + log(1 + e^−|x|), stable for any x, and its mean (one kernel on wasm).
  return tf.tidy(() => bceWithLogitsMean(logits, target));
}

/** Mean squared distance of scores from a constant target. */
function squaredError(scores: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(scores.sub(target))) as tf.Scalar);
}

/** D's loss on real and fake outputs, each a batch mean, before reduction. */
export function discriminatorTerms(
  loss: LossName,
  real: tf.Tensor,
  fake: tf.Tensor,
  realTarget: number,
): [tf.Scalar, tf.Scalar] {
  switch (loss) {
    case "bce":
    case "minimax":
    case "dragan":
      return [bceWithLogits(real, realTarget), bceWithLogits(fake, 0)];
    case "lsgan":
      return [squaredError(real, realTarget), squaredError(fake, 0)];
    case "hinge":
      return tf.tidy(() =>
        [tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))] as [tf.Scalar, tf.Scalar]
      );
    case "wgan":
    case "wgan-gp":
      return tf.tidy(() => [tf.neg(tf.mean(real)), tf.mean(fake)] as [tf.Scalar, tf.Scalar]);
    default:
      return unknownLoss(loss);
  }
}

/** The end of an exhaustive `switch` over the losses: a new loss that a `switch` forgot fails type checking. */
function unknownLoss(loss: never): never {
  throw new TypeError(`Cannot compute a loss: unknown loss ${JSON.stringify(loss)}`);
}

/** G's loss on D's output for generated images. */
export function generatorLoss(loss: LossName, fake: tf.Tensor): tf.Scalar {
  switch (loss) {
    case "bce":
    case "dragan":
      return bceWithLogits(fake, 1);
    case "hinge":
    case "wgan":
    case "wgan-gp":
      return tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar);
    case "minimax":
      return tf.tidy(() => tf.neg(bceWithLogits(fake, 0)));
    case "lsgan":
      return squaredError(fake, 1);
    default:
      return unknownLoss(loss);
  }
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
  switch (loss) {
    case "bce":
    case "minimax":
    case "dragan":
      return true;
    case "lsgan":
    case "hinge":
    case "wgan":
    case "wgan-gp":
      return false;
    default:
      return unknownLoss(loss);
  }
}

/** The output value that separates "real" from "fake" calls, on the `discriminatorOutput` scale. */
export function decisionThreshold(loss: LossName): number {
  switch (loss) {
    case "bce":
    case "minimax":
    case "dragan":
    case "lsgan":
      return 0.5;
    case "hinge":
    case "wgan":
    case "wgan-gp":
      return 0; // a critic's score: its sign is its call
    default:
      return unknownLoss(loss);
  }
}

/** The losses whose D is a critic scoring on an open scale: label smoothing means nothing there. */
export function isCriticLoss(loss: LossName): boolean {
  return CRITIC_LOSSES.includes(loss);
}
