/**
 * Seed 003 — the TensorFlow 1 vanilla GAN: [0, 1] pixels with a sigmoid
 * generator, 128-d noise, N(0, 0.01) weights.
 * Observation: noise first, tidier after ~300 iterations, no visible change beyond ~1,000.
 */
import { defineExperiment } from "../mod.ts";

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
  },
  profiles: {
    // The claim is about the first few thousand iterations: 3,000 of them.
    quick: { steps: 3000, sampleEvery: 250, logEvery: 50, checkpointEvery: 1000 },
  },
});
