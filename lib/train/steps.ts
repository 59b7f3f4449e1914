/**
 * One GAN iteration, as two functions: a discriminator step and a generator
 * step. Each runs inside `tf.tidy` and returns its numbers as one small kept
 * tensor, so the loop can read many steps back at once (a readback costs
 * ≥ 10 ms on Deno's WebGPU). `ganIteration` (gan.ts) runs the two in turn.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { gradientPenalty } from "./penalties.ts";
import type { LossName } from "./losses.ts";
import "./losses.ts"; // the built-in losses register themselves
import { type AnyGanLoss, type LossContext, lossOptions, requireLoss } from "../plugins/losses.ts";
import { fusedDStepNumbers } from "../kernels/fused_step_stats.ts";

/** The two networks and their optimisers. */
export interface Gan {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  optD: tf.Optimizer;
  optG: tf.Optimizer;
}

/**
 * How a class-conditional kind's networks see a batch's labels (`lib/train/kinds/`): G always takes them after the
 * noise; D takes them as constant planes after the image's channels (`input`, cGAN) or predicts them from an extra
 * head of `classes` logits after its score (`auxiliary`, AC-GAN). Generated images get the real batch's labels.
 */
export interface Conditioning {
  /** One-hot labels of the batch, `[batch, classes]`. */
  labels: tf.Tensor2D;
  role: "input" | "auxiliary";
  /** `auxiliary`: the weight of the classification loss in D's and G's losses. */
  weight: number;
}

/** How the losses are formed. */
export interface StepSettings {
  /** The loss's registered name (`lib/train/losses.ts`, or an experiment file's `losses`). */
  loss: LossName;
  /** Target for real images (1, or less with one-sided label smoothing). */
  realTarget: number;
  /** Sum D's real and fake terms, or average them. */
  dLossReduce: "sum" | "mean";
  /** D updates per G update (default 1). */
  nCritic?: number;
  /** The loss's own options (`clipValue` for `wgan`, `gpWeight` for `wgan-gp`): its defaults where absent. */
  lossOptions?: Readonly<Record<string, unknown>>;
  /**
   * A stateful loss's state (`GanLoss.state`), updated by every D step: the kind that made it (`stepSettings`)
   * keeps it in the checkpoint and disposes it.
   */
  lossState?: tf.Variable<tf.Rank.R1>;
}

/** The run's loss, its option values and its state, as a step's terms see them. */
function lossOf(s: StepSettings): { loss: AnyGanLoss; ctx: LossContext } {
  const loss = requireLoss(s.loss, "config.loss");
  if (loss.state && !s.lossState) {
    throw new TypeError(`Cannot step loss ${s.loss}: it carries state, and the settings have no lossState for it`);
  }
  const options = lossOptions(loss, s.lossOptions ?? {});
  return { loss, ctx: { realTarget: s.realTarget, options, ...(s.lossState ? { state: s.lossState } : {}) } };
}

/**
 * A stateful loss's logged numbers after an iteration (`LossState.logged`, e.g. BEGAN's k and M), from the mean of
 * its D steps' numbers `[dLoss, dReal, dFake, …]`: none for a loss that logs none. Call inside `tf.tidy`.
 */
export function loggedValues(s: StepSettings, dMeans: tf.Tensor1D): tf.Tensor1D[] {
  if (!s.lossState) return []; // a loss without state logs nothing: no lookup on every iteration
  const { loss, ctx } = lossOf(s);
  const logged = loss.state?.logged;
  if (!logged) return [];
  const at = (i: number) => dMeans.slice([i], [1]).reshape([]) as tf.Scalar;
  return [logged.values(s.lossState!, at(1), at(2), ctx.options)];
}

/**
 * The random numbers a gradient penalty needs, and their shape for a batch of `real`: WGAN-GP's ε per image,
 * DRAGAN's u per pixel; none for a loss without a penalty.
 */
export function penaltyNoiseShape(loss: LossName, real: readonly number[]): number[] | null {
  return requireLoss(loss, "config.loss").penalty?.noiseShape(real) ?? null;
}

const batchNormed = new WeakMap<tf.LayersModel, boolean>();

