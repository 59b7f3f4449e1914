// The notebook API outside Jupyter: the command line's runs, nothing printed, an abort that resumes, experiment
// values, charts as MIME bundles, and the one live output a sweep keeps in a notebook (with a stand-in kernel).
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { chartBundle, type Experiment, runExperiment, type SweepEvent } from "../mod.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { LiveView } from "../lib/api/live_view.ts";
import { runDeno, withTempDir } from "./_files.ts";
import { runSweepCli } from "./_sweep_cli.ts";
import tiny from "./fixtures/tiny_sweep.ts";

const SMALL = { steps: 8, evalSamples: 0 };

Deno.test("runExperiment trains the runs deno task sweep trains, same ids and losses, and prints nothing", async () => {
  await withTempDir("api-", async (dir) => {
    const result = join(dir, "result.json");
    const api = await runDeno([
      "run",
      "--allow-ffi=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
      "--allow-sys=hostname",
      "tests/_api_sweep.ts",
      join(dir, "api"),
      result,
      "tests/fixtures/tiny_sweep.ts",
      JSON.stringify(SMALL),
    ]);
    assertEquals([api.code, api.stdout, api.stderr], [0, "", ""], "outside Jupyter the API prints nothing");
    const cli = await runSweepCli(
      join(dir, "cli"),
      "tests/fixtures/tiny_sweep.ts",
      "--set",
      "steps=8",
      "--set",
      "evalSamples=0",
    );
    assertEquals(cli.code, 0, cli.stderr);
    const got = JSON.parse(await Deno.readTextFile(result));
    const cliRuns = (await readExperimentResults(join(dir, "cli", "tiny"))).runs;
    assertEquals(got.runIds, cliRuns.map((r) => r.id));
    assertEquals(
      got.table.map((r: { dLoss: number; gLoss: number }) => [r.dLoss, r.gLoss]),
      cliRuns.map((r) => [r.steps.at(-1)!.values.dLoss, r.steps.at(-1)!.values.gLoss]),
    );
    assertEquals(got.events[0], "planned");
    assertEquals(got.events.at(-1), "finished");
    assertEquals(got.events.filter((t: string) => t === "run-ended").length, 2);
  });
});

Deno.test("an experiment value trains in this thread under the ids of its file, leaving no tensor behind", async () => {
  await withTempDir("api-value-", async (dir) => {
    await runExperiment(tiny, { out: dir, set: SMALL, only: { lr: 2e-4 } }); // the backend's own tensors exist now
    const before = tf.memory().numTensors;
    const run = await runExperiment(tiny, { out: dir, set: SMALL });
    assertEquals(tf.memory().numTensors, before, "every tensor of the sweep is disposed");
    assertEquals(run.summary.results.map((r) => r.status).sort(), ["completed", "skipped"]);
    const cli = await runSweepCli(
      join(dir, "cli"),
      "tests/fixtures/tiny_sweep.ts",
      "--set",
      "steps=8",
      "--set",
      "evalSamples=0",
      "--dry-run",
    );
    for (const id of run.runIds) assert(cli.stdout.includes(id), `${id} is an id the command line plans`);
  });
});

Deno.test("aborting stops each run at a checkpoint, and the same call resumes it", async () => {
  await withTempDir("api-abort-", async (dir) => {
    const controller = new AbortController();
    const onEvent = (e: SweepEvent) => {
      if (e.type === "progress" && e.progress.step >= 4) controller.abort();
    };
    const stopped = await runExperiment(tiny, {
      out: dir,
      only: { lr: 2e-4 },
      set: SMALL,
      signal: controller.signal,
      onEvent,
    });
    assertEquals(stopped.stoppedBy, "abort");
    assertEquals(stopped.summary.results.map((r) => r.status), ["stopped"]);
    const resumed = await runExperiment(tiny, { out: dir, only: { lr: 2e-4 }, set: SMALL });
    assertEquals(resumed.stoppedBy, null);
    assertEquals(resumed.summary.results.map((r) => [r.status, r.resumedFrom! > 0]), [["completed", true]]);
    await assertRejects(() => runExperiment(tiny, { out: dir, signal: AbortSignal.abort() }));
  });
});

Deno.test("an experiment value with jobs above 1 is refused before anything trains", async () => {
  await assertRejects(() => runExperiment(tiny as Experiment, { jobs: 2 }), RangeError, "pass the experiment file");
});

Deno.test("chartBundle: a Vega-Lite 6 spec under its own MIME type, a PNG and a vega-embed fallback; v5 needs none", async () => {
  const base = {
    data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] },
    mark: "line",
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
  };
  const v6 = await chartBundle({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...base });
  assertEquals(Object.keys(v6).sort(), ["application/vnd.vegalite.v6+json", "image/png", "text/html", "text/plain"]);
  assertMatch(String(v6["text/html"]), /window\.vegaEmbed\(/);
  assertEquals(atob(String(v6["image/png"])).slice(1, 4), "PNG");
  const v5 = await chartBundle({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", ...base });
  assertEquals(Object.keys(v5).sort(), ["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
  await assertRejects(() => chartBundle({ $schema: "https://example.com/x.json", ...base }), TypeError, "$schema");
});

Deno.test("in a notebook a sweep keeps one output, replaced in place and at most once a second", async () => {
  const calls: { id?: string; update?: boolean; html: string }[] = [];
  const kernel = {
    display: (bundle: Record<string, unknown>, o: { display_id?: string; update?: boolean }) => {
      calls.push({
        ...(o.display_id ? { id: o.display_id } : {}),
        ...(o.update ? { update: true } : {}),
        html: String(bundle["text/html"]),
      });
      return Promise.resolve();
    },
  };
  {
    const view = new LiveView(60_000, kernel);
    const runs = [{ runId: "a", gridValues: { lr: 1 }, totalSteps: 10, state: "pending" as const, step: 0 }];
    view.receive({ type: "planned", experiment: "x", resultsDir: "r/x", jobs: 1, runs });
    for (let step = 1; step <= 10; step++) {
      view.receive({
        type: "progress",
        progress: { runId: "a", step, totalSteps: 10, epoch: 0, dLoss: 1 / step, gLoss: step, msPerStep: 5 },
      });
    }
    await view.flush();
    assertEquals(calls.length, 2, "the first draw, then the flush: progress in between waits for the minute");
    assertEquals(new Set(calls.map((c) => c.id)).size, 1, "one display id");
    assertEquals(calls.map((c) => c.update ?? false), [false, true]);
    assertMatch(calls[1]!.html, /10\/10/);
    assertMatch(calls[1]!.html, /data:image\/svg\+xml;base64,/, "the loss curves");
  }
  assertEquals(new LiveView().live, false, "outside a notebook the view draws nothing");
});
