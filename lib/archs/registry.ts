/**
 * What an architecture is: a pair of builders for the generator and the
 * discriminator, and the registry that maps names to them.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { PixelRange } from "../data/pixels.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";
import { declareOptions, type OptionSchema, type OptionSpec } from "../plugins/options.ts";

/** What a builder is told about the run it builds for. */
export interface ArchContext {
  /** Length of the noise vector the generator takes. */
  noiseDim: number;
  /** Image shape, height × width × channels (28 × 28 × 1 for MNIST). */
  imageShape: [number, number, number];
  /** `[-1,1]` wants a tanh output, `[0,1]` a sigmoid one. */
  pixelRange: PixelRange;
  /** The run's values of the architecture's own options (`Architecture.options`; their defaults where absent). */
  options?: Readonly<Record<string, unknown>>;
}

/**
 * A GAN architecture.
 *
 * - `generator` maps `[batch, noiseDim]` to `[batch, ...imageShape]`.
 * - `discriminator` maps `[batch, ...imageShape]` to `[batch, 1]` **logits**
 *   (no final sigmoid: the loss applies it, which is the numerically stable
 *   form of the posts' `Dense(1, sigmoid)` + BCE).
 *
 * Builders must create fresh variables on every call and use tfjs's seedless
 * initialisers (the harness seeds `Math.random` per run, so weights follow
 * the run's `seed`).
 * @typeParam O the values of its own options (`options`), which the builders read from `ctx.options`.
 */
export interface Architecture<O extends object = Record<never, never>> {
  /** One line: what it is and where it comes from. */
  description: string;
  /** Build the generator. */
  generator(ctx: ArchContext & { options: O }): tf.LayersModel;
  /** Build the discriminator (outputs logits). */
  discriminator(ctx: ArchContext & { options: O }): tf.LayersModel;
  /**
   * Build the discriminator a loss with an energy D needs (BEGAN: an autoencoder whose one output per image is its
   * reconstruction error, lower meaning real), when the architecture offers one; such a loss is refused on an
   * architecture without it. G is the same for both.
   */
  energyDiscriminator?(ctx: ArchContext & { options: O }): tf.LayersModel;
  /**
   * The config keys only this architecture reads (a width, a depth), each with its schema, default and what it
   * does (`lib/plugins/options.ts`); set off their defaults for a run of another architecture, they are refused.
   */
  options?: OptionSchema<O>;
}

/**
 * An architecture's working half: its builders, without the declaration (description, options) that validation and
 * planning read. The built-ins are written as one each and declared in `builtin.ts`, so planning loads no tfjs.
 */
export type ArchBuild<O extends object = Record<never, never>> = Omit<Architecture<O>, "description" | "options">;

/** An architecture's builders as {@linkcode requireArch} gives them: for any context, options or not. */
export interface ArchBuilders {
  description: string;
  /** Whether it offers an energy D (an autoencoder's reconstruction error, for BEGAN). */
  hasEnergyDiscriminator: boolean;
  generator(ctx: ArchContext): tf.LayersModel;
  /** Its D: the energy D (`energy`, BEGAN's autoencoder) when the loss reads one, else the usual one. */
  discriminator(ctx: ArchContext, energy?: boolean): tf.LayersModel;
}

/** A registered architecture, whatever its options. */
// deno-lint-ignore no-explicit-any
export type AnyArchitecture = Architecture<any>;

const registry = new Map<string, AnyArchitecture>();

/**
 * Register an architecture under a name, so experiment files can use it as
 * `arch: name`.
 * @param name The name experiment files will use.
 * @param arch Its generator and discriminator builders.
 * @throws {TypeError} if the name is already taken by another architecture, or an option clashes with a config key
 *   or with another owner's option of that name.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerArch } from "../../mod.ts";
 * registerArch("tiny-mlp", {
 *   description: "one hidden layer of 32",
 *   generator: ({ noiseDim, pixelRange }) =>
 *     tf.sequential({ layers: [
 *       tf.layers.dense({ inputShape: [noiseDim], units: 32, activation: "relu" }),
 *       tf.layers.dense({ units: 784, activation: pixelRange === "[-1,1]" ? "tanh" : "sigmoid" }),
 *       tf.layers.reshape({ targetShape: [28, 28, 1] }),
 *     ] }),
 *   discriminator: () =>
 *     tf.sequential({ layers: [
 *       tf.layers.flatten({ inputShape: [28, 28, 1] }),
 *       tf.layers.dense({ units: 32, activation: "relu" }),
 *       tf.layers.dense({ units: 1 }),
 *     ] }),
 * });
 * ```
 */
