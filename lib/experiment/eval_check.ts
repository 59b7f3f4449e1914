/**
 * Planning's check that a run asking for quality metrics (`evalSamples > 0`) can have them: the dataset is
 * labelled, holds enough real images, and has a pinned classifier trained on its present content.
 * @module
 */
import { classifierCommand, classifierId, IDX_TEST_IMAGES } from "../classifier/labelled_data.ts";
import { readManifest } from "../classifier/manifest.ts";
import { type DatasetFacts, type DatasetValue, isIdxName, resolveDataset } from "../data/dataset_ref.ts";
import { datasetLabel } from "../data/sources.ts";
import { InputError } from "../input_error.ts";

/** What the check reads of a run. */
export interface EvaluatedRun {
  dataset: DatasetValue;
  evalSamples: number;
}

/**
 * @param blame The file (or `--set`) the values came from.
 * @param dataDir The folder the dataset's relative paths resolve against.
 * @throws {InputError} naming the run, the dataset and the fix.
 */
export async function checkEvaluation(
  config: EvaluatedRun,
  where: string,
  blame: string,
  data: DatasetFacts,
  dataDir: string,
): Promise<void> {
  if (config.evalSamples === 0) return;
  const name = datasetLabel(config.dataset);
  const refuse = (why: string) =>
    new InputError(blame, `${where}: evalSamples ${config.evalSamples} on ${name}: ${why}`);
  if (isIdxName(config.dataset)) {
    if (config.evalSamples > IDX_TEST_IMAGES) throw refuse(`use evalSamples ≤ ${IDX_TEST_IMAGES}, its test images`);
    return;
  }
  if (data.classes === 0) {
    throw refuse(
      `${data.source} is unlabelled, so no classifier metric applies (they need a classifier trained on its ` +
        "labels); set evalSamples: 0, or give the images one subfolder per class (labels: for .npy)",
    );
  }
  if (config.evalSamples > data.count) {
    throw refuse(`the metrics compare with its ${data.count} images; use evalSamples ≤ ${data.count}`);
  }
  const id = classifierId(config.dataset, data.digest);
  const entry = (await readManifest()).classifiers[id];
  const train = classifierCommand(resolveDataset(config.dataset, dataDir));
  if (entry === undefined) {
    throw refuse(`no classifier is pinned for it (classifiers/${id}/); train and pin one with ${train}`);
  }
  if (entry.data !== undefined && entry.data.digest !== data.digest) {
    throw refuse(
      `its pinned classifier (classifiers/${id}/) was trained on other content (digest ` +
        `${entry.data.digest.slice(0, 12)}, now ${data.digest.slice(0, 12)}); retrain it with ${train}`,
    );
  }
}
