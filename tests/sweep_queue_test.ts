import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli, sweepArgs } from "./_sweep_cli.ts";
import { acquireRunLock } from "../lib/sweep/run_lock.ts";
import { RunQueue } from "../lib/sweep/run_queue.ts";
import "../lib/train/builtins.ts";

async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** A sweep started in the background, its stdout collected as it comes. */
function startSweep(out: string, ...args: string[]) {
  const child = new Deno.Command("deno", {
    args: sweepArgs(out, args),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stdout = "";
  const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (stdout += chunk) }),
  );
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => child.kill("SIGKILL"), 150_000); // a sweep that waits forever fails, not hangs
  return {
    /** Resolves once stdout matches `pattern`; rejects if the sweep ends first. */
    async until(pattern: RegExp): Promise<void> {
      let ended = false;
      child.status.then(() => ended = true);
      while (!pattern.test(stdout)) {
        if (ended) throw new Error(`the sweep ended before printing ${pattern}:\n${stdout}\n${await stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill(signal: Deno.Signal): void {
      child.kill(signal);
    },
    async end(): Promise<{ code: number; stdout: string; stderr: string }> {
      const { code } = await child.status;
      clearTimeout(timer);
      await reading;
      return { code, stdout, stderr: await stderr };
    },
  };
}

/** The run ids the tiny sweep plans, from its dry run. */
async function tinyRunIds(out: string): Promise<string[]> {
  const dry = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--dry-run");
  assertEquals(dry.code, 0, dry.stderr);
  return [...dry.stdout.matchAll(/^\s+(lr-\S+)\s/gm)].map((m) => m[1]!);
}

Deno.test("RunQueue: a held run goes to the end, waits out its pause, and a stop ends the wait", async () => {
  const queue = new RunQueue(["a", "b", "c"], 50);
  const stopped = () => false;
  assertEquals(await queue.next(stopped), "a");
  queue.requeue("a");
  assertEquals(await queue.next(stopped), "b");
  assertEquals(await queue.next(stopped), "c");
  const started = Date.now();
  const waitedFor: string[][] = [];
  assertEquals(await queue.next(stopped, (held) => waitedFor.push(held)), "a");
  assert(Date.now() - started >= 40, "a held run is not tried again at once");
  assertEquals(waitedFor, [["a"]], "the wait is told once, naming the held runs");
  assert(queue.heldSince("a")! <= started && queue.heldSince("b") === undefined);
  queue.requeue("a");
  assertEquals(await queue.next(() => true), undefined, "a stopped sweep takes nothing more");
  assertEquals(queue.drain(), ["a"]);
  assertEquals(await queue.next(stopped), undefined, "an empty queue ends");
});

Deno.test("a run whose lock another process holds is left alone, then trained by the sweep once the holder lets go", async () => {
  const out = await Deno.makeTempDir();
  const first = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4");
  assertEquals(first.code, 0, first.stderr);
  const runDir = `${out}/tiny/${(await listDir(`${out}/tiny`)).find((n) => n.startsWith("lr-"))!}`;
  // A process that died part-way: its status back to running, so the sweep must train it again once it can lock it.
  const status = JSON.parse(await Deno.readTextFile(`${runDir}/status.json`));
  await Deno.writeTextFile(`${runDir}/status.json`, JSON.stringify({ ...status, status: "running" }));
  const before = await Deno.readTextFile(`${runDir}/metrics.jsonl`);
  // A temp file as a live writer would have it: the waiting sweep must not clean it away.
  await Deno.writeFile(`${runDir}/checkpoint.bin.tmp-4242-0badc0de`, new Uint8Array(10));
  const lock = await acquireRunLock(runDir);
  if (!lock) throw new Error("the test could not take the lock");
  const sweep = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4");
  try {
    await sweep.until(/waiting for 1 run\(s\) that other sweeps hold/);
    assertMatch(await Deno.readTextFile(`${runDir}/run.lock`), new RegExp(`"pid":${Deno.pid}\\b`));
    assertEquals(await Deno.readTextFile(`${runDir}/metrics.jsonl`), before);
    assert((await listDir(runDir)).includes("checkpoint.bin.tmp-4242-0badc0de"), "the lock holder's temp file stays");
  } finally {
    await lock.release();
  }
  const r = await sweep.end();
  assertEquals(r.code, 0, r.stdout + r.stderr);
  assertMatch(r.stdout, /another sweep holds it; trying again/);
  assertMatch(r.stdout, /completed at step 24 .*\(resumed from step/);
  assertMatch(r.stdout, /1 completed, .* 0 held by another sweep/);
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/status.json`)).status, "completed");
  await Deno.remove(out, { recursive: true });
});

