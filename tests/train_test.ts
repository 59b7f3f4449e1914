import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { decode } from "fast-png";
import { startBackend } from "../lib/tfjs/backend.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import { resolveConfig } from "../lib/experiment/config.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import { discriminatorStep, generatorStep } from "../lib/train/steps.ts";
import "../lib/tfjs/kernels_setup.ts";
import { runDeno } from "./_files.ts";
import { disposeGan, oneStep, tinyGan } from "./_one_step.ts";
import { metricLines, tinyRun, trajectory } from "./_train_helpers.ts";
import "../lib/train/builtins.ts";

for (const arch of ["mlp-keras", "mlp-pytorch", "mlp-tf1"]) {
  Deno.test({
    name: `a short real MNIST run of ${arch} on wasm logs finite losses and writes sample grids`,
    fn: async () => {
      await startBackend("wasm");
      const runDir = await Deno.makeTempDir();
      const pixelRange = arch === "mlp-tf1" ? "[0,1]" : "[-1,1]";
      const run = tinyRun({
        arch,
        pixelRange,
        noiseDim: 16,
        sampleGrid: [2, 3],
      });
      const tensorsBefore = tf.memory().numTensors;
      const outcome = await trainRun(run, {
        runDir,
        data: await loadTrainingImages("mnist", pixelRange),
      });
      assertEquals(
        tf.memory().numTensors,
        tensorsBefore,
        "every tensor of the run is disposed",
      );
      assertEquals(outcome.status, "completed");
      const lines = await metricLines(runDir);
      const steps = lines.filter((l) => l.kind === "step");
      assertEquals(steps.map((l) => l.step), [2, 4, 6]);
      for (const l of steps) {
        for (const k of ["dLoss", "gLoss", "dReal", "dFake", "dAcc", "ms"]) {
          assert(Number.isFinite(l[k]), `${k} = ${l[k]}`);
        }
      }
      const samples = lines.filter((l) => l.kind === "sample").map((l) => l.path);
      assertEquals(samples, [
        "samples/step-000000.png",
        "samples/step-000003.png",
        "samples/step-000006.png",
      ]);
      const png = decode(
        await Deno.readFile(`${runDir}/samples/step-000006.png`),
      );
      assertEquals([png.width, png.height], [3 * 28 + 4 * 2, 2 * 28 + 3 * 2]);
      assert((await Deno.stat(`${runDir}/samples/progress.gif`)).size > 100);
      const model = JSON.parse(
        await Deno.readTextFile(`${runDir}/generator/model.json`),
      );
      assertEquals(model.format, "layers-model");
      assertEquals(
        JSON.parse(await Deno.readTextFile(`${runDir}/status.json`)).status,
        "completed",
      );
      await Deno.remove(runDir, { recursive: true });
    },
  });
}

Deno.test({
  name: "the live tensor count is the same after every step with logging, sampling, evaluation and checkpoints all on",
  fn: async () => {
    await startBackend("wasm");
    const runDir = await Deno.makeTempDir();
    const run = tinyRun({
      steps: 12,
      logEvery: 1,
      sampleEvery: 2,
      evalEvery: 4,
      evalSamples: 100,
      checkpointEvery: 3,
      noiseDim: 16,
    });
    const data = await loadTrainingImages("mnist", "[-1,1]");
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const outcome = await trainRun(run, { runDir, data, onProgress: () => counts.push(tf.memory().numTensors) });
    assertEquals(outcome.status, "completed");
    assertEquals(counts.length, 12);
    assertEquals(new Set(counts).size, 1, `live tensors after each step: ${counts.join(", ")}`);
    assertEquals(tf.memory().numTensors, before, "every tensor of the run is disposed");
    const lines = await metricLines(runDir);
    // Evaluations and checkpoints really happened between those steps.
    assertEquals(lines.filter((l) => l.kind === "eval").map((l) => l.step), [4, 8, 12]);
    assert((await Deno.stat(`${runDir}/checkpoint.bin`)).size > 0);
    await Deno.remove(runDir, { recursive: true });
  },
});

