/**
 * What a GAN loss is, and the registry that maps `loss` names to losses. A loss is one value: D's two terms and
 * G's, how D's output reads (a logit or a score, and where "real" starts), whether D is a critic, how many D
 * updates it takes per G update, its gradient penalty or weight constraint, its own options, and for a loss that
 * carries numbers from step to step (BEGAN's k) its state, which the checkpoint keeps.
 *
 * The built-in losses are registered in `lib/train/losses.ts`; an experiment file adds its own under `losses`.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";
import { declareOptions, type OptionSchema, type OptionSpec } from "./options.ts";

/** What a loss's terms are given besides D's outputs. */
export interface LossContext<O = Record<string, unknown>> {
  /** Target for real images: 1, or less with one-sided label smoothing (a critic's is always 1). */
  realTarget: number;
  /** The run's values of the loss's own options. */
  options: O;
  /** A stateful loss's state at this step ({@linkcode LossState}); absent for the others. */
  state?: tf.Tensor1D;
}

/** A gradient penalty added to D's loss inside its gradient tape: `weight · mean((‖∇D(x̂)‖₂ − 1)²)` at points x̂. */
export interface LossPenalty<O = Record<string, unknown>> {
  /** The shape of the uniform [0, 1) noise it draws each D step (from the run's stream), for a real batch's shape. */
  noiseShape(real: readonly number[]): number[];
  /** The points x̂ where D's input gradient is taken, from the batch, its fakes and the noise drawn. */
  points(real: tf.Tensor, fake: tf.Tensor, noise: tf.Tensor): tf.Tensor;
  /** The penalty's weight λ. */
  weight(options: O): number;
}

/**
 * Numbers a loss carries from one D update to the next (BEGAN's k), kept as a tensor (no readback per step) and
 * saved in the run's checkpoint, so a resumed run continues from them.
 */
export interface LossState<O = Record<string, unknown>> {
  /** The state a run starts with. */
  initial(options: O): number[];
  /**
   * The state after a D update, from D's outputs on that update's real and fake images (called inside `tf.tidy`;
   * the outputs are those the update's loss was computed on).
   */
  update(state: tf.Tensor1D, real: tf.Tensor, fake: tf.Tensor, options: O): tf.Tensor1D;
  /**
   * Numbers the log shows after the step's own (`step` and `epoch` lines average them over the window like the
   * others): their names, and their values after an iteration from the state and D's mean outputs on the
   * iteration's real and fake images (BEGAN's k and convergence measure M). Called inside `tf.tidy`.
   */
  logged?: {
    names: readonly string[];
    values(state: tf.Tensor1D, dReal: tf.Scalar, dFake: tf.Scalar, options: O): tf.Tensor1D;
  };
}

/**
 * A GAN loss, registered by name with {@linkcode registerLoss} and chosen with the config's `loss`.
 * @typeParam O the values of its own options (`options`).
 */
export interface GanLoss<O extends object = Record<never, never>> {
  /** One line: what it is and where it comes from. */
  description: string;
  /** D's loss on its outputs for the real and the fake images, each a batch mean, before `dLossReduce`. */
  discriminator(real: tf.Tensor, fake: tf.Tensor, ctx: LossContext<O>): [tf.Scalar, tf.Scalar];
  /** G's loss on D's outputs for generated images. */
  generator(fake: tf.Tensor, ctx: LossContext<O>): tf.Scalar;
  /**
   * How D's raw output reads: `sigmoid` when it is a logit (the log shows the probability sigmoid(x)), and the
   * value on that scale above which D calls an image real (`dReal`, `dFake`, `dAcc`).
   */
  output: { sigmoid: boolean; threshold: number };
  /** Whether D is a critic scoring on an open scale: there is no real label to smooth (`labelSmoothing` 1). */
  critic: boolean;
  /** D updates per G update where the config's `nCritic` is null, as the loss's paper sets it (default 1). */
  criticSteps?: number;
  /** A gradient penalty on D (WGAN-GP, DRAGAN). */
  penalty?: LossPenalty<O>;
  /** A constraint on D's weights, applied after each D update (WGAN's clipping). */
  afterDiscriminatorUpdate?(discriminator: tf.LayersModel, options: O): void;
  /** The numbers it carries from step to step, if any. */
  state?: LossState<O>;
  /** The config keys only it reads (a key another loss reads too is shared by giving the same spec value). */
  options?: OptionSchema<O>;
  /**
   * Whether D is an autoencoder whose output is its reconstruction error, lower meaning real (BEGAN): the run's
   * architecture then builds its `energyDiscriminator` for D (and a loss that needs one is refused on an
   * architecture without it).
   */
  energy?: boolean;
}