/** Whether a network has a BatchNormalization layer (at any depth). */
export function hasBatchNorm(model: tf.LayersModel): boolean {
  let known = batchNormed.get(model);
  if (known === undefined) {
    const any = (layers: readonly tf.layers.Layer[]): boolean =>
      layers.some((l) =>
        l.getClassName() === "BatchNormalization" ||
        ("layers" in l && Array.isArray(l.layers) && any(l.layers as tf.layers.Layer[]))
      );
    known = any(model.layers);
    batchNormed.set(model, known);
  }
  return known;
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Update D on a real batch and a batch generated from `noise` (and the batch's labels, for a conditional kind).
 * @returns a kept tensor `[dLoss, dReal, dFake, dAcc]`, and for an `auxiliary` condition D's class accuracy on the
 *   real images after them (dispose it after reading).
 */
export function discriminatorStep(
  gan: Gan,
  real: tf.Tensor,
  noise: tf.Tensor,
  s: StepSettings,
  penaltyNoise?: tf.Tensor,
  condition?: Conditioning,
): tf.Tensor1D {
  // Kept from inside the gradient tape; disposed by hand below.
  let realOut: tf.Tensor | undefined;
  let fakeOut: tf.Tensor | undefined;
  let classOk: tf.Tensor | undefined;
  const { loss: l, ctx } = lossOf(s);
  const stats = tf.tidy(() => {
    const fake = gan.generator.apply(generatorInput(noise, condition), { training: true }) as tf.Tensor;
    const batch = real.shape[0]!;
    const labels = condition ? tf.concat([condition.labels, condition.labels]) as tf.Tensor2D : undefined;
    const pass = (x: tf.Tensor, l: tf.Tensor2D | undefined) =>
      gan.discriminator.apply(discriminatorInput(x, condition, l), { training: true }) as tf.Tensor;
    const { value, grads } = tf.variableGrads(() => {
      // One pass over real and fake together (one large matmul per layer), unless D normalises batches: then each
      // batch alone, as in the G step, so that BatchNorm's statistics are of the same kind of batch in both.
      const out = hasBatchNorm(gan.discriminator)
        ? tf.concat([pass(real, condition?.labels), pass(fake, condition?.labels)])
        : pass(tf.concat([real, fake]), labels);
      const scores = condition?.role === "auxiliary" ? out.slice([0, 0], [-1, 1]) : out;
      const [r, f] = tf.split(scores, [batch, batch]) as [tf.Tensor, tf.Tensor];
      realOut = tf.keep(r);
      fakeOut = tf.keep(f);
      const [lr, lf] = l.discriminator(r, f, ctx);
      const sum = lr.add(lf);
      let loss = (s.dLossReduce === "sum" ? sum : sum.div(2)) as tf.Scalar;
      if (condition?.role === "auxiliary") {
        const logits = out.slice([0, 1], [-1, -1]);
        classOk = tf.keep(tf.equal(tf.argMax(logits.slice([0, 0], [batch, -1]), 1), tf.argMax(condition.labels, 1)));
        loss = tf.add(loss, tf.mul(classLoss(logits, labels!), condition.weight));
      }
      if (!l.penalty || !penaltyNoise) return loss;
      const points = l.penalty.points(real, fake, penaltyNoise);
      const penalty = penaltyOf(gan.discriminator, points, l.penalty.weight(ctx.options), condition);
      return tf.add(loss, penalty) as tf.Scalar;
    }, trainableVariables(gan.discriminator));
    gan.optD.applyGradients(grads);
    l.afterDiscriminatorUpdate?.(gan.discriminator, ctx.options);
    if (l.state) s.lossState!.assign(l.state.update(s.lossState!, realOut!, fakeOut!, ctx.options));
    const scale = l.output;
    const fused = classOk ? null : fusedDStepNumbers(value, realOut!, fakeOut!, scale);
    if (fused) return fused;
    const pReal = scale.sigmoid ? tf.sigmoid(realOut!) : realOut!;
    const pFake = scale.sigmoid ? tf.sigmoid(fakeOut!) : fakeOut!;
    const t = scale.threshold;
    const correct = tf.sum(tf.cast(tf.greater(pReal, t), "float32"))
      .add(tf.sum(tf.cast(tf.lessEqual(pFake, t), "float32")));
    return tf.stack([
      value,
      tf.mean(pReal),
      tf.mean(pFake),
      correct.div(2 * batch),
      ...(classOk ? [tf.mean(tf.cast(classOk, "float32"))] : []),
    ]) as tf.Tensor1D;
  });
  tf.dispose([realOut!, fakeOut!, ...(classOk ? [classOk] : [])]);
  return stats;
}

/** G's input: the noise, and after it the labels of a conditional kind. */
function generatorInput(noise: tf.Tensor, condition: Conditioning | undefined): tf.Tensor {
  return condition ? tf.concat([noise, condition.labels], 1) : noise;
}

/** D's input: the images, and after their channels a cGAN's label planes (one constant plane per class). */
function discriminatorInput(images: tf.Tensor, condition: Conditioning | undefined, labels?: tf.Tensor2D): tf.Tensor {
  if (condition?.role !== "input") return images;
  const [n, h, w] = images.shape as [number, number, number, number];
  const y = labels ?? condition.labels;
  const planes = tf.tile(tf.reshape(y, [n, 1, 1, y.shape[1]]), [1, h, w, 1]);
  return tf.concat([images, planes], 3);
}

/** AC-GAN's classification loss: mean softmax cross-entropy of the class logits against one-hot labels. */
function classLoss(logits: tf.Tensor, labels: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/** The loss's gradient penalty of D at its points (`penalties.ts`), with its weight. */
function penaltyOf(
  d: tf.LayersModel,
  points: tf.Tensor,
  weight: number,
  condition: Conditioning | undefined,
): tf.Scalar {
  if (!condition) return gradientPenalty((x) => d.apply(x, { training: true }) as tf.Tensor, points, weight);
  // The gradient is D's with respect to the image alone: the labels are not a point to smooth around.
  const score = (x: tf.Tensor) => {
    const out = d.apply(discriminatorInput(x, condition), { training: true }) as tf.Tensor;
    return condition.role === "auxiliary" ? out.slice([0, 0], [-1, 1]) : out;
  };
  return gradientPenalty(score, points, weight);
}

/**
 * Update G so that D scores its images from `noise` as real.
 * @returns a kept scalar: G's loss (dispose it after reading).
 */
export function generatorStep(
  gan: Gan,
  noise: tf.Tensor,
  s: StepSettings,
  condition?: Conditioning,
): tf.Scalar {
  const { loss: l, ctx } = lossOf(s);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const fake = gan.generator.apply(generatorInput(noise, condition), { training: true }) as tf.Tensor;
      const out = gan.discriminator.apply(discriminatorInput(fake, condition), {
        training: true,
      }) as tf.Tensor;
      if (condition?.role !== "auxiliary") return l.generator(out, ctx);
      const adversarial = l.generator(out.slice([0, 0], [-1, 1]), ctx);
      return tf.add(adversarial, tf.mul(classLoss(out.slice([0, 1], [-1, -1]), condition.labels), condition.weight));
    }, trainableVariables(gan.generator));
    gan.optG.applyGradients(grads);
    return value;
  });
}
