/**
 * Seed 002 — the Keras MLP GAN of the lecture notes, with one-sided label
 * smoothing (real label 0.9) and 10-d uniform noise.
 * Reported: at epoch 50, mean D loss 0.5575 and G loss 1.5768.
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "blog-002-keras-mlp",
  description:
    "Keras MLP GAN (seed 002): epoch-50 D loss 0.5575 / G loss 1.5768, and what label smoothing does to D(x)",
  base: {
    dataset: "mnist",
    arch: "mlp-keras", // 256-512-1024-784 G, 1024-512-256-1 D with dropout 0.3 (post: 1,463,312 / 1,460,225 params)
    pixelRange: "[-1,1]", // x / 127.5 − 1, tanh (post)
    loss: "bce", // binary_crossentropy (post)
    dLossReduce: "mean", // D trained on one concatenated real+fake batch: the mean of both halves (post)
    lr: 2e-4, // Adam(lr=0.0002, beta_1=0.5) (post)
    beta1: 0.5,
    beta2: 0.999, // Keras default
    adamEpsilon: 1e-7, // Keras default
    batchSize: 128, // (post)
    batching: "sequential", // sequential batches (post)
    noiseDim: 10, // 10-d uniform on [−1, 1] (post)
    noise: "uniform",
    labelSmoothing: 0.9, // y_dis[:batch_size] = 0.9 (post)
    epochs: 50, // (post)
    sampleEvery: 5,
    sampleGrid: [4, 6], // 24 samples in a 4×6 grid (post)
    checkpointEvery: 5,
    logEvery: 100,
  },
  grid: {
    labelSmoothing: [0.9, 1], // the post's 0.9, and none for comparison
  },
  profiles: {
    // ~9 minutes per run at 0.45 s per iteration: 2.5 epochs.
    quick: { steps: 1170, sampleEvery: 195, logEvery: 39, checkpointEvery: 390 },
  },
});
