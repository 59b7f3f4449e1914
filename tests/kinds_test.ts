import { assert, assertAlmostEquals, assertEquals, assertMatch, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { registerArch } from "../lib/archs/registry.ts";
import { loadDataset } from "../lib/data/datasets.ts";
import { type PartialConfig, resolveConfig } from "../lib/experiment/config.ts";
import { InputError } from "../lib/input_error.ts";
import { createEvaluator } from "../lib/metrics/evaluator.ts";
import { loadSavedGenerator } from "../lib/metrics/load_generator.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { Rng } from "../lib/rng.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import { acganBuild } from "../lib/train/kinds/conditional.ts";
import { downsample } from "../lib/train/kinds/srgan.ts";
import { psnr, ssim } from "../lib/train/kinds/image_quality.ts";
import "../lib/train/kinds/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import { metricLines, trainTiny } from "./_train_helpers.ts";
import { listDir, runFolder, runSweepCli } from "./_sweep_cli.ts";
import "../lib/train/builtins.ts";

/** Each kind beyond `gan` (whose own tests are those of the loop): its config, and the numbers it logs beyond the five. */
const KIND_CASES: [string, PartialConfig, string[]][] = [
  ["cgan", { kind: "cgan" }, []],
  ["acgan", { kind: "acgan" }, ["dClassAcc"]],
  ["acgan with wgan-gp and 2 critic steps", { kind: "acgan", loss: "wgan-gp", nCritic: 2 }, ["dClassAcc"]],
  ["cgan on the DCGAN with dragan", {
    kind: "cgan",
    arch: "dcgan-gia",
    loss: "dragan",
    batchSize: 16,
    steps: 2,
    logEvery: 1,
  }, []],
  ["srgan from 14×14", { kind: "srgan" }, ["pixelMse", "perceptual"]],
  ["srgan from 7×7 with lsgan", { kind: "srgan", lowRes: 7, loss: "lsgan" }, ["pixelMse", "perceptual"]],
];

for (const [name, overrides, extra] of KIND_CASES) {
  Deno.test(`${name} trains on wasm with finite numbers, leaks no tensor, the same trajectory twice`, async () => {
    const config = { arch: "mlp-pytorch", noiseDim: 16, ...overrides };
    const first = await trainTiny("wasm", config);
    const second = await trainTiny("wasm", config);
    assert(first.steps.length > 0);
    for (const line of first.steps) {
      for (const k of ["dLoss", "gLoss", "dReal", "dFake", "dAcc", ...extra]) {
        assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
      }
      if (extra.includes("dClassAcc")) assert((line.dClassAcc as number) >= 0 && (line.dClassAcc as number) <= 1);
    }
    assertEquals(second.steps, first.steps, "same seed, same log");
    await Deno.remove(first.runDir, { recursive: true });
    await Deno.remove(second.runDir, { recursive: true });
  });
}

/**
 * A stand-in conditional generator that draws, for label c, the first test image of class `(c + shift) mod 10`:
 * a one-layer dense model from [noise | one-hot] whose noise rows are zero and whose label rows are the images.
 */
async function classImageGenerator(noiseDim: number, shift: number): Promise<tf.LayersModel> {
  const test = await loadDataset("mnist", "test", { limit: 200 });
  const kernel = new Float32Array((noiseDim + 10) * 784);
  for (let c = 0; c < 10; c++) {
    const i = test.labels.indexOf((c + shift) % 10);
    for (let p = 0; p < 784; p++) kernel[(noiseDim + c) * 784 + p] = test.images[i * 784 + p]! / 127.5 - 1;
  }
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [noiseDim + 10], units: 784, useBias: false }),
      tf.layers.reshape({ targetShape: [28, 28, 1] }),
    ],
  });
  model.layers[0]!.setWeights([tf.tensor2d(kernel, [noiseDim + 10, 784])]);
  return model;
}