Deno.test({
  name: "the same config, seed and backend give identical losses; another seed does not",
  fn: async () => {
    await startBackend("wasm");
    const data = await loadTrainingImages("mnist", "[-1,1]");
    const once = async (seed: number) => {
      const runDir = await Deno.makeTempDir();
      await trainRun(tinyRun({ seed, noiseDim: 10 }), { runDir, data });
      const t = trajectory(await metricLines(runDir));
      await Deno.remove(runDir, { recursive: true });
      return t;
    };
    const a = await once(7);
    assertEquals(await once(7), a);
    assertNotEquals(await once(8), a);
  },
});

Deno.test({
  name: "a step budget with sampling and checkpoint cadences left unset samples and checkpoints once an epoch",
  fn: async () => {
    await startBackend("wasm");
    const runDir = await Deno.makeTempDir();
    // 256 images at batch 32: 8 steps an epoch.
    const run = tinyRun({ steps: 20, noiseDim: 10, sampleEvery: null, checkpointEvery: null });
    await trainRun(run, { runDir, data: await loadTrainingImages("mnist", "[-1,1]") });
    const samples = (await metricLines(runDir)).filter((l) => l.kind === "sample").map((l) => l.step);
    assertEquals(samples, [0, 8, 16, 20]);
    // checkpoint.bin is the final one (step 20); the one before it is kept as checkpoint.prev.bin.
    await Deno.remove(`${runDir}/checkpoint.bin`);
    const checkpoint = await loadCheckpoint(runDir, () => {});
    assertEquals(checkpoint?.state.step, 16, "the checkpoint before the last is epoch 2's, not step 19's");
    tf.dispose(Object.values(checkpoint?.groups ?? {}).flat().map((g) => g.tensor));
    assertEquals([resolveConfig({}).sampleEvery, resolveConfig({}).checkpointEvery], [null, null]);
    await Deno.remove(runDir, { recursive: true });
  },
});

Deno.test({
  name: "an epoch budget that ends part-way through an epoch names its last sample by its step",
  fn: async () => {
    await startBackend("wasm");
    const runDir = await Deno.makeTempDir();
    // 8 steps an epoch; 2 epochs counted in D updates at 5 per G update: 4 iterations, half an epoch.
    const run = tinyRun({ steps: null, epochs: 2, budgetIn: "dSteps", nCritic: 5, noiseDim: 10, sampleEvery: 1 });
    await trainRun(run, { runDir, data: await loadTrainingImages("mnist", "[-1,1]") });
    const samples = (await metricLines(runDir)).filter((l) => l.kind === "sample").map((l) => l.path);
    assertEquals(samples, ["samples/epoch-0000.png", "samples/step-000004.png"]);
    const files = [...Deno.readDirSync(`${runDir}/samples`)].map((e) => e.name).filter((n) => n.endsWith(".png"));
    assertEquals(files.sort(), ["epoch-0000.png", "step-000004.png"]);
    await Deno.remove(runDir, { recursive: true });
  },
});

const settings = { loss: "bce", realTarget: 0.9, dLossReduce: "sum" } as const;

Deno.test({
  name: "training steps leak no tensors: numTensors is stable from step to step",
  fn: async () => {
    await startBackend("wasm");
    const gan = tinyGan(1);
    const real = tf.randomUniform([16, 28, 28, 1], -1, 1);
    const noise = tf.randomNormal([16, 8]);
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const d = discriminatorStep(gan, real, noise, settings);
      const g = generatorStep(gan, noise, settings);
      await d.data();
      tf.dispose([d, g]);
      counts.push(tf.memory().numTensors);
    }
    // The first step creates Adam's moment slots; from then on the count must not move.
    assertEquals(counts.slice(1), [
      counts[1]!,
      counts[1]!,
      counts[1]!,
      counts[1]!,
    ]);
    tf.dispose([real, noise]);
    disposeGan(gan);
  },
});

