import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { getArch } from "../lib/archs/registry.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { BENCH_ARCHS, benchCases, caseName, measureIteration, median, warmEngine } from "../lib/bench/iteration.ts";
import { benchImages, RANDOM_POOL, randomImages } from "../lib/bench/images.ts";
import { forwardFlops, iterationFlops, layerFlops } from "../lib/bench/flops.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import type { TrainingImages } from "../lib/data/training_images.ts";
import "../lib/archs/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import { type PairedRatio, pairWithTorch, TORCH_PYTHON, TorchPeer } from "../lib/bench/torch_pairs.ts";
import { acrossProcesses, processJsonPath, withoutFlags } from "../lib/bench/processes.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import { pythonHas, runDeno } from "./_files.ts";
import "../lib/train/builtins.ts";

const torchInstalled = await pythonHas(TORCH_PYTHON, "torch"); // CI does not install torch

Deno.test({
  name: "layerFlops counts 2 per multiply-add for Dense, Conv2D and Conv2DTranspose, and nothing for other layers",
  fn: async () => {
    await startBackend("wasm");
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 5, kernelSize: 3, strides: 2, padding: "same" }),
        tf.layers.batchNormalization(),
        tf.layers.leakyReLU(),
        tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    assertEquals(layerFlops(m).map((l) => [l.className, l.flops]), [
      ["Conv2D", 2 * 3 * 3 * 2 * 5 * (4 * 4)], // over the 4×4 output
      ["BatchNormalization", 0],
      ["LeakyReLU", 0],
      ["Conv2DTranspose", 2 * 3 * 3 * 5 * 1 * (4 * 4)], // over the 4×4 input
      ["Flatten", 0],
      ["Dense", 2 * 64 * 3],
    ]);
    assertEquals(forwardFlops(m), 2880 + 1440 + 384);
    m.dispose();
  },
});

Deno.test({
  name: "forwardFlops of the dcgan-gia discriminator matches a hand count",
  fn: async () => {
    await startBackend("wasm");
    const d = getArch("dcgan-gia")!.discriminator({ noiseDim: 100, imageShape: [28, 28, 1], pixelRange: "[-1,1]" });
    const hand = 2 * 9 * 1 * 32 * 14 * 14 + 2 * 9 * 32 * 64 * 7 * 7 + 2 * 9 * 64 * 128 * 4 * 4 + 2 * 2048;
    assertEquals(forwardFlops(d), hand);
    d.dispose();
  },
});

Deno.test("iterationFlops is G fwd + D fwd/bwd on 2B, then G fwd/bwd + D fwd + D input-grad on B", () => {
  const f = iterationFlops(10, 100, 2);
  assertEquals(f.dStep, 10 * 2 + 3 * 100 * 4);
  assertEquals(f.gStep, 3 * 10 * 2 + 2 * 100 * 2);
  assertEquals(f.total, 4 * 10 * 2 + 8 * 100 * 2);
});

Deno.test("benchCases gives each post's batch sizes and image shapes and rejects unknown architectures", () => {
  assertEquals(BENCH_ARCHS, ["mlp-keras", "mlp-pytorch", "mlp-tf1", "dcgan-tf", "dcgan-gia", "dcgan"]);
  assertEquals(
    BENCH_ARCHS.flatMap((a) => benchCases(a).map((c) => `${c.post}:${c.batchSize}:${c.imageShape.join("x")}`)),
    [
      "002:128:28x28x1",
      "001:100:28x28x1",
      "003:100:28x28x1",
      "000:256:28x28x1",
      "000:64:28x28x1",
      "004:128:28x28x1",
      "colour:64:32x32x3",
      "colour:64:64x64x3",
    ],
  );
  assertEquals(benchCases("dcgan", 8).map(caseName), ["dcgan 32×32×3", "dcgan 64×64×3"]);
  assertEquals(caseName(benchCases("dcgan-tf")[0]!), "dcgan-tf", "MNIST's cases keep their names");
  assertEquals(benchCases("mlp-tf1", 7)[0]!.batchSize, 7);
  assertThrows(() => benchCases("resnet"), RangeError, "resnet");
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 2, 3]), 2.5);
});

