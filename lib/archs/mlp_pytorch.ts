/**
 * Seed 001: the PyTorch vanilla GAN (sizes assumed from the tutorial the post
 * follows): G 64 → 256 → 256 → 784, D 784 → 256 → 256 → 1, LeakyReLU(0.2).
 * Initialisation follows PyTorch's `nn.Linear` default: weights and biases
 * uniform on ±1/√fan_in.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";

/** A dense layer initialised the way PyTorch's nn.Linear is. */
function torchLinear(
  fanIn: number,
  units: number,
  extra: Omit<Parameters<typeof tf.layers.dense>[0], "units"> = {},
) {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.layers.dense({
    units,
    kernelInitializer: tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: "fanIn",
      distribution: "uniform",
    }),
    biasInitializer: tf.initializers.randomUniform({
      minval: -bound,
      maxval: bound,
    }),
    ...extra,
  });
}

/** The seed-001 PyTorch MLP GAN. */
export const mlpPytorch: ArchBuild = {
  generator({ noiseDim, imageShape, pixelRange }) {
    const pixels = imageShape[0] * imageShape[1] * imageShape[2];
    const g = tf.sequential({ name: "generator" });
    g.add(torchLinear(noiseDim, 256, { inputShape: [noiseDim] }));
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    g.add(torchLinear(256, 256));
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    g.add(
      torchLinear(256, pixels, { activation: outputActivation(pixelRange) }),
    );
    g.add(tf.layers.reshape({ targetShape: imageShape }));
    return g;
  },
  discriminator({ imageShape }) {
    const pixels = imageShape[0] * imageShape[1] * imageShape[2];
    const d = tf.sequential({ name: "discriminator" });
    d.add(tf.layers.flatten({ inputShape: imageShape }));
    d.add(torchLinear(pixels, 256));
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    d.add(torchLinear(256, 256));
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    d.add(torchLinear(256, 1));
    return d;
  },
};
