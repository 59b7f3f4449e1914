/**
 * `deno task eval <runDir> [--n N] [options]`: evaluate a run's saved
 * generator with the pinned classifier of its dataset (FCD, KID, classifier
 * score, mode coverage, precision/recall), append an `eval` line to its
 * `metrics.jsonl` and print the metrics.
 * @module
 */
import { join } from "@std/path";
import { startBackend } from "../lib/tfjs/backend.ts";
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { JsonlWriter } from "../lib/results/jsonl.ts";
import { ClassifierPinError } from "../lib/classifier/load.ts";
import { createEvaluator, evalFields, type Evaluator, evaluatorDefaults } from "../lib/metrics/evaluator.ts";
import { loadSavedGenerator, type SavedGenerator } from "../lib/metrics/load_generator.ts";
import type { EvalLine, RunStatusFile } from "../lib/results/records.ts";
import { generatorLeftOut } from "../lib/results/verify_run.ts";
import { referenceLimit } from "../lib/classifier/labelled_data.ts";
import type { DatasetValue } from "../lib/data/dataset_ref.ts";
import { evaluateTranslation } from "../lib/train/kinds/cyclegan.ts";
import { evaluateSuperResolution } from "../lib/train/kinds/srgan.ts";
import "../lib/tfjs/kernels_setup.ts";

const USAGE = `Usage: deno task eval <runDir> [options]

Evaluates <runDir>/generator/ against the held-out test images of the run's dataset (a translation
generator: its source domain's test images translated, against its target domain's; a labelled source
of one's own or emoji: its images, through the classifier pinned by 'deno task classifier --dataset …')
and appends an 'eval' line to <runDir>/metrics.jsonl. fcd is the Fréchet distance on the pinned domain
classifier's features: not comparable to Inception FID. kid is the kernel distance on the same
features (unbiased MMD², averaged over random subsets of 1000; kidStd its spread across them).

Options:
  --n N                          samples and real images compared (default ${evaluatorDefaults.n} or all the images
                                 a source has, if fewer; at most 10000 test images or all a source has)
  --skip-precision-recall        leave out precision/recall (about half the time)
  --skip-kid                     leave out kid and kidStd (about 2 s)
  --classifiers DIR              the pinned classifiers' folder (default: the repository's classifiers/)
  --allow-unpinned-classifier    use a classifier whose sha256 differs from classifiers/manifest.json
  --dry-run                      print the metrics, append nothing`;

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, {
    string: ["n", "classifiers"],
    boolean: ["skip-precision-recall", "skip-kid", "allow-unpinned-classifier", "dry-run"],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const runDir = flags._[0];
  if (runDir === undefined || flags._.length > 1) {
    throw new InputError("arguments", `expected one run folder, got ${flags._.length}\n${USAGE}`);
  }
  try {
    await Deno.stat(join(runDir, "generator", "model.json"));
  } catch {
    throw new InputError(runDir, await whyNoGenerator(runDir));
  }
  await startBackend("wasm");
  const saved = await loadSavedGenerator(runDir);
  let evaluator;
  try {
    // A translation generator is judged in its target domain.
    const judged = saved.translatesTo ?? saved.dataset;
    // A translation's n images of its source domain are scored against n of its target's.
    const n = await sampleCount(flags.n, [judged, ...saved.translatesTo ? [saved.dataset] : []]);
    evaluator = await createEvaluator(judged, {
      n,
      precisionRecall: flags["skip-precision-recall"] !== true,
      kid: flags["skip-kid"] !== true,
      allowUnpinned: flags["allow-unpinned-classifier"] === true,
      ...(typeof flags.classifiers === "string" ? { classifierDir: flags.classifiers } : {}),
    });
  } catch (e) {
    saved.model.dispose();
    if (e instanceof ClassifierPinError) throw new InputError("classifier", e.message);
    if (e instanceof RangeError) throw new InputError("--n", e.message);
    throw e;
  }
  try {
    const fields = await generatorFields(saved, evaluator);
    const line: EvalLine = { kind: "eval", step: saved.step, epoch: saved.epoch, ...fields };
    for (const [k, v] of Object.entries(line)) console.log(`${k.padEnd(18)} ${v}`);
    if (!flags["dry-run"]) {
      const log = await JsonlWriter.open(join(runDir, "metrics.jsonl"));
      try {
        await log.write(line);
        await log.sync();
      } finally {
        log.close();
      }
      console.log(`appended to ${join(runDir, "metrics.jsonl")}`);
    }
  } finally {
    evaluator.dispose();
    saved.model.dispose();
  }
  return 0;
}

/** Why a run folder has no saved generator, and what to do: a run that has not completed, or one whose weights were left out. */
async function whyNoGenerator(runDir: string): Promise<string> {
  if (!await Deno.stat(runDir).then((i) => i.isDirectory, () => false)) {
    return "no such run folder (expected results/<experiment>/<run id>/, as a sweep writes it)";
  }
  const status = await Deno.readTextFile(join(runDir, "status.json")).then(
    (text) => JSON.parse(text) as Partial<RunStatusFile>,
    () => null,
  );
  if (status?.status === "completed" && await generatorLeftOut(runDir)) {
    return "no generator/: the run completed, but its saved weights are not in this copy of the results (committed " +
      "results leave generator/ out). Training is deterministic: move the run folder away and run its sweep again " +
      "to train the same generator, then evaluate it";
  }
  return `no generator/model.json: the generator is saved when a run completes (this one is ${
    status?.status ?? "not started"
  }; a running, pruned, failed or diverged run has none)`;
}

/** `--n`, or the default: 10,000, or all the images a source has when it has fewer (the fewest of `datasets`). */
async function sampleCount(flag: unknown, datasets: DatasetValue[]): Promise<number> {
  const limit = Math.min(...await Promise.all(datasets.map((d) => referenceLimit(d, "."))));
  const n = flag === undefined ? Math.min(evaluatorDefaults.n, limit) : Number(flag);
  if (!Number.isInteger(n) || n < 2 || n > limit) {
    throw new InputError(
      "--n",
      `expected an integer from 2 to ${limit} (the real images to compare with), got '${flag}'`,
    );
  }
  return n;
}

/**
 * The eval line's metrics: a super-resolution generator takes low-resolution test images, a translation generator
 * test images of its source domain; the others take noise (and a label).
 */
function generatorFields(saved: SavedGenerator, evaluator: Evaluator): Promise<Record<string, number | string>> {
  const { lowRes, translatesFrom, pixelRange } = saved.settings;
  if (lowRes !== undefined) {
    return evaluateSuperResolution(saved.model, evaluator, { ...saved.settings, dataset: saved.dataset, lowRes });
  }
  if (translatesFrom !== undefined) {
    return evaluateTranslation(saved.model, evaluator, { from: saved.dataset, pixelRange });
  }
  return evaluator.evaluateGenerator(saved.model, saved.settings).then((m) =>
    evalFields(m, evaluator.classifierSha256)
  );
}

if (import.meta.main) await runMain(main);
