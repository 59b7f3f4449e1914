/**
 * Quick start: the seed-001 lesson in about four minutes. The PyTorch-tutorial MLP
 * GAN (the smallest of the posts' networks, so it trains fast on a CPU) on
 * MNIST, at the learning rate the post found broken and the tutorial default that trains,
 * each with two noise sizes.
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "quickstart",
  description: "Seed-001 MLP GAN on MNIST: does lr 1e-2 fail where 2e-4 trains, and does the noise size matter?",
  base: {
    dataset: "mnist",
    arch: "mlp-pytorch", // seed 001: G 64-256-256-784, D 784-256-256-1
    loss: "bce",
    beta1: 0.5, // the DCGAN-paper choice that keeps GAN training stable
    batchSize: 64, // small batches: more updates per second on a CPU
    steps: 3000, // ~3.2 epochs: digits at lr 2e-4, about 4 minutes for the grid on 2 cores
    logEvery: 25,
    sampleEvery: 500, // seven sample grids per run, from noise to digits
    checkpointEvery: 1000,
    evalEvery: 1000, // quality metrics at 1,000, 2,000 and the end
  },
  grid: {
    lr: [1e-2, 2e-4], // seed 001: 0.01 "failed"; 0.0002 is the tutorial default (the post's fix was 0.0001)
    noiseDim: [10, 64], // 10 as in seed 002; 64 as in seed 001
  },
});
