// Shared set-up for tests that train: a temp run folder and a tiny planned run.
import { type PartialConfig, resolveConfig } from "../lib/experiment/config.ts";
import type { PlannedRun } from "../lib/experiment/plan.ts";
import "../lib/archs/builtin.ts";
import { assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, startBackend } from "../lib/tfjs/backend.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import "../lib/train/builtins.ts";

/** A planned run with a tiny budget over the first few hundred MNIST images. */
export function tinyRun(overrides: PartialConfig = {}): PlannedRun {
  const config = resolveConfig({
    trainSize: 256,
    batchSize: 32,
    steps: 6,
    logEvery: 2,
    sampleEvery: 3,
    checkpointEvery: 0,
    evalSamples: 0, // evaluation has tests of its own
    ...overrides,
  });
  return { runId: "test-run", gridValues: {}, config, configHash: "test" };
}

/** Lines of a metrics file, parsed. */
export async function metricLines(
  runDir: string,
): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${runDir}/metrics.jsonl`);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

/** Step lines without the timing field, for comparing trajectories. */
export function trajectory(
  lines: Record<string, unknown>[],
): Record<string, unknown>[] {
  return lines.filter((l) => l.kind === "step").map(({ ms: _ms, ...rest }) => rest);
}

/**
 * Train a {@linkcode tinyRun} on `backend` to completion, checking it leaks no tensor.
 * @returns its step lines (without timings) and its run folder (the caller removes it).
 */
export async function trainTiny(backend: Exclude<BackendChoice, "auto">, overrides: PartialConfig) {
  await startBackend(backend);
  const runDir = await Deno.makeTempDir();
  const before = tf.memory().numTensors;
  const outcome = await trainRun(tinyRun({ checkpointEvery: 0, ...overrides }), {
    runDir,
    data: await loadTrainingImages("mnist", "[-1,1]"),
  });
  assertEquals(tf.memory().numTensors, before, "every tensor of the run is disposed");
  assertEquals(outcome.status, "completed");
  return { runDir, steps: trajectory(await metricLines(runDir)) };
}
