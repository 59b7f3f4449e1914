/**
 * Study: one-sided label smoothing (real label 0.9, seed 002) vs none (1.0, all the others).
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "study-label-smoothing",
  description: "Real label 0.9 vs 1.0: what smoothing does to D(x) and to the samples, 2 seeds each",
  base: {
    dataset: "mnist",
    arch: "mlp-pytorch", // seed 001's 256-256 MLP: small, so each run takes minutes on a CPU
    loss: "bce",
    lr: 2e-4, // trains in seeds 001 (the tutorial default there), 002 and 003
    beta1: 0.5, // seed 002's Adam (the DCGAN paper's β₁)
    batchSize: 64, // a harness choice (the posts use 100–256): 3,000 steps make 3.2 epochs
    noiseDim: 10,
    noise: "uniform",
    steps: 3000,
    sampleEvery: 500, // seven grids per run, from noise to digits
  },
  grid: {
    labelSmoothing: [0.9, 1],
    seed: [1, 2],
  },
  profiles: { quick: { steps: 1500, sampleEvery: 250 } },
});
