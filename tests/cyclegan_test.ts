import { assert, assertAlmostEquals, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { type PartialConfig, resolveConfig } from "../lib/experiment/config.ts";
import { loadSavedGenerator } from "../lib/metrics/load_generator.ts";
import { Rng } from "../lib/rng.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { ImagePool, mutualInformation, POOL_SIZE } from "../lib/train/kinds/cyclegan.ts";
import "../lib/train/kinds/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import { metricLines, trainTiny } from "./_train_helpers.ts";
import { listDir, runSweepCli } from "./_sweep_cli.ts";
import { runDeno } from "./_files.ts";
import { classifierCli, evalCli, writeCifar10, writeImageFolder } from "./_sources.ts";
import "../lib/train/builtins.ts";

const CYCLE: PartialConfig = { kind: "cyclegan", datasetB: "fashion-mnist", batchSize: 8, noiseDim: 4 };
const NUMBERS = ["dLoss", "gLoss", "dReal", "dFake", "dAcc", "cycleL1", "identityL1"];

Deno.test("cyclegan trains on wasm with finite numbers, leaks no tensor, the same trajectory twice", async () => {
  // 7 steps at batch 8: 56 translations per D, so the pool fills (50) and swaps begin on the last step.
  const config = { ...CYCLE, loss: "lsgan", steps: 7 } as const;
  const first = await trainTiny("wasm", config);
  const second = await trainTiny("wasm", config);
  assert(first.steps.length > 0);
  for (const line of first.steps) {
    for (const k of NUMBERS) assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
    assert((line.dAcc as number) >= 0 && (line.dAcc as number) <= 1);
  }
  assertEquals(second.steps, first.steps, "same seed, same log");
  const other = await trainTiny("wasm", { ...config, seed: 2 });
  assertNotEquals(other.steps, first.steps, "another seed, another trajectory");
  for (const run of [first, second, other]) await Deno.remove(run.runDir, { recursive: true });
});

Deno.test("a cyclegan evaluation scores both translations, their baselines, the cycle and the class map; eval repeats it", async () => {
  const run = await trainTiny("wasm", { ...CYCLE, evalSamples: 100 });
  await Deno.writeTextFile(`${run.runDir}/config.json`, JSON.stringify({ config: resolveConfig(CYCLE) }));
  const [line] = (await metricLines(run.runDir)).filter((l) => l.kind === "eval");
  const fields = ["fcd", "fcdAB", "fcdBA", "fcdABUntranslated", "fcdBAUntranslated", "cycleL1", "classMI"];
  for (const k of [...fields, "cycleAccuracyA", "cycleAccuracyB"]) {
    assert(Number.isFinite(line?.[k]), `${k} = ${line?.[k]}`);
  }
  assertEquals(line!.fcd, line!.fcdAB, "the usual fields are the A→B translations'");
  assert((line!.fcdABUntranslated as number) > 10, "digits are far from clothes in Fashion-MNIST's feature space");
  assert((line!.cycleL1 as number) > 0 && (line!.cycleL1 as number) < 1, "a mean absolute error in [0, 1] pixels");
  assert((line!.classMI as number) >= 0 && (line!.classMI as number) <= Math.log(10) + 1e-9);
  assertEquals((line!.classHist as string).split(",").length, 10);
  const saved = await loadSavedGenerator(run.runDir);
  assertEquals(saved.settings.translatesFrom, "mnist", "the exported generator says it takes images of domain A");
  assertEquals(saved.model.inputs[0]!.shape, [null, 28, 28, 1]);
  saved.model.dispose();
  // deno task eval scores the saved G_AB as the run's own evaluation did: A's test images translated, in B.
  const evaluated = await runDeno(
    [
      "run",
      "--allow-read",
      "--allow-env",
      "tasks/eval.ts",
      run.runDir,
      "--n",
      "100",
      "--skip-precision-recall",
      "--dry-run",
    ],
  );
  assertEquals(evaluated.code, 0, evaluated.stderr);
  const printed = Object.fromEntries(
    evaluated.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 2),
  );
  for (const k of ["fcd", "cis", "classesCovered", "fcdAB", "fcdABUntranslated", "classMI", "classifier"]) {
    assertEquals(printed[k], String(line![k]), k);
  }
  // A config.json whose target domain is not a dataset is refused, naming the file and the field.
  await Deno.writeTextFile(
    `${run.runDir}/config.json`,
    JSON.stringify({ config: { ...resolveConfig(CYCLE), datasetB: "svhn" } }),
  );
  const refused = await runDeno(["run", "--allow-read", "--allow-env", "tasks/eval.ts", run.runDir, "--dry-run"]);
  assertEquals(refused.code, 2, refused.stderr);
  assertMatch(refused.stderr, /config\.json: config\.datasetB "svhn": a translation generator needs its target domain/);
  const grid = await Deno.readFile(`${run.runDir}/samples/step-000006.png`);
  // PNG width and height (big-endian at bytes 16 and 20): 6 columns (A | A→B | A→B→A | B | B→A | B→A→B), 4 rows.
  const view = new DataView(grid.buffer);
  assertEquals([view.getUint32(16), view.getUint32(20)].map((px) => Math.floor(px / 28)), [6, 4]);
  await Deno.remove(run.runDir, { recursive: true });
});

