/**
 * Seed 000: the DCGAN of the TensorFlow tutorial, as the post prints it.
 *
 * Follows the post:
 * - G: Dense(7·7·256, no bias) → BatchNorm → LeakyReLU → Reshape(7, 7, 256)
 *   → Conv2DTranspose(128, 5×5, stride 1, same, no bias) → BN → LeakyReLU
 *   → Conv2DTranspose(64, 5×5, stride 2, same, no bias) → BN → LeakyReLU
 *   → Conv2DTranspose(1, 5×5, stride 2, same, no bias) → tanh.
 * - D: Conv2D(64, 5×5, s2, same) → LeakyReLU → Dropout(0.3)
 *   → Conv2D(128, 5×5, s2, same) → LeakyReLU → Dropout(0.3) → Flatten → Dense(1), logits
 *   (the post's D already outputs logits and uses `from_logits=True`).
 *
 * Keras defaults the post relies on, which tfjs-layers shares: `LeakyReLU()` has
 * alpha 0.3; BatchNormalization has momentum 0.99 and epsilon 1e-3; kernels are
 * glorot-uniform and biases zero. Parameter counts at noiseDim 100 on 28×28×1:
 * G 2,330,944 (2,305,472 trainable), D 212,865 — the tutorial's `summary()` numbers.
 *
 * Assumed or adapted:
 * - The output activation follows the run's pixel range (tanh for `[-1,1]` as in
 *   the post, sigmoid for `[0,1]`).
 * - Image size: the post hard-codes 28×28×1; here G starts at (H/4, W/4) and ends
 *   with C channels, so any H and W divisible by 4 work.
 * - The loop is the harness's, not the tutorial's: the tutorial generates one fake
 *   batch per iteration and takes D's and G's gradients from that one forward pass
 *   (`training=True`), updating both at once; the harness runs a D step on a fake
 *   batch and then a G step on fresh noise, so G's BatchNorm moving statistics
 *   are updated twice per iteration (they matter only for sampling).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";
import { quarterSize } from "./_quarter_size.ts";

/** The seed-000 TensorFlow-tutorial DCGAN. */
export const dcganTf: ArchBuild = {
  generator(ctx) {
    const [h0, w0] = quarterSize(ctx, "dcgan-tf");
    const g = tf.sequential({ name: "generator" });
    g.add(tf.layers.dense({ inputShape: [ctx.noiseDim], units: h0 * w0 * 256, useBias: false }));
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU());
    g.add(tf.layers.reshape({ targetShape: [h0, w0, 256] }));
    g.add(tf.layers.conv2dTranspose({ filters: 128, kernelSize: 5, strides: 1, padding: "same", useBias: false }));
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU());
    g.add(tf.layers.conv2dTranspose({ filters: 64, kernelSize: 5, strides: 2, padding: "same", useBias: false }));
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU());
    g.add(
      tf.layers.conv2dTranspose({
        filters: ctx.imageShape[2],
        kernelSize: 5,
        strides: 2,
        padding: "same",
        useBias: false,
        activation: outputActivation(ctx.pixelRange),
      }),
    );
    return g;
  },
  discriminator({ imageShape }) {
    const d = tf.sequential({ name: "discriminator" });
    d.add(tf.layers.conv2d({ inputShape: imageShape, filters: 64, kernelSize: 5, strides: 2, padding: "same" }));
    d.add(tf.layers.leakyReLU());
    d.add(tf.layers.dropout({ rate: 0.3 }));
    d.add(tf.layers.conv2d({ filters: 128, kernelSize: 5, strides: 2, padding: "same" }));
    d.add(tf.layers.leakyReLU());
    d.add(tf.layers.dropout({ rate: 0.3 }));
    d.add(tf.layers.flatten());
    d.add(tf.layers.dense({ units: 1 }));
    return d;
  },
};