Deno.test({
  name: "a D step leaves G's weights untouched and a G step leaves D's untouched",
  fn: async () => {
    await startBackend("wasm");
    const gan = tinyGan(2);
    const snapshot = (m: tf.LayersModel) => Promise.all(m.weights.map((w) => w.read().data()));
    const real = tf.randomUniform([16, 28, 28, 1], -1, 1);
    const noise = tf.randomNormal([16, 8]);
    const g0 = await snapshot(gan.generator);
    const d0 = await snapshot(gan.discriminator);
    tf.dispose(discriminatorStep(gan, real, noise, settings));
    assertEquals(await snapshot(gan.generator), g0);
    const d1 = await snapshot(gan.discriminator);
    assertNotEquals(d1, d0);
    tf.dispose(generatorStep(gan, noise, settings));
    assertEquals(await snapshot(gan.discriminator), d1);
    assertNotEquals(await snapshot(gan.generator), g0);
    tf.dispose([real, noise]);
    disposeGan(gan);
  },
});

Deno.test({
  name: "one training step agrees on cpu, wasm and webgpu (llvmpipe) within 1e-3",
  fn: async () => {
    const results: Record<string, number[]> = { cpu: await oneStep("cpu"), wasm: await oneStep("wasm") };
    // WebGPU in a process of its own (see tests/_one_step.ts for why).
    const child = await runDeno(["run", "--allow-read", "--allow-env", "tests/_one_step.ts", "webgpu"]);
    const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (line) {
      results.webgpu = JSON.parse(line.slice(7));
      if (child.code !== 0) console.warn(`parity: the webgpu process crashed after its result (exit ${child.code})`);
    } else if (/no adapter/.test(child.stderr)) {
      // CI installs Mesa's llvmpipe, so this only happens on machines without any adapter.
      console.warn(`parity: skipping webgpu: ${child.stderr.trim().split("\n").at(-1)}`);
    } else {
      throw new Error(`the webgpu step failed (exit ${child.code}): ${child.stderr.slice(-2000)}`);
    }
    for (const backend of ["wasm", "webgpu"].filter((b) => results[b])) {
      results[backend]!.forEach((v, i) => {
        const ref = results.cpu![i]!;
        assert(Math.abs(v - ref) <= 1e-3 * Math.max(1, Math.abs(ref)), `${backend}[${i}] = ${v}, cpu = ${ref}`);
      });
    }
    await startBackend("wasm");
  },
});

Deno.test({
  name:
    "a resume refuses a metrics.jsonl that is missing or shorter than its checkpoint recorded, and pads it with no NUL",
  fn: async () => {
    await startBackend("wasm");
    const data = await loadTrainingImages("mnist", "[-1,1]");
    const run = tinyRun({ noiseDim: 10, steps: 6, logEvery: 1 });
    const runDir = await Deno.makeTempDir();
    let steps = 0;
    assertEquals((await trainRun(run, { runDir, data, shouldStop: () => ++steps >= 4 })).status, "stopped");
    const log = await Deno.readFile(`${runDir}/metrics.jsonl`);

    await Deno.remove(`${runDir}/metrics.jsonl`);
    await assertRejects(() => trainRun(run, { runDir, data }), Error, "metrics.jsonl: missing, but");

    await Deno.writeFile(`${runDir}/metrics.jsonl`, log.subarray(0, log.length - 10));
    const e = await assertRejects(() => trainRun(run, { runDir, data }), Error, "shorter than the");
    assertMatch(e.message, /delete the run folder/);
    const after = await Deno.readFile(`${runDir}/metrics.jsonl`);
    assert(!after.includes(0), "no NUL bytes were written into the log");
    assertEquals(after.length, log.length - 10, "the log is left as it was");
    await Deno.remove(runDir, { recursive: true });
  },
});
