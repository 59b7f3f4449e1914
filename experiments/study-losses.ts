/**
 * Study in the spirit of Lucic et al. 2018, "Are GANs Created Equal?": every loss the harness has — NS (`bce`),
 * MM (`minimax`), LSGAN, WGAN, WGAN-GP, DRAGAN and hinge — on MNIST and Fashion-MNIST, two seeds each, at one
 * short equal budget, the critic trained as each paper does (5 D steps per G step for WGAN and WGAN-GP).
 */
import { type Claim, defineExperiment, Runs, stat } from "../mod.ts";

const LOSSES = ["bce", "minimax", "lsgan", "wgan", "wgan-gp", "dragan", "hinge"] as const;

export default defineExperiment({
  name: "study-losses",
  description: "Seven GAN losses × MNIST and Fashion-MNIST × 2 seeds at 1,500 iterations of the seed-001 MLP",
  base: {
    arch: "mlp-pytorch", // the cheapest architecture of the posts: 28 runs fit in half an hour on 2 cores
    beta1: 0.5, // one Adam for all (the paper tuned each; a fixed one keeps this a comparison of losses alone)
    lr: 2e-4,
    batchSize: 64,
    steps: 1500, // iterations (G updates): the critic losses' D takes 5 steps for each
    nCritic: null, // as each paper sets it: 5 for wgan and wgan-gp, 1 otherwise
    logEvery: 50,
    sampleEvery: 500,
    noiseDim: 64,
  },
  grid: {
    loss: [...LOSSES],
    dataset: ["mnist", "fashion-mnist"],
    seed: [1, 2],
  },
  profiles: { quick: { steps: 500, sampleEvery: 250 } },
  claims: [
    {
      id: "ns-not-beaten",
      text: "No loss is consistently better than the non-saturating GAN (Lucic et al.'s headline).",
      method:
        "For each loss, on each dataset and seed, compare its final fcd with NS's (bce) of the same dataset and " +
        "seed. A loss is consistently better when its fcd is lower on all 4 (dataset, seed) pairs. Reproduced when no " +
        "loss is; not reproduced when one is (named); inconclusive while any pair lacks an fcd.",
      check(runs) {
        const fcdOf = (loss: string, dataset: string, seed: number) =>
          runs.where({ loss, dataset, seed }).final("fcd")[0];
        const pairs = ["mnist", "fashion-mnist"].flatMap((d) => [1, 2].map((s) => [d, s] as const));
        const rows: string[] = [];
        const better: string[] = [];
        for (const loss of LOSSES.filter((l) => l !== "bce")) {
          const wins = pairs.map(([d, s]) => {
            const [mine, ns] = [fcdOf(loss, d, s), fcdOf("bce", d, s)];
            return mine === undefined || ns === undefined ? null : mine < ns;
          });
          if (wins.includes(null)) return { verdict: "inconclusive", measured: `${loss}: an fcd is missing` };
          const n = wins.filter(Boolean).length;
          rows.push(`${loss} ${n}/4`);
          if (n === 4) better.push(loss);
        }
        const ns = stat(new Runs(runs.where({ loss: "bce" }).list).final("fcd"));
        const measured = `pairs where a loss beats NS on fcd: ${rows.join(", ")} (NS fcd mean ${ns.mean.toFixed(1)})`;
        return better.length === 0
          ? { verdict: "reproduced", measured }
          : { verdict: "not reproduced", measured: `${measured}; consistently better: ${better.join(", ")}` };
      },
    } satisfies Claim,
  ],
});
