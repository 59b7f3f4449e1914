import { assertEquals, assertMatch } from "@std/assert";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import { classifierCli, evalCli, writeCifar10, writeImageFolder, writeNpyPair } from "./_sources.ts";

const SOURCES = new URL("../.test-artifacts/sweep-sources", import.meta.url).pathname;

Deno.test("deno task classifier pins a classifier for each source, and deno task eval scores the runs with it", async () => {
  await Deno.remove(SOURCES, { recursive: true }).catch(() => {});
  await writeImageFolder(`${SOURCES}/images`);
  const npy = await writeNpyPair(`${SOURCES}/npy`);
  await writeCifar10(`${SOURCES}/cifar`);
  const out = await Deno.makeTempDir();
  const sweep = await runSweepCli(out, "tests/fixtures/sources_sweep.ts");
  assertEquals(sweep.code, 0, sweep.stderr + sweep.stdout);
  const runs = (await listDir(`${out}/sources`)).filter((n) => n.startsWith("dataset-")).sort();
  const sources: unknown[] = [
    { cifar: `${SOURCES}/cifar` },
    { images: `${SOURCES}/images`, size: 16 },
    { npy: npy.x, labels: npy.y },
  ];
  const classifiers = `${out}/classifiers`;
  for (const [i, run] of runs.entries()) {
    const trained = await classifierCli(classifiers, sources[i]);
    assertEquals(trained.code, 0, trained.stderr + trained.stdout);
    const pinned = trained.stdout.match(/weights\.bin sha256 ([0-9a-f]{12})/)?.[1];
    const scored = await evalCli(`${out}/sources/${run}`, "--classifiers", classifiers, "--n", "8");
    assertEquals(scored.code, 0, `${run}: ${scored.stderr}${scored.stdout}`);
    assertMatch(scored.stdout, /^fcd\s+\d+(\.\d+)?(e[-+]\d+)?$/m, run);
    assertMatch(scored.stdout, /^evalN\s+8$/m);
    assertEquals(scored.stdout.match(/^classifier\s+([0-9a-f]{12})$/m)?.[1], pinned, `${run}: its own classifier`);
  }
  const unpinned = await evalCli(`${out}/sources/${runs[0]}`, "--n", "8");
  assertEquals(unpinned.code, 2, unpinned.stdout);
  assertMatch(unpinned.stderr, /no classifier .*deno task classifier --dataset '\{"cifar":"[^']*\/cifar"\}'/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a sweep on emoji logs eval lines through the pinned emoji classifier", async () => {
  const out = await Deno.makeTempDir();
  const sweep = await runSweepCli(out, "tests/fixtures/emoji_eval.ts");
  assertEquals(sweep.code, 0, sweep.stderr + sweep.stdout);
  const [run] = (await listDir(`${out}/emoji-eval`)).filter((n) => n !== "experiment.json");
  const lines = (await Deno.readTextFile(`${out}/emoji-eval/${run}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const evals = lines.filter((l) => l.kind === "eval");
  assertEquals(evals.length, 1);
  const [e] = evals;
  assertEquals([e.step, e.evalN, e.classifier], [4, 200, "ceb576689d9f"]);
  assertEquals(e.classHist.split(",").length, 9, "one share per emoji category");
  await Deno.remove(out, { recursive: true });
});
