import { assert, assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli } from "./_sweep_cli.ts";

/** The run ids a dry run of `file` lists, in order. */
async function runIds(out: string, file: string): Promise<string[]> {
  const dry = await runSweepCli(out, file, "--dry-run");
  assertEquals(dry.code, 0, dry.stderr);
  return [...dry.stdout.matchAll(/^\s+(lr-\S+)\s/gm)].map((m) => m[1]!);
}

for (const jobs of ["1", "2"]) {
  Deno.test(`a run whose run.lock or status.json is a folder, or samples a file, fails naming the path; the others train (--jobs ${jobs})`, async () => {
    const out = await Deno.makeTempDir();
    const [lockDir, statusDir, samplesFile, healthy] = await runIds(out, "tests/fixtures/paths_sweep.ts");
    assert(healthy, "the fixture plans four runs");
    const exp = `${out}/paths`;
    await Deno.mkdir(`${exp}/${lockDir}/run.lock`, { recursive: true });
    await Deno.mkdir(`${exp}/${statusDir}/status.json`, { recursive: true });
    await Deno.mkdir(`${exp}/${samplesFile}`, { recursive: true });
    await Deno.writeTextFile(`${exp}/${samplesFile}/samples`, "a file where the sample grids go");
    const r = await runSweepCli(out, "tests/fixtures/paths_sweep.ts", "--jobs", jobs);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertEquals(r.stderr.includes("    at "), false, `no stack trace:\n${r.stderr}`);
    assertMatch(r.stdout, /1 completed, 0 diverged, 3 failed/);
    for (
      const [id, path, what] of [
        [lockDir, "run.lock", "is a folder"],
        [statusDir, "status.json", "is a folder"],
        [samplesFile, "samples", "is a file"],
      ] as const
    ) {
      assertMatch(r.stdout, new RegExp(`failed: ${id}: ${exp}/${id}/${path} ${what}`), r.stdout);
    }
    assertEquals(JSON.parse(await Deno.readTextFile(`${exp}/${healthy}/status.json`)).status, "completed");
    const samplesStatus = JSON.parse(await Deno.readTextFile(`${exp}/${samplesFile}/status.json`));
    assertEquals(samplesStatus.status, "failed", "recorded where status.json can be written");
    assertMatch(samplesStatus.error, /samples is a file/);
    assertEquals(await listDir(`${exp}/${lockDir}`), ["run.lock"], "nothing written beside a lock it cannot take");
    // Moved away, the runs train.
    await Deno.remove(`${exp}/${lockDir}/run.lock`);
    await Deno.remove(`${exp}/${statusDir}/status.json`);
    await Deno.remove(`${exp}/${samplesFile}/samples`);
    const again = await runSweepCli(out, "tests/fixtures/paths_sweep.ts", "--jobs", jobs);
    assertEquals(again.code, 0, again.stdout + again.stderr);
    assertMatch(again.stdout, /3 completed, 0 diverged, 0 failed, 1 already done/);
    await Deno.remove(out, { recursive: true });
  });
}
