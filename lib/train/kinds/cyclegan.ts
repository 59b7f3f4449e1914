/**
 * Kind `cyclegan` (Zhu et al. 2017, at a CPU's scale): unpaired translation between domain A (`dataset`) and
 * domain B (`datasetB`), any two datasets of the same shape whose sides are multiples of 4 (MNIST ↔ Fashion-MNIST,
 * two folders of 32×32 colour images, CIFAR-10 ↔ a `.npy` set). Two generators, G_AB and G_BA, and two
 * discriminators, D_A and D_B. G's loss is the
 * adversarial loss of both translations + `cycleWeight` × the cycle-consistency L1 (A→B→A against A, B→A→B
 * against B) + `identityWeight` × the identity L1 (G_AB of a B image against itself, G_BA of an A image against
 * itself; null: half of `cycleWeight`, as the paper). Each D learns real images of its domain against the
 * translations into it, drawn from the paper's pool of 50 past fakes (half of each batch, once the pool is full,
 * swapped for an older translation). An iteration is the G step, then the D step on that step's translations.
 *
 * - **Loss**: the adversarial terms are the config's `loss` (the paper's least squares is `lsgan`, which the
 *   experiment file sets; `bce`, `minimax` and `hinge` work too). The losses needing weight clipping or a gradient
 *   penalty (`wgan`, `wgan-gp`, `dragan`) and `nCritic` > 1 are refused.
 * - **Networks**: built by the kind, not by `arch` (the architecture registry's generators take noise): each G is a
 *   small ResNet — a 3×3 convolution, two stride-2 downsamplings to a quarter of the side (7×7 at 28), two residual
 *   blocks, two ×2 upsamplings (nearest, then a 3×3 convolution) and a last convolution to the data's channels
 *   ending in tanh or sigmoid for the pixel range; each D is a PatchGAN: two stride-2 4×4 convolutions and a 3×3
 *   one scoring each of (side/4)² overlapping patches. `arch` is not read (a grid over `kind` keeps its other kinds'
 *   architecture).
 * - **Optimisers**: `optG`, one Adam over both generators (one joint loss, as the paper), and `optD`, one over both
 *   discriminators (their losses are summed; their weights are disjoint, so it is two independent updates).
 * - **Numbers**: `dLoss` is the mean of D_A's and D_B's losses, `gLoss` G's whole weighted loss; `dReal`, `dFake`
 *   and `dAcc` are the means over both Ds' patch scores (real images; pooled translations) and the share of
 *   patches called right. `cycleL1` and `identityL1` are the unweighted L1 terms, means over both directions.
 * - **Samples**: row r shows, of each domain, the first real image of class r mod its classes (MNIST's and
 *   Fashion-MNIST's test images; a labelled source's images in the metrics' seeded order; an unlabelled one's
 *   first training images): A | A→B | A→B→A | B | B→A | B→A→B, in colour for colour data.
 * - **Evaluation**: each domain's real side is that of the quality metrics (`lib/classifier/labelled_data.ts`: the
 *   test split of MNIST and Fashion-MNIST, a source's images in a seeded order), and each domain needs its pinned
 *   classifier (`deno task classifier --dataset …` for a source of one's own). The usual fields (`fcd`, `cis`,
 *   `classesCovered`, `classHist`, …) are those of the evaluator's n A images translated to B, through B's
 *   classifier against B's real side (the exported generator is G_AB). Beside them: `fcdAB` (the same fcd), `fcdBA`
 *   (B's images translated to A, through A's classifier), their baselines `fcdABUntranslated` and
 *   `fcdBAUntranslated` (the images as they are), `cycleL1` (the mean absolute error of A→B→A and B→A→B in [0, 1]
 *   pixels), `cycleAccuracyA`/`cycleAccuracyB` (the share of cycled images the domain's own classifier assigns to
 *   their true class) and `classMI` (the mutual information, in nats, between an A image's class and B's
 *   classifier's class of its translation: 0 when A→B ignores the class, ln 10 ≈ 2.30 when each of 10 A classes maps
 *   to its own B class).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset, ResolvedConfig } from "../../experiment/config.ts";
import { bytesToUnit } from "../../classifier/accuracy.ts";
import { NUM_CLASSES } from "../../classifier/model.ts";
import { referenceImages } from "../../classifier/labelled_data.ts";
import { BatchOrder, type BatchOrderState } from "../../data/batches.ts";
import { datasetFacts } from "../../data/dataset_ref.ts";
import { InputError } from "../../input_error.ts";
import { createEvaluator, evalFields, type Evaluator, roundLogged } from "../../metrics/evaluator.ts";
import type { Rng } from "../../rng.ts";
import { FusedAdamOptimizer } from "../../kernels/fused_adam.ts";
import { IterationInputs } from "../iteration_inputs.ts";
import { decisionThreshold, discriminatorOutput, discriminatorTerms, generatorLoss } from "../losses.ts";
import type { GanKind, KindContext, KindRun } from "../../plugins/kinds.ts";

/** The paper's pool of past translations per D. */
export const POOL_SIZE = 50;

