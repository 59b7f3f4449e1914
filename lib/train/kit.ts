/**
 * The training kit `mod.ts` offers a plug-in kind (build a G and D pair, run an iteration or one step, evaluate,
 * draw the sample grid's inputs), without loading TensorFlow.js: each function calls through to the one in its
 * module, bound when the training code loads (`builtins.ts`). A kind's `build` and what it returns run only then.
 * @module
 */
import { Deferred } from "../plugins/deferred.ts";
import type * as gan from "./gan.ts";
import type * as steps from "./steps.ts";
import type * as ganKind from "./kinds/gan.ts";
import type * as gridInputs from "./kinds/grid_inputs.ts";

/** The kit's functions, as their modules define them. */
export interface TrainingKit {
  buildGan: typeof gan.buildGan;
  disposeGan: typeof gan.disposeGan;
  ganIteration: typeof gan.ganIteration;
  discriminatorStep: typeof steps.discriminatorStep;
  generatorStep: typeof steps.generatorStep;
  evaluateGenerator: typeof ganKind.evaluateGenerator;
  generatorSettings: typeof ganKind.generatorSettings;
  lossStateCheckpoint: typeof ganKind.lossStateCheckpoint;
  stepSettings: typeof ganKind.stepSettings;
  sampleGridLabels: typeof gridInputs.sampleGridLabels;
  sampleGridNoise: typeof gridInputs.sampleGridNoise;
}

/** The kit, bound by `builtins.ts`. */
export const TRAINING_KIT = new Deferred<TrainingKit>("the training kit's functions (buildGan, ganIteration, …)");

const kit = () => TRAINING_KIT.get();

/** Build a kind `gan`'s G and D pair and their optimisers for a config (`lib/train/gan.ts`). */
export const buildGan: TrainingKit["buildGan"] = (...args) => kit().buildGan(...args);
/** Free what {@linkcode buildGan} built. */
export const disposeGan: TrainingKit["disposeGan"] = (...args) => kit().disposeGan(...args);
/** One iteration of kind `gan`'s: its D steps and a G step (`lib/train/gan.ts`). */
export const ganIteration: TrainingKit["ganIteration"] = (...args) => kit().ganIteration(...args);
/** One D update (`lib/train/steps.ts`). */
export const discriminatorStep: TrainingKit["discriminatorStep"] = (...args) => kit().discriminatorStep(...args);
/** One G update (`lib/train/steps.ts`). */
export const generatorStep: TrainingKit["generatorStep"] = (...args) => kit().generatorStep(...args);
/** A generator's `eval` fields through the dataset's pinned classifier (`lib/train/kinds/gan.ts`). */
export const evaluateGenerator: TrainingKit["evaluateGenerator"] = (...args) => kit().evaluateGenerator(...args);
/** What a config's generator takes, for evaluation and `deno task eval`. */
export const generatorSettings: TrainingKit["generatorSettings"] = (...args) => kit().generatorSettings(...args);
/** A stateful loss's checkpoint hooks and logged numbers for a kind's run. */
export const lossStateCheckpoint: TrainingKit["lossStateCheckpoint"] = (...args) => kit().lossStateCheckpoint(...args);
/** A config's D and G step settings. */
export const stepSettings: TrainingKit["stepSettings"] = (...args) => kit().stepSettings(...args);
/** The sample grid's fixed labels, from their own stream. */
export const sampleGridLabels: TrainingKit["sampleGridLabels"] = (...args) => kit().sampleGridLabels(...args);
/** The sample grid's fixed noise, from its own stream. */
export const sampleGridNoise: TrainingKit["sampleGridNoise"] = (...args) => kit().sampleGridNoise(...args);
