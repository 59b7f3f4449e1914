/**
 * Study: the DCGAN (Radford et al., PyTorch's examples/dcgan) on colour images, Twitter's emoji at 32×32 RGB:
 * Radford et al.'s learning rate 2e-4 against 1e-3, and two noise sizes, 2 seeds each.
 *
 * The built-in `emoji` set ships in an npm package (no download at run time): 3,781 images on white in 9
 * categories. The runs trained without evaluations; their saved generators were scored afterwards with
 * `deno task eval <run>` through the emoji classifier (`deno task classifier --dataset emoji`), which appended the
 * eval lines the FCD claim reads. The other claims judge training itself (D's accuracy and divergence), and the
 * sample grids are looked at (docs/studies.md).
 */
import { type Claim, defineExperiment, formatStat, stat } from "../mod.ts";

export default defineExperiment({
  name: "study-colour-dcgan",
  description: "dcgan on emoji 32×32 RGB: lr 2e-4 vs 1e-3, noiseDim 32 vs 100, 2 seeds",
  base: {
    dataset: "emoji",
    arch: "dcgan",
    loss: "bce",
    beta1: 0.5, // Radford et al.: β1 0.9 oscillated, 0.5 stabilised training
    batchSize: 64, // Radford et al.'s and examples/dcgan's
    epochs: 15, // 885 steps of 59 batches: enough for shapes and colours to appear at 2e-4
    sampleGrid: [6, 6],
    logEvery: 20,
    evalSamples: 0, // scored once at the end with deno task eval (its 3,781 images), not during training
  },
  grid: {
    lr: [2e-4, 1e-3], // the paper's rate (they found 1e-3 too high) against it
    noiseDim: [32, 100], // 100 is the paper's; 32 asks whether a small z suffices for 3,781 images
    seed: [1, 2],
  },
  profiles: { quick: { epochs: 2, logEvery: 10 } },
  claims: [
    {
      id: "lr-2e-4-trains",
      text: "At Radford et al.'s lr 2e-4 the DCGAN trains on colour emoji: no run diverges and D does not win " +
        "outright (its accuracy over the last epoch stays below 0.95).",
      method: "Every lr 2e-4 run completed (not diverged) and its last epoch's mean dAcc < 0.95: reproduced; " +
        "otherwise not reproduced.",
      check(runs) {
        const good = runs.where({ lr: 2e-4 });
        if (good.list.length === 0 || good.list.some((r) => r.state === "running" || r.state === "pending")) {
          return { verdict: "inconclusive", measured: "the lr 2e-4 runs have not all finished" };
        }
        const acc = good.final("dAcc");
        const measured = `lr 2e-4: ${good.count("diverged")} of ${good.list.length} diverged, final dAcc ${
          formatStat(stat(acc), 3)
        }`;
        const ok = good.count("diverged") === 0 && acc.length === good.list.length && acc.every((a) => a < 0.95);
        return { verdict: ok ? "reproduced" : "not reproduced", measured };
      },
    } satisfies Claim,
    {
      id: "lr-1e-3-d-wins",
      text: "At lr 1e-3 (the rate Radford et al. found too high) D overpowers G: its final accuracy is higher " +
        "than at 2e-4 for every noise size.",
      method: "For each noiseDim, the mean final dAcc over seeds at lr 1e-3 exceeds that at 2e-4: reproduced; " +
        "otherwise not reproduced.",
      check(runs) {
        const parts: string[] = [];
        let holds = true;
        for (const noiseDim of [32, 100]) {
          const [hi, lo] = [1e-3, 2e-4].map((lr) => stat(runs.where({ lr, noiseDim }).final("dAcc")));
          if (hi!.n === 0 || lo!.n === 0) return { verdict: "inconclusive", measured: `noiseDim ${noiseDim}: no runs` };
          parts.push(`noiseDim ${noiseDim}: dAcc ${formatStat(hi!, 3)} at 1e-3 vs ${formatStat(lo!, 3)} at 2e-4`);
          holds &&= hi!.mean > lo!.mean;
        }
        return { verdict: holds ? "reproduced" : "not reproduced", measured: parts.join("; ") };
      },
    } satisfies Claim,
    {
      id: "lr-1e-3-lower-fcd",
      text: "Scored by the emoji classifier, the lr 1e-3 generators are closer to the real emoji than the 2e-4 " +
        "ones after the same 15 epochs: a lower FCD for every noise size (the sample grids look so too).",
      method: "For each noiseDim, the highest final FCD over seeds at lr 1e-3 is below the lowest at 2e-4 " +
        "(deno task eval on the saved generators, n = 3,781): reproduced; otherwise not reproduced.",
      check(runs) {
        const parts: string[] = [];
        let holds = true;
        for (const noiseDim of [32, 100]) {
          const [hi, lo] = [1e-3, 2e-4].map((lr) => runs.where({ lr, noiseDim }).final("fcd"));
          if (hi!.length === 0 || lo!.length === 0) {
            return { verdict: "inconclusive", measured: `noiseDim ${noiseDim}: no eval lines (run deno task eval)` };
          }
          parts.push(
            `noiseDim ${noiseDim}: FCD ${formatStat(stat(hi!), 2)} at 1e-3 vs ${formatStat(stat(lo!), 2)} at 2e-4`,
          );
          holds &&= Math.max(...hi!) < Math.min(...lo!);
        }
        return { verdict: holds ? "reproduced" : "not reproduced", measured: parts.join("; ") };
      },
    } satisfies Claim,
  ],
});
