import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { InputError } from "../lib/input_error.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { parseDuration } from "../lib/cli/duration.ts";
import { StopRequest } from "../lib/sweep/stop_request.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import "../lib/tfjs/kernels_setup.ts";
import { listDir, runFolder, runSweepCli, sweepArgs } from "./_sweep_cli.ts";
import { metricLines, tinyRun, trajectory } from "./_train_helpers.ts";
import "../lib/train/builtins.ts";

async function status(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${dir}/status.json`));
}

Deno.test("a run asked to stop between log lines checkpoints that step and its GIF so far and, resumed, logs what an unstopped run logs", async () => {
  await startBackend("wasm");
  const data = await loadTrainingImages("mnist", "[-1,1]");
  // logEvery 4 and a stop after step 6: steps 5 and 6 are trained but not yet logged when it stops.
  const run = tinyRun({ arch: "mlp-pytorch", noiseDim: 16, steps: 12, logEvery: 4, sampleEvery: 2 });

  const straightDir = await Deno.makeTempDir();
  await trainRun(run, { runDir: straightDir, data });
  const expected = trajectory(await metricLines(straightDir));
  assertEquals(expected.map((l) => l.step), [4, 8, 12]);

  const runDir = await Deno.makeTempDir();
  const tensorsBefore = tf.memory().numTensors;
  let steps = 0;
  const stopped = await trainRun(run, { runDir, data, shouldStop: () => ++steps >= 6 });
  assertEquals(tf.memory().numTensors, tensorsBefore, "a stopped run disposes every tensor");
  assertEquals(stopped.status, "stopped");
  assertEquals(stopped.step, 6);
  assertEquals((await status(runDir)).status, "stopped");
  const checkpoint = await loadCheckpoint(runDir, () => {});
  if (!checkpoint) throw new Error("no checkpoint was written at the stop");
  assertEquals(checkpoint.state.step, 6);
  assertEquals((checkpoint.state.window as { stats: number[] }).stats.length, 2 * 5, "steps 5 and 6 kept unlogged");
  tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
  const gifSoFar = (await Deno.stat(`${runDir}/samples/progress.gif`)).size;

  const resumed = await trainRun(run, { runDir, data });
  assertEquals(resumed.status, "completed");
  assertEquals(resumed.resumedFrom, 6);
  assertEquals(tf.memory().numTensors, tensorsBefore, "the resumed run disposes every tensor");
  assertEquals(
    trajectory(await metricLines(runDir)),
    expected,
    "the same log windows and the same numbers as a run never stopped",
  );
  // The stopped run's progress GIF held the grids up to step 6 (4 frames); the finished one all 7.
  assert((await Deno.stat(`${runDir}/samples/progress.gif`)).size > gifSoFar, "the GIF grows with the run");
  await Deno.remove(straightDir, { recursive: true });
  await Deno.remove(runDir, { recursive: true });
});

Deno.test("Ctrl-C stops a sweep at the current step with exit 130, and the same command continues it to the end, recording both starts and keeping when it began", async () => {
  const reference = await Deno.makeTempDir();
  const straight = await runSweepCli(reference, "tests/fixtures/resume_sweep.ts");
  assertEquals(straight.code, 0, straight.stderr);
  const expected = trajectory(await metricLines(await runFolder(reference, "resume")));

  const out = await Deno.makeTempDir();
  const child = new Deno.Command("deno", {
    args: sweepArgs(out, ["tests/fixtures/resume_sweep.ts"]),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Interrupt once training is under way, between two cadence checkpoints.
  let sent = false;
  for (let i = 0; i < 1200 && !sent; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const dir = await runFolder(out, "resume").catch(() => null);
    const text = dir ? await Deno.readTextFile(`${dir}/metrics.jsonl`).catch(() => "") : "";
    if (text.split("\n").filter((l) => l.includes('"kind":"step"')).length >= 6) {
      // Twice at once, as one Ctrl-C reaches it under `deno task` (from the terminal, and forwarded).
      child.kill("SIGINT");
      child.kill("SIGINT");
      sent = true;
    }
  }
  const result = await child.output();
  const stdout = new TextDecoder().decode(result.stdout);
  assert(sent, "the sweep was interrupted mid-run");
  assertEquals(result.code, 130, stdout + new TextDecoder().decode(result.stderr));
  assertMatch(stdout, /SIGINT: finishing the current step/);
  assertMatch(stdout, /1 stopped/);
  const dir = await runFolder(out, "resume");
  const st = await status(dir);
  assertEquals(st.status, "stopped");
  await startBackend("wasm");
  const checkpoint = await loadCheckpoint(dir, (m) => {
    throw new Error(m);
  });
  assertEquals(checkpoint?.state.step, st.step, "the checkpoint is at the step the run stopped at");
  if (checkpoint) tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
  assert((st.step as number) < 120);
  const firstConfig = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));

  const again = await runSweepCli(out, "tests/fixtures/resume_sweep.ts");
  assertEquals(again.code, 0, again.stderr);
  assertMatch(again.stdout, new RegExp(`resumed from step ${st.step}\\b`));
  assertEquals(trajectory(await metricLines(dir)), expected, "nothing lost, nothing repeated");
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assertEquals(config.created, firstConfig.created, "config.json keeps when the run was first started");
  const starts = (await metricLines(dir)).filter((l) => l.kind === "start");
  assertEquals(starts.map((s) => [s.step, s.resumed, s.backend]), [[0, false, "wasm"], [st.step, true, "wasm"]]);
  assertEquals(starts[1]?.git, config.git, "each start line names the commit it trained with");
  assertMatch(config.git, /^[0-9a-f]{40}$/);
  await Deno.remove(reference, { recursive: true });
  await Deno.remove(out, { recursive: true });
});

Deno.test("--stop-after stops every parallel run with exit 3 and starts no new one; the report lists them as stopped", async () => {
  const out = await Deno.makeTempDir();
  const stopped = await runSweepCli(
    out,
    "tests/fixtures/tiny_sweep.ts",
    "--jobs",
    "2",
    "--set",
    "steps=100000",
    "--set",
    "evalSamples=0",
    "--stop-after",
    "8s",
  );
  assertEquals(stopped.code, 3, stopped.stdout + stopped.stderr);
  assertMatch(stopped.stdout, /time limit: finishing the current step/);
  assertMatch(stopped.stdout, /2 stopped/);
  for (const run of (await listDir(`${out}/tiny`)).filter((n) => n.startsWith("lr-"))) {
    const st = await status(`${out}/tiny/${run}`);
    assertEquals(st.status, "stopped");
    assert((st.step as number) > 0 && (st.step as number) < 100000, `step ${st.step}`);
  }
  const report = await buildReport({ resultsDir: `${out}/tiny`, chartDir: null });
  assertEquals(report.results.runs.map((r) => r.state), ["stopped", "stopped"]);
  assertMatch(await Deno.readTextFile(report.html), /stopped at step \d+ with a checkpoint there/);

  const one = await Deno.makeTempDir();
  // One run at a time and nothing that awaits between steps (no log or epoch line, sample, eval or checkpoint before
  // the end): the stop is still seen within the step it comes in, not at the end of the run.
  const alone = await runSweepCli(
    one,
    "tests/fixtures/tiny_sweep.ts",
    "--jobs",
    "1",
    ...["--set", "steps=100000", "--set", "logEvery=100000", "--set", "evalSamples=0"],
    ...["--set", "sampleEvery=100000", "--set", "checkpointEvery=0", "--stop-after", "3s"],
    ...["--set", "trainSize=60000", "--set", "batchSize=4"], // an epoch of 15,000 steps: no epoch line either
  );
  assertEquals(alone.code, 3, alone.stdout + alone.stderr);
  assertMatch(alone.stdout, /1 stopped, 1 not started/);
  const [stoppedRun] = (await listDir(`${one}/tiny`)).filter((n) => n.startsWith("lr-"));
  const at = (await status(`${one}/tiny/${stoppedRun}`)).step as number;
  assert(at > 0 && at < 15_000, `stopped at step ${at}, before the first epoch's end (15,000)`);
  await Deno.remove(one, { recursive: true });

  assertThrows(() => parseDuration("2 hours", "--stop-after"), InputError, '"2 hours"');
  assertEquals(parseDuration("2h45m", "--stop-after"), 9900);
  assertEquals(parseDuration("1.5h", "--stop-after"), 5400);
  assertThrows(() => parseDuration("600h", "--stop-after"), InputError, "at most 596h");
  const bad = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--stop-after", "0m");
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /--stop-after.*e\.g\. 45s, 90m, 2h45m.*"0m"/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a stop request keeps its first reason and is seen through a copy of its shared buffer", () => {
  const stop = new StopRequest();
  const seen = new StopRequest(stop.buffer);
  assertEquals([seen.requested, seen.reason], [false, null]);
  stop.request("time limit");
  stop.request("SIGINT");
  assertEquals([seen.requested, seen.reason], [true, "time limit"]);
});
