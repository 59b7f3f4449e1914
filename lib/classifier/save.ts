/**
 * Save a classifier in TF.js layers format and pin it in the manifest.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { writeFileAtomic, writeJsonAtomic } from "../atomic_write.ts";
import { sha256Hex } from "../sha256.ts";
import { type ClassifierEntry, MANIFEST_FILE, readManifest } from "./manifest.ts";

/**
 * Write `model` as `<dir>/<id>/model.json` + `weights.bin` and record
 * their sha256 (and `info`) under the id in `<dir>/manifest.json`.
 *
 * @param model The trained classifier.
 * @param dir The classifiers folder.
 * @param id The classifier's id (`./labelled_data.ts` `classifierId`: the dataset's name, or `data-…`).
 * @param info The manifest entry's other fields.
 * @returns The manifest entry written.
 */
export async function saveClassifier(
  model: tf.LayersModel,
  dir: string,
  id: string,
  info: Omit<ClassifierEntry, "files">,
): Promise<ClassifierEntry> {
  const out = join(dir, id);
  await Deno.mkdir(out, { recursive: true });
  const files: Record<string, string> = {};
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const modelJson = JSON.stringify(
      {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      },
      null,
      1,
    ) + "\n";
    await writeFileAtomic(join(out, "weights.bin"), weights);
    await writeFileAtomic(join(out, "model.json"), modelJson);
    files["model.json"] = await sha256Hex(modelJson);
    files["weights.bin"] = await sha256Hex(weights);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const entry: ClassifierEntry = { files, ...info };
  const manifest = await readManifest(dir);
  manifest.classifiers[id] = entry;
  await writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
  return entry;
}
