// Anchors that would fail if the metrics were wrong, with the committed (pinned) classifiers and N = 2000.
import { assert, assertEquals, assertRejects } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { ClassifierPinError, loadClassifier } from "../lib/classifier/load.ts";
import { CLASSIFIERS_DIR } from "../lib/classifier/manifest.ts";
import { loadDataset } from "../lib/data/datasets.ts";
import { createEvaluator, evalFields, type EvalMetrics } from "../lib/metrics/evaluator.ts";
import { Rng } from "../lib/rng.ts";
import "../lib/tfjs/kernels_setup.ts";

const N = 2000;
const LOG_10 = Math.log(10);

/** The first `n` images (or those of `label`) of a split from image `from` on, in [0, 1]. */
async function realImages(
  dataset: "mnist" | "fashion-mnist",
  split: "train" | "test",
  n: number,
  label?: number,
  from = 0,
): Promise<Float32Array> {
  const set = await loadDataset(dataset, split);
  const out = new Float32Array(n * 784);
  let taken = 0;
  for (let i = from; i < set.count && taken < n; i++) {
    if (label !== undefined && set.labels[i] !== label) continue;
    for (let p = 0; p < 784; p++) out[taken * 784 + p] = set.images[i * 784 + p]! / 255;
    taken++;
  }
  assertEquals(taken, n);
  return out;
}

function show(name: string, m: EvalMetrics) {
  console.log(name, JSON.stringify(evalFields(m, "")));
}

for (const dataset of ["mnist", "fashion-mnist"] as const) {
  Deno.test(`${dataset}: real train vs real test gives a small FCD and KID (other test images KID ≈ 0), full coverage, high precision and recall; noise does not`, async () => {
    await startBackend("wasm");
    const evaluator = await createEvaluator(dataset, { n: N });
    try {
      const before = tf.memory().numTensors;
      const m = await evaluator.evaluateImages(await realImages(dataset, "train", N));
      assertEquals(tf.memory().numTensors, before, "no tensor leaks");
      show(`${dataset} real-train`, m);
      assertEquals(m.classesCovered, 10);
      assert(m.klUniform < 0.02, `kl ${m.klUniform}`);
      assert(m.cis > (dataset === "mnist" ? 9 : 7), `cis ${m.cis}`);
      assert(m.precision! > 0.6 && m.recall! > 0.6, `precision ${m.precision} recall ${m.recall}`);

      const noise = new Rng(1).fillUniform(new Float32Array(N * 784), 0, 1);
      const n = await evaluator.evaluateImages(noise);
      show(`${dataset} uniform noise`, n);
      // Real vs real is not 0 at finite N (the estimate's bias), but far below noise.
      assert(m.fcd < 0.05 * n.fcd, `real fcd ${m.fcd} vs noise fcd ${n.fcd}`);
      // KID too (the classifier, trained on the train split, tells it a little from the test split: 3% on MNIST).
      assert(Math.abs(m.kid!) < 0.05 * n.kid!, `real kid ${m.kid} ± ${m.kidStd} vs noise kid ${n.kid}`);
      assert(n.kid! > 10 * n.kidStd!, `noise kid ${n.kid} ± ${n.kidStd}`);
      // Other test images: one distribution, so KID is 0 up to its spread (it is unbiased); FCD keeps its bias.
      const t = await evaluator.evaluateImages(await realImages(dataset, "test", N, undefined, N));
      show(`${dataset} other test images`, t);
      assert(Math.abs(t.kid!) < 3 * t.kidStd!, `test vs test kid ${t.kid} ± ${t.kidStd}`);
      assert(t.fcd > 0, `test vs test fcd ${t.fcd}`);
      // No real image lies near noise. (Precision is no such anchor: noise features can land inside the wide
      // k-NN balls of a few real outliers — 0.85 on Fashion-MNIST at N = 2000 — a known weakness of the metric.)
      assert(n.recall! < 0.05, `noise recall ${n.recall}`);
      assert(n.classesCovered < 10 && n.klUniform > 1, `noise coverage ${n.classesCovered}, kl ${n.klUniform}`);
    } finally {
      evaluator.dispose();
    }
  });
}

