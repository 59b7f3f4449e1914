/**
 * An optimiser's complete state for checkpoints. `getWeights()` covers the
 * step count and Adam's moments, but not the running products beta1^t and
 * beta2^t that tfjs's Adam keeps privately: `setWeights()` recomputes them
 * with `pow`, which differs from the step-by-step products in the last bit and
 * makes a resumed run drift. So they are saved and restored as they are.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A named tensor, as optimisers exchange them. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

type AdamPrivates = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

const PRODUCTS = ["accBeta1", "accBeta2"] as const;

/** The optimiser's state. Dispose the result with {@linkcode disposeOptimizerState}. */
export async function optimizerState(opt: tf.Optimizer): Promise<NamedTensor[]> {
  const weights = await opt.getWeights();
  const privates = opt as unknown as AdamPrivates;
  const products = PRODUCTS.flatMap((k) => privates[k] ? [{ name: `__${k}`, tensor: privates[k]!.clone() }] : []);
  return [...weights, ...products];
}

/** Dispose the tensors {@linkcode optimizerState} created (not the live moment variables). */
export function disposeOptimizerState(state: NamedTensor[]): void {
  tf.dispose(state.filter((w) => w.name === "iter" || w.name.startsWith("__")).map((w) => w.tensor));
}

/** Put a saved state back into an optimiser of the same kind. */
export async function restoreOptimizerState(opt: tf.Optimizer, state: NamedTensor[]): Promise<void> {
  await opt.setWeights(state.filter((w) => !w.name.startsWith("__")));
  const privates = opt as unknown as AdamPrivates;
  for (const k of PRODUCTS) {
    const saved = state.find((w) => w.name === `__${k}`);
    if (saved && privates[k]) privates[k]!.assign(saved.tensor);
  }
}