Deno.test("labelAccuracy is the share of samples the classifier assigns to the class they were drawn for", async () => {
  await startBackend("wasm");
  const evaluator = await createEvaluator("mnist", { n: 200, precisionRecall: false });
  const settings = { noiseDim: 4, noise: "normal", pixelRange: "[-1,1]", classes: 10 } as const;
  try {
    const right = await classImageGenerator(4, 0);
    const wrong = await classImageGenerator(4, 1);
    const before = tf.memory().numTensors;
    const r = await evaluator.evaluateGenerator(right, settings);
    const w = await evaluator.evaluateGenerator(wrong, settings);
    assertEquals(tf.memory().numTensors, before, "no tensor leaks");
    assertEquals(r.labelAccuracy, 1, "each class's own image is recognised");
    assertEquals(w.labelAccuracy, 0, "every image is of the next class");
    assertEquals([r.classesCovered, w.classesCovered], [10, 10], "coverage alone cannot tell the two apart");
    right.dispose();
    wrong.dispose();
  } finally {
    evaluator.dispose();
  }
});

Deno.test("a cgan run logs labelAccuracy and its saved generator says it takes a label after the noise", async () => {
  const overrides: PartialConfig = { kind: "cgan", arch: "mlp-tf1", noiseDim: 8, evalSamples: 100 };
  const run = await trainTiny("wasm", overrides);
  // (A sweep writes config.json beside the run; the loop alone does not.)
  await Deno.writeTextFile(`${run.runDir}/config.json`, JSON.stringify({ config: resolveConfig(overrides) }));
  const evals = (await metricLines(run.runDir)).filter((l) => l.kind === "eval");
  assertEquals(evals.length, 1);
  const accuracy = evals[0]!.labelAccuracy as number;
  assert(accuracy >= 0 && accuracy <= 1, `labelAccuracy ${accuracy}`);
  const saved = await loadSavedGenerator(run.runDir);
  assertEquals(saved.settings, { noiseDim: 8, noise: "normal", pixelRange: "[-1,1]", classes: 10 });
  assertEquals(saved.model.inputs[0]!.shape, [null, 18]);
  saved.model.dispose();
  await Deno.remove(run.runDir, { recursive: true });
});

const loadImages = (name: "mnist" | "fashion-mnist") => loadTrainingImages(name, "[-1,1]");

Deno.test("acgan refuses an architecture whose discriminator does not end in a one-unit dense layer", async () => {
  await startBackend("wasm");
  registerArch("test-d-ends-in-activation", {
    description: "D's last layer is an activation",
    generator: ({ noiseDim }) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [noiseDim], units: 784, activation: "tanh" }),
          tf.layers.reshape({ targetShape: [28, 28, 1] }),
        ],
      }),
    discriminator: ({ imageShape }) =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: imageShape }),
          tf.layers.dense({ units: 1 }),
          tf.layers.activation({ activation: "linear" }),
        ],
      }),
  });
  const before = tf.memory().numTensors;
  const config = resolveConfig({ kind: "acgan", arch: "test-d-ends-in-activation", noiseDim: 4 });
  const ctx = { imageShape: [28, 28, 1] as [number, number, number], classes: 10, rng: new Rng(1), loadImages };
  const error = assertThrows(() => acganBuild(config, ctx), InputError);
  assertMatch(error.message, /config\.arch: 'test-d-ends-in-activation'.*one-unit dense layer.*Activation/);
  assertEquals(tf.memory().numTensors, before, "what was built before D was refused is disposed");
});

Deno.test("an option of another kind is refused with its field, the kinds that read it, exit 2, nothing written", async () => {
  const out = await Deno.makeTempDir();
  const r = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--set", "auxWeight=2");
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /--set: .*auxWeight 2 is an option of kind acgan, but the run's kind is gan/);
  assertEquals(await listDir(out), []);
  const typo = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--set", "kind=acgn");
  assertEquals(typo.code, 2, typo.stderr);
  assertMatch(typo.stderr, /kind: unknown kind of GAN "acgn".*acgan/);
  assertEquals(await listDir(out), []);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a kind brought by an experiment file trains and logs its own numbers", async () => {
  const out = await Deno.makeTempDir();
  const done = await runSweepCli(out, "tests/fixtures/plugin_kind_sweep.ts");
  assertEquals(done.code, 0, done.stderr);
  const dir = await runFolder(out, "plugin-kind");
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
  const steps = lines.filter((l) => l.kind === "step");
  assertEquals(steps.map((l) => l.step), [2, 4, 6, 8]);
  for (const l of steps) assert(Number.isFinite(l.gLoss2), `gLoss2 = ${l.gLoss2}`);
  assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).status, "completed");
  await Deno.remove(out, { recursive: true });
});

