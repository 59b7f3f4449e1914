// `deno task eval <runDir>` as a real subprocess, on a run trained here for a few steps.
import { assert, assertEquals } from "@std/assert";
import { startBackend } from "../lib/tfjs/backend.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import "../lib/tfjs/kernels_setup.ts";
import { runDeno } from "./_files.ts";
import { metricLines, tinyRun } from "./_train_helpers.ts";
import "../lib/train/builtins.ts";

function evalCli(...args: string[]) {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  return runDeno([
    "run",
    "--allow-read",
    `--allow-write=${tmp}`,
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "tasks/eval.ts",
    ...args,
  ]);
}

Deno.test("deno task eval appends an eval line with the metrics of a run's saved generator", async () => {
  await startBackend("wasm");
  const runDir = await Deno.makeTempDir();
  try {
    const run = tinyRun({ noiseDim: 8, pixelRange: "[-1,1]" });
    await trainRun(run, { runDir, data: await loadTrainingImages("mnist", "[-1,1]") });
    await Deno.writeTextFile(`${runDir}/config.json`, JSON.stringify({ runId: run.runId, config: run.config }));
    const before = (await metricLines(runDir)).length;
    const result = await evalCli(runDir, "--n", "400");
    assertEquals(result.code, 0, result.stderr);
    const lines = await metricLines(runDir);
    assertEquals(lines.length, before + 1);
    const line = lines.at(-1)!;
    assertEquals(line.kind, "eval");
    assertEquals(line.step, 6);
    assertEquals(line.evalN, 400);
    for (const k of ["fcd", "kid", "kidStd", "cis", "classesCovered", "klUniform", "precision", "recall"]) {
      assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
    }
    assertEquals(String(line.classHist).split(",").length, 10);
    assert(result.stdout.includes("fcd"), result.stdout);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

for (const [kind, fields] of [["cgan", ["labelAccuracy"]], ["srgan", ["psnr", "ssim", "fcdBilinear"]]] as const) {
  Deno.test(`deno task eval knows what a ${kind} generator takes and logs its kind's fields`, async () => {
    await startBackend("wasm");
    const runDir = await Deno.makeTempDir();
    try {
      const run = tinyRun({ kind, noiseDim: 8 });
      await trainRun(run, { runDir, data: await loadTrainingImages("mnist", "[-1,1]") });
      await Deno.writeTextFile(`${runDir}/config.json`, JSON.stringify({ runId: run.runId, config: run.config }));
      const result = await evalCli(runDir, "--n", "200", "--skip-precision-recall", "--skip-kid");
      assertEquals(result.code, 0, result.stderr);
      const line = (await metricLines(runDir)).at(-1)!;
      for (const k of ["fcd", ...fields]) assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
      for (const k of ["precision", "kid", "kidStd"]) assertEquals(line[k], undefined, `${k} was skipped`);
    } finally {
      await Deno.remove(runDir, { recursive: true });
    }
  });
}

Deno.test("deno task eval refuses a folder without a saved generator with exit code 2", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    const result = await evalCli(runDir);
    assertEquals(result.code, 2);
    assert(result.stderr.includes("no generator/model.json"), result.stderr);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("deno task eval tells a completed run whose weights were left out how to have them again", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    const status = { status: "completed", step: 6, epoch: 0, totalSteps: 6, updated: "", seconds: 1 };
    await Deno.writeTextFile(`${runDir}/status.json`, JSON.stringify(status));
    const result = await evalCli(runDir);
    assertEquals(result.code, 2);
    assert(result.stderr.includes("the run completed, but its saved weights are not in this copy"), result.stderr);
    assert(result.stderr.includes("run its sweep again"), result.stderr);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("deno task eval names a torn config.json and exits 2 instead of a stack trace", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${runDir}/generator`);
    await Deno.writeTextFile(`${runDir}/generator/model.json`, "{}");
    await Deno.writeTextFile(`${runDir}/config.json`, '{"config": {"datas');
    const result = await evalCli(runDir);
    assertEquals(result.code, 2, result.stderr);
    assert(result.stderr.includes(`${runDir}/config.json: not valid JSON`), result.stderr);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