type Shape = [number, number, number];

/** G: a small ResNet from an image of `shape` to one of the same shape, ending for the pixel range. */
function translator(shape: Shape, pixelRange: string, name: string): tf.LayersModel {
  // Leaky ReLUs: with plain ReLUs and no normalisation a G can die (every unit off, one image for every input).
  const conv = (x: tf.SymbolicTensor, filters: number, strides = 1, activation?: "leaky") => {
    const y = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: "same" }).apply(x) as tf.SymbolicTensor;
    return activation ? tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor : y;
  };
  const input = tf.input({ shape });
  let x = conv(input, 8, 1, "leaky");
  x = conv(x, 16, 2, "leaky"); // h/2 × w/2
  x = conv(x, 32, 2, "leaky"); // h/4 × w/4
  for (let i = 0; i < 2; i++) x = tf.layers.add().apply([x, conv(conv(x, 32, 1, "leaky"), 32)]) as tf.SymbolicTensor;
  for (const filters of [16, 8]) {
    x = conv(tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor, filters, 1, "leaky");
  }
  const out = tf.layers.conv2d({
    filters: shape[2],
    kernelSize: 3,
    padding: "same",
    activation: pixelRange === "[-1,1]" ? "tanh" : "sigmoid",
  }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

/** D: a PatchGAN scoring each of the (h/4)×(w/4) overlapping patches of an h×w image (raw scores, `[n, h/4, w/4, 1]`). */
function patchDiscriminator(shape: Shape, name: string): tf.LayersModel {
  const leaky = (x: tf.SymbolicTensor) => tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape });
  let x = leaky(
    tf.layers.conv2d({ filters: 16, kernelSize: 4, strides: 2, padding: "same" }).apply(input) as tf.SymbolicTensor,
  );
  x = leaky(
    tf.layers.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: "same" }).apply(x) as tf.SymbolicTensor,
  );
  const out = tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: "same" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name });
}

/**
 * The paper's image pool (Shrivastava et al. 2017): D sees a batch in which, once the pool holds `POOL_SIZE`
 * translations, each image is with probability ½ swapped for a random older one (which the new one replaces).
 * Its random choices come from the run's stream.
 */
export class ImagePool {
  images: tf.Tensor3D[] = [];

  constructor(private readonly rng: Rng) {}

