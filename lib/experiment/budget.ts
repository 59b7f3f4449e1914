/**
 * A run's budget in steps, and the length of its epochs, from its config and the training images there are.
 * @module
 */
import { criticSteps, type ResolvedConfig } from "./config.ts";

/**
 * The budget in steps (iterations: G updates) and the length of an epoch (the last partial batch of an epoch is
 * dropped). With `budgetIn: "dSteps"` the budget counts D updates, so a run with `nCritic` of them per iteration
 * makes that many times fewer iterations (rounded up).
 */
export function budget(config: ResolvedConfig, images: number): { totalSteps: number; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.floor(Math.min(config.trainSize ?? images, images) / config.batchSize);
  const counted = config.steps ?? config.epochs * stepsPerEpoch;
  const totalSteps = config.budgetIn === "dSteps" ? Math.ceil(counted / criticSteps(config)) : counted;
  return { totalSteps, stepsPerEpoch };
}
