import { assert, assertEquals } from "@std/assert";
import { listDir, runFolder, runSweepCli, sweepArgs } from "./_sweep_cli.ts";
import { trajectory } from "./_train_helpers.ts";

/** Every line but `start`, without the fields that measure time: what a resumed run must log exactly as before. */
function record(all: Record<string, unknown>[]): Record<string, unknown>[] {
  return all.filter((l) => l.kind !== "start").map(({ ms: _ms, seconds: _s, time: _t, ...rest }) => rest);
}

/** Each file in the run's `samples/` (grids and the GIF), by name. */
async function samples(runDir: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const name of await listDir(`${runDir}/samples`)) out[name] = await Deno.readFile(`${runDir}/samples/${name}`);
  return out;
}

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

Deno.test("a sweep killed with SIGKILL resumes from its checkpoint and logs exactly what an uninterrupted run logs", async () => {
  const reference = await Deno.makeTempDir();
  const straight = await runSweepCli(reference, "tests/fixtures/resume_sweep.ts");
  assertEquals(straight.code, 0, straight.stderr);
  const referenceDir = await runFolder(reference, "resume");
  const expectedLines = await lines(`${referenceDir}/metrics.jsonl`);
  const expected = trajectory(expectedLines);
  assertEquals(expected.length, 60);

  const out = await Deno.makeTempDir();
  const child = new Deno.Command("deno", {
    args: sweepArgs(out, ["tests/fixtures/resume_sweep.ts"]),
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

  const resumed = await runSweepCli(out, "tests/fixtures/resume_sweep.ts");
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

Deno.test("a torn last line and a corrupt newest checkpoint are repaired on resume", async () => {
  const out = await Deno.makeTempDir();
  const first = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4");
  assertEquals(first.code, 0, first.stderr);
  const dir = (await listDir(`${out}/tiny`)).find((n) => n.startsWith("lr-"))!;
  const runDir = `${out}/tiny/${dir}`;
  const expected = trajectory(await lines(`${runDir}/metrics.jsonl`));
  // Pretend the process died mid-run: status running, a torn line, the newest checkpoint damaged.
  const status = JSON.parse(await Deno.readTextFile(`${runDir}/status.json`));
  await Deno.writeTextFile(`${runDir}/status.json`, JSON.stringify({ ...status, status: "running" }));
  await Deno.writeTextFile(`${runDir}/metrics.jsonl`, '{"kind":"step","step":99,"dLo', { append: true });
  const ckpt = await Deno.readFile(`${runDir}/checkpoint.bin`);
  ckpt[ckpt.length - 5]! ^= 0xff;
  await Deno.writeFile(`${runDir}/checkpoint.bin`, ckpt);

  const again = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4");
  assertEquals(again.code, 0, again.stderr);
  assert(
    /checkpoint\.bin: tensor bytes have sha256 .* trying the previous checkpoint/.test(again.stdout),
    again.stdout,
  );
  assertEquals(trajectory(await lines(`${runDir}/metrics.jsonl`)), expected);
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
