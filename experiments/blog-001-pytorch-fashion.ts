/**
 * Seed 001 — a PyTorch vanilla GAN on Fashion-MNIST, and its learning-rate story:
 * lr = 0.01 failed (no usable images after 100+ epochs), 0.0001 worked (the
 * tutorial's default is 0.0002).
 */
import { defineExperiment } from "../mod.ts";

export default defineExperiment({
  name: "blog-001-pytorch-fashion",
  description: "PyTorch MLP GAN on Fashion-MNIST (seed 001): lr 1e-2 fails where 1e-4 and 2e-4 train",
  base: {
    dataset: "fashion-mnist", // (post)
    arch: "mlp-pytorch", // Linear + LeakyReLU(0.2), 256 hidden (assumed: the tutorial the post follows)
    pixelRange: "[-1,1]", // Normalize(mean 0.5, std 0.5), tanh output (post)
    loss: "bce", // nn.BCELoss; G trained to make D say 1 (post)
    dLossReduce: "sum", // d_loss = d_loss_real + d_loss_fake (tutorial)
    beta1: 0.9, // torch.optim.Adam defaults (assumed: the post does not set betas)
    beta2: 0.999,
    adamEpsilon: 1e-8, // PyTorch default
    batchSize: 100, // (post)
    batching: "shuffle", // DataLoader(shuffle=True) (tutorial)
    noiseDim: 64, // latent_size = 64 (assumed: tutorial)
    noise: "normal", // torch.randn
    epochs: 200, // (post)
    sampleEvery: 1, // a sample grid after every epoch (post)
    sampleGrid: [4, 4],
    checkpointEvery: 10,
    logEvery: 100,
  },
  grid: {
    lr: [1e-2, 2e-4, 1e-4], // the failure, the tutorial default, the post's fix
    seed: [1, 2],
  },
  profiles: {
    // ~3,000 iterations (5 epochs): far enough for outlines vs nothing.
    quick: { epochs: 5, checkpointEvery: 1, logEvery: 50 },
  },
});
