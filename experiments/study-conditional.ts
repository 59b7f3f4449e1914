/**
 * Do labels help? The unconditional GAN against the two class-conditional kinds — cGAN (Mirza & Osindero 2014: D
 * sees the label) and AC-GAN (Odena et al. 2017: D names the class; tfjs-examples' mnist-acgan) — on MNIST and
 * Fashion-MNIST at one short equal budget of the seed-001 MLP.
 */
import { type Claim, defineExperiment } from "../mod.ts";

const CONDITIONAL = ["cgan", "acgan"] as const;
const DATASETS = ["mnist", "fashion-mnist"] as const;

export default defineExperiment({
  name: "study-conditional",
  description: "gan vs cgan vs acgan × MNIST and Fashion-MNIST at 3,000 iterations of the seed-001 MLP",
  base: {
    arch: "mlp-pytorch", // the cheapest architecture of the posts; both conditional kinds wrap any architecture
    lr: 2e-4,
    beta1: 0.5,
    batchSize: 64,
    steps: 3000,
    logEvery: 50,
    sampleEvery: 1000,
    noiseDim: 64,
    sampleGrid: [10, 10], // a conditional grid shows class r in row r: all ten classes
  },
  grid: {
    kind: ["gan", ...CONDITIONAL],
    dataset: [...DATASETS],
  },
  profiles: { quick: { steps: 1000, sampleEvery: 500 } },
  claims: [
    {
      id: "draws-the-class-asked-for",
      text: "A conditional GAN draws the class it is asked for.",
      method: "labelAccuracy (the share of 10,000 samples the pinned classifier assigns to the class they were drawn " +
        "for; chance is 0.1) at the end of each cgan and acgan run. Reproduced when all four are ≥ 0.8; not " +
        "reproduced when one is below; inconclusive while one is missing.",
      check(runs) {
        const rows = CONDITIONAL.flatMap((kind) =>
          DATASETS.map((dataset) => [`${kind} ${dataset}`, runs.where({ kind, dataset }).final("labelAccuracy")[0]])
        );
        const missing = rows.find(([, v]) => v === undefined);
        if (missing) return { verdict: "inconclusive", measured: `${missing[0]}: no labelAccuracy yet` };
        const measured = rows.map(([k, v]) => `${k} ${(v as number).toFixed(3)}`).join(", ");
        return { verdict: rows.every(([, v]) => (v as number) >= 0.8) ? "reproduced" : "not reproduced", measured };
      },
    } satisfies Claim,
    {
      id: "labels-improve-quality",
      text: "Labels improve the samples: both conditional kinds reach a lower fcd than the unconditional GAN.",
      method: "Final fcd of cgan and acgan against gan's, on each dataset. Reproduced when both are lower on both " +
        "datasets; not reproduced otherwise (the kinds that are not, named); inconclusive while an fcd is missing.",
      check(runs) {
        const fcd = (kind: string, dataset: string) => runs.where({ kind, dataset }).final("fcd")[0];
        const rows: string[] = [];
        const worse: string[] = [];
        for (const dataset of DATASETS) {
          const base = fcd("gan", dataset);
          for (const kind of CONDITIONAL) {
            const mine = fcd(kind, dataset);
            if (mine === undefined || base === undefined) {
              return { verdict: "inconclusive", measured: `${kind} or gan on ${dataset}: no fcd yet` };
            }
            rows.push(`${kind} ${mine.toFixed(1)} vs gan ${base.toFixed(1)} (${dataset})`);
            if (!(mine < base)) worse.push(`${kind} on ${dataset}`);
          }
        }
        const measured = rows.join("; ");
        return worse.length === 0
          ? { verdict: "reproduced", measured }
          : { verdict: "not reproduced", measured: `${measured}; not lower: ${worse.join(", ")}` };
      },
    } satisfies Claim,
  ],
});
