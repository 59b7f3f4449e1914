/**
 * Full-reference image quality, as super-resolution papers report it: PSNR and SSIM of images in [0, 1] against
 * the real ones, each the mean over the images.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Mean PSNR in dB of `images` against `truth` (both `[n, h, w, c]` in [0, 1]); a perfect image counts as 100 dB. */
export async function psnr(images: tf.Tensor4D, truth: tf.Tensor4D): Promise<number> {
  const mean = tf.tidy(() => {
    const mse = tf.mean(tf.squaredDifference(images, truth), [1, 2, 3]);
    return tf.mean(tf.minimum(tf.mul(-10 / Math.LN10, tf.log(tf.maximum(mse, 1e-10))), 100));
  });
  const value = (await mean.data())[0]!;
  mean.dispose();
  return value;
}

/** An 11 × 11 Gaussian window of σ 1.5, summing to 1, as a `[11, 11, 1, 1]` filter. */
function gaussianWindow(): tf.Tensor4D {
  const size = 11;
  const sigma = 1.5;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * sigma * sigma)));
  const w = new Float32Array(size * size);
  let sum = 0;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) sum += w[y * size + x] = g[y]! * g[x]!;
  return tf.tensor4d(w.map((v) => v / sum), [size, size, 1, 1]);
}

/**
 * Mean SSIM (Wang et al. 2004) of `images` against `truth` (both `[n, h, w, 1]` in [0, 1]): local means,
 * variances and covariance under an 11 × 11 Gaussian window of σ 1.5 at every position where the window fits
 * (as TensorFlow's `tf.image.ssim`), K₁ 0.01 and K₂ 0.03.
 */
export async function ssim(images: tf.Tensor4D, truth: tf.Tensor4D): Promise<number> {
  const value = tf.tidy(() => {
    const win = gaussianWindow();
    const blur = (x: tf.Tensor4D) => tf.conv2d(x, win, 1, "valid");
    const [c1, c2] = [0.01 ** 2, 0.03 ** 2];
    const mx = blur(images);
    const my = blur(truth);
    const sxx = tf.sub(blur(tf.mul(images, images)), tf.mul(mx, mx));
    const syy = tf.sub(blur(tf.mul(truth, truth)), tf.mul(my, my));
    const sxy = tf.sub(blur(tf.mul(images, truth)), tf.mul(mx, my));
    const num = tf.mul(tf.add(tf.mul(tf.mul(mx, my), 2), c1), tf.add(tf.mul(sxy, 2), c2));
    const den = tf.mul(tf.add(tf.add(tf.mul(mx, mx), tf.mul(my, my)), c1), tf.add(tf.add(sxx, syy), c2));
    return tf.mean(tf.div(num, den));
  });
  const out = (await value.data())[0]!;
  value.dispose();
  return out;
}