/** A registered loss, whatever its options. */
// deno-lint-ignore no-explicit-any
export type AnyGanLoss = GanLoss<any>;

const registry = new Map<string, AnyGanLoss>();

/**
 * Register a loss under a name, so experiment files can use it as `loss: name` (or bring it under `losses`).
 * @param name the name experiment files will use.
 * @param loss its terms, how D's output reads, and its options.
 * @throws {TypeError} if the name is taken by another loss, or an option clashes with a config key or with another
 *   owner's option of that name.
 * @example A least-squares loss with its own target for fakes
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { z } from "zod";
 * import { type GanLoss, registerLoss } from "../../mod.ts";
 *
 * const lsganB: GanLoss<{ fakeTarget: number }> = {
 *   description: "least squares with targets b (real) and a (fake) (Mao et al. 2017)",
 *   discriminator: (real, fake, { realTarget, options }) =>
 *     tf.tidy(() => [
 *       tf.mean(tf.square(tf.sub(real, realTarget))) as tf.Scalar,
 *       tf.mean(tf.square(tf.sub(fake, options.fakeTarget))) as tf.Scalar,
 *     ]),
 *   generator: (fake) => tf.tidy(() => tf.mean(tf.square(tf.sub(fake, 1))) as tf.Scalar),
 *   output: { sigmoid: false, threshold: 0.5 },
 *   critic: false,
 *   options: {
 *     fakeTarget: { doc: "the target a for fakes", schema: z.number(), default: 0 },
 *   },
 * };
 * registerLoss("lsgan-ab", lsganB);
 * ```
 */
export function registerLoss<O extends object>(name: string, loss: GanLoss<O>): void {
  const existing = registry.get(name);
  if (existing && existing !== loss) {
    throw new TypeError(
      `Cannot register loss '${name}': the name is already taken (taken: ${lossNames().join(", ")}); choose another`,
    );
  }
  declareOptions({ of: "loss", name }, (loss.options ?? {}) as Record<string, OptionSpec>);
  registry.set(name, loss as AnyGanLoss);
}

/** The loss registered as `name`, or undefined. */
export function getLoss(name: string): AnyGanLoss | undefined {
  return registry.get(name);
}

/** The numbers a loss logs after the step's own (none for most; BEGAN's `k` and `M`). */
export function loggedNumbers(loss: AnyGanLoss): readonly string[] {
  return loss.state?.logged?.names ?? [];
}

/** The registered losses' names, in registration order (the built-ins first). */
export function lossNames(): string[] {
  return [...registry.keys()];
}

/**
 * The loss that must be registered as `name`.
 * @param source where the name came from, for the error (`config.loss`).
 * @throws {InputError} naming the source, the closest registered name and all of them.
 */
export function requireLoss(name: string, source: string): AnyGanLoss {
  const loss = registry.get(name);
  if (loss) return loss;
  throw new InputError(
    source,
    `no loss is registered as '${name}'${didYouMean(name, lossNames())} (registered: ${lossNames().join(", ")})`,
  );
}

/** The values of `loss`'s own options in `config` (their defaults where it has none). */
export function lossOptions(loss: AnyGanLoss, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries((loss.options ?? {}) as Record<string, OptionSpec>).map((
      [k, spec],
    ) => [k, config[k] === undefined ? spec.default : config[k]]),
  );
}
