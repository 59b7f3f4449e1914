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
    sampleEvery: 10, // samples at epoch 1 and every 10th (post: 10 images)
    sampleGrid: [2, 5],
    checkpointEvery: 10,
    logEvery: 100,
    evalEvery: 1, // every epoch (600 iterations): the plateau claim needs the curve
  },
  profiles: {
    // The claim is about the first few thousand iterations: 3,000 of them.
    // Eval every 250 iterations on 2,000 images: the curve the claim needs, cheaply.
    quick: { steps: 3000, sampleEvery: 250, logEvery: 50, checkpointEvery: 1000, evalEvery: 250, evalSamples: 2000 },
  },
  claims: [
    {
      id: "plateau-after-1000",
      text: "Samples tidy up over the first few hundred iterations and stop changing visibly beyond about 1,000.",
      method: "From the eval lines: the fcd gained after iteration 1,000 is under 25% of the fcd gained up to " +
        "1,000 (reproduced); over 50% is not reproduced; in between, inconclusive.",
      check(runs) {
        const [series] = runs.evalSeries("fcd");
        if (!series || series.length < 3) return { verdict: "inconclusive", measured: "fewer than 3 eval points" };
        const first = series[0]![1];
        const at1000 = series.reduce((best, p) => Math.abs(p[0] - 1000) < Math.abs(best[0] - 1000) ? p : best);
        const last = series.at(-1)!;
        if (last[0] <= at1000[0]) return { verdict: "inconclusive", measured: "no eval after iteration 1,000" };
        const before = first - at1000[1];
        const after = at1000[1] - last[1];
        const share = before > 0 ? after / before : Infinity;
        const measured = `fcd ${first.toFixed(1)} → ${at1000[1].toFixed(1)} at step ${at1000[0]} → ` +
          `${last[1].toFixed(1)} at step ${last[0]} (later gain ${(100 * share).toFixed(0)}% of the early gain)`;
        return { verdict: share < 0.25 ? "reproduced" : share > 0.5 ? "not reproduced" : "inconclusive", measured };
      },
    } satisfies Claim,
  ],
});
