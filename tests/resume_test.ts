import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runFolder, runSweepCli, sweepArgs } from "./_sweep_cli.ts";
import { trajectory } from "./_train_helpers.ts";
import { writeCifar10, writeImageFolder, writeNpyPair } from "./_sources.ts";

// Datasets of one's own in their real formats, for the kill test (one fixed folder, rewritten by each run of it).
const SOURCES = new URL("../.test-artifacts/resume-sources", import.meta.url).pathname;
await Deno.remove(SOURCES, { recursive: true }).catch(() => {});
const images = await writeImageFolder(`${SOURCES}/images`);
const { x, y } = await writeNpyPair(`${SOURCES}/npy`);
const cifar = await writeCifar10(`${SOURCES}/cifar`);
const own = (dataset: unknown, batchSize: number) => [
  "--set",
  `dataset=${JSON.stringify(dataset)}`,
  "--set",
  "trainSize=null",
  "--set",
  `batchSize=${batchSize}`,
];

/** Every line but `start`, without the fields that measure time: what a resumed run must log exactly as before. */
function record(all: Record<string, unknown>[]): Record<string, unknown>[] {
  return all.filter((l) => l.kind !== "start").map(({ ms: _ms, seconds: _s, time: _t, evalSeconds: _e, ...rest }) =>
    rest
  );
}

/** Each file in the run's `samples/` (grids and the GIF), by name. */
async function samples(runDir: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const name of await listDir(`${runDir}/samples`)) out[name] = await Deno.readFile(`${runDir}/samples/${name}`);
  return out;
}

const TINY_RUN = ["tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4"];

/** Train the tiny sweep's lr=2e-4 run to completion in `out`; returns its folder. */
async function trainTinyRun(out: string): Promise<string> {
  const first = await runSweepCli(out, ...TINY_RUN);
  assertEquals(first.code, 0, first.stderr);
  const dir = (await listDir(`${out}/tiny`)).find((n) => n.startsWith("lr-"))!;
  return `${out}/tiny/${dir}`;
}

/** Make a finished run look like one whose process died: its status back to `running`. */
async function markRunning(runDir: string): Promise<void> {
  const status = JSON.parse(await Deno.readTextFile(`${runDir}/status.json`));
  await Deno.writeTextFile(`${runDir}/status.json`, JSON.stringify({ ...status, status: "running" }));
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** What the kill test trains: today's loop, critic steps with a gradient penalty, a conditional kind and SR. */
const KILLED_KINDS: [string, string[]][] = [
  ["bce", []],
  ["wgan-gp, 2 critic steps", ["--set", "loss=wgan-gp", "--set", "nCritic=2"]],
  ["acgan", ["--set", "kind=acgan"]],
  ["srgan", ["--set", "kind=srgan"]],
  ["cyclegan", ["--set", "kind=cyclegan", "--set", "datasetB=fashion-mnist", "--set", "batchSize=8"]],
  ["a colour image folder, dcgan at 32×32", [...own({ images }, 4), "--set", "arch=dcgan"]],
  ["NumPy arrays, cgan on their labels", [...own({ npy: x, labels: y }, 8), "--set", "kind=cgan"]],
  ["CIFAR-10 binary batches", own({ cifar }, 4)],
  ["BEGAN on infogan, its k in the checkpoint", ["--set", "arch=infogan", "--set", "loss=began"]],
];

for (const [kind, set] of KILLED_KINDS) {
  Deno.test(`a sweep killed with SIGKILL resumes from its checkpoint and logs exactly what an uninterrupted run logs (${kind})`, async () => {
    const reference = await Deno.makeTempDir();
    const straight = await runSweepCli(reference, "tests/fixtures/resume_sweep.ts", ...set);
    assertEquals(straight.code, 0, straight.stderr);
    const referenceDir = await runFolder(reference, "resume");
    const expectedLines = await lines(`${referenceDir}/metrics.jsonl`);
    const expected = trajectory(expectedLines);
    assert(expected.length >= 60, `${expected.length} step lines`); // 60 windows of 2, and epoch ends on small sets

    const out = await Deno.makeTempDir();
    const child = new Deno.Command("deno", {
      args: sweepArgs(out, ["tests/fixtures/resume_sweep.ts", ...set]),
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Kill it once a checkpoint exists and training has gone past it.
    let killedAt = -1;
    for (let i = 0; i < 1200 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const dir = await runFolder(out, "resume").catch(() => null);
      if (!dir || !dir.endsWith("_" + dir.slice(-6))) continue;
      const text = await Deno.readTextFile(`${dir}/metrics.jsonl`).catch(() => "");
      const steps = text.split("\n").filter((l) => l.includes('"kind":"step"')).length;
      const hasCheckpoint = (await listDir(dir)).includes("checkpoint.bin");
      if (hasCheckpoint && steps >= 13) {
        child.kill("SIGKILL");
        killedAt = steps * 2;
      }
    }
    await child.status;
    assert(killedAt > 0, "the sweep was killed mid-run");
    const dir = await runFolder(out, "resume");
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).status, "running");

    const resumed = await runSweepCli(out, "tests/fixtures/resume_sweep.ts", ...set);
    assertEquals(resumed.code, 0, resumed.stderr);
    assert(/resumed from step (\d+)/.test(resumed.stdout), resumed.stdout);
    const all = await lines(`${dir}/metrics.jsonl`);
    assertEquals(all.filter((l) => l.kind === "start").map((l) => l.resumed), [false, true]);
    assertEquals(trajectory(all), expected, "no step is missing, duplicated or different after the resume");
    assertEquals(record(all), record(expectedLines), "nor any epoch, sample or end line");
    assertEquals(await samples(dir), await samples(referenceDir), "the same sample grids and GIF, byte for byte");
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).status, "completed");
    await Deno.remove(reference, { recursive: true });
    await Deno.remove(out, { recursive: true });
  });
}

