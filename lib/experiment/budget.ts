/**
 * A run's budget in steps, and the length of its epochs, from its config and the training images there are.
 * @module
 */
import type { ResolvedConfig } from "./config.ts";

/** The budget in steps and the length of an epoch (the last partial batch of an epoch is dropped). */
export function budget(config: ResolvedConfig, images: number): { totalSteps: number; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.floor(Math.min(config.trainSize ?? images, images) / config.batchSize);
  return { totalSteps: config.steps ?? config.epochs * stepsPerEpoch, stepsPerEpoch };
}
