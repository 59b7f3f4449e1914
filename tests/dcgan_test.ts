import { assert, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { decode } from "fast-png";
import { type ArchContext, getArch } from "../lib/archs/registry.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { trainRun } from "../lib/train/loop.ts";
import { loadTrainingImages } from "../lib/data/training_images.ts";
import { buildGan } from "../lib/train/gan.ts";
import { type Probe, twoIterations } from "./_two_iterations.ts";
import type { StepSettings } from "../lib/train/steps.ts";
import "../lib/tfjs/kernels_setup.ts";
import { metricLines, tinyRun } from "./_train_helpers.ts";
import "../lib/train/builtins.ts";

const mnist: ArchContext = { noiseDim: 100, imageShape: [28, 28, 1], pixelRange: "[-1,1]" };

// Parameter counts as Keras's model.summary() gives them, by hand. BatchNorm has
// gamma and beta (trainable) and a moving mean and variance (not) per channel.
const bn = (c: number) => ({ trainable: 2 * c, all: 4 * c });
const expected = {
  "dcgan-tf": {
    generator: (() => {
      const dense = 100 * 7 * 7 * 256; // no bias
      const convs = 5 * 5 * 256 * 128 + 5 * 5 * 128 * 64 + 5 * 5 * 64 * 1; // no biases
      const norms = [bn(7 * 7 * 256), bn(128), bn(64)];
      return {
        all: dense + convs + norms.reduce((s, n) => s + n.all, 0), // 2,330,944
        trainable: dense + convs + norms.reduce((s, n) => s + n.trainable, 0), // 2,305,472
      };
    })(),
    // Conv 5x5 1→64 (+64), conv 5x5 64→128 (+128), dense 7·7·128 → 1 (+1): 212,865.
    discriminator: 5 * 5 * 1 * 64 + 64 + 5 * 5 * 64 * 128 + 128 + 7 * 7 * 128 + 1,
  },
  "dcgan-gia": {
    generator: (() => {
      const dense = 100 * 256 * 7 * 7 + 256 * 7 * 7;
      const convs = 3 * 3 * 256 * 128 + 128 + 3 * 3 * 128 * 64 + 64 + 3 * 3 * 64 * 1 + 1;
      const norms = [bn(128), bn(64)];
      return {
        all: dense + convs + norms.reduce((s, n) => s + n.all, 0), // 1,637,121
        trainable: dense + convs + norms.reduce((s, n) => s + n.trainable, 0), // 1,636,737
      };
    })(),
    // Three 3x3 convs with biases (28 → 14 → 7 → 4, 'same'), dense 4·4·128 → 1: 94,721.
    discriminator: 3 * 3 * 1 * 32 + 32 + 3 * 3 * 32 * 64 + 64 + 3 * 3 * 64 * 128 + 128 + 4 * 4 * 128 + 1,
  },
} as const;

const countTrainable = (m: tf.LayersModel) =>
  m.trainableWeights.reduce((s, w) => s + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);

for (const name of ["dcgan-tf", "dcgan-gia"] as const) {
  Deno.test({
    name: `${name} has the parameter counts Keras gives for its post's model`,
    fn: async () => {
      await startBackend("wasm");
      const arch = getArch(name)!;
      const g = arch.generator(mnist);
      const d = arch.discriminator(mnist);
      const e = expected[name];
      console.log(
        `${name}: G ${g.countParams()} (${countTrainable(g)} trainable), D ${d.countParams()}`,
      );
      assertEquals(g.countParams(), e.generator.all);
      assertEquals(countTrainable(g), e.generator.trainable);
      assertEquals(d.countParams(), e.discriminator);
      assertEquals(countTrainable(d), e.discriminator);
      assertEquals(g.outputs[0]!.shape, [null, 28, 28, 1]);
      assertEquals(d.outputs[0]!.shape, [null, 1]);
      g.dispose();
      d.dispose();
    },
  });
}

Deno.test({
  name: "the DCGAN generators end in tanh for [-1,1] and sigmoid for [0,1], and reject sizes not divisible by 4",
  fn: async () => {
    await startBackend("wasm");
    for (const name of ["dcgan-tf", "dcgan-gia"]) {
      const arch = getArch(name)!;
      for (const [pixelRange, act] of [["[-1,1]", "tanh"], ["[0,1]", "sigmoid"]] as const) {
        const g = arch.generator({ ...mnist, pixelRange });
        const last = g.layers.at(-1)!.getConfig();
        assertEquals(last.activation, act, `${name} ${pixelRange}`);
        g.dispose();
      }
      assertThrows(() => arch.generator({ ...mnist, imageShape: [30, 30, 1] }), RangeError, "divisible by 4");
    }
  },
});

for (const [arch, batching] of [["dcgan-tf", "shuffle"], ["dcgan-gia", "random"]] as const) {
  Deno.test({
    name:
      `a short real MNIST run of ${arch} (${batching} batches) on wasm logs finite losses, writes sample grids, leaks no tensors`,
    fn: async () => {
      await startBackend("wasm");
      const runDir = await Deno.makeTempDir();
      const run = tinyRun({
        arch,
        batching,
        noiseDim: 100,
        trainSize: 64,
        batchSize: 8,
        steps: 4,
        logEvery: 2,
        sampleEvery: 2,
        sampleGrid: [2, 2],
      });
      const data = await loadTrainingImages("mnist", "[-1,1]");
      const tensorsBefore = tf.memory().numTensors;
      const outcome = await trainRun(run, { runDir, data });
      assertEquals(tf.memory().numTensors, tensorsBefore, "every tensor of the run is disposed");
      assertEquals(outcome.status, "completed");
      const lines = await metricLines(runDir);
      const steps = lines.filter((l) => l.kind === "step");
      assertEquals(steps.map((l) => l.step), [2, 4]);
      for (const l of steps) {
        for (const k of ["dLoss", "gLoss", "dReal", "dFake", "dAcc"]) {
          assert(Number.isFinite(l[k]), `${k} = ${l[k]}`);
        }
      }
      const samples = lines.filter((l) => l.kind === "sample").map((l) => l.path);
      assertEquals(samples, ["samples/step-000000.png", "samples/step-000002.png", "samples/step-000004.png"]);
      const png = decode(await Deno.readFile(`${runDir}/samples/step-000004.png`));
      assertEquals([png.width, png.height], [2 * 28 + 3 * 2, 2 * 28 + 3 * 2]);
      await Deno.remove(runDir, { recursive: true });
    },
  });
}

/** A DCGAN on tiny images. */
function probe(name: string): Probe {
  const ctx: ArchContext = { noiseDim: 8, imageShape: [8, 8, 1], pixelRange: "[-1,1]" };
  const settings: StepSettings = { loss: "bce", realTarget: 1, dLossReduce: "sum" };
  const spec = { arch: name, lrD: 1e-3, lrG: 1e-3, beta1: 0.9, beta2: 0.999, adamEpsilon: 1e-7 };
  return { ctx, noise: "normal", build: () => ({ gan: buildGan(spec, ctx), settings }) };
}

for (const name of ["dcgan-tf", "dcgan-gia"]) {
  Deno.test({
    name: `two ${name} training iterations agree on cpu and wasm within 1e-3`,
    fn: async () => {
      const cpu = await twoIterations("cpu", probe(name));
      const wasm = await twoIterations("wasm", probe(name));
      assertEquals(wasm.length, cpu.length);
      const worst = Math.max(...wasm.map((v, i) => Math.abs(v - cpu[i]!) / Math.max(1, Math.abs(cpu[i]!))));
      console.log(`${name}: ${cpu.length} numbers, largest difference ${worst.toExponential(2)}`);
      wasm.forEach((v, i) => {
        const ref = cpu[i]!;
        assert(Math.abs(v - ref) <= 1e-3 * Math.max(1, Math.abs(ref)), `wasm[${i}] = ${v}, cpu = ${ref}`);
      });
    },
  });
}
