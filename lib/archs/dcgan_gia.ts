/**
 * Seed 004: the DCGAN of "GAN in Action", chapter 4, as the post prints it.
 *
 * Follows the post:
 * - G: Dense(256·7·7) → Reshape(7, 7, 256) → Conv2DTranspose(128, 3×3, s2, same) → BN
 *   → LeakyReLU(0.01) → Conv2DTranspose(64, 3×3, s1, same) → BN → LeakyReLU(0.01)
 *   → Conv2DTranspose(1, 3×3, s2, same) → tanh. All layers keep their biases.
 * - D: Conv2D(32, 3×3, s2, same) → LeakyReLU(0.01) → Conv2D(64, 3×3, s2, same)
 *   → LeakyReLU(0.01) → Conv2D(128, 3×3, s2, same) → LeakyReLU(0.01) → Flatten
 *   → Dense(1). The post's printed code pads all three convolutions `same`
 *   (28 → 14 → 7 → 4), so Flatten gives 4·4·128 = 2048 features.
 *
 * Keras defaults the post relies on, which tfjs-layers shares: BatchNormalization
 * momentum 0.99, epsilon 1e-3; glorot-uniform kernels, zero biases. Parameter counts
 * at noiseDim 100 on 28×28×1: G 1,637,121 (1,636,737 trainable), D 94,721.
 *
 * Assumed or adapted:
 * - D outputs logits; the post's final sigmoid is applied by the loss (the same
 *   function, in its numerically stable form).
 * - The output activation follows the run's pixel range (tanh for `[-1,1]` as in
 *   the post, sigmoid for `[0,1]`).
 * - Image size: G starts at (H/4, W/4) and ends with C channels.
 * - The post's book version has BatchNorm in D; the post's printed D has none, and
 *   the post is followed.
 * - The loop is the harness's: the post makes D's fake batch with
 *   `generator.predict` (BatchNorm in inference mode) and trains D on the real and
 *   fake batches in two separate updates; the harness runs G in training mode and
 *   updates D once on both batches.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ArchBuild } from "./registry.ts";
import { outputActivation } from "../data/pixels.ts";
import { quarterSize } from "./_quarter_size.ts";

/** The seed-004 "GAN in Action" DCGAN. */
export const dcganGia: ArchBuild = {
  generator(ctx) {
    const [h0, w0] = quarterSize(ctx, "dcgan-gia");
    const g = tf.sequential({ name: "generator" });
    g.add(tf.layers.dense({ inputShape: [ctx.noiseDim], units: 256 * h0 * w0 }));
    g.add(tf.layers.reshape({ targetShape: [h0, w0, 256] }));
    g.add(tf.layers.conv2dTranspose({ filters: 128, kernelSize: 3, strides: 2, padding: "same" }));
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    g.add(tf.layers.conv2dTranspose({ filters: 64, kernelSize: 3, strides: 1, padding: "same" }));
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    g.add(
      tf.layers.conv2dTranspose({
        filters: ctx.imageShape[2],
        kernelSize: 3,
        strides: 2,
        padding: "same",
        activation: outputActivation(ctx.pixelRange),
      }),
    );
    return g;
  },
  discriminator({ imageShape }) {
    const d = tf.sequential({ name: "discriminator" });
    d.add(tf.layers.conv2d({ inputShape: imageShape, filters: 32, kernelSize: 3, strides: 2, padding: "same" }));
    d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    d.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: "same" }));
    d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    d.add(tf.layers.conv2d({ filters: 128, kernelSize: 3, strides: 2, padding: "same" }));
    d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    d.add(tf.layers.flatten());
    d.add(tf.layers.dense({ units: 1 }));
    return d;
  },
};
