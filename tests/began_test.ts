import { assert, assertAlmostEquals, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { type ArchContext, getArch } from "../lib/archs/registry.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { buildGan } from "../lib/train/gan.ts";
import { type Probe, twoIterations } from "./_two_iterations.ts";
import { stepSettings } from "../lib/train/kinds/gan.ts";
import { resolveConfig } from "../lib/experiment/config.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { validateExperiment } from "../lib/experiment/validate.ts";
import { InputError } from "../lib/input_error.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import "../lib/tfjs/kernels_setup.ts";
import { trainTiny } from "./_train_helpers.ts";
import "../lib/train/builtins.ts";

/** compare_gan's BEGAN settings at MNIST's shape: pixels in [0, 1], z uniform, 64-d. */
const BEGAN = {
  arch: "infogan",
  loss: "began",
  pixelRange: "[0,1]",
  noise: "uniform",
  noiseDim: 64,
  batchSize: 16,
  steps: 4,
  logEvery: 2,
} as const;

Deno.test("infogan's energy D outputs each image's L1 reconstruction error, with compare_gan's parameter count", async () => {
  await startBackend("wasm");
  const ctx: ArchContext = { noiseDim: 64, imageShape: [28, 28, 1], pixelRange: "[0,1]" };
  const d = getArch("infogan")!.discriminator({ ...ctx, options: { discriminatorBatchNorm: false } }, true);
  try {
    // conv 1→64, conv 64→128, FC 6272→64, FC 64→6272, deconv 128→64, deconv 64→1, each with its bias.
    const params = 16 * 64 + 64 + 16 * 64 * 128 + 128 + 6272 * 64 + 64 + 64 * 6272 + 6272 + 16 * 128 * 64 + 64 +
      16 * 64 + 1;
    assertEquals(d.countParams(), params);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 5);
    const energy = d.predict(x) as tf.Tensor;
    const decoded = tf.model({ inputs: d.inputs, outputs: d.getLayer("l1_energy").input as tf.SymbolicTensor[] });
    const [recon] = decoded.predict(x) as tf.Tensor[];
    const expected = tf.mean(tf.abs(tf.sub(recon!, x)), [1, 2, 3]);
    assertEquals(energy.shape, [3, 1]);
    const [got, want] = [await energy.data(), await expected.data()];
    got.forEach((v, i) => assertAlmostEquals(v, want[i]!, 1e-6));
    tf.dispose([x, energy, recon!, expected]);
  } finally {
    d.dispose();
  }
});

Deno.test("planning refuses BEGAN on an architecture without an energy (autoencoder) D", async () => {
  const experiment = validateExperiment({ name: "b", base: { ...BEGAN, arch: "dcgan-gia" } }, "b.ts");
  const e = await planSweep(experiment, "b.ts").then(() => null, (e) => e);
  assert(e instanceof InputError);
  assertMatch(
    e.message,
    /loss began's D is an autoencoder \(an energy D\), which arch dcgan-gia does not offer; use infogan/,
  );
  const grid = validateExperiment({ name: "b", base: BEGAN, grid: { loss: ["bce", "began"] } }, "b.ts");
  assertEquals((await planSweep(grid, "b.ts")).runs.length, 2, "one grid over losses: BEGAN gets infogan's energy D");
});

Deno.test("BEGAN on infogan trains the same trajectory twice, and its k is in the checkpoint, moved off 0", async () => {
  const a = await trainTiny("wasm", { ...BEGAN, checkpointEvery: 0 });
  const b = await trainTiny("wasm", { ...BEGAN, checkpointEvery: 0 });
  assertEquals(a.steps, b.steps);
  for (const line of a.steps) {
    assert((line.dReal as number) > 0 && (line.dFake as number) > 0, "dReal and dFake are the energies L(x), L(G(z))");
  }
  const checkpoint = await loadCheckpoint(a.runDir, (m) => console.error(m));
  const k = checkpoint?.groups["kind:loss"]?.[0]?.tensor;
  if (!k) throw new Error("no loss state (kind:loss) in the checkpoint");
  const [value] = await k.data();
  assertNotEquals(value, 0, "k followed λ_k·(γ·L(x) − L(G(z))) each D step");
  tf.dispose(Object.values(checkpoint!.groups).flat().map((t) => t.tensor));
  await Deno.remove(a.runDir, { recursive: true });
  await Deno.remove(b.runDir, { recursive: true });
});

Deno.test("BEGAN logs k after each step's D update and its convergence measure M = L(x) + |γ·L(x) − L(G(z))|", async () => {
  const gamma = 0.5, lambdaK = 0.1;
  const run = await trainTiny("wasm", { ...BEGAN, logEvery: 1, gamma, lambdaK } as Parameters<typeof trainTiny>[1]);
  let k = 0;
  for (const line of run.steps) {
    const [real, fake] = [line.dReal as number, line.dFake as number];
    k += lambdaK * (gamma * real - fake);
    assertAlmostEquals(line.k as number, k, 5e-6, `k at step ${line.step}`);
    assertAlmostEquals(line.M as number, real + Math.abs(gamma * real - fake), 5e-6, `M at step ${line.step}`);
  }
  assertEquals(run.steps.length, 4);
  const bce = await trainTiny("wasm", { ...BEGAN, loss: "bce", arch: "dcgan-gia" });
  assert(!("k" in bce.steps[0]!) && !("M" in bce.steps[0]!), "a loss without state logs only the step's numbers");
  await Deno.remove(run.runDir, { recursive: true });
  await Deno.remove(bce.runDir, { recursive: true });
});

/** BEGAN on 8×8 images, λ_k raised so k moves visibly in two steps. */
const probe: Probe = {
  ctx: { noiseDim: 8, imageShape: [8, 8, 1], pixelRange: "[0,1]" },
  noise: "uniform",
  build() {
    const config = resolveConfig({ ...BEGAN, noiseDim: 8, lambdaK: 0.01 } as Parameters<typeof resolveConfig>[0]);
    return { gan: buildGan(config, this.ctx), settings: stepSettings(config) };
  },
};

Deno.test("two BEGAN iterations agree on cpu and wasm within 1e-3, k included", async () => {
  const cpu = await twoIterations("cpu", probe);
  const wasm = await twoIterations("wasm", probe);
  assertEquals(wasm.length, cpu.length);
  wasm.forEach((v, i) => assertAlmostEquals(v, cpu[i]!, 1e-3 * Math.max(1, Math.abs(cpu[i]!)), `[${i}]`));
  assertNotEquals(cpu.at(-1), 0, "k moved");
});
