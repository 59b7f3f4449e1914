/**
 * `dcgan`: the DCGAN of Radford et al. (2016) as PyTorch's `examples/dcgan` writes it, for square images whose
 * side is 4 or 7 times a power of two (28, 32, 64, …) and 1 or 3 channels.
 *
 * - G: z → ConvTranspose(ngf·2^(k−1), 4×4 from 1×1, no bias) → BN → ReLU, then k blocks of
 *   ConvTranspose(4×4, stride 2, padding 1, no bias) → BN → ReLU halving the channels, the last to C channels
 *   → tanh. (The first layer, a 4×4 transposed convolution of a 1×1 input, is written as the dense layer it equals.)
 * - D: Conv(ndf, 4×4, s2, p1, no bias) → LeakyReLU(0.2), then k−1 blocks of Conv(4×4, s2, p1, no bias) → BN →
 *   LeakyReLU(0.2) doubling the channels, then Conv(1, s0×s0, valid) to one logit.
 * - k is the number of halvings from the image side to the first map's side s0 (4 for 32×32 → k = 3, 64×64 →
 *   k = 4; 7 for 28×28 → k = 2); ngf = ndf = 64.
 * - PyTorch's initialisation: conv weights N(0, 0.02), BN γ N(1, 0.02), β 0; its BatchNorm momentum 0.1 (tfjs's
 *   0.9) and epsilon 1e-5.
 *
 * Adapted: D outputs a logit (the example's final sigmoid is the loss's); the output activation follows the run's
 * pixel range (tanh for `[-1,1]`, sigmoid for `[0,1]`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild, ArchContext } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";

/** Feature maps of the last G block and the first D block (PyTorch's `ngf`, `ndf`). */
const WIDTH = 64;

const weights = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02 });
const batchNorm = () =>
  tf.layers.batchNormalization({
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: tf.initializers.randomNormal({ mean: 1, stddev: 0.02 }),
  });

/**
 * The first map's side and the stride-2 steps from it to the image: `[s0, k]`.
 * @throws {RangeError} for a non-square image, or a side that is not 4 or 7 times a power of two.
 */
export function dcganLevels([h, w]: ArchContext["imageShape"]): [side: number, steps: number] {
  let side = h;
  let steps = 0;
  while (side > 7 && side % 2 === 0) {
    side /= 2;
    steps++;
  }
  if (h !== w || steps === 0 || (side !== 4 && side !== 7)) {
    throw new RangeError(
      `Cannot build dcgan for images of ${h}×${w}: expected square images whose side is 4 or 7 times a power of ` +
        "two (28, 32, 56, 64, 128); set the dataset's size to one of those",
    );
  }
  return [side, steps];
}

/** PyTorch's examples/dcgan at any side of 4·2^k or 7·2^k. */
export const dcgan: ArchBuild = {
  generator(ctx) {
    const [side, steps] = dcganLevels(ctx.imageShape);
    const g = tf.sequential({ name: "generator" });
    const first = WIDTH * 2 ** (steps - 1);
    g.add(tf.layers.dense({
      inputShape: [ctx.noiseDim],
      units: side * side * first,
      useBias: false,
      kernelInitializer: weights(),
    }));
    g.add(tf.layers.reshape({ targetShape: [side, side, first] }));
    g.add(batchNorm());
    g.add(tf.layers.reLU());
    for (let i = steps - 2; i >= 0; i--) {
      const filters = WIDTH * 2 ** i;
      g.add(tf.layers.conv2dTranspose({
        filters,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias: false,
        kernelInitializer: weights(),
      }));
      g.add(batchNorm());
      g.add(tf.layers.reLU());
    }
    g.add(tf.layers.conv2dTranspose({
      filters: ctx.imageShape[2],
      kernelSize: 4,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: weights(),
      activation: outputActivation(ctx.pixelRange),
    }));
    return g;
  },
  discriminator({ imageShape }) {
    const [side, steps] = dcganLevels(imageShape);
    const d = tf.sequential({ name: "discriminator" });
    for (let i = 0; i < steps; i++) {
      d.add(tf.layers.conv2d({
        ...(i === 0 ? { inputShape: imageShape } : {}),
        filters: WIDTH * 2 ** i,
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias: false,
        kernelInitializer: weights(),
      }));
      if (i > 0) d.add(batchNorm());
      d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    }
    d.add(
      tf.layers.conv2d({
        filters: 1,
        kernelSize: side,
        padding: "valid",
        useBias: false,
        kernelInitializer: weights(),
      }),
    );
    d.add(tf.layers.flatten());
    return d;
  },
};
