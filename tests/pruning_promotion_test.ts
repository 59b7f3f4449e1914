import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import type { RungLine } from "../lib/sweep/asha.ts";
import "../lib/train/builtins.ts";

async function lines(path: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Every line but `start`, without the fields that measure time: what a resumed run must log exactly as before. */
function record(all: Record<string, unknown>[]): Record<string, unknown>[] {
  return all.filter((l) => l.kind !== "start").map(({ ms: _ms, seconds: _s, time: _t, evalSeconds: _e, ...rest }) =>
    rest
  );
}

/** The folder of the run with `lr` in `expDir`. */
async function runWithLr(expDir: string, lr: number): Promise<string> {
  for (const name of await listDir(expDir)) {
    if (!name.startsWith("lr-")) continue;
    const config = JSON.parse(await Deno.readTextFile(`${expDir}/${name}/config.json`)).config;
    if (config.lr === lr) return `${expDir}/${name}`;
  }
  throw new Error(`no run with lr ${lr} in ${expDir}`);
}

Deno.test("a pruned trial that ASHA promotes resumes exactly: its log, samples and generator are an unpruned run's", async () => {
  const out = await Deno.makeTempDir();
  try {
    const pruned = await runSweepCli(out, "tests/fixtures/promote_sweep.ts", "--jobs", "1");
    assertEquals(pruned.code, 0, pruned.stdout + pruned.stderr);
    const book = (await lines(`${out}/promote/rungs.jsonl`)) as unknown as RungLine[];
    const promoted = book.filter((l) => l.kind === "promote");
    assertEquals(promoted.length, 1, `one promotion expected:\n${pruned.stdout}`);
    // The summary counts each run once, the promoted one as what it ended as.
    assertMatch(pruned.stdout, /promote: 2 completed, 0 diverged, 0 failed, 2 pruned, 0 already done/);
    const id = promoted[0]!.runId;
    assertEquals(book.filter((l) => l.runId === id).map((l) => l.kind), ["prune", "promote"]);
    const runDir = `${out}/promote/${id}`;
    const status = JSON.parse(await Deno.readTextFile(`${runDir}/status.json`));
    assertEquals([status.status, status.step], ["completed", 20], "the promoted run trained to its budget");
    const log = await lines(`${runDir}/metrics.jsonl`);
    assertEquals(
      log.filter((l) => l.kind === "start").map((l) => l.step),
      [0, 10],
      "started, then resumed at the rung",
    );

    // The same run with no pruning rule, evaluated at the rung's step as the pruned one was.
    const lr = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`)).config.lr as number;
    const reference = await runSweepCli(out, "tests/fixtures/promote_reference.ts", "--only", `lr=${lr}`);
    assertEquals(reference.code, 0, reference.stdout + reference.stderr);
    const refDir = await runWithLr(`${out}/promote-reference`, lr);
    assertEquals(record(log), record(await lines(`${refDir}/metrics.jsonl`)));
    const names = await listDir(`${runDir}/samples`);
    assertEquals(names, await listDir(`${refDir}/samples`));
    assert(names.includes("step-000015.png") && names.includes("progress.gif"), names.join(", "));
    for (const name of names) {
      assertEquals(
        await Deno.readFile(`${runDir}/samples/${name}`),
        await Deno.readFile(`${refDir}/samples/${name}`),
        `samples/${name} byte for byte`,
      );
    }
    assertEquals(
      await Deno.readFile(`${runDir}/generator/weights.bin`),
      await Deno.readFile(`${refDir}/generator/weights.bin`),
      "the saved generator byte for byte",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
