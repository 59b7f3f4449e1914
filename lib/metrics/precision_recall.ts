/**
 * Improved precision and recall (Kynkäänniemi et al., 2019) in feature
 * space: each set's manifold is the union of balls around its points, each
 * ball reaching the point's k-th nearest neighbour in the same set.
 * Precision is the share of generated points inside the real manifold,
 * recall the share of real points inside the generated one. Distances are
 * computed in float32 with tfjs, in row blocks, and only per-row results are
 * read back.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const BLOCK = 500;

/** Squared distances between the rows of `a` (m×d) and `b` (n×d), clamped at 0. */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D, bNorms: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const aNorms = tf.sum(tf.square(a), 1, true);
    const cross = tf.matMul(a, b, false, true);
    return tf.relu(tf.add(tf.sub(aNorms, tf.mul(cross, 2)), bNorms)) as tf.Tensor2D;
  });
}

/**
 * The squared distance from each row of `x` to its k-th nearest other row.
 *
 * @param x Row-major `n×d` features.
 * @param d Feature length.
 * @param k Which neighbour (the point itself is not counted).
 * @returns `n` squared radii.
 */
export async function knnRadii(x: Float32Array, d: number, k: number): Promise<Float32Array> {
  const n = x.length / d;
  if (k >= n) throw new RangeError(`Cannot take the ${k}-th neighbour of ${n} points: k must be below n`);
  const all = tf.tensor2d(x, [n, d]);
  const norms = tf.tidy(() => tf.sum(tf.square(all), 1));
  const out = new Float32Array(n);
  try {
    for (let start = 0; start < n; start += BLOCK) {
      const m = Math.min(BLOCK, n - start);
      const kth = tf.tidy(() => {
        const rows = tf.slice(all, [start, 0], [m, d]);
        const { values } = tf.topk(tf.neg(squaredDistances(rows, all, norms)), k + 1);
        // The nearest is the point itself (distance 0); the (k+1)-th is the k-th other.
        return tf.neg(tf.slice(values, [0, k], [m, 1]));
      });
      out.set(await kth.data(), start);
      kth.dispose();
    }
  } finally {
    tf.dispose([all, norms]);
  }
  return out;
}

/**
 * The share of `query` rows inside at least one ball of `ref`
 * (‖q − r‖² ≤ radius²(r)).
 *
 * @param query Row-major `m×d`.
 * @param ref Row-major `n×d`.
 * @param refRadii `n` squared radii (from {@linkcode knnRadii}).
 * @param d Feature length.
 * @returns A share in [0, 1].
 */
export async function shareInside(
  query: Float32Array,
  ref: Float32Array,
  refRadii: Float32Array,
  d: number,
): Promise<number> {
  const m = query.length / d;
  const n = ref.length / d;
  const refT = tf.tensor2d(ref, [n, d]);
  const radii = tf.tensor1d(refRadii);
  const norms = tf.tidy(() => tf.sum(tf.square(refT), 1));
  let inside = 0;
  try {
    for (let start = 0; start < m; start += BLOCK) {
      const rows = Math.min(BLOCK, m - start);
      const margin = tf.tidy(() => {
        const q = tf.tensor2d(query.subarray(start * d, (start + rows) * d), [rows, d]);
        return tf.min(tf.sub(squaredDistances(q, refT, norms), radii), 1);
      });
      for (const v of await margin.data()) if (v <= 0) inside++;
      margin.dispose();
    }
  } finally {
    tf.dispose([refT, radii, norms]);
  }
  return inside / m;
}

/** Precision and recall of generated features against real ones. */
export interface PrecisionRecall {
  precision: number;
  recall: number;
}

/**
 * Improved precision and recall of `fake` against `real`.
 *
 * @param real Row-major real features.
 * @param fake Row-major generated features.
 * @param d Feature length.
 * @param k Neighbour defining the balls (the paper uses 3).
 * @param realRadii The real set's squared radii, when already known (they depend only on `real` and `k`).
 * @returns Precision and recall in [0, 1].
 */
export async function precisionRecall(
  real: Float32Array,
  fake: Float32Array,
  d: number,
  k: number,
  realRadii?: Float32Array,
): Promise<PrecisionRecall> {
  const rr = realRadii ?? await knnRadii(real, d, k);
  const fr = await knnRadii(fake, d, k);
  return {
    precision: await shareInside(fake, real, rr, d),
    recall: await shareInside(real, fake, fr, d),
  };
}