/** Eight 28×28 images with pixel i = wave(i) · 0.9 (timing does not depend on the values). */
function syntheticImages(wave: (i: number) => number): TrainingImages {
  const count = 8;
  return {
    images: new Float32Array(count * 784).map((_, i) => wave(i) * 0.9),
    count,
    shape: [28, 28, 1],
    labels: new Uint8Array(count).map((_, i) => i % 10),
    classes: 10,
    source: "synthetic",
    digest: "synthetic",
  };
}

Deno.test("randomImages are seeded, in the pixel range and of the shape; benchImages gives MNIST only at 28×28×1", async () => {
  const a = randomImages([4, 4, 3], "[0,1]", 5, 7);
  assertEquals([a.shape, a.count, a.images.length], [[4, 4, 3], 5, 240]);
  assert(a.images.every((x) => x >= 0 && x <= 1));
  assertEquals(randomImages([4, 4, 3], "[0,1]", 5, 7).images, a.images);
  assert(randomImages([4, 4, 3], "[-1,1]", 5, 7).images.some((x) => x < 0));
  assertThrows(() => randomImages([4, 0, 3], "[0,1]", 5), RangeError, "4,0,3");
  const colour = await benchImages([32, 32, 3], "[-1,1]");
  assertEquals([colour.shape, colour.count], [[32, 32, 3], RANDOM_POOL]);
  assertEquals((await benchImages([28, 28, 1], "[-1,1]")).count, 60_000);
});

for (const arch of ["mlp-keras", "dcgan-gia"]) {
  Deno.test({
    name: `measureIteration times a tiny ${arch} config on wasm and leaks no tensors`,
    fn: async () => {
      await startBackend("wasm");
      const data = syntheticImages(Math.sin);
      const c = benchCases(arch, 4)[0]!;
      const before = tf.memory().numTensors;
      const r = await measureIteration(c, data, { warmup: 0, repeats: 1 });
      assertEquals(tf.memory().numTensors, before);
      assertEquals([r.arch, r.batchSize, r.backend, r.times.length], [arch, 4, "wasm", 1]);
      assert(r.msPerIteration > 0 && Number.isFinite(r.gflopsPerSecond));
      assert(r.flops.total > 0 && r.params.generator > 0 && r.params.discriminator > 0);
      // Which GEMM ran is in the result: OpenBLAS under the test task's --allow-ffi, else the wasm SIMD GEMM.
      assert(
        r.gemm && ["openblas", "wasm-simd"].includes(r.gemm.library) && r.gemm.threads >= 1,
        JSON.stringify(r.gemm),
      );
      await assertRejects(() => measureIteration(c, data, { warmup: 0, repeats: 0 }), RangeError, "repeats");
    },
  });
}

