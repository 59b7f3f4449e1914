/**
 * Seed 003 — the TensorFlow 1 vanilla GAN: [0, 1] pixels with a sigmoid
 * generator, 128-d noise, N(0, 0.01) weights.
 * Observation: noise first, tidier after ~300 iterations, no visible change beyond ~1,000.
 */
import { type Claim, defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "blog-003-tf1-vanilla",
  description: "TF1 vanilla GAN (seed 003): do samples stop improving after about 1,000 iterations?",
  base: {
    dataset: "mnist",
    arch: "mlp-tf1", // 128 → 256 ReLU → 784; D 784 → 256 ReLU → 1; N(0, 0.01) init (post)
    pixelRange: "[0,1]", // the TF1 tutorial reader gives [0, 1]; G ends in sigmoid (post)
    loss: "bce", // D: −mean(log D(x) + log(1 − D(G(z)))); G: −mean(log D(G(z))), non-saturating (post)
    dLossReduce: "sum",
    lr: 2e-4, // AdamOptimizer(2e-4), TF1 defaults otherwise (post)
    beta1: 0.9,
    beta2: 0.999,
    adamEpsilon: 1e-8, // TF1 default
    batchSize: 100, // (post)
    batching: "shuffle", // mnist.train.next_batch shuffles per epoch
    noiseDim: 128, // (post)
    noise: "normal",
    // The printed code runs its two training lines outside the batch loop
    // (one step per epoch); like the post's intent, this trains every batch.
    epochs: 100, // (post)
    sampleEvery: 10, // 10 images before training and every 10th epoch (post: at epoch 1 and every 10th)
    sampleGrid: [2, 5],
    checkpointEvery: 10,
    logEvery: 100,
    evalEvery: 1, // every epoch (600 iterations): the plateau claim needs the curve
  },
  profiles: {
    // 10,000 iterations (4.4 minutes): this GAN barely moves until ~3,500 and learns the digits by ~6,500, so a
    // shorter budget cannot decide the claim. Eval every 500 on 2,000 images: the curve the claim needs, cheaply.
    quick: { steps: 10_000, sampleEvery: 1000, logEvery: 50, checkpointEvery: 2000, evalEvery: 500, evalSamples: 2000 },
  },
  claims: [
    {
      id: "plateau-after-1000",
      text: "Samples tidy up over the first few hundred iterations and stop changing visibly beyond about 1,000.",
      method: "From the eval lines, decided only if the generator has learnt the data by the end (≥ 8 of 10 classes " +
        "covered; a collapsed generator 'stops changing' trivially): fcd moves by under 10% of its value at " +
        "iteration 1,000 from then to the end (reproduced); by over 25% is not reproduced; in between, inconclusive.",
      check(runs) {
        const [series] = runs.evalSeries("fcd");
        if (!series || series.length < 3) return { verdict: "inconclusive", measured: "fewer than 3 eval points" };
        const first = series[0]!;
        const at1000 = series.reduce((best, p) => Math.abs(p[0] - 1000) < Math.abs(best[0] - 1000) ? p : best);
        const last = series.at(-1)!;
        if (last[0] <= at1000[0]) return { verdict: "inconclusive", measured: "no eval after iteration 1,000" };
        const change = Math.abs(at1000[1] - last[1]) / at1000[1];
        const covered = runs.final("classesCovered")[0] ?? 0;
        const measured = `fcd ${first[1].toFixed(1)} at step ${first[0]} → ${at1000[1].toFixed(1)} at ${at1000[0]} → ` +
          `${last[1].toFixed(1)} at ${last[0]} (${(100 * change).toFixed(0)}% after ${at1000[0]}); ` +
          `${covered} of 10 classes covered at the end`;
        if (covered < 8) {
          return { verdict: "inconclusive", measured: `${measured}: the generator has not learnt the data yet` };
        }
        return { verdict: change < 0.1 ? "reproduced" : change > 0.25 ? "not reproduced" : "inconclusive", measured };
      },
    } satisfies Claim,
  ],
});
