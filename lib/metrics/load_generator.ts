/**
 * Load a run's saved generator (`<runDir>/generator/`, TF.js layers format)
 * and the settings it needs from the run's `config.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import type { RunConfigFile, RunStatusFile } from "../records.ts";
import type { GeneratorSettings } from "./evaluator.ts";
import type { DatasetName } from "../datasets.ts";

/** A saved generator and what evaluating it needs. */
export interface SavedGenerator {
  model: tf.LayersModel;
  dataset: DatasetName;
  settings: GeneratorSettings;
  /** Where the run stopped (from `status.json`; 0 when it has none). */
  step: number;
  epoch: number;
}

/**
 * Load `<runDir>/generator/model.json` + `weights.bin`, and the dataset,
 * noise and pixel range from `<runDir>/config.json`.
 *
 * @param runDir A run folder.
 * @returns The model (the caller disposes it) and its settings.
 * @throws {Deno.errors.NotFound} When `config.json` or the generator is missing.
 */
export async function loadSavedGenerator(runDir: string): Promise<SavedGenerator> {
  const file = JSON.parse(await Deno.readTextFile(join(runDir, "config.json"))) as RunConfigFile;
  const { config } = file;
  let step = 0;
  let epoch = 0;
  try {
    const status = JSON.parse(await Deno.readTextFile(join(runDir, "status.json"))) as RunStatusFile;
    step = status.step;
    epoch = status.epoch;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const dir = join(runDir, "generator");
  const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const parts = await Promise.all(manifest.flatMap((g) => g.paths.map((p) => Deno.readFile(join(dir, p)))));
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.length;
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
  }));
  return {
    model,
    dataset: config.dataset,
    settings: { noiseDim: config.noiseDim, noise: config.noise, pixelRange: config.pixelRange },
    step,
    epoch,
  };
}
