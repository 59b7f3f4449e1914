/**
 * `infogan`: the network of "Are GANs Created Equal?" (Lucic et al. 2018), InfoGAN's MNIST network as
 * google/compare_gan writes it (`src/gans/abstract_gan.py` and `ops.py` at commit 623f646), for images whose side
 * is a multiple of 4 and 1 or 3 channels.
 *
 * - D: conv 64 4×4/2 → lrelu(0.2) → conv 128 4×4/2 → [BN] → lrelu → FC 1024 → [BN] → lrelu → FC 1 (a logit).
 * - G: FC 1024 → BN → lrelu → FC 128·(h/4)·(w/4) → BN → lrelu → deconv 64 4×4/2 → BN → lrelu → deconv C 4×4/2 →
 *   the pixel range's activation (sigmoid for `[0,1]`, compare_gan's range).
 * - Every layer has a bias; "SAME" padding; weights N(0, 0.02) (conv kernels truncated at 2σ, as
 *   `tf.truncated_normal_initializer`), biases 0. BatchNorm as `tf.contrib.layers.batch_norm(decay=0.999,
 *   epsilon=0.001, scale=True)`.
 *
 * compare_gan's G uses lrelu(0.2) after each BatchNorm at that commit, though the paper's table says ReLU: the code
 * is followed here. Whether D has BatchNorm is the architecture's option `discriminatorBatchNorm` (the study
 * searches it; WGAN-GP and DRAGAN turn it off, their penalty being per-sample). For BEGAN (`loss: "began"`) D is
 * compare_gan's autoencoder instead (the energy discriminator, below).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild, ArchContext } from "./registry.ts";
import type { InfoganOptions } from "./builtin.ts";
import { outputActivation } from "../data/pixels.ts";

const weights = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02 });
const convWeights = () => tf.initializers.truncatedNormal({ mean: 0, stddev: 0.02 });
const batchNorm = () => tf.layers.batchNormalization({ momentum: 0.999, epsilon: 1e-3 });
const lrelu = () => tf.layers.leakyReLU({ alpha: 0.2 });
/** A 4×4 stride-2 "SAME" transposed convolution, compare_gan's `deconv2d`, doubling the side. */
const deconv = (filters: number, activation?: "sigmoid" | "tanh") =>
  tf.layers.conv2dTranspose({
    filters,
    kernelSize: 4,
    strides: 2,
    padding: "same",
    kernelInitializer: weights(),
    ...(activation ? { activation } : {}),
  });

/** A quarter of the image side: the side of G's first map. @throws {RangeError} when it is not whole. */
function quarter([h, w]: ArchContext["imageShape"]): [number, number] {
  if (h % 4 !== 0 || w % 4 !== 0) {
    throw new RangeError(
      `Cannot build infogan for images of ${h}×${w}: expected sides that are multiples of 4 (28, 32, 64); set ` +
        "the dataset's size to one",
    );
  }
  return [h / 4, w / 4];
}

/** Lucic et al.'s network (InfoGAN's, from compare_gan): its builders (its declaration is in `builtin.ts`). */
export const infogan: ArchBuild<InfoganOptions> = {
  generator(ctx) {
    const [h4, w4] = quarter(ctx.imageShape);
    const g = tf.sequential({ name: "generator" });
    g.add(tf.layers.dense({ inputShape: [ctx.noiseDim], units: 1024, kernelInitializer: weights() }));
    g.add(batchNorm());
    g.add(lrelu());
    g.add(tf.layers.dense({ units: 128 * h4 * w4, kernelInitializer: weights() }));
    g.add(batchNorm());
    g.add(lrelu());
    g.add(tf.layers.reshape({ targetShape: [h4, w4, 128] }));
    g.add(deconv(64));
    g.add(batchNorm());
    g.add(lrelu());
    g.add(deconv(ctx.imageShape[2], outputActivation(ctx.pixelRange)));
    return g;
  },
  discriminator(ctx) {
    quarter(ctx.imageShape);
    const withBn = ctx.options.discriminatorBatchNorm;
    const d = tf.sequential({ name: "discriminator" });
    d.add(tf.layers.conv2d({
      inputShape: ctx.imageShape,
      filters: 64,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      kernelInitializer: convWeights(),
    }));
    d.add(lrelu());
    d.add(
      tf.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: "same", kernelInitializer: convWeights() }),
    );
    if (withBn) d.add(batchNorm());
    d.add(lrelu());
    d.add(tf.layers.flatten());
    d.add(tf.layers.dense({ units: 1024, kernelInitializer: weights() }));
    if (withBn) d.add(batchNorm());
    d.add(lrelu());
    d.add(tf.layers.dense({ units: 1, kernelInitializer: weights() }));
    return d;
  },
};

/**
 * Per image, the mean absolute difference between its two inputs (an autoencoder's reconstruction and the image):
 * the energy BEGAN's D gives, `[n, 1]`.
 */
class L1Energy extends tf.layers.Layer {
  static className = "L1Energy";
  override computeOutputShape(shapes: tf.Shape[]): tf.Shape {
    return [shapes[0]![0]!, 1];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [recon, image] = inputs as tf.Tensor[];
    return tf.tidy(() => tf.mean(tf.abs(tf.sub(recon!, image!)), [1, 2, 3]).reshape([-1, 1]));
  }
}
tf.serialization.registerClass(L1Energy);

/**
 * BEGAN's D as compare_gan writes it (`src/gans/BEGAN.py` at 623f646), `infogan`'s energy discriminator for
 * `loss: "began"`: an autoencoder whose output per image is its L1 reconstruction error (lower is real).
 *
 * - Encoder: conv 64 4×4/2 → lrelu → conv 128 4×4/2 → FC 64 (the code) → [BN] → lrelu.
 * - Decoder: FC 128·(h/4)·(w/4) → [BN] → lrelu → deconv 64 4×4/2 → [BN] → lrelu → deconv C 4×4/2 → the pixel
 *   range's activation; then mean |decoded − image| per image.
 *
 * BatchNorm follows `discriminatorBatchNorm`, as in the other D.
 */
const autoencoderDiscriminator = {
  discriminator(ctx: ArchContext & { options: InfoganOptions }): tf.LayersModel {
    const [h4, w4] = quarter(ctx.imageShape);
    const withBn = ctx.options.discriminatorBatchNorm;
    const image = tf.input({ shape: ctx.imageShape });
    const layers: tf.layers.Layer[] = [
      tf.layers.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: "same", kernelInitializer: convWeights() }),
      lrelu(),
      tf.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: "same", kernelInitializer: convWeights() }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, kernelInitializer: weights() }),
      ...(withBn ? [batchNorm()] : []),
      lrelu(),
      tf.layers.dense({ units: 128 * h4 * w4, kernelInitializer: weights() }),
      ...(withBn ? [batchNorm()] : []),
      lrelu(),
      tf.layers.reshape({ targetShape: [h4, w4, 128] }),
      deconv(64),
      ...(withBn ? [batchNorm()] : []),
      lrelu(),
      deconv(ctx.imageShape[2], outputActivation(ctx.pixelRange)),
    ];
    const decoded = layers.reduce<tf.SymbolicTensor>((x, l) => l.apply(x) as tf.SymbolicTensor, image);
    const energy = new L1Energy({ name: "l1_energy" }).apply([decoded, image]) as tf.SymbolicTensor;
    return tf.model({ inputs: image, outputs: energy, name: "discriminator" });
  },
};
infogan.energyDiscriminator = autoencoderDiscriminator.discriminator;
