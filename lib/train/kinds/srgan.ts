/**
 * Kind `srgan` (Ledig et al. 2017, at MNIST's scale): G takes a low-resolution image (`lowRes` × `lowRes`, made
 * from the real image by area averaging: half or a quarter of its side, 14 or 7 for MNIST's 28) and returns the
 * full-size one; D, the architecture's discriminator, judges full-size images. Any dataset serves, in colour too;
 * its held-out images (MNIST's test split, a source's own images) are the evaluation's and the sample grid's. G's loss is a content loss — `contentWeight` × the pixel MSE plus `perceptualWeight` × the
 * MSE of the pinned classifier's 128-d features (the paper's VGG loss, on the classifier the metrics use) — plus
 * `adversarialWeight` × the config's adversarial loss (1e-3, as the paper). D's step is the `gan` kind's, with the
 * low-resolution images in the place of noise.
 *
 * G is a small SRResNet: a 3×3 convolution, two residual blocks, one ×2 upsampling (nearest, then a convolution)
 * per factor of 2, and a last convolution whose output is added to the bilinear upsampling of its input, so G
 * learns what bilinear interpolation misses. Evaluations score the super-resolved test images against the real
 * ones (`psnr`, `ssim`, and `fcd`/`cis`/coverage of the super-resolved set) and the same for bilinear upsampling,
 * the baseline every SR paper reports (`psnrBilinear`, `ssimBilinear`, `fcdBilinear`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ResolvedConfig } from "../../experiment/config.ts";
import { loadClassifier } from "../../classifier/load.ts";
import { bytesToUnit } from "../../classifier/accuracy.ts";
import { datasetFacts, isIdxName, resolveDataset } from "../../data/dataset_ref.ts";
import { classifierCommand, classifierId, referenceImages } from "../../classifier/labelled_data.ts";
import { featureModel } from "../../metrics/features.ts";
import { evalFields, type Evaluator, roundLogged } from "../../metrics/evaluator.ts";
import { buildGan, disposeGan } from "../gan.ts";
import { generatorLoss } from "../losses.ts";
import { discriminatorStep, type Gan } from "../steps.ts";
import { stepSettings } from "./gan.ts";
import type { GanKind, KindContext, KindRun } from "../../plugins/kinds.ts";
import { psnr, ssim } from "./image_quality.ts";

/** The SR generator for images of `shape` from `lowRes`-sized ones. */
function srGenerator(shape: [number, number, number], lowRes: number, pixelRange: string): tf.LayersModel {
  const [h, w, c] = shape;
  const input = tf.input({ shape: [lowRes, lowRes, c] });
  const conv = (x: tf.SymbolicTensor, filters: number, activation?: "relu") =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", ...(activation ? { activation } : {}) })
      .apply(x) as tf.SymbolicTensor;
  let x = conv(input, 32, "relu");
  for (let i = 0; i < 2; i++) x = tf.layers.add().apply([x, conv(conv(x, 32, "relu"), 32)]) as tf.SymbolicTensor;
  for (let size = lowRes; size < h; size *= 2) {
    x = conv(tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor, 32, "relu");
  }
  const residual = conv(x, c);
  const bilinear = tf.layers.upSampling2d({ size: [h / lowRes, w / lowRes], interpolation: "bilinear" })
    .apply(input) as tf.SymbolicTensor;
  const out = tf.layers.add().apply([bilinear, residual]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `srgan_generator_${pixelRange === "[0,1]" ? "01" : "11"}` });
}

/** Area averaging: each `factor` × `factor` block of pixels becomes its mean. */
export function downsample(images: tf.Tensor4D, factor: number): tf.Tensor4D {
  return tf.avgPool(images, factor, factor, "valid");
}

/** The pinned classifier's features of images in the run's pixel range (for the perceptual loss). */
type Features = (images: tf.Tensor) => tf.Tensor;

