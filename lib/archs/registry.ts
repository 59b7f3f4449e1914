/**
 * What an architecture is: a pair of builders for the generator and the
 * discriminator, and the registry that maps names to them.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { PixelRange } from "../data/pixels.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";

/** What a builder is told about the run it builds for. */
export interface ArchContext {
  /** Length of the noise vector the generator takes. */
  noiseDim: number;
  /** Image shape, height × width × channels (28 × 28 × 1 for MNIST). */
  imageShape: [number, number, number];
  /** `[-1,1]` wants a tanh output, `[0,1]` a sigmoid one. */
  pixelRange: PixelRange;
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
 */
export interface Architecture {
  /** One line: what it is and where it comes from. */
  description: string;
  /** Build the generator. */
  generator(ctx: ArchContext): tf.LayersModel;
  /** Build the discriminator (outputs logits). */
  discriminator(ctx: ArchContext): tf.LayersModel;
}

const registry = new Map<string, Architecture>();

/**
 * Register an architecture under a name, so experiment files can use it as
 * `arch: name`.
 * @param name The name experiment files will use.
 * @param arch Its generator and discriminator builders.
 * @throws {TypeError} if the name is already taken by another architecture.
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
export function registerArch(name: string, arch: Architecture): void {
  const existing = registry.get(name);
  if (existing && existing !== arch) {
    throw new TypeError(
      `Cannot register architecture '${name}': the name is already taken (taken: ${
        archNames().join(", ")
      }); choose another name`,
    );
  }
  registry.set(name, arch);
}

/**
 * Look up an architecture.
 * @param name A registered name, e.g. `"dcgan-tf"`.
 * @returns The architecture registered under `name`, or undefined.
 */
export function getArch(name: string): Architecture | undefined {
  return registry.get(name);
}

/**
 * Look up an architecture that must exist.
 * @param source Where the name came from, for the error (`config.arch`, `--arch`).
 * @throws {InputError} naming the source, the name, the closest registered one and all of them.
 */
export function requireArch(name: string, source: string): Architecture {
  const arch = registry.get(name);
  if (arch === undefined) {
    throw new InputError(
      source,
      `no architecture is registered as '${name}'${didYouMean(name, archNames())} (registered: ${
        archNames().join(", ")
      })`,
    );
  }
  return {
    description: arch.description,
    generator: (ctx) => checkShapes(arch.generator(ctx), name, "generator", [ctx.noiseDim], ctx.imageShape),
    discriminator: (ctx) => checkShapes(arch.discriminator(ctx), name, "discriminator", ctx.imageShape, [1]),
  };
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
      role === "discriminator" ? " (one logit per image)" : " (the image shape)"
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
