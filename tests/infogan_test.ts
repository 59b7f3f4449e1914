import { assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { type ArchContext, getArch } from "../lib/archs/registry.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import "../lib/tfjs/kernels_setup.ts";
import { trainTiny } from "./_train_helpers.ts";
import { buildGan } from "../lib/train/gan.ts";
import { type Probe, twoIterations } from "./_two_iterations.ts";
import type { StepSettings } from "../lib/train/steps.ts";
import "../lib/train/builtins.ts";

const mnist: ArchContext = { noiseDim: 64, imageShape: [28, 28, 1], pixelRange: "[0,1]" };

// compare_gan's layers at 623f646 (abstract_gan.py), by hand: every dense and (de)conv layer has a bias; BatchNorm
// has γ, β and a moving mean and variance per channel.
const bn = (c: number) => 4 * c;
const GENERATOR = 64 * 1024 + 1024 + bn(1024) + 1024 * 128 * 7 * 7 + 128 * 7 * 7 + bn(128 * 7 * 7) +
  4 * 4 * 128 * 64 + 64 + bn(64) + 4 * 4 * 64 * 1 + 1;
const DISCRIMINATOR = 4 * 4 * 1 * 64 + 64 + 4 * 4 * 64 * 128 + 128 + 128 * 7 * 7 * 1024 + 1024 + 1024 + 1;
const D_NORMS = bn(128) + bn(1024);

Deno.test("infogan has compare_gan's parameter counts, with and without BatchNorm in D", async () => {
  await startBackend("wasm");
  const arch = getArch("infogan")!;
  const g = arch.generator(mnist);
  const withBn = arch.discriminator(mnist);
  const without = arch.discriminator({ ...mnist, options: { discriminatorBatchNorm: false } });
  try {
    assertEquals(g.countParams(), GENERATOR);
    assertEquals(withBn.countParams(), DISCRIMINATOR + D_NORMS, "BatchNorm in D is the default");
    assertEquals(without.countParams(), DISCRIMINATOR);
    assertEquals(g.outputs[0]!.shape, [null, 28, 28, 1]);
    assertEquals(without.outputs[0]!.shape, [null, 1]);
    const colour = arch.generator({ ...mnist, imageShape: [32, 32, 3] });
    assertEquals(colour.outputs[0]!.shape, [null, 32, 32, 3]);
    colour.dispose();
  } finally {
    tf.dispose([g, withBn, without] as unknown as tf.Tensor[]);
  }
  assertThrows(() => arch.generator({ ...mnist, imageShape: [30, 30, 1] }), RangeError, "multiples of 4");
});

for (const discriminatorBatchNorm of [true, false]) {
  Deno.test(`infogan (BatchNorm in D: ${discriminatorBatchNorm}) trains the same trajectory twice, leaking nothing`, async () => {
    const overrides = {
      arch: "infogan",
      discriminatorBatchNorm,
      noise: "uniform",
      pixelRange: "[0,1]",
      noiseDim: 64,
      batchSize: 16,
      steps: 4,
      logEvery: 2,
    } as const;
    const a = await trainTiny("wasm", overrides);
    const b = await trainTiny("wasm", overrides);
    assertEquals(a.steps, b.steps);
    assertEquals(a.steps.length, 2);
    await Deno.remove(a.runDir, { recursive: true });
    await Deno.remove(b.runDir, { recursive: true });
  });
}

/** infogan on 8×8 images (the cpu backend is slow at 28×28). */
const probe = (discriminatorBatchNorm: boolean): Probe => {
  const ctx: ArchContext = { noiseDim: 8, imageShape: [8, 8, 1], pixelRange: "[0,1]" };
  const spec = { arch: "infogan", lrD: 1e-3, lrG: 1e-3, beta1: 0.5, beta2: 0.999, adamEpsilon: 1e-7 };
  const settings: StepSettings = { loss: "bce", realTarget: 1, dLossReduce: "sum" };
  return {
    ctx,
    noise: "uniform",
    build: () => ({ gan: buildGan({ ...spec, discriminatorBatchNorm } as typeof spec, ctx), settings }),
  };
};

Deno.test("two infogan iterations agree on cpu and wasm within 1e-3, with and without BatchNorm in D", async () => {
  const onCpu: number[][] = [];
  for (const bn of [true, false]) {
    const cpu = await twoIterations("cpu", probe(bn));
    const wasm = await twoIterations("wasm", probe(bn));
    assertEquals(wasm.length, cpu.length);
    wasm.forEach((v, i) => assertAlmostEquals(v, cpu[i]!, 1e-3 * Math.max(1, Math.abs(cpu[i]!)), `BN ${bn} [${i}]`));
    onCpu.push(cpu);
  }
  assertNotEquals(onCpu[0], onCpu[1], "the option reaches D: its BatchNorm changes the numbers");
});
