// `deno task eval` on a saved generator whose weights file is cut short or missing.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { runDeno } from "./_files.ts";
import { listDir, runSweepCli } from "./_sweep_cli.ts";

function evalCli(...args: string[]) {
  return runDeno([
    "run",
    "--allow-read",
    `--allow-write=${Deno.env.get("TMPDIR") ?? "/tmp"}`,
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "tasks/eval.ts",
    ...args,
  ]);
}

Deno.test("deno task eval on a truncated or missing weights.bin exits 2 naming the file, and appends nothing", async () => {
  const out = await Deno.makeTempDir();
  try {
    const sweep = await runSweepCli(out, "tests/fixtures/paths_sweep.ts", "--only", "lr=0.001");
    assertEquals(sweep.code, 0, sweep.stdout + sweep.stderr);
    const runDir = `${out}/paths/${(await listDir(`${out}/paths`)).find((n) => n.startsWith("lr-"))!}`;
    const weights = `${runDir}/generator/weights.bin`;
    const full = await Deno.readFile(weights);
    const log = await Deno.readTextFile(`${runDir}/metrics.jsonl`);
    await Deno.writeFile(weights, full.subarray(0, full.length - 100));
    const cut = await evalCli(runDir, "--n", "100");
    assertEquals(cut.code, 2, cut.stdout + cut.stderr);
    assertMatch(
      cut.stderr,
      new RegExp(
        `^error: ${weights}: ${full.length - 100} bytes, but model.json's weightsManifest needs ${full.length} `,
      ),
    );
    assertMatch(cut.stderr, /the file is truncated/);
    assertEquals(cut.stderr.trim().split("\n").length, 1, cut.stderr);
    await Deno.remove(weights);
    const gone = await evalCli(runDir, "--n", "100");
    assertEquals(gone.code, 2, gone.stderr);
    assertMatch(gone.stderr, new RegExp(`${weights}: not found; model.json's weightsManifest lists it`));
    assertEquals(await Deno.readTextFile(`${runDir}/metrics.jsonl`), log, "no eval line appended");
    assert(!(await listDir(runDir)).some((n) => n.includes(".tmp-")), "nothing half-written");
    // Restored, it evaluates.
    await Deno.writeFile(weights, full);
    const ok = await evalCli(runDir, "--n", "100", "--skip-precision-recall", "--dry-run");
    assertEquals(ok.code, 0, ok.stderr);
    assertMatch(ok.stdout, /fcd/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