Deno.test("cyclegan translates between two colour sources of one's own: colour grids, and deno task eval scores G_AB in B", async () => {
  const sources = new URL("../.test-artifacts/cyclegan-sources", import.meta.url).pathname;
  await Deno.remove(sources, { recursive: true }).catch(() => {});
  await writeCifar10(`${sources}/cifar`); // 12 images of 10 classes
  await writeImageFolder(`${sources}/images`); // 11 images of 2 classes (flags, monsters)
  const out = await Deno.makeTempDir();
  const sweep = await runSweepCli(out, "tests/fixtures/cyclegan_sources.ts");
  assertEquals(sweep.code, 0, sweep.stderr + sweep.stdout);
  const [run] = (await listDir(`${out}/cyclegan-sources`)).filter((n) => n !== "experiment.json");
  const runDir = `${out}/cyclegan-sources/${run}`;
  const steps = (await metricLines(runDir)).filter((l) => l.kind === "step");
  assertEquals(steps.at(-1)?.step, 6);
  for (const line of steps) for (const k of NUMBERS) assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
  const grid = await Deno.readFile(`${runDir}/samples/step-000006.png`);
  const view = new DataView(grid.buffer);
  assertEquals([view.getUint32(16), view.getUint32(20)].map((px) => Math.floor(px / 32)), [6, 4], "6 × 4 tiles of 32");
  assertEquals(grid[25], 2, "an RGB PNG (colour type 2)");
  await startBackend("wasm");
  const saved = await loadSavedGenerator(runDir);
  assertEquals(saved.model.inputs[0]!.shape, [null, 32, 32, 3]);
  assertEquals(saved.translatesTo, { images: `${sources}/images`, size: 32 }, "B, its path resolved");
  saved.model.dispose();
  // Unpinned, B's classifier is asked for by the command that trains it; pinned, eval scores A's images in B.
  const unpinned = await evalCli(runDir, "--n", "8", "--classifiers", `${out}/classifiers`);
  assertEquals(unpinned.code, 2, unpinned.stdout);
  assertMatch(unpinned.stderr, /deno task classifier --dataset '\{"images":"[^']*\/images","size":32\}'/);
  const pinned = await classifierCli(`${out}/classifiers`, { images: `${sources}/images`, size: 32 });
  assertEquals(pinned.code, 0, pinned.stderr + pinned.stdout);
  const scored = await evalCli(runDir, "--n", "8", "--classifiers", `${out}/classifiers`, "--skip-precision-recall");
  assertEquals(scored.code, 0, scored.stderr + scored.stdout);
  const printed = Object.fromEntries(
    scored.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 2),
  );
  for (const k of ["fcd", "fcdAB", "fcdABUntranslated", "classMI"]) assert(Number.isFinite(Number(printed[k])), k);
  assertEquals(printed.fcd, printed.fcdAB);
  assertEquals(printed.classHist!.split(",").length, 2, "B's two classes");
  assert(Number(printed.classMI) >= 0 && Number(printed.classMI) <= Math.log(2) + 1e-9, "at most B's ln 2");
  // Planning refuses domains of two shapes, and sides the networks cannot halve twice: exit 2, nothing written.
  const images30 = JSON.stringify({ images: `${sources}/images`, size: 30 });
  const refusals: [string[], RegExp][] = [
    [
      [`datasetB={"cifar":"${sources}/cifar"}`],
      /datasetB \{"cifar":.*\} with kind cyclegan: its images \(.*\/cifar\) are 32×32×3, domain A's 28×28×1/,
    ],
    [
      [`dataset=${images30}`, `datasetB=${images30}`, "trainSize=null", "batchSize=4"],
      /dataset \{.*"size":30\} with kind cyclegan: its images are 30×30×3: .* multiples of 4/,
    ],
  ];
  const empty = await Deno.makeTempDir();
  for (const [sets, message] of refusals) {
    const flags = ["kind=cyclegan", ...sets].flatMap((s) => ["--set", s]);
    const r = await runSweepCli(empty, "tests/fixtures/tiny_sweep.ts", ...flags);
    assertEquals(r.code, 2, r.stderr);
    assertMatch(r.stderr, message);
    assertEquals(await listDir(empty), [], sets.join(" "));
  }
  await Deno.remove(empty, { recursive: true });
  await Deno.remove(out, { recursive: true });
});

