/**
 * The built-in architectures, losses and kinds of GAN, declared (`declared.ts`) and with their working halves bound:
 * the builders, loss terms, kinds' builds and the training kit `mod.ts` offers plug-in kinds. Everything that trains,
 * evaluates or benches imports it (the loop does, so a sweep's runs have them); planning needs only `declared.ts`.
 * @module
 */
import "./declared.ts";
import "../archs/builders.ts";
import "./losses.ts";
import "./kinds/builds.ts";
import { TRAINING_KIT } from "./kit.ts";
import { buildGan, disposeGan, ganIteration } from "./gan.ts";
import { discriminatorStep, generatorStep } from "./steps.ts";
import { evaluateGenerator, generatorSettings, lossStateCheckpoint, stepSettings } from "./kinds/gan.ts";
import { sampleGridLabels, sampleGridNoise } from "./kinds/grid_inputs.ts";

TRAINING_KIT.bind({
  buildGan,
  disposeGan,
  ganIteration,
  discriminatorStep,
  generatorStep,
  evaluateGenerator,
  generatorSettings,
  lossStateCheckpoint,
  stepSettings,
  sampleGridLabels,
  sampleGridNoise,
});
