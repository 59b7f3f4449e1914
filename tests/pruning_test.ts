import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import type { RungLine } from "../lib/sweep/asha.ts";
import "../lib/train/builtins.ts";

async function json(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}
async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("a pruned sweep stops the runs ranked low at each rung, and trains each step once", async () => {
  const out = await Deno.makeTempDir();
  const sweep = await runSweepCli(out, "tests/fixtures/prune_sweep.ts", "--jobs", "1");
  assertEquals(sweep.code, 0, sweep.stderr + sweep.stdout);
  const exp = `${out}/prune`;
  const book = (await lines(`${exp}/rungs.jsonl`)) as unknown as RungLine[];
  const runs = (await listDir(exp)).filter((n) => n.startsWith("lr-"));
  assertEquals(runs.length, 8);
  const latest = new Map<string, RungLine>();
  for (const l of book) {
    const b = latest.get(l.runId);
    if (!b || l.rung >= b.rung) latest.set(l.runId, l);
  }
  let completed = 0, pruned = 0;
  for (const id of runs) {
    const status = await json(`${exp}/${id}/status.json`);
    const last = latest.get(id)!;
    if (status.status === "pruned") {
      pruned++;
      assertEquals(last.kind, "prune", `${id}: pruned on disk, so its latest rung decision is prune`);
      assertEquals(status.pruned.rung, last.rung);
      assertEquals(status.step, last.rung);
    } else {
      assertEquals(status.status, "completed", id);
      completed++;
      assert(last.kind !== "prune", `${id} completed, so it was not left pruned`);
    }
    const steps = (await lines(`${exp}/${id}/metrics.jsonl`)).filter((l) => l.kind === "step").map((l) => l.step);
    assertEquals(steps, [...steps].sort((a, b) => (a as number) - (b as number)), `${id}: steps in order`);
    assertEquals(new Set(steps).size, steps.length, `${id}: no step logged twice, even when promoted`);
  }
  assert(completed >= 1 && pruned >= 1, `${completed} completed, ${pruned} pruned`);
  // Each run reached each rung at most once as an entrant: one continue/prune per run and rung.
  const decisions = book.filter((l) => l.kind !== "promote").map((l) => `${l.runId}@${l.rung}`);
  assertEquals(new Set(decisions).size, decisions.length);
  assertEquals(
    book.filter((l) => l.rung === 10 && l.kind !== "promote").length,
    8,
    "every trial reached the first rung",
  );
  // Run again: nothing left to train, every pruned run is reported as such.
  const again = await runSweepCli(out, "tests/fixtures/prune_sweep.ts", "--jobs", "1");
  assertEquals(again.code, 0, again.stderr);
  assertMatch(again.stdout, /8 already done, 0 to train/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("the collapse rule stops a run as collapsed, a result with its generator, at the evaluation that meets it", async () => {
  const out = await Deno.makeTempDir();
  const sweep = await runSweepCli(out, "tests/fixtures/collapse_sweep.ts");
  assertEquals(sweep.code, 0, sweep.stderr + sweep.stdout);
  const [id] = (await listDir(`${out}/collapse`)).filter((n) => n.startsWith("run_"));
  const dir = `${out}/collapse/${id}`;
  const status = await json(`${dir}/status.json`);
  assertEquals(status.status, "collapsed");
  assertEquals(status.step, 8);
  assertMatch(status.collapsed.reason, /classes covered at every evaluation so far \(collapse\.classesAtMost 10\)/);
  const log = await lines(`${dir}/metrics.jsonl`);
  assertEquals(log.at(-1)!.kind, "end");
  assertEquals(log.at(-1)!.status, "collapsed");
  assert((await listDir(`${dir}/generator`)).includes("model.json"));
  const again = await runSweepCli(out, "tests/fixtures/collapse_sweep.ts");
  assertMatch(again.stdout, /1 already done/);
  await Deno.remove(out, { recursive: true });
});
