/**
 * Quick start: the seed-002 Keras MLP GAN on MNIST, two learning rates ×
 * two noise sizes, a few thousand steps each. Finishes in minutes on a
 * 2-core CPU and already draws recognisable digits at lr 2e-4.
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "quickstart",
  description: "Seed-002 MLP GAN on MNIST: does lr 1e-3 train faster than 2e-4, and does a 10-d noise suffice?",
  base: {
    dataset: "mnist",
    arch: "mlp-keras",
    loss: "bce",
    beta1: 0.5, // the post's Adam(0.0002, 0.5): beta1 0.5 is the DCGAN-paper choice that keeps GANs stable
    batchSize: 64, // half the post's 128: twice the updates per second on a CPU
    steps: 2000,
    sampleEvery: 250,
    logEvery: 25,
    checkpointEvery: 500,
  },
  grid: {
    lr: [1e-3, 2e-4],
    noiseDim: [10, 100], // 10 is the post's choice; 100 is the DCGAN default
  },
});
