/**
 * The GAN a run trains, built and stepped in one place: the training loop, the
 * bench and the tests all build it with {@linkcode buildGan} and run an
 * iteration (a D step, then a G step) with {@linkcode ganIteration}.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getLoss } from "../plugins/losses.ts";
import { type ArchContext, requireArch } from "../archs/registry.ts";
import type { ResolvedConfig } from "../experiment/config.ts";
import { FusedAdamOptimizer } from "../kernels/fused_adam.ts";
import {
  type Conditioning,
  discriminatorStep,
  type Gan,
  generatorStep,
  loggedValues,
  penaltyNoiseShape,
  type StepSettings,
} from "./steps.ts";

/** What building a GAN needs from a config: the architecture and both Adams' settings. */
export type GanSpec = Pick<ResolvedConfig, "arch" | "lrD" | "lrG" | "beta1" | "beta2" | "adamEpsilon">;

/**
 * Build the generator, the discriminator and their Adam optimisers. The
 * initialisers draw from `Math.random`: route it to the run's stream first
 * (`routeMathRandom`) for weights that follow the seed.
 * @param spec the architecture's registered name and the optimisers' settings.
 * @param ctx what the architecture builds for (noise length, image shape, pixel range).
 * @param other what differs from the architecture's pair: the context D is built for (a cGAN's D takes label
 *   planes after the image's channels), or a generator of the kind's own (an SR network takes images, not noise).
 * @returns the GAN; dispose it with {@linkcode disposeGan}.
 * @throws {InputError} when no architecture is registered as `spec.arch`.
 */
export function buildGan(
  spec: GanSpec,
  ctx: ArchContext,
  other: { discriminatorContext?: ArchContext; generator?: () => tf.LayersModel } = {},
): Gan {
  const arch = requireArch(spec.arch, "config.arch");
  // The architecture's own options, from the config the spec is part of (requireArch picks its keys).
  const options = { ...spec, ...ctx.options };
  return {
    generator: other.generator ? other.generator() : arch.generator({ ...ctx, options }),
    // A loss that reads energies (BEGAN) trains the architecture's autoencoder D.
    discriminator: arch.discriminator({ ...(other.discriminatorContext ?? ctx), options }, energyLoss(spec)),
    optD: new FusedAdamOptimizer(spec.lrD, spec.beta1, spec.beta2, spec.adamEpsilon),
    optG: new FusedAdamOptimizer(spec.lrG, spec.beta1, spec.beta2, spec.adamEpsilon),
  };
}

/** Whether the spec's loss (when it names one) reads an energy D. */
function energyLoss(spec: GanSpec): boolean {
  const loss = (spec as Partial<Pick<ResolvedConfig, "loss">>).loss;
  return loss !== undefined && getLoss(loss)?.energy === true;
}

/** Dispose a GAN's networks and optimisers. */
export function disposeGan(gan: Gan): void {
  for (const x of [gan.generator, gan.discriminator, gan.optD, gan.optG]) x.dispose();
}

/** What an iteration draws beyond its first real batch: more batches for more critic steps, penalty noise. */
export interface IterationDraws {
  /** The next real batch (disposed here). */
  batch(): tf.Tensor;
  /** Uniform [0, 1) noise of a shape, from the run's stream (disposed here). */
  uniform(shape: number[]): tf.Tensor;
}

/** A conditional kind's labels: how its networks see them, and the one-hot labels of the last batch drawn. */
export interface IterationLabels extends Omit<Conditioning, "labels"> {
  /** One-hot labels of the batch drawn last (disposed here). */
  labels(): tf.Tensor2D;
}

/**
 * One training iteration: `nCritic` D steps (1 unless set), the first on `real` and each later one on a batch from
 * `draws`, each against a batch generated from fresh noise, then a G step on another draw of noise. `noise` is
 * called before each step (after the D steps for G's, as D's dropout draws from the same stream); a penalised
 * loss draws its penalty's noise after D's. A conditional kind's steps see each batch's labels (`conditional`); G's
 * step takes the last batch's. The tensors drawn are disposed here.
 * @returns a kept tensor of the iteration's numbers in `STEP_NUMBERS` order (lib/results/step_numbers.ts):
 *   `[dLoss, gLoss, dReal, dFake, dAcc]`, D's the mean over its steps, and an auxiliary classifier's accuracy on
 *   the real images after them. Dispose it after reading.
 */
export function ganIteration(
  gan: Gan,
  real: tf.Tensor,
  noise: () => tf.Tensor,
  settings: StepSettings,
  draws?: IterationDraws,
  conditional?: IterationLabels,
): tf.Tensor1D {
  const critic = settings.nCritic ?? 1;
  if ((critic > 1 || penaltyNoiseShape(settings.loss, real.shape) !== null) && !draws) {
    throw new TypeError(`Cannot train loss ${settings.loss} with ${critic} critic steps without draws for them`);
  }
  const dStats: tf.Tensor1D[] = [];
  let labels: tf.Tensor2D | undefined;
  for (let i = 0; i < critic; i++) {
    const batch = i === 0 ? real : draws!.batch();
    labels?.dispose();
    labels = conditional?.labels();
    const condition = conditional && { role: conditional.role, weight: conditional.weight, labels: labels! };
    const noiseD = noise();
    const shape = penaltyNoiseShape(settings.loss, batch.shape);
    const extra = shape ? draws!.uniform(shape) : undefined;
    dStats.push(discriminatorStep(gan, batch, noiseD, settings, extra, condition));
    tf.dispose([noiseD, ...(extra ? [extra] : []), ...(i === 0 ? [] : [batch])]);
  }
  const noiseG = noise();
  const condition = conditional && { role: conditional.role, weight: conditional.weight, labels: labels! };
  const gLoss = generatorStep(gan, noiseG, settings, condition);
  const numbers = tf.tidy(() => {
    const d = dStats.length === 1 ? dStats[0]! : tf.div(tf.addN(dStats), dStats.length) as tf.Tensor1D;
    const logged = loggedValues(settings, d);
    return tf.concat([d.slice([0], [1]), gLoss.reshape([1]), d.slice([1], [-1]), ...logged]) as tf.Tensor1D;
  });
  tf.dispose([...dStats, noiseG, gLoss, ...(labels ? [labels] : [])]);
  return numbers;
}
