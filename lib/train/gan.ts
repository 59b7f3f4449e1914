/**
 * The GAN a run trains, built and stepped in one place: the training loop, the
 * bench and the tests all build it with {@linkcode buildGan} and run an
 * iteration (a D step, then a G step) with {@linkcode ganIteration}.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ArchContext, requireArch } from "../archs/registry.ts";
import type { ResolvedConfig } from "../experiment/config.ts";
import { FusedAdamOptimizer } from "../kernels/fused_adam.ts";
import { discriminatorStep, type Gan, generatorStep, type StepSettings } from "./steps.ts";

/** What building a GAN needs from a config: the architecture and both Adams' settings. */
export type GanSpec = Pick<ResolvedConfig, "arch" | "lrD" | "lrG" | "beta1" | "beta2" | "adamEpsilon">;

/**
 * Build the generator, the discriminator and their Adam optimisers. The
 * initialisers draw from `Math.random`: route it to the run's stream first
 * (`routeMathRandom`) for weights that follow the seed.
 * @param spec the architecture's registered name and the optimisers' settings.
 * @param ctx what the architecture builds for (noise length, image shape, pixel range).
 * @returns the GAN; dispose it with {@linkcode disposeGan}.
 * @throws {InputError} when no architecture is registered as `spec.arch`.
 */
export function buildGan(spec: GanSpec, ctx: ArchContext): Gan {
  const arch = requireArch(spec.arch, "config.arch");
  return {
    generator: arch.generator(ctx),
    discriminator: arch.discriminator(ctx),
    optD: new FusedAdamOptimizer(spec.lrD, spec.beta1, spec.beta2, spec.adamEpsilon),
    optG: new FusedAdamOptimizer(spec.lrG, spec.beta1, spec.beta2, spec.adamEpsilon),
  };
}

/** Dispose a GAN's networks and optimisers. */
export function disposeGan(gan: Gan): void {
  for (const x of [gan.generator, gan.discriminator, gan.optD, gan.optG]) x.dispose();
}

/**
 * One training iteration: a D step on `real` and a batch generated from fresh
 * noise, then a G step on another draw of noise. `noise` is called twice, once
 * before each step (after the D step for G's, as D's dropout draws from the
 * same stream); the tensors it returns are disposed here.
 * @returns a kept tensor of the iteration's numbers in `STEP_NUMBERS` order (lib/results/step_numbers.ts):
 *   `[dLoss, gLoss, dReal, dFake, dAcc]`. Dispose it after reading.
 */
export function ganIteration(gan: Gan, real: tf.Tensor, noise: () => tf.Tensor, settings: StepSettings): tf.Tensor1D {
  const noiseD = noise();
  const dStats = discriminatorStep(gan, real, noiseD, settings);
  const noiseG = noise();
  const gLoss = generatorStep(gan, noiseG, settings);
  const numbers = tf.tidy(() =>
    tf.concat([dStats.slice([0], [1]), gLoss.reshape([1]), dStats.slice([1], [3])]) as tf.Tensor1D
  );
  tf.dispose([noiseD, dStats, noiseG, gLoss]);
  return numbers;
}
