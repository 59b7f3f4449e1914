/**
 * Load a run's saved generator (`<runDir>/generator/`, TF.js layers format)
 * and the settings it needs from the run's `config.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import type { RunConfigFile, RunStatusFile } from "../results/records.ts";
import type { GeneratorSettings } from "./evaluator.ts";
import { DATASET_NAMES, type DatasetName } from "../data/datasets.ts";
import { InputError } from "../input_error.ts";

async function readJson<T>(path: string, expected: string): Promise<T> {
  let text;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new InputError(path, `not found; expected ${expected}`);
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message}); expected ${expected}`);
  }
}

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
 * @throws {InputError} naming the file, when `config.json` or the generator is missing or unreadable.
 */
export async function loadSavedGenerator(runDir: string): Promise<SavedGenerator> {
  const file = await readJson<RunConfigFile>(join(runDir, "config.json"), "a run folder written by deno task sweep");
  const { config } = file;
  if (
    !config || !DATASET_NAMES.includes(config.dataset) || !(Number.isInteger(config.noiseDim) && config.noiseDim > 0)
  ) {
    throw new InputError(
      join(runDir, "config.json"),
      `config.dataset ${JSON.stringify(config?.dataset)} / config.noiseDim ${
        JSON.stringify(config?.noiseDim)
      }: expected a dataset (${DATASET_NAMES.join(", ")}) and a positive noise size`,
    );
  }
  let step = 0;
  let epoch = 0;
  try {
    const status = JSON.parse(await Deno.readTextFile(join(runDir, "status.json"))) as RunStatusFile;
    step = status.step;
    epoch = status.epoch;
  } catch (e) {
    // status.json is only a label for the result: a missing or torn one counts as step 0.
    if (!(e instanceof Deno.errors.NotFound || e instanceof SyntaxError)) throw e;
  }
  const dir = join(runDir, "generator");
  const settings = await generatorInputs(dir, config);
  const json = await readJson<{ modelTopology: unknown; weightsManifest: unknown }>(
    join(dir, "model.json"),
    "the run's saved generator (written when the run completes)",
  );
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
    settings,
    step,
    epoch,
  };
}

/**
 * What the generator in `dir` takes: its `inputs.json` (a conditional kind's generator takes a label after the
 * noise), or for a generator saved before that file was written, the config's noise.
 */
async function generatorInputs(dir: string, config: RunConfigFile["config"]): Promise<GeneratorSettings> {
  const path = join(dir, "inputs.json");
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { noiseDim: config.noiseDim, noise: config.noise, pixelRange: config.pixelRange };
    }
    throw e;
  }
  const s = await readJson<GeneratorSettings>(path, "what the generator takes ({ noiseDim, noise, pixelRange })");
  const classesOk = s.classes === undefined || (Number.isInteger(s.classes) && s.classes > 0);
  if (!(Number.isInteger(s.noiseDim) && s.noiseDim > 0) || !classesOk) {
    throw new InputError(
      path,
      `noiseDim ${JSON.stringify(s.noiseDim)}, classes ${JSON.stringify(s.classes)}: expected a positive noise ` +
        `size and, for a conditional generator, a positive number of classes`,
    );
  }
  return s;
}
