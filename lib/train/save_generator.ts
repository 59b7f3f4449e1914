/**
 * Save a trained generator in TF.js's standard layers format, for
 * `deno task eval` and for loading in a browser with `tf.loadLayersModel`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { writeFileAtomic, writeJsonAtomic } from "../atomic_write.ts";
import type { GeneratorSettings } from "../metrics/evaluator.ts";

/**
 * Save the generator in TF.js's standard layers format (model.json + weights.bin), and beside it `inputs.json`:
 * what it takes (noise length and distribution, a conditional generator's classes) and its pixel range.
 */
export async function saveGenerator(
  exported: { generator: tf.LayersModel; settings: GeneratorSettings },
  dir: string,
): Promise<void> {
  const { generator, settings } = exported;
  await Deno.mkdir(dir, { recursive: true });
  await writeJsonAtomic(join(dir, "inputs.json"), settings);
  await generator.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: "layers-model",
      generatedBy: artifacts.generatedBy,
      convertedBy: null,
      weightsManifest: [{
        paths: ["weights.bin"],
        weights: artifacts.weightSpecs,
      }],
    };
    await writeFileAtomic(join(dir, "weights.bin"), weights);
    await writeJsonAtomic(join(dir, "model.json"), modelJson);
    return {
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    };
  }));
}
