/**
 * The learning-rate study's question asked as a search with pruning: which learning rate trains the two MLP
 * families, found from 8 Sobol-drawn rates per family on a log scale from 1e-5 to 3e-2, with runs that rank in
 * the worse half by fcd at 500 and 1,500 steps stopped there. `deno task report` shows what was saved against
 * training every trial to the end (the study's grid trains all 8 of its runs for 3,000 steps).
 */
import { defineExperiment, logUniform } from "../mod.ts";

export default defineExperiment({
  name: "search-learning-rate",
  description: "lr searched on a log scale for both MLPs, pruned by fcd at 500 and 1,500 steps",
  base: {
    // The study's settings (experiments/study-learning-rate.ts), so the two are comparable.
    dataset: "mnist",
    loss: "bce",
    beta1: 0.5,
    batchSize: 64,
    steps: 3000,
    sampleEvery: 500,
    logEvery: 50,
    evalSamples: 2000, // a rung's ranking needs fcd, not its last digit: 2,000 samples keep a rung cheap
  },
  grid: { arch: ["mlp-pytorch", "mlp-keras"] },
  search: {
    strategy: "sobol", // 8 trials spread over the whole range, where 8 random ones may bunch up
    trials: 8,
    seed: 1,
    space: { lr: logUniform(1e-5, 3e-2) }, // both of the study's rates inside, with room either side
  },
  // ASHA, half kept at each rung: of 8 trials per family, about 4 reach 1,500 steps and 2 the end.
  prune: { metric: "fcd", rungs: [500, 1500], keep: 0.5 },
});
