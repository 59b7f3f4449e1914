/**
 * GAN losses on discriminator logits (or raw scores, for least squares).
 *
 * | loss      | D on real (target t) | D on fake      | G                     |
 * | --------- | -------------------- | -------------- | --------------------- |
 * | `bce`     | BCE(x, t)            | BCE(x, 0)      | BCE(x, 1) (non-saturating) |
 * | `minimax` | BCE(x, t)            | BCE(x, 0)      | −BCE(x, 0) = mean log(1 − D(G(z))) |
 * | `lsgan`   | mean (x − t)²        | mean x²        | mean (x − 1)²         |
 *
 * `t` is the real label (1, or 0.9 with one-sided label smoothing). Each term is
 * a mean over the batch; D's two terms are summed or averaged (`dLossReduce`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LOSSES } from "../experiment/config.ts";

/** A loss name. */
export type LossName = (typeof LOSSES)[number];

/** Mean binary cross-entropy of sigmoid(logits) against a constant target. */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => {
    // max(x, 0) − x·t + log(1 + e^−|x|): stable for any x.
    const perItem = tf.relu(logits).sub(logits.mul(target)).add(
      tf.softplus(tf.neg(tf.abs(logits))),
    );
    return tf.mean(perItem) as tf.Scalar;
  });
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
      return [bceWithLogits(real, realTarget), bceWithLogits(fake, 0)];
    case "lsgan":
      return [squaredError(real, realTarget), squaredError(fake, 0)];
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
      return bceWithLogits(fake, 1);
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
 * cross-entropy losses, the raw score for least squares.
 */
export function discriminatorOutput(loss: LossName, x: tf.Tensor): tf.Tensor {
  switch (loss) {
    case "bce":
    case "minimax":
      return tf.sigmoid(x);
    case "lsgan":
      return x;
    default:
      return unknownLoss(loss);
  }
}

/** The output value that separates "real" from "fake" calls, on the `discriminatorOutput` scale. */
export function decisionThreshold(_loss: LossName): number {
  return 0.5;
}