Deno.test("mnist: a 'generator' emitting only real 3s covers 1 class with KL near ln 10 and an FCD far above real data's", async () => {
  await startBackend("wasm");
  const evaluator = await createEvaluator("mnist", { n: N });
  try {
    const m = await evaluator.evaluateImages(await realImages("mnist", "train", N, 3));
    const real = await evaluator.evaluateImages(await realImages("mnist", "train", N));
    show("mnist only-3s", m);
    assertEquals(m.classesCovered, 1);
    assert(m.classHist[3]! > 0.98, `share of 3s ${m.classHist[3]}`);
    assert(m.klUniform > 0.9 * LOG_10, `kl ${m.klUniform}`);
    assert(m.cis < 1.5, `cis ${m.cis}`);
    assert(m.fcd > 5 * real.fcd, `fcd ${m.fcd} vs real train ${real.fcd}`);
    assert(m.kid! > 10 * Math.abs(real.kid!) && m.kid! > 5 * m.kidStd!, `kid ${m.kid} vs real train ${real.kid}`);
    assert(m.precision! > 0.6, `real 3s lie on the real manifold: precision ${m.precision}`);
    assert(m.recall! < 0.3, `but cover little of it: recall ${m.recall}`);
  } finally {
    evaluator.dispose();
  }
});

Deno.test("evaluateGenerator() maps [-1,1] pixels to [0,1], draws the same noise each time and leaks no tensor", async () => {
  await startBackend("wasm");
  const evaluator = await createEvaluator("mnist", { n: 500, precisionRecall: false });
  // A "generator" that ignores its noise's content and returns a fixed real 3 in [-1, 1].
  const three = (await realImages("mnist", "train", 1, 3)).map((v) => 2 * v - 1);
  const g = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 784, kernelInitializer: "zeros", biasInitializer: "zeros" }),
      tf.layers.reshape({ targetShape: [28, 28, 1] }),
    ],
  });
  g.layers[0]!.setWeights([tf.zeros([4, 784]), tf.tensor1d(three)]);
  try {
    const before = tf.memory().numTensors;
    const settings = { noiseDim: 4, noise: "normal", pixelRange: "[-1,1]" } as const;
    const a = await evaluator.evaluateGenerator(g, settings);
    const b = await evaluator.evaluateGenerator(g, settings);
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
    assertEquals(a.classHist[3], 1, "the image is classified as a 3, so it was mapped to [0,1]");
    assertEquals(a.fcd, b.fcd);
    assertEquals([a.kid, a.kidStd], [b.kid, b.kidStd]);
    assertEquals(a.precision, undefined);
  } finally {
    g.dispose();
    evaluator.dispose();
  }
});

Deno.test("a classifier whose weights differ from the manifest is refused, naming the file, expected and got", async () => {
  await startBackend("wasm");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/mnist`);
    await Deno.copyFile(`${CLASSIFIERS_DIR}/manifest.json`, `${dir}/manifest.json`);
    await Deno.copyFile(`${CLASSIFIERS_DIR}/mnist/model.json`, `${dir}/mnist/model.json`);
    const weights = await Deno.readFile(`${CLASSIFIERS_DIR}/mnist/weights.bin`);
    weights[100]! ^= 1;
    await Deno.writeFile(`${dir}/mnist/weights.bin`, weights);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    const expected = manifest.classifiers.mnist.files["weights.bin"];
    const error = await assertRejects(() => loadClassifier("mnist", { dir }), ClassifierPinError);
    assert(error.message.includes(`${dir}/mnist/weights.bin`), error.message);
    assert(error.message.includes(`expected ${expected}`), error.message);
    assert(error.message.includes("--allow-unpinned-classifier"), error.message);
    const warnings: string[] = [];
    const loaded = await loadClassifier("mnist", { dir, allowUnpinned: true, warn: (w) => warnings.push(w) });
    assertEquals(loaded.pinned, false);
    assertEquals(warnings.length, 1);
    loaded.model.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
