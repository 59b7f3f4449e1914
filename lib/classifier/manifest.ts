/**
 * `classifiers/manifest.json`: the pinned classifiers — the sha256 of each
 * committed file, how the classifier was trained and its test accuracy.
 * @module
 */
import { fromFileUrl, join } from "@std/path";

/** One dataset's pinned classifier. */
export interface ClassifierEntry {
  /** sha256 of each file in `classifiers/<dataset>/` (`model.json`, `weights.bin`). */
  files: Record<string, string>;
  /** Share of the test split classified right. */
  testAccuracy: number;
  /** The training settings (seed, epochs, batch size, learning rate, decay). */
  training: Record<string, number>;
  /** Backend and tfjs version it was trained with. */
  trainedWith: string;
  /** Wall seconds the training took. */
  seconds: number;
  /** When it was trained. */
  created: string;
  /**
   * The data it classifies, for a dataset other than MNIST and Fashion-MNIST: its content digest (loading refuses
   * the classifier for data whose digest differs), where it was read, its shape, its classes and how the test
   * images were held out.
   */
  data?: ClassifierDataInfo;
}

/** What a classifier of a dataset source was trained on. */
export interface ClassifierDataInfo {
  digest: string;
  source: string;
  shape: [number, number, number];
  classNames: string[];
  split: string;
}

/** The whole manifest. */
export interface ClassifierManifest {
  /** What the file is. */
  description: string;
  /** By classifier id: a dataset's name, or `data-` and 16 hex digits of a source's digest. */
  classifiers: Partial<Record<string, ClassifierEntry>>;
}

/** The repository's `classifiers/` folder. */
export const CLASSIFIERS_DIR: string = fromFileUrl(new URL("../../classifiers/", import.meta.url));

/** Name of the manifest file inside the classifiers folder. */
export const MANIFEST_FILE = "manifest.json";

/**
 * Read the manifest of a classifiers folder.
 *
 * @param dir The folder (default: the repository's `classifiers/`).
 * @returns The manifest; an empty one when the file does not exist.
 * @throws {SyntaxError} When the file is not JSON.
 */
export async function readManifest(dir: string = CLASSIFIERS_DIR): Promise<ClassifierManifest> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, MANIFEST_FILE))) as ClassifierManifest;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return emptyManifest();
    throw e;
  }
}

/** A manifest with no classifier. */
export function emptyManifest(): ClassifierManifest {
  return {
    description: "Pinned domain classifiers of the quality metrics (deno task classifier); " +
      "loading checks every file's sha256 against this manifest.",
    classifiers: {},
  };
}