  /** The batch D sees for the translations `fakes` (a new tensor; `fakes` is the caller's). */
  query(fakes: tf.Tensor4D): tf.Tensor4D {
    const incoming = tf.unstack(fakes) as tf.Tensor3D[];
    const out: tf.Tensor3D[] = [];
    const spare: tf.Tensor3D[] = [];
    for (const image of incoming) {
      if (this.images.length < POOL_SIZE) {
        this.images.push(tf.keep(image));
        out.push(image);
      } else if (this.rng.next() < 0.5) {
        const i = this.rng.int(POOL_SIZE);
        out.push(this.images[i]!);
        spare.push(this.images[i]!);
        this.images[i] = image;
      } else {
        out.push(image);
        spare.push(image);
      }
    }
    const batch = tf.stack(out) as tf.Tensor4D;
    // Disposed: the incoming images D sees but the pool does not keep, and the old ones swapped out.
    tf.dispose(spare.filter((t) => !this.images.includes(t)));
    return batch;
  }

  /** The pool as one tensor (null when empty; the caller disposes it). */
  stacked(): tf.Tensor4D | null {
    return this.images.length === 0 ? null : tf.stack(this.images) as tf.Tensor4D;
  }

  /** Continue from a saved pool (`images` is copied). */
  restore(images: tf.Tensor | undefined): void {
    this.dispose();
    this.images = images ? tf.unstack(images) as tf.Tensor3D[] : [];
  }

  dispose(): void {
    tf.dispose(this.images);
    this.images = [];
  }
}

/** A domain's images for the grid and the evaluation: the first `n` of its real side, in the run's pixel range. */
async function domainImages(
  dataset: Dataset,
  dataDir: string,
  n: number,
  pixelRange: string,
): Promise<{ images: tf.Tensor4D; labels: Uint8Array }> {
  const ref = await referenceImages(dataset, dataDir, n);
  const unit = bytesToUnit(ref.images);
  const images = tf.tidy(() => {
    const t = tf.tensor4d(unit, [ref.count, ...ref.shape]);
    return (pixelRange === "[-1,1]" ? tf.sub(tf.mul(t, 2), 1) : t) as tf.Tensor4D;
  });
  return { images, labels: ref.labels };
}

/**
 * The grid's images of a domain, one per row: the first real image of class r mod the classes it shows (of
 * MNIST's and Fashion-MNIST's first 1,000 test images; of a labelled source's real side), or for an unlabelled
 * source its first training images.
 */
async function gridImages(dataset: Dataset, rows: number, ctx: KindContext, pixelRange: string): Promise<tf.Tensor4D> {
  const dataDir = ctx.dataDir ?? ".";
  const facts = await datasetFacts(dataset, dataDir);
  if (facts.classes === 0) {
    const train = await ctx.loadImages(dataset);
    const k = Math.min(rows, train.count);
    const size = train.shape[0] * train.shape[1] * train.shape[2];
    const picked = Array.from({ length: rows }, (_, r) => r % k);
    return tf.tidy(() => tf.gather(tf.tensor4d(train.images.subarray(0, k * size), [k, ...train.shape]), picked));
  }
  const { images, labels } = await domainImages(dataset, dataDir, Math.min(1000, facts.count), pixelRange);
  const first = Array.from({ length: facts.classes }, (_, c) => labels.indexOf(c)).filter((i) => i >= 0);
  const picked = tf.tidy(() => tf.gather(images, Array.from({ length: rows }, (_, r) => first[r % first.length]!)));
  images.dispose();
  return picked as tf.Tensor4D;
}

/** Mean absolute difference. */
function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar;
}

/** Mutual information in nats between two class assignments of the same items. */
export function mutualInformation(a: ArrayLike<number>, b: ArrayLike<number>, classes = NUM_CLASSES): number {
  const n = a.length;
  const joint = new Float64Array(classes * classes);
  const pa = new Float64Array(classes);
  const pb = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    joint[a[i]! * classes + b[i]!]! += 1 / n;
    pa[a[i]!]! += 1 / n;
    pb[b[i]!]! += 1 / n;
  }
  let mi = 0;
  for (let x = 0; x < classes; x++) {
    for (let y = 0; y < classes; y++) {
      const p = joint[x * classes + y]!;
      if (p > 0) mi += p * Math.log(p / (pa[x]! * pb[y]!));
    }
  }
  return Math.max(0, mi);
}

