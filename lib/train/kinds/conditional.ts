/**
 * The class-conditional kinds: G draws an image of a chosen class (the one-hot label follows the noise in G's
 * input), and D either sees the label too or names the class.
 *
 * - `cgan` (Mirza & Osindero 2014): D takes the label as constant planes after the image's channels and judges
 *   the pair: a sharp image of the wrong class is fake.
 * - `acgan` (Odena et al. 2017; tfjs-examples' mnist-acgan): D takes the image alone and has a second head of
 *   class logits beside its score; both D and G add `auxWeight` × the class cross-entropy (D on real and fake
 *   images, G on its own), and the runs log `dClassAcc`, D's class accuracy on the real images.
 *
 * Both work with any architecture and any loss: G is the architecture's generator built for `noiseDim + classes`
 * inputs, D its discriminator (built for the extra planes, or given the extra head). Generated images get the real
 * batch's labels, so D sees the same class mix in both halves and no extra random numbers are drawn. The sample
 * grid shows class r in row r (set `sampleGrid: [10, n]` for all ten), and evaluations add `labelAccuracy`: the
 * share of samples the pinned classifier assigns to the class they were drawn for.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ResolvedConfig } from "../../experiment/config.ts";
import { InputError } from "../../input_error.ts";
import { buildGan, disposeGan, ganIteration, type IterationLabels } from "../gan.ts";
import type { Conditioning } from "../steps.ts";
import { evaluateGenerator, generatorSettings, lossStateCheckpoint, stepSettings } from "./gan.ts";
import { sampleGridLabels, sampleGridNoise } from "./grid_inputs.ts";
import type { GanKind, KindContext, KindRun } from "../../plugins/kinds.ts";

/** Build a conditional kind for D's `role`: `input` (cGAN) or `auxiliary` (AC-GAN). */
function conditionalRun(config: ResolvedConfig, ctx: KindContext, role: Conditioning["role"]): KindRun {
  const { classes } = ctx;
  const [h, w, c] = ctx.imageShape;
  const g = { noiseDim: config.noiseDim + classes, imageShape: ctx.imageShape, pixelRange: config.pixelRange };
  const d = role === "input" ? { ...g, imageShape: [h, w, c + classes] as [number, number, number] } : g;
  const gan = buildGan(config, g, { discriminatorContext: d });
  if (role === "auxiliary") {
    try {
      gan.discriminator = withClassHead(gan.discriminator, classes, config.arch);
    } catch (e) {
      disposeGan(gan);
      throw e;
    }
  }
  const fixed = tf.tidy(() => tf.concat([sampleGridNoise(config), sampleGridLabels(config, classes)], 1));
  const settings = stepSettings(config);
  const exportedSettings = { ...generatorSettings(config), classes };
  return {
    networks: { generator: gan.generator, discriminator: gan.discriminator },
    optimizers: { optD: gan.optD, optG: gan.optG },
    iterate(inputs) {
      const batch = inputs.batch();
      const labels: IterationLabels = { role, weight: config.auxWeight, labels: () => inputs.labels(classes) };
      try {
        return ganIteration(gan, batch, () => inputs.noise(), settings, inputs, labels);
      } finally {
        batch.dispose();
      }
    },
    sampleImages: () => tf.tidy(() => gan.generator.apply(fixed, { training: false }) as tf.Tensor),
    evaluate: (evaluator) => evaluateGenerator(evaluator, gan.generator, exportedSettings),
    exported: { generator: gan.generator, settings: exportedSettings },
    ...lossStateCheckpoint(settings),
    dispose() {
      fixed.dispose();
      settings.lossState?.dispose();
      disposeGan(gan);
    },
  };
}

/**
 * AC-GAN's D: the architecture's D with a head of `classes` logits on the features its last layer (a one-unit
 * dense layer) reads, one output `[batch, 1 + classes]`: the score, then the class logits.
 * @throws {InputError} when D's last layer is not a one-unit dense layer: there are no features to classify.
 */
function withClassHead(d: tf.LayersModel, classes: number, arch: string): tf.LayersModel {
  const last = d.layers.at(-1)!;
  if (last.getClassName() !== "Dense" || d.outputs[0]!.shape.at(-1) !== 1) {
    throw new InputError(
      "config.arch",
      `'${arch}': kind acgan adds a class head on the features D's last layer reads, so D must end in a ` +
        `one-unit dense layer; its last layer is ${last.getClassName()}`,
    );
  }
  const features = last.input as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: classes, name: "class_logits" }).apply(features) as tf.SymbolicTensor;
  const out = tf.layers.concatenate({ axis: -1 }).apply([d.outputs[0]!, head]) as tf.SymbolicTensor;
  return tf.model({ inputs: d.inputs, outputs: out, name: "acgan_discriminator" });
}

/** Kind `cgan`'s build (its declaration is in `builtin.ts`). */
export const cganBuild: GanKind["build"] = (config, ctx) => conditionalRun(config, ctx, "input");

/** Kind `acgan`'s build. */
export const acganBuild: GanKind["build"] = (config, ctx) => conditionalRun(config, ctx, "auxiliary");
