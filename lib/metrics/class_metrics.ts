/**
 * What the classifier's predicted probabilities say about a set of images:
 * the "inception score" analogue and mode coverage.
 * @module
 */

/** Mode coverage of a set of images, by the classifier's most probable class. */
export interface Coverage {
  /** Share of the images assigned to each class (sums to 1). */
  histogram: number[];
  /** Classes holding at least `minShare` of the images. */
  covered: number;
  /** KL(p ‖ uniform) in nats: 0 for a perfectly even spread, ln K when one class takes all. */
  klUniform: number;
}

/**
 * The classifier "inception score": exp(E_x KL(p(y|x) ‖ p(y))), over all
 * `n` images at once (no splits). Between 1 and K (10): high when each
 * image is confidently one class and the classes are evenly used.
 *
 * @param probs Row-major `n×k` class probabilities.
 * @param k Number of classes.
 * @returns The score.
 * @example
 * ```ts
 * import { classifierScore } from "./class_metrics.ts";
 * classifierScore(new Float32Array([1, 0, 0, 1]), 2); // 2: confident and even
 * ```
 */
export function classifierScore(probs: Float32Array, k: number): number {
  const n = probs.length / k;
  const marginal = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) marginal[c]! += probs[i * k + c]!;
  for (let c = 0; c < k; c++) marginal[c]! /= n;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const p = probs[i * k + c]!;
      if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[c]!));
    }
  }
  return Math.exp(kl / n);
}

/**
 * The class histogram of the most probable classes, how many classes hold
 * at least `minShare` of the images, and KL(histogram ‖ uniform).
 *
 * @param probs Row-major `n×k` class probabilities.
 * @param k Number of classes.
 * @param minShare Share of the images a class needs to count as covered.
 * @returns The coverage.
 * @example One class only: coverage 1, KL = ln 2
 * ```ts
 * import { coverage } from "./class_metrics.ts";
 * coverage(new Float32Array([0.9, 0.1, 0.8, 0.2]), 2, 0.02); // { histogram: [1, 0], covered: 1, klUniform: 0.693… }
 * ```
 */
export function coverage(probs: Float32Array, k: number, minShare: number): Coverage {
  const n = probs.length / k;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    counts[best]!++;
  }
  const histogram = counts.map((c) => c / n);
  let klUniform = 0;
  for (const p of histogram) if (p > 0) klUniform += p * Math.log(p * k);
  return { histogram, covered: histogram.filter((p) => p >= minShare).length, klUniform };
}