/** `images` translated by `g` in chunks of 500, in the run's pixel range (the caller disposes it). */
function translate(g: tf.LayersModel, images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const chunks: tf.Tensor[] = [];
    for (let i = 0; i < n; i += 500) {
      chunks.push(
        g.apply(images.slice([i, 0, 0, 0], [Math.min(500, n - i), -1, -1, -1]), { training: false }) as tf.Tensor,
      );
    }
    return tf.concat(chunks) as tf.Tensor4D;
  });
}

/** The pixels of `x` (in `pixelRange`) in [0, 1], clipped, as a flat array. */
async function toUnitPixels(x: tf.Tensor, pixelRange: string): Promise<Float32Array> {
  const u = tf.tidy(() => tf.clipByValue(pixelRange === "[-1,1]" ? tf.add(tf.mul(x, 0.5), 0.5) : x, 0, 1));
  const data = await u.data() as Float32Array;
  u.dispose();
  return data;
}

/** The share of `predicted` equal to `truth`. */
function accuracy(predicted: Uint8Array, truth: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) right++;
  return right / predicted.length;
}

/** The kind's four networks. */
interface CycleNets {
  genAB: tf.LayersModel;
  genBA: tf.LayersModel;
  discA: tf.LayersModel;
  discB: tf.LayersModel;
}

/** The trainable weights of `models`. */
function weightsOf(...models: tf.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((v) => v.read() as tf.Variable));
}

/**
 * G's update (both generators, one joint loss); returns `[gLoss, cycleL1, identityL1]` and the translations
 * (kept; the caller disposes them).
 */
function generatorStep(
  nets: CycleNets,
  optG: tf.Optimizer,
  config: ResolvedConfig,
  realA: tf.Tensor,
  realB: tf.Tensor,
): { numbers: tf.Tensor1D; fakeA: tf.Tensor4D; fakeB: tf.Tensor4D } {
  const { genAB, genBA, discA, discB } = nets;
  const cycleWeight = config.cycleWeight;
  const identityWeight = config.identityWeight ?? cycleWeight / 2;
  const apply = (m: tf.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor4D;
  let fakeA: tf.Tensor4D | undefined;
  let fakeB: tf.Tensor4D | undefined;
  let parts: tf.Scalar[] = [];
  const numbers = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const ab = apply(genAB, realA);
      const ba = apply(genBA, realB);
      fakeB = tf.keep(ab);
      fakeA = tf.keep(ba);
      const adversarial = tf.add(
        generatorLoss(config.loss, apply(discB, ab), config),
        generatorLoss(config.loss, apply(discA, ba), config),
      );
      const cycle = tf.div(tf.add(l1(apply(genBA, ab), realA), l1(apply(genAB, ba), realB)), 2) as tf.Scalar;
      const identity = tf.div(tf.add(l1(apply(genAB, realB), realB), l1(apply(genBA, realA), realA)), 2) as tf.Scalar;
      parts = [tf.keep(cycle), tf.keep(identity)];
      // Each L1 is summed over both directions, as the paper's λ weighs each direction's term.
      return tf.addN([adversarial, tf.mul(cycle, 2 * cycleWeight), tf.mul(identity, 2 * identityWeight)]) as tf.Scalar;
    }, weightsOf(genAB, genBA));
    optG.applyGradients(grads);
    return tf.stack([value, ...parts]) as tf.Tensor1D;
  });
  tf.dispose(parts);
  return { numbers, fakeA: fakeA!, fakeB: fakeB! };
}

