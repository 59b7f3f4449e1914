/**
 * Load a run's saved generator (`<runDir>/generator/`, TF.js layers format)
 * and the settings it needs from the run's `config.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join, resolve } from "@std/path";
import type { RunConfigFile, RunStatusFile } from "../results/records.ts";
import type { GeneratorSettings } from "./evaluator.ts";
import { DATASET_NAMES } from "../data/datasets.ts";
import { type DatasetValue, resolveDataset } from "../data/dataset_ref.ts";
import { datasetSourceSchema, NAMED_SOURCES } from "../data/sources.ts";
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
  /** The run's dataset, a source's paths made absolute (against the folder of the experiment file it came from). */
  dataset: DatasetValue;
  settings: GeneratorSettings;
  /** A translation generator's target domain (the run's `datasetB`, its paths absolute); absent for the others. */
  translatesTo?: DatasetValue;
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
    !config || !isDatasetValue(config.dataset) || !(Number.isInteger(config.noiseDim) && config.noiseDim > 0)
  ) {
    throw new InputError(
      join(runDir, "config.json"),
      `config.dataset ${JSON.stringify(config?.dataset)} / config.noiseDim ${
        JSON.stringify(config?.noiseDim)
      }: expected a dataset (${DATASETS.join(", ")}, or a source such as { images: "folder" }) and a positive ` +
        "noise size",
    );
  }
  const expDir = await experimentDir(runDir);
  const dataset = resolveDataset(config.dataset, expDir);
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
  const translatesTo = settings.translatesFrom === undefined
    ? undefined
    : resolveDataset(translationTarget(runDir, config), expDir);
  const json = await readJson<{ modelTopology: unknown; weightsManifest: unknown }>(
    join(dir, "model.json"),
    "the run's saved generator (written when the run completes)",
  );
  const manifest = weightGroups(json.weightsManifest, join(dir, "model.json"));
  const parts = await Promise.all(manifest.map((g) => readGroup(dir, g)));
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.length;
  }
  let model;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
    }));
  } catch (e) {
    throw new InputError(join(dir, "model.json"), `cannot build the generator from it: ${(e as Error).message}`);
  }
  return {
    model,
    dataset,
    settings,
    ...(translatesTo ? { translatesTo } : {}),
    step,
    epoch,
  };
}

/** Whether a config's dataset is one this version can read. */
function isDatasetValue(dataset: unknown): dataset is DatasetValue {
  return (DATASETS as readonly unknown[]).includes(dataset) || datasetSourceSchema.safeParse(dataset).success;
}

const DATASETS = [...DATASET_NAMES, ...NAMED_SOURCES];

/**
 * The folder a run's relative dataset paths resolve against: that of the experiment file named in the sweep's
 * `experiment.json` (beside the run folder), or the working directory when there is none.
 */
async function experimentDir(runDir: string): Promise<string> {
  try {
    const { source } = JSON.parse(await Deno.readTextFile(join(runDir, "..", "experiment.json"))) as {
      source?: unknown;
    };
    return typeof source === "string" ? dirname(resolve(source)) : ".";
  } catch {
    return "."; // a run folder copied on its own: paths resolve from here
  }
}

/** The target domain of a translation run: its `datasetB`. */
function translationTarget(runDir: string, config: RunConfigFile["config"]): DatasetValue {
  const to = (config as { datasetB?: unknown }).datasetB;
  if (!isDatasetValue(to)) {
    throw new InputError(
      join(runDir, "config.json"),
      `config.datasetB ${JSON.stringify(to)}: a translation generator needs its target domain, a dataset ` +
        `(${DATASETS.join(", ")}, or a source such as { images: "folder" })`,
    );
  }
  return to;
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
  const positive = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) > 0);
  if (!(Number.isInteger(s.noiseDim) && s.noiseDim > 0) || !positive(s.classes) || !positive(s.lowRes)) {
    throw new InputError(
      path,
      `noiseDim ${JSON.stringify(s.noiseDim)}, classes ${JSON.stringify(s.classes)}, lowRes ${
        JSON.stringify(s.lowRes)
      }: expected a positive noise size and, for a conditional or super-resolution generator, a positive number of ` +
        `classes or input side`,
    );
  }
  return s;
}

type WeightGroup = { paths: string[]; weights: tf.io.WeightsManifestEntry[] };

/** `model.json`'s `weightsManifest`, checked for the shape it must have. */
function weightGroups(value: unknown, path: string): WeightGroup[] {
  const ok = Array.isArray(value) &&
    value.every((g) =>
      g && Array.isArray(g.paths) && g.paths.every((p: unknown) => typeof p === "string" && !p.includes("..")) &&
      Array.isArray(g.weights) &&
      g.weights.every((w: tf.io.WeightsManifestEntry) =>
        w && typeof w.name === "string" && Array.isArray(w.shape) && typeof w.dtype === "string"
      )
    );
  if (!ok) {
    throw new InputError(path, "weightsManifest: expected a list of { paths, weights } groups as TF.js writes them");
  }
  return value as WeightGroup[];
}

/** Bytes per value of a weight as stored (its quantized type when it is quantized). */
function bytesPerValue(w: tf.io.WeightsManifestEntry): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  return dtype === "uint8" || dtype === "bool" ? 1 : dtype === "uint16" || dtype === "float16" ? 2 : 4;
}

/**
 * The bytes of one weight group, its files read in order, checked against the sizes its weights need: a file cut
 * short (a copy or a write that did not finish) is named, rather than failing later inside TF.js.
 */
async function readGroup(dir: string, group: WeightGroup): Promise<Uint8Array> {
  const files = await Promise.all(group.paths.map(async (p) => {
    const path = join(dir, p);
    try {
      return { path, bytes: await Deno.readFile(path) };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new InputError(path, "not found; model.json's weightsManifest lists it (the generator's weights)");
      }
      throw new InputError(path, `cannot be read: ${(e as Error).message}`);
    }
  }));
  const have = files.reduce((s, f) => s + f.bytes.length, 0);
  const need = group.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * bytesPerValue(w), 0);
  if (have !== need) {
    const names = files.map((f) => f.path).join(", ");
    throw new InputError(
      names,
      `${have} bytes, but model.json's weightsManifest needs ${need} for ${group.weights.length} weights: ` +
        `the file is ${have < need ? "truncated" : "longer than its manifest says"}; ` +
        "restore it, or train the run again to save the generator anew",
    );
  }
  const out = new Uint8Array(have);
  let offset = 0;
  for (const f of files) {
    out.set(f.bytes, offset);
    offset += f.bytes.length;
  }
  return out;
}