Deno.test("measureIteration times the colour dcgan at its case's image shape, refuses other shapes, leaks nothing", async () => {
  await startBackend("wasm");
  const [c32, c64] = benchCases("dcgan", 2);
  const before = tf.memory().numTensors;
  const r = await measureIteration(c32!, randomImages([32, 32, 3], "[-1,1]", 4), { warmup: 0, repeats: 1 });
  assertEquals(tf.memory().numTensors, before);
  assertEquals([r.arch, r.imageShape, r.batchSize], ["dcgan", [32, 32, 3], 2]);
  // By hand (lib/bench/flops.ts), 100 → 4×4×256 → 8×8×128 → 16×16×64 → 32×32×3 and back to one logit.
  const g = 2 * 100 * 16 * 256 + 2 * 16 * 256 * 128 * 16 + 2 * 16 * 128 * 64 * 64 + 2 * 16 * 64 * 3 * 256;
  const d = 2 * 16 * 3 * 64 * 256 + 2 * 16 * 64 * 128 * 64 + 2 * 16 * 128 * 256 * 16 + 2 * 16 * 256;
  assertEquals(r.flops.total, 4 * g * 2 + 8 * d * 2);
  await assertRejects(
    () => measureIteration(c64!, randomImages([32, 32, 3], "[-1,1]", 4), { warmup: 0, repeats: 1 }),
    TypeError,
    "the data's images are 32×32×3, the case's 64×64×3",
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("measureIteration times other kinds and losses as the loop runs them, counting every critic step", async () => {
  await startBackend("wasm");
  const data = syntheticImages(Math.sin);
  const c = benchCases("mlp-pytorch", 4)[0]!;
  const before = tf.memory().numTensors;
  const plain = await measureIteration(c, data, { warmup: 0, repeats: 1 });
  const wgan = await measureIteration({ ...c, loss: "wgan", realTarget: 1 }, data, { warmup: 0, repeats: 1 });
  const acgan = await measureIteration({ ...c, kind: "acgan" }, data, { warmup: 0, repeats: 1 });
  assertEquals(tf.memory().numTensors, before);
  assertEquals([wgan.loss, acgan.kind], ["wgan", "acgan"]);
  assertEquals(wgan.flops.dStep, 5 * plain.flops.dStep, "wgan trains the critic 5 times an iteration");
  assert(acgan.params.discriminator > plain.params.discriminator, "acgan's D has its class head");
});

Deno.test("measureIteration with profile names the kernels and the slowest calls with their shapes", async () => {
  await startBackend("wasm");
  const data = syntheticImages(Math.cos);
  const r = await measureIteration(benchCases("dcgan-gia", 4)[0]!, data, { warmup: 0, repeats: 1, profile: true });
  assert(r.kernels!.some((k) => k.kernel === "Conv2DBackpropFilter" && k.calls > 0));
  const calls = r.slowestCalls!;
  assert(calls.length > 0 && calls.length <= 10);
  assert(calls.every((c, i) => i === 0 || calls[i - 1]!.ms >= c.ms), "slowest first");
  assert(calls.every((c) => c.inputShapes.length > 0 && c.outputShapes.some((s) => s !== null && s.length > 0)));
  assert(r.outsideKernels! >= 0 && r.outsideKernels! < 1);
});

Deno.test("each bench case has the settings of its post's experiment file", async () => {
  for (const arch of BENCH_ARCHS) {
    const [c] = benchCases(arch);
    const file = c!.experiment;
    const plan = await planSweep(await loadExperiment(`experiments/${file}`), file);
    // 001's grid varies lr, the colour study's lr and noiseDim: the bench times the post's fix, the paper's values.
    const run = plan.runs.find((r) =>
      r.config.arch === arch && r.config.lrD === c!.lr && r.config.noiseDim === c!.noiseDim
    );
    if (!run) throw new Error(`${file} has no ${arch} run at lr ${c!.lr}, noiseDim ${c!.noiseDim}`);
    const k = run.config;
    assertEquals(
      [
        c!.noiseDim,
        c!.noise,
        c!.pixelRange,
        c!.lr,
        c!.beta1,
        c!.adamEpsilon,
        c!.loss,
        c!.realTarget,
        c!.dLossReduce,
        c!.batching,
      ],
      [
        k.noiseDim,
        k.noise,
        k.pixelRange,
        k.lrD,
        k.beta1,
        k.adamEpsilon,
        k.loss,
        k.labelSmoothing,
        k.dLossReduce,
        k.batching,
      ],
      `${arch} vs ${file}`,
    );
    assert(benchCases(arch).some((b) => b.batchSize === k.batchSize), `${arch}: the post's batch ${k.batchSize}`);
  }
});

Deno.test("bench --pairs without --reference torch exits 2 naming the flag and what it needs", async () => {
  const r = await runDeno(["run", "--allow-read=.", "--allow-write=results", "tasks/bench.ts", "--pairs", "3"]);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /--pairs: .*add --reference torch \(got --pairs 3\)/);
  const bad = await runDeno(["run", "--allow-read=.", "--allow-write=results", "tasks/bench.ts", "--pairs", "0"]);
  assertEquals(bad.code, 2, bad.stderr);
  assertMatch(bad.stderr, /--pairs: expected an integer ≥ 1: got '0'/);
});

Deno.test("bench --processes without --pairs exits 2 naming the flags it needs", async () => {
  const r = await runDeno(["run", "--allow-read=.", "--allow-write=results", "tasks/bench.ts", "--processes", "3"]);
  assertEquals(r.code, 2, r.stderr);
  assertMatch(r.stderr, /--processes: .*add --reference torch --pairs N \(got --processes 3\)/);
});

Deno.test("acrossProcesses gives each case's median of the processes' ratios, their range and each in order", () => {
  const r = (arch: string, ratio: number, harnessMs: number, side = 28): PairedRatio => ({
    arch,
    imageShape: [side, side, side === 28 ? 1 : 3],
    batchSize: 100,
    threads: 1,
    harnessMs,
    torchMs: 10,
    ratio,
    ratioMin: ratio,
    ratioMax: ratio,
    pairs: 8,
    repeats: 5,
  });
  const out = acrossProcesses([
    [r("a", 1.2, 12), r("b", 0.5, 5), r("b", 2, 20, 64)],
    [r("a", 0.9, 9)],
    [r("a", 1.0, 10), r("b", 0.7, 7), r("b", 3, 30, 64)],
  ]);
  assertEquals(out.map((x) => [x.arch, x.imageShape[0], x.ratio, x.ratioMin, x.ratioMax, x.perProcess, x.harnessMs]), [
    ["a", 28, 1.0, 0.9, 1.2, [1.2, 0.9, 1.0], 10],
    ["b", 28, 0.6, 0.5, 0.7, [0.5, 0.7], 6],
    ["b", 64, 2.5, 2, 3, [2, 3], 25], // another image shape: another case
  ]);
});

Deno.test("withoutFlags drops the named flags in both spellings and keeps the rest in order", () => {
  assertEquals(
    withoutFlags(["--arch", "mlp-tf1", "--processes", "3", "--json=x.json", "--pairs", "2", "--json", "y"], [
      "processes",
      "json",
    ]),
    ["--arch", "mlp-tf1", "--pairs", "2"],
  );
  assertEquals(processJsonPath("results/bench.json", 2), "results/bench-process-2.json");
});

Deno.test("bench --processes runs the paired bench in fresh processes, each with its JSON, and sums them up", async () => {
  const dir = "results/test-bench";
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    const r = await runDeno([
      "task",
      "--quiet",
      "bench",
      ...["--arch", "mlp-tf1", "--batch", "8", "--reference", "torch", "--pairs", "1", "--repeats", "1"],
      ...["--warmup", "0", "--engine-warmup", "0", "--processes", "2", "--json", `${dir}/p.json`],
    ]);
    assertEquals(r.code, 0, r.stderr);
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/p.json`));
    assertEquals(summary.processes, [`${dir}/p-process-1.json`, `${dir}/p-process-2.json`]);
    const torch = torchInstalled; // CI does not install torch: each process skips it
    for (const p of summary.processes) {
      const one = JSON.parse(await Deno.readTextFile(p));
      assertEquals(one.torchReference?.ratios?.length ?? 0, torch ? 1 : 0, p);
    }
    assertEquals(summary.ratios.length, torch ? 1 : 0);
    if (torch) {
      assertEquals(summary.ratios[0].perProcess.length, 2);
      assertMatch(r.stdout, /over 2 processes of 1 pairs each/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "pairWithTorch times alternating blocks against a warm torch process and reports the pairs' median ratio",
  ignore: !torchInstalled,
  fn: async () => {
    await startBackend("wasm");
    const peer = await TorchPeer.start(1, 1);
    if (!peer) throw new Error("torch_gan.py --serve did not start");
    try {
      const c = benchCases("mlp-tf1", 8)[0]!;
      const data = await loadTrainingImages("mnist", c.pixelRange);
      const r = await pairWithTorch(peer, c, data, { pairs: 3, repeats: 2, warmup: 1, threads: 1 });
      assertEquals([r.arch, r.batchSize, r.pairs, r.repeats, r.threads], ["mlp-tf1", 8, 3, 2, 1]);
      assert(r.harnessMs > 0 && r.torchMs > 0, JSON.stringify(r));
      assert(r.ratioMin <= r.ratio && r.ratio <= r.ratioMax, JSON.stringify(r));
      // The process keeps its case: a second request answers with as many times as asked.
      assertEquals((await peer.times("mlp-tf1", 8, 4)).length, 4);
      // And times other image shapes when asked for one.
      assertEquals((await peer.times("dcgan", 2, 1, [32, 32, 3])).length, 1);
    } finally {
      await peer.close();
    }
  },
});

Deno.test("warmEngine trains untimed iterations keeping no tensors, and with 0 does nothing", async () => {
  await startBackend("wasm");
  assertEquals(await warmEngine(0), 0);
  const before = tf.memory().numTensors;
  const ms = await warmEngine(3);
  assert(ms > 0, `took ${ms} ms`);
  assertEquals(tf.memory().numTensors, before);
});

Deno.test({
  name: "torch_gan.py builds the harness's dcgan at 32 and 64 px (FLOPs, params, 2 D passes), OpenBLAS's threads apart",
  ignore: !torchInstalled,
  fn: async () => {
    await startBackend("wasm");
    const json = await Deno.makeTempFile({ suffix: ".json" });
    try {
      const args = ["bench/reference/torch_gan.py", "--device", "cpu", "--threads", "2", "--blas-threads", "1"];
      args.push("--arch", "dcgan,dcgan-gia");
      const out = await new Deno.Command(TORCH_PYTHON, {
        args: [...args, "--batch", "2", "--warmup", "0", "--repeats", "1", "--json", json],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert(out.success, stderr);
      assert(!/WARNING/.test(stderr), stderr); // its own HARNESS table agrees
      const written = JSON.parse(await Deno.readTextFile(json));
      // torch's own threads and OpenBLAS's as asked (what bench --torch-blas-threads passes on)
      assertMatch(written.deviceName, /, 2 threads$/);
      if (written.blas?.openblas) assertEquals(written.blas.openblasThreads, 1);
      const results = written.results as Array<{
        arch: string;
        image: number[];
        forwardFlopsPerSample: { generator: number; discriminator: number };
        params: { generator: number; discriminator: number };
        dStepPasses: number;
        matchesHarness: boolean;
      }>;
      assertEquals(results.map((r) => `${r.arch} ${r.image.join("x")}`), [
        "dcgan 32x32x3",
        "dcgan 64x64x3",
        "dcgan-gia 28x28x1",
      ]);
      for (const [i, c] of benchCases("dcgan").entries()) {
        // The harness's own networks, counted now (not the copy in torch_gan.py's HARNESS table).
        const ctx = { noiseDim: c.noiseDim, imageShape: c.imageShape, pixelRange: c.pixelRange };
        const g = getArch("dcgan")!.generator(ctx);
        const d = getArch("dcgan")!.discriminator(ctx);
        const t = results[i]!;
        assertEquals(
          [t.forwardFlopsPerSample.generator, t.forwardFlopsPerSample.discriminator, t.params],
          [forwardFlops(g), forwardFlops(d), { generator: g.countParams(), discriminator: d.countParams() }],
          caseName(c),
        );
        assert(t.matchesHarness, caseName(c));
        g.dispose();
        d.dispose();
      }
      // D with BatchNorm sees real and fake apart, as lib/train/steps.ts runs it; dcgan-gia's D has none.
      assertEquals(results.map((r) => r.dStepPasses), [2, 2, 1]);
    } finally {
      await Deno.remove(json);
    }
  },
});
