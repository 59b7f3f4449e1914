import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { decode } from "fast-png";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import { EMOJI_CLASSES, writeCifar10, writeImageFolder, writeNpyPair } from "./_sources.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { InputError } from "../lib/input_error.ts";
import "../lib/train/builtins.ts";

const SOURCES = new URL("../.test-artifacts/sweep-sources", import.meta.url).pathname;
const FIXTURE = "tests/fixtures/sources_sweep.ts";

async function writeSources(): Promise<void> {
  await Deno.remove(SOURCES, { recursive: true }).catch(() => {});
  await writeImageFolder(`${SOURCES}/images`);
  await writeNpyPair(`${SOURCES}/npy`);
  await writeCifar10(`${SOURCES}/cifar`);
}

Deno.test("a sweep trains on an image folder, NumPy arrays and CIFAR batches named relative to its file", async () => {
  await writeSources();
  const out = await Deno.makeTempDir();
  const result = await runSweepCli(out, FIXTURE);
  assertEquals(result.code, 0, result.stderr + result.stdout);
  assertMatch(result.stdout, /3 completed/);
  const runs = (await listDir(`${out}/sources`)).filter((n) => n.startsWith("dataset-")).sort();
  assertEquals(runs.map((r) => r.replace(/_[0-9a-f]{6}$/, "")), [
    "dataset-cifar-cifar",
    "dataset-images-images-16",
    "dataset-npy-x",
  ]);
  const expected: Record<string, { shape: number[]; count: number; classes: number }> = {
    cifar: { shape: [32, 32, 3], count: 12, classes: 10 },
    images: { shape: [16, 16, 3], count: 11, classes: 2 },
    npy: { shape: [16, 16, 3], count: 24, classes: 3 },
  };
  for (const run of runs) {
    const dir = `${out}/sources/${run}`;
    const { data } = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    const want = expected[run.split("-")[1]!]!;
    assertEquals({ shape: data.shape, count: data.count, classes: data.classes }, want, run);
    assertMatch(data.digest, /^[0-9a-f]{64}$/);
    const grid = decode(await Deno.readFile(`${dir}/samples/step-000006.png`));
    assertEquals(grid.channels, 3, `${run}: a colour sample grid`);
    assertEquals(grid.width, 4 * want.shape[1]! + 5 * 2);
  }
  await Deno.remove(out, { recursive: true });
});

Deno.test("a run whose image folder changed since it trained is refused, not resumed on other data", async () => {
  await writeSources();
  const out = await Deno.makeTempDir();
  const only = [
    "--only",
    `dataset=${JSON.stringify({ images: "../../.test-artifacts/sweep-sources/images", size: 16 })}`,
  ];
  const first = await runSweepCli(out, FIXTURE, ...only, "--set", "steps=4");
  assertEquals(first.code, 0, first.stderr + first.stdout);
  const [run] = (await listDir(`${out}/sources`)).filter((n) => n.startsWith("dataset-"));
  const status = JSON.parse(await Deno.readTextFile(`${out}/sources/${run}/status.json`));
  await Deno.writeTextFile(`${out}/sources/${run}/status.json`, JSON.stringify({ ...status, status: "stopped" }));
  await Deno.remove(join(SOURCES, "images", "flags", EMOJI_CLASSES.flags![0]!));
  const again = await runSweepCli(out, FIXTURE, ...only, "--set", "steps=4");
  assert(again.code !== 0, again.stdout);
  assertMatch(again.stdout + again.stderr, /trained on 11 images .* now holds 10 images/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("planning refuses what a dataset of one's own cannot serve: evaluation, labels it lacks, too few images", async () => {
  await writeSources();
  const experiment = await loadExperiment(FIXTURE);
  const images = { images: "../../.test-artifacts/sweep-sources/images", size: 16 };
  const cases: [string[], RegExp][] = [
    [
      ["evalSamples=100"],
      /evalSamples 100 on images-images-16: the metrics compare with its 11 images; use evalSamples ≤ 11/,
    ],
    [
      ["evalSamples=5"],
      /evalSamples 5 on images-images-16: no classifier is pinned for it \(classifiers\/data-[0-9a-f]{16}\/\); train and pin one with deno task classifier --dataset '\{"images":"\/[^']*\/sweep-sources\/images","size":16\}'/,
    ],
    [["trainSize=12"], /trainSize 12 is more than the 11 training images of images-images-16/],
    [["batchSize=12"], /batchSize 12 is larger than the 11 training images/],
  ];
  for (const [set, message] of cases) {
    const only = [`dataset=${JSON.stringify(images)}`];
    const e = await planSweep(experiment, FIXTURE, { set, only }).then(() => null, (e) => e);
    assert(e instanceof InputError, `${set}: refused`);
    assertMatch(e.message, message);
  }
  const flat = `${SOURCES}/flat`;
  await Deno.mkdir(flat);
  await Deno.copyFile(join(SOURCES, "images", "flags", EMOJI_CLASSES.flags![1]!), join(flat, "a.png"));
  await Deno.copyFile(join(SOURCES, "images", "flags", EMOJI_CLASSES.flags![2]!), join(flat, "b.png"));
  const unlabelled = { ...experiment, grid: { dataset: [{ images: flat }] } };
  const e = await planSweep(unlabelled, FIXTURE, { set: ["kind=cgan", "batchSize=2"] }).then(() => null, (e) => e);
  assert(e instanceof InputError);
  assertMatch(e.message, /kind cgan conditions on class labels, but images-flat .* is unlabelled/);
  const scored = await planSweep(unlabelled, FIXTURE, { set: ["evalSamples=2", "batchSize=2"] }).then(
    () => null,
    (e) => e,
  );
  assert(scored instanceof InputError);
  assertMatch(scored.message, /evalSamples 2 on images-flat: .*flat is unlabelled, so no classifier metric applies/);
});

Deno.test("srgan trains on colour NumPy arrays at half their side, and refuses a lowRes their side does not halve to", async () => {
  await writeSources();
  const out = await Deno.makeTempDir();
  const npy = {
    npy: "../../.test-artifacts/sweep-sources/npy/x.npy",
    labels: "../../.test-artifacts/sweep-sources/npy/y.npy",
  };
  const only = ["--only", `dataset=${JSON.stringify(npy)}`, "--set", "kind=srgan", "--set", "perceptualWeight=0"];
  const refused = await runSweepCli(out, FIXTURE, ...only, "--set", "lowRes=14");
  assertEquals(refused.code, 2, refused.stdout);
  assertMatch(refused.stderr, /lowRes 14 with kind srgan: expected 8 or 4 \(the images' 16 divided by 2 or 4/);
  const done = await runSweepCli(out, FIXTURE, ...only, "--set", "lowRes=8");
  assertEquals(done.code, 0, done.stderr + done.stdout);
  const [run] = (await listDir(`${out}/sources`)).filter((n) => n.startsWith("dataset-"));
  const grid = decode(await Deno.readFile(`${out}/sources/${run}/samples/step-000006.png`));
  assertEquals([grid.channels, grid.width], [3, 3 * 16 + 4 * 2], "LR | SR | HR, in colour");
  await Deno.remove(out, { recursive: true });
});