async function classifierFeatures(
  config: ResolvedConfig,
  dataDir: string,
): Promise<{ features: Features; dispose(): void }> {
  // No perceptual term: nothing to load (a dataset without a pinned classifier trains so).
  if (config.perceptualWeight === 0) return { features: (x) => tf.zeros([x.shape[0]!, 1]), dispose: () => {} };
  const { digest } = await datasetFacts(config.dataset, dataDir);
  const loaded = await loadClassifier(classifierId(config.dataset, digest), {
    ...(isIdxName(config.dataset) ? {} : {
      digest,
      trainCommand: `${classifierCommand(resolveDataset(config.dataset, dataDir))} (or set perceptualWeight: 0)`,
    }),
  });
  const net = featureModel(loaded.model);
  const [scale, offset] = config.pixelRange === "[-1,1]" ? [0.5, 0.5] : [1, 0];
  return {
    features: (x) => (net.apply(tf.add(tf.mul(x, scale), offset), { training: false }) as tf.Tensor[])[0]!,
    dispose: () => loaded.model.dispose(),
  };
}

/** G's update: the weighted content, perceptual and adversarial terms. Returns `[gLoss, pixelMse, perceptual]`. */
function srGeneratorStep(gan: Gan, low: tf.Tensor, real: tf.Tensor, config: ResolvedConfig, f: Features): tf.Tensor1D {
  return tf.tidy(() => {
    let parts: tf.Scalar[] = [];
    const vars = gan.generator.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const sr = gan.generator.apply(low, { training: true }) as tf.Tensor;
      const pixel = tf.losses.meanSquaredError(real, sr) as tf.Scalar;
      const perceptual = tf.losses.meanSquaredError(f(real), f(sr)) as tf.Scalar;
      const scores = gan.discriminator.apply(sr, { training: true }) as tf.Tensor;
      const adversarial = generatorLoss(config.loss, scores, config);
      parts = [tf.keep(pixel), tf.keep(perceptual)];
      return tf.addN([
        tf.mul(pixel, config.contentWeight),
        tf.mul(perceptual, config.perceptualWeight),
        tf.mul(adversarial, config.adversarialWeight),
      ]) as tf.Scalar;
    }, vars);
    gan.optG.applyGradients(grads);
    const numbers = tf.stack([value, ...parts]) as tf.Tensor1D;
    tf.dispose(parts); // kept from inside the tape
    return numbers;
  });
}

/** The first `n` held-out images (`lib/classifier/labelled_data.ts`) in the run's pixel range, `[n, h, w, c]`. */
async function testImages(
  config: Pick<ResolvedConfig, "dataset" | "pixelRange">,
  n: number,
  dataDir: string,
): Promise<tf.Tensor4D> {
  const test = await referenceImages(config.dataset, dataDir, n);
  const unit = bytesToUnit(test.images);
  return tf.tidy(() => {
    const t = tf.tensor4d(unit, [n, ...test.shape]);
    return (config.pixelRange === "[-1,1]" ? tf.sub(tf.mul(t, 2), 1) : t) as tf.Tensor4D;
  });
}

/** What evaluating a super-resolution generator needs to know of its run. */
export type SuperResolutionSettings = Pick<ResolvedConfig, "dataset" | "pixelRange" | "lowRes">;

/**
 * The eval line's fields of a super-resolution generator: the evaluator's n test images, area-averaged to
 * `lowRes` and super-resolved, scored against the real ones (`psnr`, `ssim`) and as a set through the pinned
 * classifier (`fcd`, `cis`, coverage, …), and the same for bilinear upsampling (`psnrBilinear`, `ssimBilinear`,
 * `fcdBilinear`).
 */
