import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli } from "./_sweep_cli.ts";

const FIXTURE = "tests/fixtures/reseed_sweep.ts";

async function lastFcd(dir: string): Promise<number> {
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
  return lines.filter((l) => l.kind === "eval").at(-1).fcd;
}

Deno.test("the seeds phase is planned from the finished first phase: each loss's best lr again with every seed", async () => {
  const out = await Deno.makeTempDir();
  const dry = await runSweepCli(out, FIXTURE, "--dry-run");
  assertEquals(dry.code, 0, dry.stderr);
  assertMatch(dry.stdout, /reseed: 4 runs/);
  assertMatch(dry.stdout, /then the seeds phase: the best 1 of each loss by fcd, with seeds 1, 2/);
  const done = await runSweepCli(out, FIXTURE);
  assertEquals(done.code, 0, done.stderr + done.stdout);
  assertMatch(done.stdout, /seeds phase: loss="bce": 1\. /);
  const runs = (await listDir(`${out}/reseed`)).filter((n) => n.startsWith("loss-"));
  assertEquals(runs.length, 6, runs.join(" ")); // 4 trials, and seed 2 of each loss's best (its seed 1 is the trial)
  const configs = await Promise.all(runs.map(async (r) => ({
    run: r,
    config: JSON.parse(await Deno.readTextFile(`${out}/reseed/${r}/config.json`)).config,
    fcd: await lastFcd(`${out}/reseed/${r}`),
  })));
  for (const loss of ["bce", "lsgan"]) {
    const trials = configs.filter((c) => c.config.loss === loss && c.config.seed === 1);
    const reseeded = configs.filter((c) => c.config.loss === loss && c.config.seed === 2);
    assertEquals([trials.length, reseeded.length], [2, 1], loss);
    const best = trials.reduce((a, b) => b.fcd < a.fcd ? b : a);
    assertEquals(reseeded[0]!.config.lr, best.config.lr, `${loss}: the seeds phase reruns the lowest FCD`);
    assert(reseeded[0]!.run.includes("seed-2"), reseeded[0]!.run);
  }
  const again = await runSweepCli(out, FIXTURE);
  assertEquals(again.code, 0, again.stderr);
  assertMatch(again.stdout, /reseed: 6 runs, 6 already done/, "a rerun plans both phases at once and trains nothing");
  const listed = JSON.parse(await Deno.readTextFile(`${out}/reseed/experiment.json`)).runs;
  assertEquals(listed.length, 6, "experiment.json lists both phases' runs");
  await Deno.remove(out, { recursive: true });
});

Deno.test("the seeds phase trains each seed to its budget: its runs are not pruned against the first phase", async () => {
  const out = await Deno.makeTempDir();
  const done = await runSweepCli(out, "tests/fixtures/reseed_prune_sweep.ts");
  assertEquals(done.code, 0, done.stderr + done.stdout);
  const dir = `${out}/reseed-prune`;
  const runs = (await listDir(dir)).filter((n) => n.startsWith("lr-"));
  const seeded = runs.filter((r) => /seed-[23]/.test(r));
  assertEquals([runs.length, seeded.length], [6, 2], runs.join(" "));
  const statuses = async (ids: string[]) =>
    await Promise.all(ids.map(async (r) => JSON.parse(await Deno.readTextFile(`${dir}/${r}/status.json`)).status));
  assertEquals(await statuses(seeded), ["completed", "completed"]);
  const firstPhase = await statuses(runs.filter((r) => !seeded.includes(r)));
  assert(firstPhase.includes("pruned"), `the rule prunes the first phase: ${firstPhase}`);
  const book = await Deno.readTextFile(`${dir}/rungs.jsonl`);
  for (const r of seeded) assert(!book.includes(r), `${r} is not in the rung book:\n${book}`);
  for (const r of seeded) assertEquals((await lastFcd(`${dir}/${r}`)) > 0, true);
  await Deno.remove(out, { recursive: true });
});
