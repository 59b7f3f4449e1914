import { assert, assertAlmostEquals, assertEquals, assertMatch, assertRejects } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { join } from "@std/path";
import { startBackend } from "../lib/tfjs/backend.ts";
import { buildClassifier } from "../lib/classifier/model.ts";
import { classifierData, classifierId, referenceImages } from "../lib/classifier/labelled_data.ts";
import { trainClassifier } from "../lib/classifier/train.ts";
import { saveClassifier } from "../lib/classifier/save.ts";
import { ClassifierPinError, loadClassifier } from "../lib/classifier/load.ts";
import { bytesToUnit } from "../lib/classifier/accuracy.ts";
import { createEvaluator } from "../lib/metrics/evaluator.ts";
import { DatasetError } from "../lib/data/dataset_info.ts";
import { EMOJI_CLASSES, writeImageFolder, writeNpyPair } from "./_sources.ts";
import "../lib/tfjs/kernels_setup.ts";

const DIR = new URL("../.test-artifacts/classifier-sources", import.meta.url).pathname;

Deno.test("buildClassifier() follows the data's shape: strided convolutions down to 8 px, one softmax per class", async () => {
  await startBackend("wasm");
  const cases: [[number, number, number], number, number][] = [
    [[28, 28, 1], 10, 2], // MNIST's network, as pinned: 28 → 14 → 7
    [[32, 32, 3], 9, 2], // 32 → 16 → 8
    [[64, 64, 3], 4, 3], // 64 → 32 → 16 → 8
  ];
  for (const [shape, classes, convs] of cases) {
    const m = buildClassifier(5, shape, classes);
    try {
      assertEquals(m.inputs[0]!.shape, [null, ...shape]);
      assertEquals(m.outputs[0]!.shape, [null, classes]);
      assertEquals(m.layers.filter((l) => l.getClassName() === "Conv2D").length, convs, JSON.stringify(shape));
      assertEquals(m.getLayer("features").outputShape, [null, 128]);
    } finally {
      m.dispose();
    }
  }
});

Deno.test("classifierData() holds out the same seeded 10% of a labelled folder every time, disjoint from training", async () => {
  await Deno.remove(DIR, { recursive: true }).catch(() => {});
  const images = await writeImageFolder(join(DIR, "images"));
  const source = { images, size: 16 };
  const a = await classifierData(source, ".");
  const b = await classifierData(source, ".");
  assertEquals(a.id, classifierId(source, a.digest));
  assertMatch(a.id, /^data-[0-9a-f]{16}$/);
  assertEquals([a.train.count, a.test.count], [10, 1]);
  assertEquals(a.classNames, Object.keys(EMOJI_CLASSES));
  assertEquals(a.test.images, b.test.images);
  assertEquals(a.train.labels, b.train.labels);
  const size = 16 * 16 * 3;
  const all = await referenceImages(source, ".", 11);
  const key = (bytes: Uint8Array, i: number) => bytes.subarray(i * size, (i + 1) * size).join();
  const trainKeys = new Set(Array.from({ length: 10 }, (_, i) => key(a.train.images, i)));
  assert(!trainKeys.has(key(a.test.images, 0)), "the held-out image is not a training image");
  assertEquals(all.count, 11);
  assertEquals(classifierId("emoji", a.digest), "emoji");
});

Deno.test("an unlabelled folder has no classifier: training and evaluation say which metrics do not apply", async () => {
  const flat = join(DIR, "flat");
  await Deno.mkdir(flat, { recursive: true });
  const monsters = join(DIR, "images", "monsters");
  for (const f of EMOJI_CLASSES.monsters!.slice(0, 3)) await Deno.copyFile(join(monsters, f), join(flat, f));
  await startBackend("wasm");
  for (const attempt of [() => trainClassifier({ images: flat }), () => createEvaluator({ images: flat }, { n: 2 })]) {
    const e = await assertRejects(attempt, DatasetError);
    assertMatch(e.message, /flat: unlabelled .* no classifier metric applies \(FCD, KID, classifier score/);
  }
});

Deno.test("a classifier trained on NumPy arrays evaluates them: the real images score FCD 0 against themselves", async () => {
  await startBackend("wasm");
  const { x, y } = await writeNpyPair(join(DIR, "npy"));
  const source = { npy: x, labels: y };
  const before = tf.memory().numTensors;
  const trained = await trainClassifier(source, { epochs: 2, batchSize: 4 });
  const classifiers = join(DIR, "classifiers");
  const { data } = trained;
  try {
    assertEquals([data.train.count, data.test.count, data.classNames.length], [22, 2, 3]);
    await saveClassifier(trained.model, classifiers, data.id, {
      testAccuracy: trained.testAccuracy,
      training: { ...trained.settings },
      trainedWith: "test",
      seconds: 0,
      created: new Date().toISOString(),
      data: { digest: data.digest, source: data.source, shape: data.shape, classNames: data.classNames, split: "" },
    });
  } finally {
    trained.model.dispose();
  }
  const evaluator = await createEvaluator(source, { n: 24, classifierDir: classifiers });
  try {
    assertEquals([evaluator.classes, ...evaluator.shape], [3, 16, 16, 3]);
    const real = await referenceImages(source, ".", 24);
    const m = await evaluator.evaluateImages(bytesToUnit(real.images));
    assertAlmostEquals(m.fcd, 0, 1e-3);
    assertAlmostEquals(m.precision!, 1, 1e-9);
    assertEquals(m.classHist.length, 3);
  } finally {
    evaluator.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  const e = await assertRejects(
    () => loadClassifier(data.id, { dir: classifiers, digest: "f".repeat(64), allowUnpinned: true }),
    ClassifierPinError,
  );
  assertMatch(e.message, /trained on data with digest [0-9a-f]{12} .* now has digest ffffffffffff: its files changed/);
});
