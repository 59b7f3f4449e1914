// A run that ended is checked whole (issue 47): its status.json records its log and the files its report shows, and
// a sweep or a report that finds them changed calls the run damaged, never done; a stopped run whose checkpoints are
// gone is refused rather than started over its own log (issue 46, item 1).
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { recordEnded, verifyEndedRun } from "../lib/results/verify_run.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import type { RunStatusFile } from "../lib/results/records.ts";
import { readStatus } from "../lib/sweep/run_status.ts";
import { doneBecause } from "../lib/sweep/early_stop.ts";
import { damagedRunMessage } from "../lib/results/verify_run.ts";
import { sha256Hex } from "../lib/sha256.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import { metricLines, tinyRun } from "./_train_helpers.ts";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import { runDeno } from "./_files.ts";
import "../lib/train/builtins.ts";

/** A completed 20-step run as the loop leaves it: log, two sample grids, a generator, status.json with its record. */
async function endedRun(record = true): Promise<{ dir: string; status: RunStatusFile }> {
  const dir = await Deno.makeTempDir();
  const lines: Record<string, unknown>[] = [{ kind: "start", time: "t", step: 0, backend: "wasm", resumed: false }];
  for (let step = 2; step <= 20; step += 2) lines.push({ kind: "step", step, epoch: 0, dLoss: 1.25, gLoss: 0.75 });
  lines.push({ kind: "sample", step: 10, epoch: 0, path: "samples/step-000010.png" });
  lines.push({ kind: "sample", step: 20, epoch: 0, path: "samples/step-000020.png" });
  lines.push({ kind: "end", time: "t", step: 20, status: "completed", seconds: 3 });
  await Deno.writeTextFile(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  await Deno.mkdir(join(dir, "samples"));
  await Deno.mkdir(join(dir, "generator"));
  await Deno.writeTextFile(join(dir, "samples/step-000010.png"), "grid at 10");
  await Deno.writeTextFile(join(dir, "samples/step-000020.png"), "grid at 20");
  await Deno.writeTextFile(join(dir, "generator/model.json"), "{}");
  await Deno.writeFile(join(dir, "generator/weights.bin"), new Uint8Array(64).fill(7));
  await Deno.writeTextFile(join(dir, "config.json"), '{"runId":"r","config":{"lr":0.001}}');
  const status: RunStatusFile = {
    status: "completed",
    step: 20,
    epoch: 0,
    totalSteps: 20,
    updated: "t",
    seconds: 3,
    ...(record ? { ended: await recordEnded(dir) } : {}),
  };
  await Deno.writeTextFile(join(dir, "status.json"), JSON.stringify(status));
  return { dir, status };
}

const log = (dir: string) => join(dir, "metrics.jsonl");

/** Ways to damage (or not) an ended run, and the file and words its check must name (none: whole). */
const CASES: {
  name: string;
  record?: boolean;
  act: (dir: string) => Promise<void>;
  file?: string;
  /** Files named after `file`, when more than one is damaged. */
  also?: string[];
  says?: RegExp;
}[] = [
  { name: "untouched", act: async () => {} },
  {
    name: "an eval line appended by deno task eval",
    act: (dir) => Deno.writeTextFile(log(dir), '{"kind":"eval","step":20,"epoch":0,"fcd":12}\n', { append: true }),
  },
  {
    name: "the log cut to half its bytes",
    act: async (dir) => {
      const size = (await Deno.stat(log(dir))).size;
      await Deno.truncate(log(dir), Math.floor(size / 2));
    },
    file: "metrics.jsonl",
    says:
      /^\d+ bytes, where \d+ \(14 lines\) were recorded when the run completed; its step lines stop at step \d+ of 20; it has no end line/,
  },
  {
    name: "the log's last line (its end line) removed",
    act: async (dir) => {
      const text = await Deno.readTextFile(log(dir));
      await Deno.writeTextFile(log(dir), text.slice(0, text.trimEnd().lastIndexOf("\n") + 1));
    },
    file: "metrics.jsonl",
    says: /where \d+ \(14 lines\) were recorded.*it has no end line \(expected one saying completed at step 20\)/,
  },
  {
    name: "a number of the log edited in place, its length kept",
    act: async (dir) => Deno.writeTextFile(log(dir), (await Deno.readTextFile(log(dir))).replace("1.25", "9.25")),
    file: "metrics.jsonl",
    says:
      /its first \d+ bytes \(14 lines\) have sha256 [0-9a-f]{12}…, where [0-9a-f]{12}… \(14 lines\) was recorded .*: it was edited since/,
  },
  {
    name: "a step line appended after the end line",
    act: (dir) => Deno.writeTextFile(log(dir), '{"kind":"step","step":22,"epoch":0}\n', { append: true }),
    file: "metrics.jsonl",
    says: /a "step" line follows its end line/,
  },
  {
    name: "a sample grid deleted",
    act: (dir) => Deno.remove(join(dir, "samples/step-000010.png")),
    file: "samples/step-000010.png",
    says: /^missing, where 10 bytes were recorded when the run completed$/,
  },
  {
    name: "a sample grid rewritten",
    act: (dir) => Deno.writeTextFile(join(dir, "samples/step-000020.png"), "grid at 2X"),
    file: "samples/step-000020.png",
    says:
      /^10 bytes with sha256 [0-9a-f]{12}…, where 10 bytes with sha256 [0-9a-f]{12}… were recorded .*changed since$/,
  },
  {
    name: "the saved generator's weights deleted",
    act: (dir) => Deno.remove(join(dir, "generator/weights.bin")),
    file: "generator/weights.bin",
    says: /^missing, where 64 bytes were recorded/,
  },
  {
    // Committed results without their large files: the weights left out whole, the rest still checked.
    name: "the whole generator/ folder left out",
    act: (dir) => Deno.remove(join(dir, "generator"), { recursive: true }),
  },
  {
    name: "the generator/ folder emptied (there, but without its files)",
    act: async (dir) => {
      await Deno.remove(join(dir, "generator/model.json"));
      await Deno.remove(join(dir, "generator/weights.bin"));
    },
    file: "generator/model.json",
    also: ["generator/weights.bin"],
    says: /^missing, where 2 bytes were recorded/,
  },
  {
    name: "its config.json made unreadable",
    act: (dir) => Deno.writeTextFile(join(dir, "config.json"), "{not json"),
    file: "config.json",
    says:
      /^9 bytes, where 35 bytes with sha256 [0-9a-f]{12}… were recorded when the run completed: it was changed since$/,
  },
  { name: "a run from before the record, untouched", record: false, act: async () => {} },
  {
    name: "a run from before the record, its log cut to half",
    record: false,
    act: async (dir) => {
      const size = (await Deno.stat(log(dir))).size;
      await Deno.truncate(log(dir), Math.floor(size / 2));
    },
    file: "metrics.jsonl",
    says: /^its step lines stop at step \d+ of 20; it has no end line/,
  },
  {
    // Without the record nothing tells a removed grid from one never written: it is not flagged.
    name: "a run from before the record, a sample grid deleted",
    record: false,
    act: (dir) => Deno.remove(join(dir, "samples/step-000010.png")),
  },
];

for (const c of CASES) {
  Deno.test(`verifyEndedRun(): ${c.name} ${c.file ? `is named in ${c.file}` : "passes"}`, async () => {
    const { dir, status } = await endedRun(c.record ?? true);
    try {
      await c.act(dir);
      const damage = await verifyEndedRun(dir, status);
      if (c.file === undefined) assertEquals(damage, []);
      else {
        assertEquals(damage.map((d) => d.file), [c.file, ...c.also ?? []]);
        assertMatch(damage[0]!.problem, c.says!);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("recordEnded() records the log's lines, bytes and sha256 and each sample grid and generator file", async () => {
  const { dir, status } = await endedRun();
  try {
    const bytes = await Deno.readFile(log(dir));
    assertEquals(status.ended?.log, { lines: 14, bytes: bytes.length, sha256: await sha256Hex(bytes) });
    assertEquals(status.ended?.files.map((f) => [f.path, f.bytes]), [
      ["config.json", 35],
      ["samples/step-000010.png", 10],
      ["samples/step-000020.png", 10],
      ["generator/model.json", 2],
      ["generator/weights.bin", 64],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a damaged record in status.json is itself named, not trusted", async () => {
  const { dir, status } = await endedRun();
  try {
    const edited = { ...status, ended: { log: { bytes: "many" }, files: [] } } as unknown as RunStatusFile;
    const damage = await verifyEndedRun(dir, edited);
    assertEquals(damage.map((d) => d.file), ["status.json"]);
    assertStringIncludes(damage[0]!.problem, "its 'ended' record has no log digest");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The committed results (a fresh clone holds their logs, grids and, for blog-000, the generator): whole as they are.
for (const exp of ["results/full-budget/blog-000-tf-dcgan", "results/full-budget/study-colour-dcgan"]) {
  Deno.test(`the committed runs of ${exp} read as completed and count as done for the sweep`, async () => {
    const { runs, warnings } = await readExperimentResults(exp);
    assert(runs.length > 0);
    assertEquals(runs.map((r) => [r.id, r.state]), runs.map((r) => [r.id, "completed"]));
    assertEquals(warnings.filter((w) => w.message.includes("damaged")), []);
    for (const run of runs) {
      const status = await readStatus(run.dir);
      if (status === null) throw new Error(`${run.dir}: no status.json`);
      assertEquals(await doneBecause(status, {}, exp, run.id), "already completed");
      assertEquals(await damagedRunMessage(run.dir, status), null, run.id);
    }
  });
}

Deno.test("a trained run's status.json records its log whole, and an evaluation appended after keeps it whole", async () => {
  await startBackend("wasm");
  const runDir = await Deno.makeTempDir();
  try {
    await trainRun(tinyRun({ steps: 6, sampleEvery: 3 }), {
      runDir,
      data: await loadTrainingImages("mnist", "[-1,1]"),
    });
    const status = JSON.parse(await Deno.readTextFile(join(runDir, "status.json"))) as RunStatusFile;
    assertEquals(status.status, "completed");
    const bytes = await Deno.readFile(log(runDir));
    assertEquals(status.ended?.log, {
      lines: (await metricLines(runDir)).length,
      bytes: bytes.length,
      sha256: await sha256Hex(bytes),
    });
    const paths = status.ended?.files.map((f) => f.path) ?? [];
    assertEquals(paths.filter((p) => p.startsWith("samples/")), [
      "samples/step-000000.png",
      "samples/step-000003.png",
      "samples/step-000006.png",
    ]);
    assert(paths.includes("generator/weights.bin") && paths.includes("generator/model.json"), paths.join(", "));
    assertEquals(await verifyEndedRun(runDir, status), []);
    await Deno.writeTextFile(log(runDir), '{"kind":"eval","step":6,"epoch":0,"fcd":99}\n', { append: true });
    assertEquals(await verifyEndedRun(runDir, status), []);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("a stopped run whose two checkpoints are gone is refused, its log untouched, and starts over once its log is moved away", async () => {
  await startBackend("wasm");
  const runDir = await Deno.makeTempDir();
  const data = await loadTrainingImages("mnist", "[-1,1]");
  const run = tinyRun({ steps: 12, checkpointEvery: 2 });
  try {
    let polls = 0;
    const stopped = await trainRun(run, { runDir, data, shouldStop: () => ++polls >= 7 });
    assertEquals([stopped.status, stopped.step], ["stopped", 7]);
    const before = await Deno.readFile(log(runDir));
    await Deno.remove(join(runDir, "checkpoint.bin"));
    await Deno.remove(join(runDir, "checkpoint.prev.bin"));
    const error = await assertRejects(() => trainRun(run, { runDir, data }), Error);
    assertStringIncludes(error.message, `${runDir}: status.json says it was stopped at step 7`);
    assertStringIncludes(error.message, "neither checkpoint.bin nor checkpoint.prev.bin can be read");
    assertStringIncludes(error.message, "whose steps reach 6");
    assertStringIncludes(error.message, `move ${log(runDir)} away (or delete the run folder)`);
    assertEquals(await Deno.readFile(log(runDir)), before, "the log is left as it was, byte for byte");

    await Deno.rename(log(runDir), join(runDir, "metrics.old.jsonl"));
    const again = await trainRun(run, { runDir, data });
    assertEquals([again.status, again.step, again.resumedFrom], ["completed", 12, undefined]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("a stopped run with one checkpoint left resumes from it, as before", async () => {
  await startBackend("wasm");
  const runDir = await Deno.makeTempDir();
  const data = await loadTrainingImages("mnist", "[-1,1]");
  const run = tinyRun({ steps: 12, checkpointEvery: 2 });
  try {
    let polls = 0;
    await trainRun(run, { runDir, data, shouldStop: () => ++polls >= 7 });
    await Deno.remove(join(runDir, "checkpoint.bin"));
    const again = await trainRun(run, { runDir, data });
    assertEquals([again.status, again.resumedFrom], ["completed", 6]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

/** The report CLI on a results folder, writing the page there. */
function reportCli(expDir: string, out: string) {
  return runDeno([
    "run",
    "--allow-read",
    `--allow-write=${out}`,
    "tasks/report.ts",
    expDir,
    "--no-charts",
  ]);
}

Deno.test("deno task sweep and deno task report call a completed run with a cut log, an edited log, a lost grid or a lost generator damaged, naming the file, and rewrite none of it", async () => {
  const out = await Deno.makeTempDir();
  try {
    const first = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts");
    assertEquals(first.code, 0, first.stderr);
    const expDir = `${out}/tiny`;
    const ids = (await listDir(expDir)).filter((n) => n.startsWith("lr-"));
    assertEquals(ids.length, 2);
    const [a, b] = [ids[0]!, ids[1]!];
    const untouched = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts");
    assertEquals(untouched.code, 0, untouched.stderr);
    assertMatch(untouched.stdout, /2 already done, 0 to train/);

    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all([a, b].flatMap((id) =>
          ["metrics.jsonl", "status.json"].map(async (
            f,
          ) => [`${id}/${f}`, await Deno.readTextFile(`${expDir}/${id}/${f}`)])
        )),
      );
    const check = async (damaged: [string, string, RegExp][]) => {
      const before = await snapshot();
      const sweep = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts");
      assertEquals(sweep.code, 1, sweep.stdout + sweep.stderr);
      assertMatch(sweep.stdout, /0 already done, 2 refused, 0 to train/);
      const report = await reportCli(expDir, out);
      assertEquals(report.code, 0, report.stderr);
      assertMatch(report.stdout, /2 runs: 2 damaged\)/);
      const page = await Deno.readTextFile(`${expDir}/report.html`);
      for (const [id, file, says] of damaged) {
        assertMatch(sweep.stdout, new RegExp(`failed: ${id}: ${expDir}/${id}: status.json says the run completed`));
        assertStringIncludes(sweep.stdout, `${expDir}/${id}/${file}: `);
        assertMatch(sweep.stdout, says);
        assertStringIncludes(sweep.stdout, `or delete ${expDir}/${id} and run the sweep again`);
        assertStringIncludes(report.stderr, `warning: ${id}: ${file}: `);
        assertStringIncludes(page, `${file}: `);
      }
      assertEquals(await snapshot(), before, "the sweep rewrote neither log nor status");
    };

    // Round 1: a's log cut to half its bytes, b's last sample grid deleted.
    const aLog = `${expDir}/${a}/metrics.jsonl`;
    const whole = await Deno.readFile(aLog);
    await Deno.writeFile(aLog, whole.subarray(0, Math.floor(whole.length / 2)));
    const grid = `${expDir}/${b}/samples/step-000024.png`;
    const gridBytes = await Deno.readFile(grid);
    await Deno.remove(grid);
    await check([
      [a, "metrics.jsonl", /its step lines stop at step \d+ of 24; it has no end line/],
      [b, "samples/step-000024.png", /missing, where \d+ bytes were recorded when the run completed/],
    ]);

    // Round 2: the files restored, then a's log edited in place and b's saved generator deleted.
    await Deno.writeFile(aLog, whole);
    await Deno.writeFile(grid, gridBytes);
    await Deno.writeTextFile(
      aLog,
      new TextDecoder().decode(whole).replace(
        /"dLoss":(\d)/,
        (_: string, d: string) => `"dLoss":${(Number(d) + 1) % 10}`,
      ),
    );
    await Deno.remove(`${expDir}/${b}/generator/weights.bin`);
    await check([
      [a, "metrics.jsonl", /: it was edited since/],
      [b, "generator/weights.bin", /missing, where \d+ bytes were recorded/],
    ]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