export function registerArch<O extends object>(name: string, arch: Architecture<O>): void {
  const existing = registry.get(name);
  if (existing && existing !== arch) {
    throw new TypeError(
      `Cannot register architecture '${name}': the name is already taken (taken: ${
        archNames().join(", ")
      }); choose another name`,
    );
  }
  declareOptions({ of: "architecture", name }, (arch.options ?? {}) as Record<string, OptionSpec>);
  registry.set(name, arch as AnyArchitecture);
}

/**
 * Look up an architecture.
 * @param name A registered name, e.g. `"dcgan-tf"`.
 * @returns The builders of the architecture registered under `name` (they fill in its options' defaults that
 *   `ctx.options` leaves out), or undefined.
 */
export function getArch(name: string): ArchBuilders | undefined {
  const arch = registry.get(name);
  if (arch === undefined) return undefined;
  const withOptions = withOptionDefaults(arch);
  return {
    description: arch.description,
    hasEnergyDiscriminator: arch.energyDiscriminator !== undefined,
    generator: (ctx) => arch.generator(withOptions(ctx)),
    discriminator: (ctx, energy) => pickDiscriminator(arch, name, energy)(withOptions(ctx)),
  };
}

/** `ctx` with `options` holding the values of `arch`'s options: `ctx.options`' (a run config, say), else defaults. */
function withOptionDefaults(arch: AnyArchitecture): (ctx: ArchContext) => ArchContext & { options: object } {
  const specs = Object.entries((arch.options ?? {}) as Record<string, OptionSpec>);
  return (ctx) => ({
    ...ctx,
    options: Object.fromEntries(
      specs.map(([k, spec]) => [k, ctx.options?.[k] === undefined ? spec.default : ctx.options[k]]),
    ),
  });
}

/**
 * Look up an architecture that must exist. Its builders check the shapes of what they build, and fill in the
 * defaults of the architecture's options that `ctx.options` leaves out (it may hold a whole run config).
 * @param source Where the name came from, for the error (`config.arch`, `--arch`).
 * @throws {InputError} naming the source, the name, the closest registered one and all of them.
 */
export function requireArch(name: string, source: string): ArchBuilders {
  const arch = registry.get(name);
  if (arch === undefined) {
    throw new InputError(
      source,
      `no architecture is registered as '${name}'${didYouMean(name, archNames())} (registered: ${
        archNames().join(", ")
      })`,
    );
  }
  const withOptions = withOptionDefaults(arch);
  return {
    description: arch.description,
    hasEnergyDiscriminator: arch.energyDiscriminator !== undefined,
    generator: (ctx) =>
      checkShapes(arch.generator(withOptions(ctx)), name, "generator", [ctx.noiseDim], ctx.imageShape),
    discriminator: (ctx, energy) =>
      checkShapes(pickDiscriminator(arch, name, energy)(withOptions(ctx)), name, "discriminator", ctx.imageShape, [1]),
  };
}

/** The builder of the D a loss reads: the energy D for an energy loss. @throws {InputError} when there is none. */
function pickDiscriminator(
  arch: AnyArchitecture,
  name: string,
  energy: boolean | undefined,
): (ctx: ArchContext & { options: object }) => tf.LayersModel {
  if (!energy) return (ctx) => arch.discriminator(ctx);
  const build = arch.energyDiscriminator;
  if (build === undefined) {
    throw new InputError(
      `architecture '${name}'`,
      "has no energy discriminator (an autoencoder D) for a loss that needs one, such as began; use infogan",
    );
  }
  return (ctx) => build.call(arch, ctx);
}

/**
 * A built network whose input and output shapes are the ones the loop feeds and reads, else disposed and an
 * error naming the architecture: a discriminator with 3 outputs would otherwise train, on a broadcast loss.
 */
function checkShapes(
  model: tf.LayersModel,
  name: string,
  role: "generator" | "discriminator",
  input: readonly number[],
  output: readonly number[],
): tf.LayersModel {
  const shapes = (tensors: tf.SymbolicTensor[]) => tensors.map((t) => t.shape);
  const expected = (dims: readonly number[]) => JSON.stringify([null, ...dims]);
  const got = (list: (number | null)[][]) => list.map((s) => JSON.stringify(s)).join(", ");
  const ins = shapes(model.inputs);
  const outs = shapes(model.outputs);
  const problem = ins.length !== 1 || JSON.stringify(ins[0]) !== expected(input)
    ? `takes ${got(ins)}; expected one input of shape ${expected(input)}`
    : outs.length !== 1 || JSON.stringify(outs[0]) !== expected(output)
    ? `returns ${got(outs)}; expected one output of shape ${expected(output)}${
      role === "discriminator" ? " (one logit or energy per image)" : " (the image shape)"
    }`
    : null;
  if (problem === null) return model;
  model.dispose();
  throw new InputError(`architecture '${name}'`, `its ${role} ${problem}`);
}

/**
 * List the architectures.
 * @returns Names of all registered architectures, sorted.
 */
export function archNames(): string[] {
  return [...registry.keys()].sort();
}