Deno.test("an srgan evaluation scores the super-resolved test images and the bilinear baseline", async () => {
  const run = await trainTiny("wasm", { kind: "srgan", arch: "mlp-tf1", evalSamples: 100, steps: 20, logEvery: 10 });
  const [line] = (await metricLines(run.runDir)).filter((l) => l.kind === "eval");
  for (const k of ["fcd", "psnr", "ssim", "fcdBilinear", "psnrBilinear", "ssimBilinear"]) {
    assert(Number.isFinite(line?.[k]), `${k} = ${line?.[k]}`);
  }
  assert((line!.psnrBilinear as number) > 10 && (line!.ssimBilinear as number) > 0.3, "bilinear is a fair baseline");
  assert((line!.ssim as number) <= 1 && (line!.ssimBilinear as number) <= 1);
  await Deno.remove(run.runDir, { recursive: true });
});

Deno.test("psnr and ssim are 100 dB and 1 for identical images and fall as noise is added", async () => {
  await startBackend("wasm");
  const a = tf.randomUniform([4, 28, 28, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const b = tf.clipByValue(tf.add(a, tf.randomNormal([4, 28, 28, 1], 0, 0.1, "float32", 2)), 0, 1) as tf.Tensor4D;
  assertAlmostEquals(await psnr(a, a), 100, 1e-3);
  assertAlmostEquals(await ssim(a, a), 1, 1e-5);
  const noisy = await psnr(b, a);
  assert(noisy > 15 && noisy < 25, `psnr of σ 0.1 noise ${noisy} (≈ 20 dB expected)`);
  assert((await ssim(b, a)) < 0.95);
  tf.dispose([a, b]);
});

Deno.test("a lowRes that does not divide 28 by a power of 2 is refused naming the field, exit 2, nothing written", async () => {
  const out = await Deno.makeTempDir();
  const r = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--set", "kind=srgan", "--set", "lowRes=10");
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /--set: .*lowRes 10 with kind srgan: expected 14 or 7/);
  assertEquals(await listDir(out), []);
  const other = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--set", "lowRes=7");
  assertEquals(other.code, 2, other.stderr);
  assertMatch(other.stderr, /lowRes 7 is an option of kind srgan, but the run's kind is gan/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("sweep --dry-run lists a cyclegan run by the networks it builds and both domains, not by arch", async () => {
  const out = await Deno.makeTempDir();
  const r = await runSweepCli(
    out,
    "tests/fixtures/tiny_sweep.ts",
    ...["--set", "kind=cyclegan", "--set", "datasetB=fashion-mnist", "--set", "loss=lsgan", "--dry-run"],
  );
  assertEquals(r.code, 0, r.stderr);
  const runs = r.stdout.split("\n").filter((l) => /^ {2}lr-/.test(l));
  assertEquals(runs.length, 2, r.stdout);
  for (const line of runs) {
    assertMatch(line, /cyclegan's ResNet Gs and PatchGAN Ds mnist ↔ fashion-mnist 24 steps$/);
    assert(!line.includes("mlp-"), line);
  }
  assertEquals(await listDir(out), [], "a dry run writes nothing");
  await Deno.remove(out, { recursive: true });
});

Deno.test("the bilinear baseline undoes area averaging with half-pixel centres, a fairer baseline than without", async () => {
  await startBackend("wasm");
  const test = await loadDataset("mnist", "test", { limit: 50 });
  const [x, centred, shifted] = tf.tidy(() => {
    const x = tf.div(tf.tensor4d(Float32Array.from(test.images), [50, 28, 28, 1]), 255) as tf.Tensor4D;
    const low = downsample(x, 2);
    return [x, tf.image.resizeBilinear(low, [28, 28], false, true), tf.image.resizeBilinear(low, [28, 28])];
  });
  const [good, bad] = [await psnr(centred, x), await psnr(shifted, x)];
  assert(good > bad + 1, `half-pixel centres ${good.toFixed(2)} dB vs corner-aligned ${bad.toFixed(2)} dB`);
  tf.dispose([x, centred, shifted]);
});