/** D's update on real images and pooled translations; returns `[dLoss, dReal, dFake, dAcc]`. */
function discriminatorStep(
  nets: CycleNets,
  optD: tf.Optimizer,
  config: ResolvedConfig,
  real: { a: tf.Tensor; b: tf.Tensor },
  fake: { a: tf.Tensor; b: tf.Tensor },
): tf.Tensor1D {
  const loss = config.loss;
  const outs: tf.Tensor[] = [];
  const numbers = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const pairs = [[nets.discA, real.a, fake.a], [nets.discB, real.b, fake.b]] as const;
      const losses = pairs.map(([d, r, f]) => {
        const out = d.apply(tf.concat([r, f]), { training: true }) as tf.Tensor;
        const n = r.shape[0]!;
        const [outReal, outFake] = tf.split(out, [n, n]) as [tf.Tensor, tf.Tensor];
        outs.push(tf.keep(outReal), tf.keep(outFake));
        const [lr, lf] = discriminatorTerms(loss, outReal, outFake, config.labelSmoothing, config);
        const sum = tf.add(lr, lf);
        return config.dLossReduce === "sum" ? sum : tf.div(sum, 2);
      });
      return tf.div(tf.add(losses[0]!, losses[1]!), 2) as tf.Scalar;
    }, weightsOf(nets.discA, nets.discB));
    optD.applyGradients(grads);
    const t = decisionThreshold(loss);
    const flat = (x: tf.Tensor) => tf.reshape(discriminatorOutput(loss, x), [-1]);
    const scoresReal = tf.concat([outs[0]!, outs[2]!].map(flat));
    const scoresFake = tf.concat([outs[1]!, outs[3]!].map(flat));
    const correct = tf.add(
      tf.sum(tf.cast(tf.greater(scoresReal, t), "float32")),
      tf.sum(tf.cast(tf.lessEqual(scoresFake, t), "float32")),
    );
    const total = scoresReal.size + scoresFake.size;
    return tf.stack([value, tf.mean(scoresReal), tf.mean(scoresFake), tf.div(correct, total)]) as tf.Tensor1D;
  });
  tf.dispose(outs);
  return numbers;
}

/** The mean absolute difference of two arrays of the same length. */
function meanAbs(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]! - y[i]!);
  return s / x.length;
}

/**
 * A run's evaluation: the first `n` images of each domain's real side translated both ways and cycled, through
 * each domain's evaluator (A's is the loop's; B's is made on first use). The untranslated baselines never change, so
 * they are taken once.
 */
class CycleScorer {
  #evaluatorB: Evaluator | null = null;
  #untranslated: { ab: number; ba: number } | null = null;

  constructor(
    private readonly nets: CycleNets,
    private readonly config: ResolvedConfig,
    private readonly dataDir: string,
  ) {}

