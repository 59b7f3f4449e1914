/**
 * "Are GANs Created Equal? A Large-Scale Study" (Lucic, Kurach, Michalski, Gelly, Bousquet; NeurIPS 2018): the
 * MNIST and Fashion-MNIST half, as google/compare_gan ran it (its code at commit 623f646).
 *
 * - The network: InfoGAN's (`arch: "infogan"`; BEGAN gets its autoencoder D), z of 64 uniform in [−1, 1], pixels in
 *   [0, 1] with a sigmoid output, batch 64, Adam with β2 0.999 and TensorFlow's ε 1e-8.
 * - The budget: 20 epochs of 50,000 images at batch 64 = 15,625 discriminator updates (`budgetIn: "dSteps"`: a run
 *   with 5 critic steps makes 3,125 G updates).
 * - The wide search, per loss: lr 10^U[−5, −2], β1 U[0, 1], D updates per G update {1, 5}, BatchNorm in D on or off
 *   (off for WGAN-GP and DRAGAN), WGAN's clip 10^U[−3, 0], the penalty weight λ 10^U[−1, 2], BEGAN's λ_k
 *   10^U[−4, −2] and γ U[0, 1]. Every loss and dataset gets the same draws of the shared keys.
 * - Then each loss's best setting on each dataset (lowest FCD) again with more seeds: the paper's "restarts".
 *
 * Their FID used the ImageNet Inception network; here FCD is taken on the pinned MNIST / Fashion-MNIST classifier,
 * so compare rankings and spreads with theirs, not the numbers. Reprinted MNIST FIDs (mean ± sd over restarts of
 * each loss's best setting): MM 9.8 ± 0.9, NS 6.8 ± 0.5, LSGAN 7.8 ± 0.6, WGAN 6.7 ± 0.4, WGAN-GP 20.3 ± 5.0,
 * DRAGAN 7.6 ± 0.4, BEGAN 13.1 ± 1.0; Fashion-MNIST: MM 29.6, NS 26.5, LSGAN 30.7, WGAN 21.5, WGAN-GP 24.5,
 * DRAGAN 27.7, BEGAN 22.9. Their headline: no loss consistently beats the non-saturating GAN (`bce`) once the search
 * budget is equal.
 *
 * Profiles: the default is the paper's protocol at 100 trials a cell (1,400 runs: a GPU cluster's work). `overnight`
 * is what fits about 12 hours on a 2-core CPU with ASHA pruning: 2 epochs, 4 trials a cell, 2,000 samples an
 * evaluation, and the restarts (docs/studies.md has what it found).
 */
import {
  choice,
  type Claim,
  defineExperiment,
  formatStat,
  logUniform,
  type Runs,
  stat,
  uniform,
  when,
} from "../mod.ts";

/** The seven losses, in the paper's order (MM GAN, NS GAN, LSGAN, WGAN, WGAN-GP, DRAGAN, BEGAN). */
const LOSSES = ["minimax", "bce", "lsgan", "wgan", "wgan-gp", "dragan", "began"];
const DATASETS = ["mnist", "fashion-mnist"] as const;

/** The restarts of each loss's best setting: its final FCDs, per dataset. */
function restarts(runs: Runs, dataset: string, loss: string): number[] {
  return runs.where({ dataset, loss }).list.filter((r) => "seed" in r.gridValues).flatMap((r) => {
    const fcd = [...r.evals].reverse().find((p) => Number.isFinite(p.values.fcd))?.values.fcd;
    return r.state === "completed" && fcd !== undefined ? [fcd] : [];
  });
}

const noLossBeatsNs: Claim = {
  id: "ns-not-beaten",
  text: "No loss consistently beats the non-saturating GAN (bce) once the search budget is equal: on neither " +
    "dataset is another loss's restart FCD below NS's by more than the spreads.",
  method: "Per dataset, a loss beats NS when the mean + sd of its restarts' final FCD is below NS's mean − sd. " +
    "Reproduced when no loss beats NS on both datasets; inconclusive until every loss has 2 restarts.",
  check(runs) {
    const parts: string[] = [];
    const wins = new Map<string, number>();
    for (const dataset of DATASETS) {
      const ns = stat(restarts(runs, dataset, "bce"));
      if (ns.n < 2) return { verdict: "inconclusive", measured: `${dataset}: bce has ${ns.n} finished restarts` };
      for (const loss of LOSSES.filter((l) => l !== "bce")) {
        const s = stat(restarts(runs, dataset, loss));
        if (s.n < 2) return { verdict: "inconclusive", measured: `${dataset}: ${loss} has ${s.n} finished restarts` };
        if (s.mean + s.sd < ns.mean - ns.sd) {
          wins.set(loss, (wins.get(loss) ?? 0) + 1);
          parts.push(`${dataset}: ${loss} ${formatStat(s, 2)} beats bce ${formatStat(ns, 2)}`);
        }
      }
    }
    const always = [...wins].filter(([, n]) => n === DATASETS.length).map(([l]) => l);
    const measured = parts.length ? parts.join("; ") : "no loss's restarts beat bce's on either dataset";
    return { verdict: always.length === 0 ? "reproduced" : "not reproduced", measured };
  },
};

export default defineExperiment<{ discriminatorBatchNorm: boolean; gamma: number; lambdaK: number }>({
  name: "lucic-2018",
  description: "Are GANs Created Equal? on MNIST and Fashion-MNIST: 7 losses, the paper's search, then restarts",
  base: {
    arch: "infogan",
    noise: "uniform", // compare_gan's z ~ U[−1, 1]
    noiseDim: 64,
    pixelRange: "[0,1]", // its G ends in a sigmoid
    batchSize: 64,
    beta2: 0.999,
    adamEpsilon: 1e-8, // TensorFlow's Adam
    trainSize: 50_000, // the paper's 50,000 training images
    epochs: 20,
    budgetIn: "dSteps", // 15,625 D updates whatever the critic steps
    evalSamples: 10_000,
    evalEvery: 0, // at the end (and at ASHA's rungs)
    logEvery: 100,
    sampleEvery: 5,
    checkpointEvery: 1,
  },
  grid: { dataset: [...DATASETS], loss: LOSSES },
  search: {
    strategy: "random",
    trials: 100,
    seed: 2018,
    space: {
      lr: logUniform(1e-5, 1e-2),
      beta1: uniform(0, 1),
      nCritic: choice([1, 5]),
      discriminatorBatchNorm: when(
        { loss: ["minimax", "bce", "lsgan", "wgan", "began"] },
        choice([true, false]),
        false,
      ),
      clipValue: when({ loss: "wgan" }, logUniform(1e-3, 1)),
      gpWeight: when({ loss: ["wgan-gp", "dragan"] }, logUniform(0.1, 100)),
      lambdaK: when({ loss: "began" }, logUniform(1e-4, 1e-2)),
      gamma: when({ loss: "began" }, uniform(0, 1)),
    },
  },
  // Successive halving on FCD within each cell: a third of a loss's trials on a dataset go on at each rung (the
  // overnight profile's steps); ranked across cells, one loss's early FCDs would prune another's trials.
  prune: { metric: "fcd", rungs: [100, 300], keep: 1 / 3, by: ["dataset", "loss"] },
  reseed: { top: 1, seeds: [1, 2, 3, 4, 5], by: ["dataset", "loss"], metric: "fcd" },
  profiles: {
    overnight: { trials: 4, epochs: 2, evalSamples: 2000, logEvery: 50, sampleEvery: 1, checkpointEvery: 1 },
  },
  claims: [noLossBeatsNs],
});
