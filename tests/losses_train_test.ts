import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import type { PartialConfig } from "../lib/experiment/config.ts";
import "../lib/tfjs/kernels_setup.ts";
import { trainTiny as trainOn } from "./_train_helpers.ts";
import { runDeno } from "./_files.ts";
import "../lib/train/builtins.ts";

const train = (backend: "wasm" | "cpu", overrides: PartialConfig) => trainOn(backend, { noiseDim: 16, ...overrides });

const CASES: [string, PartialConfig][] = [
  ["hinge", { loss: "hinge" }],
  ["wgan, 3 critic steps", { loss: "wgan", nCritic: 3, clipValue: 0.02 }],
  ["wgan-gp, 2 critic steps", { loss: "wgan-gp", nCritic: 2 }],
  ["dragan", { loss: "dragan" }],
  ["wgan-gp on the DCGAN", { loss: "wgan-gp", arch: "dcgan-gia", batchSize: 16, steps: 2, logEvery: 1 }],
];

for (const [name, overrides] of CASES) {
  Deno.test(`${name} trains on wasm with finite losses, the same trajectory twice`, async () => {
    const first = await train("wasm", { arch: "mlp-pytorch", ...overrides });
    const second = await train("wasm", { arch: "mlp-pytorch", ...overrides });
    assert(first.steps.length > 0);
    for (const line of first.steps) {
      for (const k of ["dLoss", "gLoss", "dReal", "dFake", "dAcc"]) {
        assert(Number.isFinite(line[k]), `${k} = ${line[k]}`);
      }
    }
    assertEquals(second.steps, first.steps, "same seed, same log");
    await Deno.remove(first.runDir, { recursive: true });
    await Deno.remove(second.runDir, { recursive: true });
  });
}

Deno.test("wgan clips every discriminator weight to ±clipValue", async () => {
  const { runDir } = await train("wasm", { arch: "mlp-pytorch", loss: "wgan", nCritic: 2, clipValue: 0.015 });
  const checkpoint = await loadCheckpoint(runDir, () => {});
  if (!checkpoint) throw new Error("no final checkpoint");
  const d = checkpoint.groups.discriminator!;
  let largest = 0;
  for (const w of d) for (const v of await w.tensor.data()) largest = Math.max(largest, Math.abs(v));
  assert(largest <= 0.015 + 1e-7, `largest |w| ${largest}`);
  assert(largest > 0.01, "the clip is reached, not merely respected by small weights");
  tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
  await Deno.remove(runDir, { recursive: true });
});

Deno.test("critic steps and gradient penalties give the same numbers on cpu and wasm", async () => {
  const overrides: PartialConfig = { arch: "mlp-tf1", loss: "wgan-gp", nCritic: 2, steps: 2, logEvery: 1 };
  const onWasm = await train("wasm", overrides);
  const onCpu = await train("cpu", overrides);
  assertEquals(onCpu.steps.length, onWasm.steps.length);
  onCpu.steps.forEach((line, i) => {
    for (const k of ["dLoss", "gLoss", "dReal", "dFake"]) {
      const a = line[k] as number, b = onWasm.steps[i]![k] as number;
      assertAlmostEquals(b, a, 1e-3 * Math.max(1, Math.abs(a)), `step ${line.step} ${k}`);
    }
  });
  await Deno.remove(onWasm.runDir, { recursive: true });
  await Deno.remove(onCpu.runDir, { recursive: true });
});

/** Every loss the loop adds to bce and both conditional kinds, with critic steps and penalties, at tiny shapes. */
const WEBGPU_CASES: [string, PartialConfig][] = [
  ["hinge", { loss: "hinge" }],
  ["wgan, 2 critic steps", { loss: "wgan", nCritic: 2 }],
  ["wgan-gp, 2 critic steps", { loss: "wgan-gp", nCritic: 2 }],
  ["dragan", { loss: "dragan" }],
  ["cgan", { kind: "cgan" }],
  ["acgan with wgan-gp", { kind: "acgan", loss: "wgan-gp" }],
];

Deno.test("every loss and both conditional kinds train on webgpu (llvmpipe) as on cpu, within 1e-3", async () => {
  for (const [name, cases] of WEBGPU_CASES) {
    const overrides: PartialConfig = { arch: "mlp-tf1", noiseDim: 16, batchSize: 8, steps: 2, logEvery: 1, ...cases };
    const child = await runDeno([
      "run",
      "--allow-read",
      "--allow-write=/tmp",
      "--allow-env",
      "tests/_train_tiny.ts",
      "webgpu",
      JSON.stringify(overrides),
    ]);
    const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (line === undefined && /no adapter/.test(child.stderr)) {
      console.warn(`webgpu: skipped, ${child.stderr.trim().split("\n").at(-1)}`); // CI installs llvmpipe
      return;
    }
    if (line === undefined) {
      throw new Error(`${name} on webgpu failed (exit ${child.code}): ${child.stderr.slice(-2000)}`);
    }
    const onGpu = JSON.parse(line.slice(7)) as Record<string, unknown>[];
    const onCpu = await train("cpu", overrides);
    await Deno.remove(onCpu.runDir, { recursive: true });
    assertEquals(onGpu.length, onCpu.steps.length, name);
    onCpu.steps.forEach((cpuLine, i) => {
      for (const [k, v] of Object.entries(cpuLine)) {
        if (typeof v !== "number") continue;
        const g = onGpu[i]![k] as number;
        assert(Number.isFinite(g), `${name}: step ${cpuLine.step} ${k} = ${g} on webgpu`);
        assertAlmostEquals(g, v, 1e-3 * Math.max(1, Math.abs(v)), `${name}: step ${cpuLine.step} ${k}`);
      }
    });
  }
});
