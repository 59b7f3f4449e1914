import { assert, assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { accuracy } from "../lib/classifier/accuracy.ts";
import { loadClassifier } from "../lib/classifier/load.ts";
import { readManifest } from "../lib/classifier/manifest.ts";
import { saveClassifier } from "../lib/classifier/save.ts";
import { trainClassifier } from "../lib/classifier/train.ts";
import { classifierData, referenceImages } from "../lib/classifier/labelled_data.ts";
import "../lib/tfjs/kernels_setup.ts";

const tiny = { epochs: 1, batchSize: 32, trainLimit: 128, testLimit: 64 } as const;

Deno.test("trainClassifier() with the same seed gives identical weights, and leaks no tensor", async () => {
  await startBackend("wasm");
  const before = tf.memory().numTensors;
  const a = await trainClassifier("mnist", { ...tiny, seed: 5 });
  const b = await trainClassifier("mnist", { ...tiny, seed: 5 });
  try {
    const wa = await Promise.all(a.model.getWeights().map((w) => w.data()));
    const wb = await Promise.all(b.model.getWeights().map((w) => w.data()));
    assertEquals(wa, wb);
    assert(a.testAccuracy >= 0 && a.testAccuracy <= 1);
  } finally {
    a.model.dispose();
    b.model.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("saveClassifier() pins the files it writes, and loadClassifier() accepts them", async () => {
  await startBackend("wasm");
  const dir = await Deno.makeTempDir();
  const trained = await trainClassifier("mnist", tiny);
  try {
    const entry = await saveClassifier(trained.model, dir, "mnist", {
      testAccuracy: trained.testAccuracy,
      training: { ...trained.settings },
      trainedWith: "test",
      seconds: 0,
      created: new Date().toISOString(),
    });
    assertEquals(Object.keys(entry.files).sort(), ["model.json", "weights.bin"]);
    const loaded = await loadClassifier("mnist", { dir });
    assertEquals(loaded.pinned, true);
    assertEquals(loaded.sha256, entry.files["weights.bin"]);
    const x = tf.zeros([2, 28, 28, 1]);
    const [p, q] = [trained.model.predict(x) as tf.Tensor, loaded.model.predict(x) as tf.Tensor];
    assertEquals(await p.data(), await q.data());
    tf.dispose([x, p, q]);
    loaded.model.dispose();
  } finally {
    trained.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the committed classifiers reach their pinned test accuracy: ≥ 99% MNIST, ≥ 90% Fashion-MNIST, ≥ 80% emoji", async () => {
  await startBackend("wasm");
  const manifest = await readManifest();
  for (const [dataset, floor] of [["mnist", 0.99], ["fashion-mnist", 0.9], ["emoji", 0.8]] as const) {
    const entry = manifest.classifiers[dataset];
    if (entry === undefined) throw new Error(`classifiers/manifest.json does not pin ${dataset}`);
    assert(entry.testAccuracy >= floor, `${dataset}: pinned accuracy ${entry.testAccuracy} < ${floor}`);
    const { model } = await loadClassifier(dataset);
    const test = dataset === "emoji"
      ? (await classifierData(dataset, ".")).test
      : await referenceImages(dataset, ".", 10_000);
    try {
      assertEquals(await accuracy(model, test), entry.testAccuracy);
    } finally {
      model.dispose();
    }
  }
});

Deno.test("loadClassifier() does not draw from Math.random (a training run's seeded stream)", async () => {
  await startBackend("wasm");
  const original = Math.random;
  let draws = 0;
  Math.random = () => {
    draws++;
    return original();
  };
  try {
    const { model } = await loadClassifier("mnist");
    model.dispose();
  } finally {
    Math.random = original;
  }
  assertEquals(draws, 0);
});
