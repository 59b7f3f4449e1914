/**
 * Seed 002: the Keras MLP GAN from the lecture notes.
 * G: 256 → 512 → 1024 → 784, LeakyReLU(0.2); 1,463,312 parameters at noiseDim 10.
 * D: 1024 (N(0, 0.02) init) → 512 → 256 → 1, LeakyReLU(0.2), Dropout 0.3;
 * 1,460,225 parameters. Keras defaults otherwise (glorot-uniform, zero bias).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";

/** The seed-002 Keras MLP GAN. */
export const mlpKeras: ArchBuild = {
  generator({ noiseDim, imageShape, pixelRange }) {
    const pixels = imageShape[0] * imageShape[1] * imageShape[2];
    const g = tf.sequential({ name: "generator" });
    g.add(tf.layers.dense({ inputShape: [noiseDim], units: 256 }));
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    g.add(tf.layers.dense({ units: 512 }));
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    g.add(tf.layers.dense({ units: 1024 }));
    g.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    g.add(
      tf.layers.dense({
        units: pixels,
        activation: outputActivation(pixelRange),
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
        units: 1024,
        kernelInitializer: tf.initializers.randomNormal({
          mean: 0,
          stddev: 0.02,
        }),
      }),
    );
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    d.add(tf.layers.dropout({ rate: 0.3 }));
    d.add(tf.layers.dense({ units: 512 }));
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    d.add(tf.layers.dropout({ rate: 0.3 }));
    d.add(tf.layers.dense({ units: 256 }));
    d.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    d.add(tf.layers.dropout({ rate: 0.3 }));
    d.add(tf.layers.dense({ units: 1 }));
    return d;
  },
};
