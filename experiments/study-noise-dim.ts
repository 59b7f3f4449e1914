/**
 * Study: the noise sizes the posts use — 10 (002), 64 (001), 100 (000, 004), 128 (003).
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "study-noise-dim",
  description: "Does the noise dimension matter? 10, 64, 100 and 128 on the seed-001 MLP, 2 seeds each",
  base: {
    dataset: "mnist",
    arch: "mlp-pytorch",
    loss: "bce",
    lr: 2e-4,
    beta1: 0.5,
    batchSize: 64,
    steps: 3000,
    sampleEvery: 500,
  },
  grid: {
    noiseDim: [10, 64, 100, 128],
    seed: [1, 2],
  },
  profiles: { quick: { steps: 1500, sampleEvery: 250 } },
});
