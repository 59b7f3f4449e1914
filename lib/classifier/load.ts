/**
 * Load a pinned classifier: every file's sha256 must match
 * `classifiers/manifest.json`, so metrics from different runs and machines
 * come from the same network.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { sha256Hex } from "../sha256.ts";
import { type ClassifierEntry, CLASSIFIERS_DIR, MANIFEST_FILE, readManifest } from "./manifest.ts";

/**
 * A classifier file does not match its pin (or has none): the metrics it
 * would give are not comparable with the pinned classifier's.
 */
export class ClassifierPinError extends Error {
  /** @param message Names the file, the expected and actual sha256, and the way out. */
  constructor(message: string) {
    super(message);
    this.name = "ClassifierPinError";
  }
}

/** Options of {@linkcode loadClassifier}. */
export interface LoadClassifierOptions {
  /** The classifiers folder (default: the repository's `classifiers/`). */
  dir?: string;
  /** Use the classifier even when a hash differs or no pin exists (a warning instead of an error). */
  allowUnpinned?: boolean;
  /** Told when `allowUnpinned` let a mismatch through (default: console.warn). */
  warn?: (message: string) => void;
  /**
   * The content digest of the data to classify: a classifier whose manifest entry records another digest was
   * trained on other data, and is refused (not even `allowUnpinned` lets it through).
   */
  digest?: string;
  /** How to train this classifier, for the messages (default `deno task classifier --dataset <id>`). */
  trainCommand?: string;
}

/** A loaded classifier. */
export interface LoadedClassifier {
  /** The network: `[n, h, w, c]` in [0, 1] → `[n, classes]` probabilities. The caller disposes it. */
  model: tf.LayersModel;
  /** sha256 of `weights.bin`, as read. */
  sha256: string;
  /** Whether every file matched the manifest. */
  pinned: boolean;
  /** The manifest entry, where one exists. */
  entry: ClassifierEntry | null;
}

/**
 * Load the classifier of a dataset from `<dir>/<id>/`, verifying
 * `model.json` and `weights.bin` against the manifest.
 *
 * @param id The classifier's id: `mnist`, `fashion-mnist`, `emoji`, or `data-…` for a source of one's own.
 * @param options See {@linkcode LoadClassifierOptions}.
 * @returns The model and its hash.
 * @throws {ClassifierPinError} When a file's sha256 differs from the manifest's, or the manifest has no
 *   entry for the dataset, unless `allowUnpinned`.
 * @throws {ClassifierPinError} Also when the files are missing (saying how to train them).
 * @example
 * ```ts ignore
 * const { model } = await loadClassifier("mnist");
 * ```
 */
export async function loadClassifier(
  id: string,
  options: LoadClassifierOptions = {},
): Promise<LoadedClassifier> {
  const dir = options.dir ?? CLASSIFIERS_DIR;
  const train = options.trainCommand ?? `deno task classifier --dataset ${id}`;
  const manifest = await readManifest(dir);
  const entry = manifest.classifiers[id] ?? null;
  if (options.digest !== undefined && entry?.data !== undefined && entry.data.digest !== options.digest) {
    throw new ClassifierPinError(
      `${join(dir, MANIFEST_FILE)}: the classifier '${id}' was trained on data with digest ` +
        `${entry.data.digest.slice(0, 12)} (${entry.data.source}), but the dataset now has digest ` +
        `${
          options.digest.slice(0, 12)
        }: its files changed; restore them, or train a classifier for them with '${train}'`,
    );
  }
  const modelPath = join(dir, id, "model.json");
  const weightsPath = join(dir, id, "weights.bin");
  let modelBytes: Uint8Array;
  let weights: Uint8Array;
  try {
    modelBytes = await Deno.readFile(modelPath);
    weights = await Deno.readFile(weightsPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new ClassifierPinError(
      `${join(dir, id)}/: no classifier (${e.message}); train and pin one with '${train}'`,
    );
  }
  const got: Record<string, string> = {
    "model.json": await sha256Hex(modelBytes),
    "weights.bin": await sha256Hex(weights),
  };
  const problems: string[] = [];
  if (entry === null) {
    problems.push(`${join(dir, MANIFEST_FILE)} has no entry for '${id}' (the classifier is not pinned)`);
  } else {
    for (const [file, sha] of Object.entries(got)) {
      const expected = entry.files[file];
      if (expected !== sha) {
        problems.push(
          `${join(dir, id, file)}: sha256 mismatch: expected ${expected ?? "(no pin)"} ` +
            `(from ${join(dir, MANIFEST_FILE)}), got ${sha}`,
        );
      }
    }
  }
  if (problems.length > 0) {
    const message = `${problems.join("; ")}. Metrics from this classifier are not comparable with the pinned one's: ` +
      `restore the committed files, or retrain and pin with 'deno task classifier', ` +
      `or pass --allow-unpinned-classifier (allowUnpinned: true) to use it anyway`;
    if (!options.allowUnpinned) throw new ClassifierPinError(message);
    (options.warn ?? console.warn)(`warning: ${message}`);
  }
  const json = JSON.parse(new TextDecoder().decode(modelBytes));
  // Building the layers runs their initialisers, which draw from Math.random before the weights are
  // set. A training run routes Math.random through its seeded stream: loading must not consume it.
  const original = Math.random;
  Math.random = () => 0.5;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }));
  } finally {
    Math.random = original;
  }
  return { model, sha256: got["weights.bin"]!, pinned: problems.length === 0, entry };
}