  async score(evaluatorA: Evaluator): Promise<Record<string, number | string>> {
    const { config, dataDir, nets } = this;
    const n = evaluatorA.n;
    const datasetB = config.datasetB!;
    const evaluatorB = this.#evaluatorB ??= await createEvaluator(datasetB, { n, precisionRecall: false, dataDir });
    const a = await domainImages(config.dataset, dataDir, n, config.pixelRange);
    const b = await domainImages(datasetB, dataDir, n, config.pixelRange);
    const ab = translate(nets.genAB, a.images);
    const ba = translate(nets.genBA, b.images);
    const aba = translate(nets.genBA, ab);
    const bab = translate(nets.genAB, ba);
    try {
      const [pa, pb, pab, pba, paba, pbab] = await Promise.all(
        [a.images, b.images, ab, ba, aba, bab].map((x) => toUnitPixels(x, config.pixelRange)),
      );
      const mAB = await evaluatorB.evaluateImages(pab!);
      const mBA = await evaluatorA.evaluateImages(pba!);
      this.#untranslated ??= {
        ab: (await evaluatorB.evaluateImages(pa!)).fcd,
        ba: (await evaluatorA.evaluateImages(pb!)).fcd,
      };
      const classAB = await evaluatorB.predictClasses(pab!, n);
      return {
        ...evalFields(mAB, evaluatorB.classifierSha256),
        fcdAB: roundLogged(mAB.fcd),
        fcdBA: roundLogged(mBA.fcd),
        fcdABUntranslated: roundLogged(this.#untranslated.ab),
        fcdBAUntranslated: roundLogged(this.#untranslated.ba),
        cycleL1: roundLogged((meanAbs(paba!, pa!) + meanAbs(pbab!, pb!)) / 2),
        cycleAccuracyA: roundLogged(accuracy(await evaluatorA.predictClasses(paba!, n), a.labels)),
        cycleAccuracyB: roundLogged(accuracy(await evaluatorB.predictClasses(pbab!, n), b.labels)),
        classMI: roundLogged(mutualInformation(a.labels, classAB, Math.max(evaluatorA.classes, evaluatorB.classes))),
      };
    } finally {
      tf.dispose([a.images, b.images, ab, ba, aba, bab]);
    }
  }

  dispose(): void {
    this.#evaluatorB?.dispose();
  }
}

/** Domain B's training images, refused unless they have domain A's shape. */
async function domainB(config: ResolvedConfig, ctx: KindContext) {
  const dataB = await ctx.loadImages(config.datasetB!);
  if (dataB.shape.join() !== ctx.imageShape.join()) {
    throw new InputError(
      "config.datasetB",
      `${dataB.source}: its images are ${dataB.shape.join("×")}, domain A's ${ctx.imageShape.join("×")}: expected ` +
        "the same shape (a folder of images takes size: and channels: to match)",
    );
  }
  return dataB;
}

/** What the checkpoint keeps beyond the networks: B's batch order, and both pools (a group each when not empty). */
function savedState(orderB: BatchOrder, poolA: ImagePool, poolB: ImagePool) {
  const tensors: Record<string, { name: string; tensor: tf.Tensor }[]> = {};
  for (const [name, pool] of [["poolA", poolA], ["poolB", poolB]] as const) {
    const t = pool.stacked();
    if (t) tensors[name] = [{ name: "images", tensor: t }];
  }
  return { json: { orderB: orderB.getState() }, tensors };
}

async function build(config: ResolvedConfig, ctx: KindContext): Promise<KindRun> {
  const shape = ctx.imageShape;
  const [h, w, c] = shape;
  const dataB = await domainB(config, ctx);
  const orderB = new BatchOrder(
    Math.min(config.trainSize ?? dataB.count, dataB.count),
    config.batchSize,
    config.batching,
    ctx.rng,
  );
  const inputsB = new IterationInputs(dataB, config, orderB, ctx.rng);
  const nets: CycleNets = {
    genAB: translator(shape, config.pixelRange, "cyclegan_gen_ab"),
    genBA: translator(shape, config.pixelRange, "cyclegan_gen_ba"),
    discA: patchDiscriminator(shape, "cyclegan_disc_a"),
    discB: patchDiscriminator(shape, "cyclegan_disc_b"),
  };
  const optG: tf.Optimizer = new FusedAdamOptimizer(config.lrG, config.beta1, config.beta2, config.adamEpsilon);
  const optD: tf.Optimizer = new FusedAdamOptimizer(config.lrD, config.beta1, config.beta2, config.adamEpsilon);
  const poolA = new ImagePool(ctx.rng);
  const poolB = new ImagePool(ctx.rng);
  const rows = config.sampleGrid[0];
  const fixedA = await gridImages(config.dataset, rows, ctx, config.pixelRange);
  const fixedB = await gridImages(config.datasetB!, rows, ctx, config.pixelRange);
  const scorer = new CycleScorer(nets, config, ctx.dataDir ?? ".");
  const { genAB, genBA } = nets;

  return {
    networks: { ...nets },
    optimizers: { optG, optD },
    iterate(inputs) {
      const realA = inputs.batch();
      const realB = inputsB.batch();
      const g = generatorStep(nets, optG, config, realA, realB);
      const pooledA = poolA.query(g.fakeA);
      const pooledB = poolB.query(g.fakeB);
      const d = discriminatorStep(nets, optD, config, { a: realA, b: realB }, { a: pooledA, b: pooledB });
      const numbers = tf.tidy(() =>
        tf.concat([d.slice([0], [1]), g.numbers.slice([0], [1]), d.slice([1], [3]), g.numbers.slice([1], [2])])
      );
      tf.dispose([realA, realB, g.numbers, g.fakeA, g.fakeB, pooledA, pooledB, d]);
      return numbers as tf.Tensor1D;
    },
    sampleGrid: [rows, 6],
    sampleImages: () =>
      tf.tidy(() => {
        const ab = genAB.apply(fixedA, { training: false }) as tf.Tensor4D;
        const ba = genBA.apply(fixedB, { training: false }) as tf.Tensor4D;
        const aba = genBA.apply(ab, { training: false }) as tf.Tensor4D;
        const bab = genAB.apply(ba, { training: false }) as tf.Tensor4D;
        return tf.reshape(tf.stack([fixedA, ab, aba, fixedB, ba, bab], 1), [rows * 6, h, w, c]);
      }),
    evaluate: (evaluatorA: Evaluator) => scorer.score(evaluatorA),
    saveState: () => Promise.resolve(savedState(orderB, poolA, poolB)),
    restoreState(state) {
      orderB.setState((state.json as { orderB: BatchOrderState }).orderB);
      poolA.restore(state.tensors.poolA?.[0]?.tensor);
      poolB.restore(state.tensors.poolB?.[0]?.tensor);
      return Promise.resolve();
    },
    exported: {
      generator: genAB,
      settings: {
        noiseDim: config.noiseDim,
        noise: config.noise,
        pixelRange: config.pixelRange,
        translatesFrom: config.dataset,
      },
    },
    dispose() {
      tf.dispose([fixedA, fixedB]);
      poolA.dispose();
      poolB.dispose();
      scorer.dispose();
      for (const x of [nets.genAB, nets.genBA, nets.discA, nets.discB, optG, optD]) x.dispose();
    },
  };
}

/**
 * Scores a saved translation generator for `deno task eval`: the first `evaluatorTo.n` images of `from`'s real side
 * translated, through the target domain's evaluator. The fields are the kind's own for that direction: the usual ones
 * (`fcd`, `cis`, …, and precision/recall when the evaluator has them), `fcdAB`, its untranslated baseline
 * `fcdABUntranslated` and `classMI`.
 * @param settings `from`: domain A, its paths absolute (or against `dataDir`).
 */
export async function evaluateTranslation(
  model: tf.LayersModel,
  evaluatorTo: Evaluator,
  settings: { from: Dataset; pixelRange: string; dataDir?: string },
): Promise<Record<string, number | string>> {
  const n = evaluatorTo.n;
  const a = await domainImages(settings.from, settings.dataDir ?? ".", n, settings.pixelRange);
  const ab = translate(model, a.images);
  try {
    const [pa, pab] = await Promise.all([a.images, ab].map((x) => toUnitPixels(x, settings.pixelRange)));
    const translated = await evaluatorTo.evaluateImages(pab!);
    const untranslated = await evaluatorTo.evaluateImages(pa!);
    const classAB = await evaluatorTo.predictClasses(pab!, n);
    const classesA = Math.max(...a.labels) + 1;
    return {
      ...evalFields(translated, evaluatorTo.classifierSha256),
      fcdAB: roundLogged(translated.fcd),
      fcdABUntranslated: roundLogged(untranslated.fcd),
      classMI: roundLogged(mutualInformation(a.labels, classAB, Math.max(classesA, evaluatorTo.classes))),
    };
  } finally {
    tf.dispose([a.images, ab]);
  }
}

/** Kind `cyclegan`'s build (its declaration is in `builtin.ts`). */
export const cycleganBuild: GanKind["build"] = build;