Deno.test("two sweeps on one folder finish every run exactly once, a run held by a third that let go included", async () => {
  const out = await Deno.makeTempDir();
  const [held, other] = await tinyRunIds(out);
  assert(held && other, "the tiny sweep plans two runs");
  // A third process (this test) holds one run, as a sweep that is then preempted before it trains a step.
  await Deno.mkdir(`${out}/tiny/${held}`, { recursive: true });
  const lock = await acquireRunLock(`${out}/tiny/${held}`);
  if (!lock) throw new Error("the test could not take the lock");
  const a = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "1");
  const b = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "1");
  try {
    await a.until(new RegExp(`${held}: another sweep holds it`));
    await b.until(new RegExp(`${held}: another sweep holds it`));
  } finally {
    await lock.release();
  }
  const [ra, rb] = [await a.end(), await b.end()];
  assertEquals([ra.code, rb.code], [0, 0], ra.stdout + ra.stderr + rb.stdout + rb.stderr);
  const count = (s: string, what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(s)?.[1]);
  assertEquals(count(ra.stdout, "completed") + count(rb.stdout, "completed"), 2, ra.stdout + rb.stdout);
  assertEquals(count(ra.stdout, "held by another sweep") + count(rb.stdout, "held by another sweep"), 0);
  for (const run of [held, other]) {
    const log = await lines(`${out}/tiny/${run}/metrics.jsonl`);
    assertEquals(log.filter((l) => l.kind === "start").length, 1, `${run} was trained once`);
    assertEquals(log.filter((l) => l.kind === "step").length, 12, `${run}: every step logged once`);
    assertEquals(JSON.parse(await Deno.readTextFile(`${out}/tiny/${run}/status.json`)).status, "completed");
  }
  await Deno.remove(out, { recursive: true });
});

Deno.test("a held run that its holder ends failed is reported, not trained again by the waiting sweep", async () => {
  const out = await Deno.makeTempDir();
  const [held] = await tinyRunIds(out);
  const runDir = `${out}/tiny/${held}`;
  await Deno.mkdir(runDir, { recursive: true });
  const lock = await acquireRunLock(runDir);
  if (!lock) throw new Error("the test could not take the lock");
  const sweep = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=0.001");
  try {
    await sweep.until(/waiting for 1 run\(s\) that other sweeps hold/);
    const failed = { status: "failed", step: 0, epoch: 0, totalSteps: 24, seconds: 0, error: "out of memory\nstack" };
    await Deno.writeTextFile(`${runDir}/status.json`, JSON.stringify({ ...failed, updated: new Date().toISOString() }));
  } finally {
    await lock.release();
  }
  const r = await sweep.end();
  assertEquals(r.code, 0, r.stdout + r.stderr);
  assertMatch(r.stdout, new RegExp(`${held}: skipped: another sweep trained it and it failed: out of memory\\n`));
  assertMatch(r.stdout, /0 completed, .* 1 held by another sweep/);
  assertEquals(await listDir(runDir), ["run.lock", "status.json"], "nothing trained");
  await Deno.remove(out, { recursive: true });
});

Deno.test("under --jobs 2 a held run waits in the queue while the workers train the others, then is trained", async () => {
  const out = await Deno.makeTempDir();
  const [held, other] = await tinyRunIds(out);
  await Deno.mkdir(`${out}/tiny/${held}`, { recursive: true });
  const lock = await acquireRunLock(`${out}/tiny/${held}`);
  if (!lock) throw new Error("the test could not take the lock");
  const sweep = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "2");
  try {
    await sweep.until(new RegExp(`${other}: completed at step 24`));
    await sweep.until(/waiting for 1 run\(s\) that other sweeps hold/);
  } finally {
    await lock.release();
  }
  const r = await sweep.end();
  assertEquals(r.code, 0, r.stdout + r.stderr);
  assertMatch(r.stdout, /2 completed, .* 0 held by another sweep — .* 2 at a time/);
  const log = await lines(`${out}/tiny/${held}/metrics.jsonl`);
  assertEquals(log.filter((l) => l.kind === "start").length, 1, `${held} was trained once`);
  await Deno.remove(out, { recursive: true });
});

Deno.test("Ctrl-C ends a sweep's wait for a held run: exit 130, the run reported as held", async () => {
  const out = await Deno.makeTempDir();
  const [held] = await tinyRunIds(out);
  await Deno.mkdir(`${out}/tiny/${held}`, { recursive: true });
  const lock = await acquireRunLock(`${out}/tiny/${held}`);
  if (!lock) throw new Error("the test could not take the lock");
  const sweep = startSweep(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=0.001");
  try {
    await sweep.until(/waiting for 1 run\(s\) that other sweeps hold/);
    sweep.kill("SIGINT");
    const r = await sweep.end();
    assertEquals(r.code, 130, r.stdout + r.stderr);
    assertMatch(r.stdout, new RegExp(`${held}: skipped: another sweep is training it`));
    assertMatch(r.stdout, /0 completed, .* 1 held by another sweep/);
  } finally {
    await lock.release();
  }
  await Deno.remove(out, { recursive: true });
});
