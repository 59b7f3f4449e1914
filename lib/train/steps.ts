/**
 * One GAN iteration, as two functions: a discriminator step and a generator
 * step. Each runs inside `tf.tidy` and returns its numbers as one small kept
 * tensor, so the loop can read many steps back at once (a readback costs
 * ≥ 10 ms on Deno's WebGPU). `ganIteration` (gan.ts) runs the two in turn.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { gradientPenalty, interpolates, perturbed } from "./penalties.ts";
import { decisionThreshold, discriminatorOutput, discriminatorTerms, generatorLoss, type LossName } from "./losses.ts";

/** The two networks and their optimisers. */
export interface Gan {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  optD: tf.Optimizer;
  optG: tf.Optimizer;
}

/** How the losses are formed. */
export interface StepSettings {
  loss: LossName;
  /** Target for real images (1, or less with one-sided label smoothing). */
  realTarget: number;
  /** Sum D's real and fake terms, or average them. */
  dLossReduce: "sum" | "mean";
  /** D updates per G update (default 1). */
  nCritic?: number;
  /** `wgan`: clip D's weights to ±this after each update. */
  clipValue?: number;
  /** `wgan-gp`, `dragan`: the gradient penalty's weight. */
  gpWeight?: number;
}

/**
 * The random numbers a gradient penalty needs, and their shape for a batch of `real`: WGAN-GP's ε per image,
 * DRAGAN's u per pixel; none for the other losses.
 */
export function penaltyNoiseShape(loss: LossName, real: readonly number[]): number[] | null {
  switch (loss) {
    case "wgan-gp":
      return [real[0]!];
    case "dragan":
      return [...real];
    default:
      return null;
  }
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Update D on a real batch and a batch generated from `noise`.
 * @returns a kept tensor `[dLoss, dReal, dFake, dAcc]` (dispose it after reading).
 */
export function discriminatorStep(
  gan: Gan,
  real: tf.Tensor,
  noise: tf.Tensor,
  s: StepSettings,
  penaltyNoise?: tf.Tensor,
): tf.Tensor1D {
  // Kept from inside the gradient tape; disposed by hand below.
  let realOut: tf.Tensor | undefined;
  let fakeOut: tf.Tensor | undefined;
  const stats = tf.tidy(() => {
    const fake = gan.generator.apply(noise, { training: true }) as tf.Tensor;
    const batch = real.shape[0]!;
    const { value, grads } = tf.variableGrads(() => {
      // One pass over real and fake together: one large matmul per layer.
      const scores = gan.discriminator.apply(tf.concat([real, fake]), {
        training: true,
      }) as tf.Tensor;
      const [r, f] = tf.split(scores, [batch, batch]) as [tf.Tensor, tf.Tensor];
      realOut = tf.keep(r);
      fakeOut = tf.keep(f);
      const [lr, lf] = discriminatorTerms(s.loss, r, f, s.realTarget);
      const sum = lr.add(lf);
      const loss = (s.dLossReduce === "sum" ? sum : sum.div(2)) as tf.Scalar;
      return penaltyNoise ? tf.add(loss, penaltyOf(gan.discriminator, real, fake, penaltyNoise, s)) as tf.Scalar : loss;
    }, trainableVariables(gan.discriminator));
    gan.optD.applyGradients(grads);
    if (s.loss === "wgan") clipWeights(gan.discriminator, s.clipValue ?? 0.01);
    const pReal = discriminatorOutput(s.loss, realOut!);
    const pFake = discriminatorOutput(s.loss, fakeOut!);
    const t = decisionThreshold(s.loss);
    const correct = tf.sum(tf.cast(tf.greater(pReal, t), "float32"))
      .add(tf.sum(tf.cast(tf.lessEqual(pFake, t), "float32")));
    return tf.stack([
      value,
      tf.mean(pReal),
      tf.mean(pFake),
      correct.div(2 * batch),
    ]) as tf.Tensor1D;
  });
  tf.dispose([realOut!, fakeOut!]);
  return stats;
}

/** The loss's gradient penalty at its points (`penalties.ts`). */
function penaltyOf(d: tf.LayersModel, real: tf.Tensor, fake: tf.Tensor, noise: tf.Tensor, s: StepSettings): tf.Scalar {
  const points = s.loss === "wgan-gp" ? interpolates(real, fake, noise as tf.Tensor1D) : perturbed(real, noise);
  return gradientPenalty(d, points, s.gpWeight ?? 10);
}

/** WGAN's Lipschitz constraint: every weight of D clipped to [−c, c]. */
function clipWeights(d: tf.LayersModel, c: number): void {
  for (const w of d.trainableWeights) w.write(tf.clipByValue(w.read(), -c, c));
}

/**
 * Update G so that D scores its images from `noise` as real.
 * @returns a kept scalar: G's loss (dispose it after reading).
 */
export function generatorStep(
  gan: Gan,
  noise: tf.Tensor,
  s: StepSettings,
): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const fake = gan.generator.apply(noise, { training: true }) as tf.Tensor;
      const scores = gan.discriminator.apply(fake, {
        training: true,
      }) as tf.Tensor;
      return generatorLoss(s.loss, scores);
    }, trainableVariables(gan.generator));
    gan.optG.applyGradients(grads);
    return value;
  });
}