Deno.test("a torn last line and a corrupt newest checkpoint are repaired on resume", async () => {
  const out = await Deno.makeTempDir();
  const runDir = await trainTinyRun(out);
  const expected = trajectory(await lines(`${runDir}/metrics.jsonl`));
  // Pretend the process died mid-run: status running, a torn line, the newest checkpoint damaged.
  await markRunning(runDir);
  await Deno.writeTextFile(`${runDir}/metrics.jsonl`, '{"kind":"step","step":99,"dLo', { append: true });
  const ckpt = await Deno.readFile(`${runDir}/checkpoint.bin`);
  ckpt[ckpt.length - 5]! ^= 0xff;
  await Deno.writeFile(`${runDir}/checkpoint.bin`, ckpt);

  const again = await runSweepCli(out, ...TINY_RUN);
  assertEquals(again.code, 0, again.stderr);
  assert(
    /checkpoint\.bin: the file.s sha256 is .* trying the previous checkpoint/.test(again.stdout),
    again.stdout,
  );
  assertEquals(trajectory(await lines(`${runDir}/metrics.jsonl`)), expected);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a kill during the final checkpoint's write resumes from the previous one, logs what it would have, and clears the half-written files", async () => {
  const out = await Deno.makeTempDir();
  const runDir = await trainTinyRun(out);
  const expected = record(await lines(`${runDir}/metrics.jsonl`));
  // The state saveCheckpoint leaves when killed mid-write: checkpoint.bin renamed to .prev, the new one a temp file.
  await markRunning(runDir);
  await Deno.remove(`${runDir}/checkpoint.bin`); // the final one: its write was cut short
  await Deno.writeFile(`${runDir}/checkpoint.bin.tmp-4242-0badc0de`, new Uint8Array(1000));
  await Deno.writeTextFile(`${runDir}/samples/progress.gif.tmp-4242-0badf00d`, "GIF8");

  const again = await runSweepCli(out, ...TINY_RUN);
  assertEquals(again.code, 0, again.stderr);
  assert(/resumed from step \d+/.test(again.stdout), again.stdout);
  assertMatch(again.stdout, /removed checkpoint\.bin\.tmp-4242-0badc0de left by an interrupted write/);
  assertEquals(record(await lines(`${runDir}/metrics.jsonl`)), expected);
  const left = [...await listDir(runDir), ...await listDir(`${runDir}/samples`)].filter((n) => n.includes(".tmp-"));
  assertEquals(left, []);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a run killed after its final checkpoint, before its status said completed, finishes without logging its last evaluation twice", async () => {
  const out = await Deno.makeTempDir();
  const runDir = await trainTinyRun(out);
  const all = await lines(`${runDir}/metrics.jsonl`);
  assert(all.at(-2)?.kind === "eval", "the final evaluation comes just before the end line");
  await markRunning(runDir);
  const again = await runSweepCli(out, ...TINY_RUN);
  assertEquals(again.code, 0, again.stderr);
  assertMatch(again.stdout, /completed at step \d+ .*\(resumed from step \d+\)/);
  assertEquals(record(await lines(`${runDir}/metrics.jsonl`)), record(all));
  assertEquals(JSON.parse(await Deno.readTextFile(`${runDir}/status.json`)).status, "completed");
  await Deno.remove(out, { recursive: true });
});

Deno.test("two sweeps on one results folder never train the same run", async () => {
  const out = await Deno.makeTempDir();
  const [a, b] = await Promise.all([
    runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "1"),
    runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "1"),
  ]);
  assertEquals([a.code, b.code], [0, 0], a.stderr + b.stderr);
  const completed = (s: string) => Number(/(\d+) completed/.exec(s)?.[1]);
  assertEquals(completed(a.stdout) + completed(b.stdout), 2, a.stdout + b.stdout);
  for (const run of (await listDir(`${out}/tiny`)).filter((n) => n.startsWith("lr-"))) {
    const starts = (await lines(`${out}/tiny/${run}/metrics.jsonl`)).filter((l) => l.kind === "start");
    assertEquals(starts.length, 1, `${run} was trained once`);
  }
  await Deno.remove(out, { recursive: true });
});
