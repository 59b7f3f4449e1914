/**
 * Seed 000 — the TensorFlow DCGAN tutorial on MNIST.
 * Claim: after 50 epochs the 4×4 grid of a fixed noise batch shows recognisable digits.
 */
import { type Claim, defineExperiment, formatStat, stat } from "../mod.ts";

/** The post's budget in iterations: 50 epochs of ⌊60,000 / 256⌋ = 234 full batches (11,700). */
const POST_STEPS = 50 * Math.floor(60_000 / 256);

export default defineExperiment({
  name: "blog-000-tf-dcgan",
  description: "TensorFlow DCGAN tutorial (seed 000): does the 4x4 fixed-noise grid show recognisable digits?",
  base: {
    dataset: "mnist",
    arch: "dcgan-tf", // Dense-BN-3×Conv2DTranspose 5×5 G; 2×Conv2D 5×5 + dropout 0.3 D (post)
    pixelRange: "[-1,1]", // (x − 127.5) / 127.5, tanh output (post)
    loss: "bce", // BinaryCrossentropy(from_logits=True); G non-saturating (post)
    dLossReduce: "sum", // disc_loss = real_loss + fake_loss (post)
    lr: 1e-4, // Adam(1e-4) for each network (post)
    beta1: 0.9, // Keras defaults (post does not set them)
    beta2: 0.999,
    adamEpsilon: 1e-7, // Keras default
    batchSize: 256, // BATCH_SIZE = 256 (post)
    batching: "shuffle", // dataset.shuffle(60000).batch(256) (post)
    noiseDim: 100, // noise_dim = 100, standard normal (post)
    noise: "normal",
    epochs: 50, // EPOCHS = 50 (post)
    sampleEvery: 1, // an image of the 4×4 grid after every epoch, assembled into a GIF (post)
    sampleGrid: [4, 4], // num_examples_to_generate = 16 (post)
    checkpointEvery: 15, // checkpoint every 15 epochs (post)
    logEvery: 50,
    evalEvery: 5, // quality metrics every 5 epochs and at the end
  },
  profiles: {
    // About 10 minutes on one wasm core: 0.64 s per iteration at batch 32 (`deno task bench --arch dcgan-tf
    // --batch 32`, im2col-GEMM convolutions). Early in training the number of updates matters more than their
    // size, so: more, smaller batches than the post's 256. 5,000 evaluation samples: this G costs ~0.17 GFLOP
    // per image.
    quick: {
      batchSize: 32,
      steps: 800,
      sampleEvery: 50,
      logEvery: 10,
      checkpointEvery: 100,
      evalEvery: 400,
      evalSamples: 5000,
    },
  },
  claims: [
    {
      id: "recognisable-digits",
      text: "After 50 epochs the 4×4 grid of the fixed noise shows recognisable digits.",
      method: "Recognisable = the pinned MNIST classifier is confident and sees most classes in 10,000 samples: " +
        "classifier score (cis, 1–10; real test images ≈ 9.7) ≥ 6 and ≥ 8 of 10 classes covered. " +
        "Meeting it with a reduced budget also reproduces the claim; missing it with one is inconclusive.",
      check(runs) {
        const cis = stat(runs.final("cis"));
        const covered = stat(runs.final("classesCovered"));
        if (cis.n === 0) return { verdict: "inconclusive", measured: "no eval metrics logged" };
        const measured = `cis ${formatStat(cis, 2)}, classes covered ${formatStat(covered, 1)} ${runs.evaluatedAt()}`;
        if (cis.mean >= 6 && covered.mean >= 8) return { verdict: "reproduced", measured };
        return { verdict: runs.lastEvalStep() >= POST_STEPS ? "not reproduced" : "inconclusive", measured };
      },
    } satisfies Claim,
  ],
});