export async function evaluateSuperResolution(
  generator: tf.LayersModel,
  evaluator: Evaluator,
  settings: SuperResolutionSettings,
): Promise<Record<string, number | string>> {
  const n = evaluator.n;
  const high = await testImages({ ...settings, dataset: evaluator.dataset }, n, ".");
  const [h, w] = high.shape.slice(1, 3) as [number, number];
  const toUnit = (x: tf.Tensor) => settings.pixelRange === "[-1,1]" ? tf.add(tf.mul(x, 0.5), 0.5) : x;
  const [sr, bilinear, truth] = tf.tidy(() => {
    const low = downsample(high, h / settings.lowRes);
    const chunks: tf.Tensor[] = [];
    for (let i = 0; i < n; i += 500) {
      const part = low.slice([i, 0, 0, 0], [Math.min(500, n - i), -1, -1, -1]);
      chunks.push(generator.apply(part, { training: false }) as tf.Tensor);
    }
    const clip = (x: tf.Tensor) => tf.clipByValue(toUnit(x), 0, 1) as tf.Tensor4D;
    // Bilinear with half-pixel centres: the geometry of area averaging (without it the baseline is shifted by a pixel).
    const bilinear = tf.image.resizeBilinear(low, [h, w], false, true);
    return [clip(tf.concat(chunks)), clip(bilinear), toUnit(high) as tf.Tensor4D];
  });
  try {
    const srMetrics = await evaluator.evaluateImages(await sr.data() as Float32Array);
    const base = await evaluator.evaluateImages(await bilinear.data() as Float32Array);
    const r = roundLogged;
    return {
      ...evalFields(srMetrics, evaluator.classifierSha256),
      psnr: r(await psnr(sr, truth)),
      ssim: r(await ssim(sr, truth)),
      fcdBilinear: r(base.fcd),
      psnrBilinear: r(await psnr(bilinear, truth)),
      ssimBilinear: r(await ssim(bilinear, truth)),
    };
  } finally {
    tf.dispose([high, sr, bilinear, truth]);
  }
}

async function build(config: ResolvedConfig, ctx: KindContext): Promise<KindRun> {
  const [h, w, c] = ctx.imageShape;
  const factor = h / config.lowRes;
  const arch = { noiseDim: config.noiseDim, imageShape: ctx.imageShape, pixelRange: config.pixelRange };
  const gan = buildGan(config, arch, {
    generator: () => srGenerator(ctx.imageShape, config.lowRes, config.pixelRange),
  });
  const dataDir = ctx.dataDir ?? ".";
  const perceptual = await classifierFeatures(config, dataDir);
  const rows = config.sampleGrid[0];
  const fixedHigh = await testImages(config, rows, dataDir);
  const fixedLow = downsample(fixedHigh, factor);
  const settings = { ...stepSettings(config), nCritic: 1 };
  return {
    networks: { generator: gan.generator, discriminator: gan.discriminator },
    optimizers: { optD: gan.optD, optG: gan.optG },
    iterate(inputs) {
      const real = inputs.batch();
      const low = downsample(real, factor);
      const d = discriminatorStep(gan, real, low, settings);
      const g = srGeneratorStep(gan, low, real, config, perceptual.features);
      const numbers = tf.tidy(() =>
        tf.concat([d.slice([0], [1]), g.slice([0], [1]), d.slice([1], [3]), g.slice([1], [2])])
      );
      tf.dispose([real, low, d, g]);
      return numbers as tf.Tensor1D;
    },
    sampleGrid: [rows, 3],
    sampleImages: () =>
      tf.tidy(() => {
        const sr = gan.generator.apply(fixedLow, { training: false }) as tf.Tensor4D;
        const lowShown = tf.image.resizeNearestNeighbor(fixedLow, [h, w]);
        // Row r: LR (nearest-neighbour, to show its pixels) | SR | HR.
        return tf.reshape(tf.stack([lowShown, sr, fixedHigh], 1), [rows * 3, h, w, c]);
      }),
    evaluate: (evaluator: Evaluator) => evaluateSuperResolution(gan.generator, evaluator, config),
    exported: {
      generator: gan.generator,
      settings: {
        noiseDim: config.noiseDim,
        noise: config.noise,
        pixelRange: config.pixelRange,
        lowRes: config.lowRes,
      },
    },
    dispose() {
      tf.dispose([fixedHigh, fixedLow]);
      perceptual.dispose();
      disposeGan(gan);
    },
  };
}

/** Kind `srgan`'s build (its declaration is in `builtin.ts`). */
export const srganBuild: GanKind["build"] = build;
