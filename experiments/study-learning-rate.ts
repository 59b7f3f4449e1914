/**
 * Study: learning rate 1e-2 vs 2e-4 (seed 001's failure and fix), on both
 * MLP families the posts use, across two seeds.
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "study-learning-rate",
  description: "lr 1e-2 vs 2e-4 on the seed-001 and seed-002 MLPs, 2 seeds each",
  base: {
    dataset: "mnist",
    loss: "bce",
    beta1: 0.5, // the same Adam for both families, so only the rate differs
    batchSize: 64, // a harness choice (the posts use 100–256): 3,000 steps make 3.2 epochs
    steps: 3000, // by then 2e-4 draws digits and 1e-2 has collapsed or been overpowered (README, 2026-11-23)
    sampleEvery: 500,
    logEvery: 50,
  },
  grid: {
    arch: ["mlp-pytorch", "mlp-keras"],
    lr: [1e-2, 2e-4],
    seed: [1, 2],
  },
  // Half the steps for all eight runs (add `--only arch=mlp-pytorch` for the four cheaper ones).
  profiles: { quick: { steps: 1500, sampleEvery: 250 } },
});
