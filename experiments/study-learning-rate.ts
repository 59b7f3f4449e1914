/**
 * Study: learning rate 1e-2 vs 2e-4 (seed 001's failure and fix), on both
 * MLP families the posts use, across two seeds.
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "study-learning-rate",
  description: "lr 1e-2 vs 2e-4 on the seed-001 and seed-002 MLPs, 2 seeds each",
  base: { dataset: "mnist", loss: "bce", beta1: 0.5, batchSize: 64, steps: 3000, sampleEvery: 500, logEvery: 50 },
  grid: {
    arch: ["mlp-pytorch", "mlp-keras"],
    lr: [1e-2, 2e-4],
    seed: [1, 2],
  },
  // Half the steps for all eight runs (add `--only arch=mlp-pytorch` for the four cheaper ones).
  profiles: { quick: { steps: 1500, sampleEvery: 250 } },
});
