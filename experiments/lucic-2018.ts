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

/** The paper's FIDs of each loss's best setting over restarts (its Table 2 / Figure 4), by dataset. */
const PAPER_FID: Record<(typeof DATASETS)[number], Record<string, number>> = {
  mnist: { minimax: 9.8, bce: 6.8, lsgan: 7.8, wgan: 6.7, "wgan-gp": 20.3, dragan: 7.6, began: 13.1 },
  "fashion-mnist": { minimax: 29.6, bce: 26.5, lsgan: 30.7, wgan: 21.5, "wgan-gp": 24.5, dragan: 27.7, began: 22.9 },
};

/** Ranks, 1 the least, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let at = 0; at < order.length;) {
    let end = at;
    while (end + 1 < order.length && order[end + 1]!.v === order[at]!.v) end++;
    for (let j = at; j <= end; j++) out[order[j]!.i] = (at + end) / 2 + 1;
    at = end + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's on the ranks. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let [num, da, db] = [0, 0, 0];
  ra.forEach((x, i) => {
    num += (x - ma) * (rb[i]! - mb);
    da += (x - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  });
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

const rankingAgrees: Claim = {
  id: "ranking-agrees",
  text: "The losses rank as in the paper: per dataset, the order of the seven losses by their best setting's mean " +
    "restart FCD follows the paper's order by FID.",
  method: "Spearman's ρ between the seven losses' mean restart FCD and the paper's FIDs, per dataset. Reproduced " +
    "when ρ ≥ 0.71 on both (a one-sided 5% test for 7 pairs), not reproduced when ρ < 0.71 on either; " +
    "inconclusive until every loss has 2 restarts on both datasets.",
  check(runs) {
    const parts: string[] = [];
    let agrees = true;
    for (const dataset of DATASETS) {
      const means: number[] = [];
      for (const loss of LOSSES) {
        const s = stat(restarts(runs, dataset, loss));
        if (s.n < 2) return { verdict: "inconclusive", measured: `${dataset}: ${loss} has ${s.n} finished restarts` };
        means.push(s.mean);
      }
      const rho = spearman(means, LOSSES.map((l) => PAPER_FID[dataset][l]!));
      agrees &&= rho >= 0.71;
      const order = LOSSES.map((l, i) => ({ l, m: means[i]! })).sort((a, b) => a.m - b.m).map((x) => x.l);
      parts.push(`${dataset}: ρ = ${rho.toFixed(2)} (here, best first: ${order.join(" < ")})`);
    }
    return { verdict: agrees ? "reproduced" : "not reproduced", measured: parts.join("; ") };
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
  claims: [noLossBeatsNs, rankingAgrees],
});
