/**
 * Seed 003: the TensorFlow 1 vanilla GAN. G: noise → 256 ReLU → 784 (sigmoid in
 * the post, which trains on [0, 1] pixels); D: 784 → 256 ReLU → 1.
 * Weights N(0, 0.01), biases 0.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";

const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.01 });

/** The seed-003 TF1 MLP GAN. */
export const mlpTf1: ArchBuild = {
  generator({ noiseDim, imageShape, pixelRange }) {
    const pixels = imageShape[0] * imageShape[1] * imageShape[2];
    const g = tf.sequential({ name: "generator" });
    g.add(
      tf.layers.dense({
        inputShape: [noiseDim],
        units: 256,
        activation: "relu",
        kernelInitializer: init(),
      }),
    );
    g.add(
      tf.layers.dense({
        units: pixels,
        activation: outputActivation(pixelRange),
        kernelInitializer: init(),
      }),
    );
    g.add(tf.layers.reshape({ targetShape: imageShape }));
    return g;
  },
  discriminator({ imageShape }) {
    const d = tf.sequential({ name: "discriminator" });
    d.add(tf.layers.flatten({ inputShape: imageShape }));
    d.add(
      tf.layers.dense({
        units: 256,
        activation: "relu",
        kernelInitializer: init(),
      }),
    );
    d.add(tf.layers.dense({ units: 1, kernelInitializer: init() }));
    return d;
  },
};
