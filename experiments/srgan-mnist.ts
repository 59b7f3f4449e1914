/**
 * Seed 002 names SRGAN: super-resolution with an adversarial term. At MNIST's scale: 14×14 and 7×7 area averages
 * of MNIST and Fashion-MNIST test images back to 28×28, against bilinear upsampling, the baseline every SR paper
 * reports.
 */
import { type Claim, defineExperiment } from "../mod.ts";

const POINTS = ["mnist", "fashion-mnist"].flatMap((dataset) => [14, 7].map((lowRes) => ({ dataset, lowRes })));

export default defineExperiment({
  name: "srgan-mnist",
  description: "SRGAN from 14×14 and 7×7 on MNIST and Fashion-MNIST vs bilinear upsampling",
  base: {
    kind: "srgan",
    arch: "dcgan-gia", // its convolutional D judges the 28×28 images; G is the kind's own SR network
    lr: 1e-4, // the SRGAN paper's Adam: 1e-4, β₁ 0.9
    beta1: 0.9,
    batchSize: 64,
    steps: 3000,
    logEvery: 50,
    sampleEvery: 1000,
    sampleGrid: [8, 3], // eight test images: LR | SR | HR
  },
  grid: { dataset: ["mnist", "fashion-mnist"], lowRes: [14, 7] },
  profiles: { quick: { steps: 1000, sampleEvery: 500 } },
  claims: [
    {
      id: "sr-beats-bilinear",
      text: "Super-resolution beats bilinear upsampling on PSNR and on FCD.",
      method: "At the end of each run (10,000 test images), psnr above psnrBilinear and fcd below fcdBilinear. " +
        "Reproduced when both hold for all four (dataset, lowRes) points; not reproduced when one fails (named); " +
        "inconclusive while a point has no evaluation.",
      check(runs) {
        const rows: string[] = [];
        const failed: string[] = [];
        for (const { dataset, lowRes } of POINTS) {
          const at = runs.where({ dataset, lowRes });
          const [psnr, psnrB, fcd, fcdB] = ["psnr", "psnrBilinear", "fcd", "fcdBilinear"].map((m) => at.final(m)[0]);
          const name = `${dataset} from ${lowRes}×${lowRes}`;
          if ([psnr, psnrB, fcd, fcdB].includes(undefined)) {
            return { verdict: "inconclusive", measured: `${name}: no evaluation yet` };
          }
          rows.push(
            `${name}: psnr ${psnr!.toFixed(2)} vs ${psnrB!.toFixed(2)} dB, fcd ${fcd!.toFixed(1)} vs ${
              fcdB!.toFixed(1)
            }`,
          );
          if (!(psnr! > psnrB! && fcd! < fcdB!)) failed.push(name);
        }
        const measured = rows.join("; ");
        return failed.length === 0
          ? { verdict: "reproduced", measured }
          : { verdict: "not reproduced", measured: `${measured}; not both better: ${failed.join(", ")}` };
      },
    } satisfies Claim,
  ],
});
