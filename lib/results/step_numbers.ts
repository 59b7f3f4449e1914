/**
 * The numbers a training step logs, as one list: the training loop reads them
 * back in this order, `step` and `epoch` lines of `metrics.jsonl` hold them
 * under these names in this order, and the report's tables show them in it.
 * @module
 */

/**
 * The logged numbers, in log and table order:
 * - `dLoss`: discriminator loss;
 * - `gLoss`: generator loss;
 * - `dReal`: mean D output on real images (probability for bce/minimax, raw score for lsgan);
 * - `dFake`: mean D output on generated images;
 * - `dAcc`: share of real and fake images D classifies right (threshold 0.5 / 0.5 score).
 * @example
 * ```ts
 * import { STEP_NUMBERS } from "./step_numbers.ts";
 * console.log(STEP_NUMBERS.length); // 5
 * ```
 */
export const STEP_NUMBERS = ["dLoss", "gLoss", "dReal", "dFake", "dAcc"] as const;

/** One of {@linkcode STEP_NUMBERS}. */
export type StepNumber = typeof STEP_NUMBERS[number];

/** Each logged number by name: a window's or an epoch's means (or sums). */
export type StepNumbers = Record<StepNumber, number>;

/** The losses among them: the numbers `divergenceThreshold` bounds. */
export const LOSS_NUMBERS: readonly StepNumber[] = ["dLoss", "gLoss"];