Deno.test("mutualInformation is ln 10 for a one-to-one class map over ten even classes and 0 for a collapse", () => {
  const a = Array.from({ length: 1000 }, (_, i) => i % 10);
  assertAlmostEquals(mutualInformation(a, a.map((c) => (c + 3) % 10)), Math.log(10), 1e-9);
  assertAlmostEquals(mutualInformation(a, a.map(() => 4)), 0, 1e-12);
  // Two classes merged into one: one bit of ten classes' information lost for a fifth of the images.
  assertAlmostEquals(mutualInformation(a, a.map((c) => (c === 1 ? 0 : c))), Math.log(10) - 0.2 * Math.log(2), 1e-9);
});

Deno.test("the image pool keeps 50 past translations, swaps half of each batch once full, and follows its stream", async () => {
  await startBackend("wasm");
  const before = tf.memory().numTensors;
  const draw = (seed: number) => {
    const pool = new ImagePool(new Rng(seed));
    const seen: number[][] = [];
    for (let i = 0; i < 10; i++) {
      // Batch i's images are all i: what D sees says which batch each came from.
      const fakes = tf.fill([8, 2, 2, 1], i) as tf.Tensor4D;
      const batch = pool.query(fakes);
      const means = batch.mean([1, 2, 3]);
      seen.push(Array.from(means.dataSync()));
      tf.dispose([fakes, batch, means]);
    }
    assertEquals(pool.images.length, POOL_SIZE);
    pool.dispose();
    return seen;
  };
  const seen = draw(1);
  assertEquals(tf.memory().numTensors, before, "the pool disposes what it swaps out");
  assertEquals(seen.slice(0, 6), Array.from({ length: 6 }, (_, i) => Array(8).fill(i)), "filling: D sees the new");
  const later = seen.slice(7).flat();
  const old = later.filter((v, i) => v < 7 + Math.floor(i / 8)).length;
  assert(old > 4 && old < 20, `about half of the 24 later images are older ones: ${old}`);
  assertEquals(draw(1), seen, "the same stream, the same choices");
  assertNotEquals(draw(2), seen);
});

Deno.test("a cyclegan run without datasetB, or with another kind's option, is refused naming the field, exit 2, nothing written", async () => {
  const out = await Deno.makeTempDir();
  const cases: [string[], RegExp][] = [
    [["--set", "kind=cyclegan"], /--set: .*datasetB null with kind cyclegan: expected a dataset for domain B/],
    [
      ["--set", "kind=cyclegan", "--set", "datasetB=fashion-mnist", "--set", "auxWeight=2"],
      /auxWeight 2 is an option of kind acgan, but the run's kind is cyclegan/,
    ],
    [
      ["--set", "kind=cyclegan", "--set", "datasetB=fashion-mnist", "--set", "lowRes=7"],
      /lowRes 7 is an option of kind srgan, but the run's kind is cyclegan/,
    ],
    [
      ["--set", "kind=cyclegan", "--set", "datasetB=fashion-mnist", "--set", "loss=wgan-gp"],
      /loss "wgan-gp" with kind cyclegan: expected lsgan, bce, minimax, hinge/,
    ],
    [
      ["--set", "datasetB=fashion-mnist"],
      /datasetB "fashion-mnist" is an option of kind cyclegan, but the run's kind is gan/,
    ],
  ];
  for (const [set, message] of cases) {
    const r = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", ...set);
    assertEquals(r.code, 2, r.stderr);
    assertMatch(r.stderr, message);
    assertEquals(await listDir(out), [], set.join(" "));
  }
  await Deno.remove(out, { recursive: true });
});
