/**
 * Study: the noise sizes the posts use — 10 (002), 64 (001), 100 (000, 004), 128 (003).
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "study-noise-dim",
  description: "Does the noise dimension matter? 10, 64, 100 and 128 on the seed-001 MLP, 2 seeds each",
  base: {
    dataset: "mnist",
    arch: "mlp-pytorch", // seed 001's 256-256 MLP: small, so each run takes minutes on a CPU
    loss: "bce",
    lr: 2e-4, // trains in seeds 001 (the tutorial default there), 002 and 003
    beta1: 0.5, // seed 002's Adam (the DCGAN paper's β₁)
    batchSize: 64, // a harness choice (the posts use 100–256): 3,000 steps make 3.2 epochs
    steps: 3000, // digits form by then (README); the 20 study runs took 45 min two at a time
    sampleEvery: 500, // seven grids per run, from noise to digits
  },
  grid: {
    noiseDim: [10, 64, 100, 128],
    seed: [1, 2],
  },
  // Half the steps, for a first look.
  profiles: { quick: { steps: 1500, sampleEvery: 250 } },
});
