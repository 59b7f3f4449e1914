/**
 * `deno task eval <runDir> [--n N] [options]`: evaluate a run's saved
 * generator with the pinned classifier of its dataset (FCD, classifier score,
 * mode coverage, precision/recall), append an `eval` line to its
 * `metrics.jsonl` and print the metrics.
 * @module
 */
import { join } from "@std/path";
import { startBackend } from "../lib/tfjs/backend.ts";
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { JsonlWriter } from "../lib/results/jsonl.ts";
import { ClassifierPinError } from "../lib/classifier/load.ts";
import { createEvaluator, evalFields, evaluatorDefaults } from "../lib/metrics/evaluator.ts";
import { loadSavedGenerator } from "../lib/metrics/load_generator.ts";
import type { EvalLine } from "../lib/results/records.ts";
import { evaluateSuperResolution } from "../lib/train/kinds/srgan.ts";
import "../lib/tfjs/kernels_setup.ts";

const USAGE = `Usage: deno task eval <runDir> [options]

Evaluates <runDir>/generator/ against the held-out test images of the run's dataset and appends
an 'eval' line to <runDir>/metrics.jsonl. fcd is the Fréchet distance on the pinned domain
classifier's features: not comparable to Inception FID.

Options:
  --n N                          samples and real test images compared (default ${evaluatorDefaults.n}, at most 10000)
  --skip-precision-recall        leave out precision/recall (about half the time)
  --allow-unpinned-classifier    use a classifier whose sha256 differs from classifiers/manifest.json
  --dry-run                      print the metrics, append nothing`;

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, {
    string: ["n"],
    boolean: ["skip-precision-recall", "allow-unpinned-classifier", "dry-run"],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const runDir = flags._[0];
  if (runDir === undefined || flags._.length > 1) {
    throw new InputError("arguments", `expected one run folder, got ${flags._.length}\n${USAGE}`);
  }
  const n = flags.n === undefined ? evaluatorDefaults.n : Number(flags.n);
  if (!Number.isInteger(n) || n < 2 || n > 10_000) {
    throw new InputError("--n", `expected an integer from 2 to 10000, got '${flags.n}'`);
  }
  try {
    await Deno.stat(join(runDir, "generator", "model.json"));
  } catch {
    throw new InputError(
      runDir,
      "no generator/model.json: the generator is saved when a run completes (a running, failed or diverged run has none)",
    );
  }
  await startBackend("wasm");
  const saved = await loadSavedGenerator(runDir);
  if (saved.settings.translatesFrom !== undefined) {
    saved.model.dispose();
    throw new InputError(
      join(runDir, "generator", "inputs.json"),
      `a translation generator (it takes ${saved.settings.translatesFrom} images, not noise): deno task eval does ` +
        "not score translations yet; the run's own eval lines hold fcdAB, fcdBA, cycleL1 and classMI",
    );
  }
  let evaluator;
  try {
    evaluator = await createEvaluator(saved.dataset, {
      n,
      precisionRecall: flags["skip-precision-recall"] !== true,
      allowUnpinned: flags["allow-unpinned-classifier"] === true,
    });
  } catch (e) {
    saved.model.dispose();
    if (e instanceof ClassifierPinError) throw new InputError("classifier", e.message);
    throw e;
  }
  try {
    // A super-resolution generator takes low-resolution test images; the others take noise (and a label).
    const { lowRes } = saved.settings;
    const fields = lowRes !== undefined
      ? await evaluateSuperResolution(saved.model, evaluator, { ...saved.settings, dataset: saved.dataset, lowRes })
      : evalFields(await evaluator.evaluateGenerator(saved.model, saved.settings), evaluator.classifierSha256);
    const line: EvalLine = { kind: "eval", step: saved.step, epoch: saved.epoch, ...fields };
    for (const [k, v] of Object.entries(line)) console.log(`${k.padEnd(15)} ${v}`);
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

if (import.meta.main) await runMain(main);
