// One seeded training step of a small GAN on a given backend, shared by the
// backend parity test. Run as a script (`deno run ... tests/_one_step.ts webgpu`)
// it prints `RESULT <json>` before exiting, so the WebGPU half of the parity
// test runs in its own process: Mesa/wgpu device teardown at process exit has
// aborted the whole test runner here (malloc heap corruption after all tests
// passed), and a separate process keeps that out of the runner.
import * as tf from "@tensorflow/tfjs";
import { getArch } from "../lib/archs/registry.ts";
import { type BackendChoice, startBackend } from "../lib/tfjs/backend.ts";
import { Rng, routeMathRandom } from "../lib/train/rng.ts";
import { discriminatorStep, type Gan, generatorStep } from "../lib/train/steps.ts";
import "../lib/archs/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";

/** The small seeded GAN of these tests (the seed-001 MLP with 8-d noise). */
export function tinyGan(seed: number): Gan {
  const ctx = { noiseDim: 8, imageShape: [28, 28, 1] as [number, number, number], pixelRange: "[-1,1]" as const };
  const restore = routeMathRandom(new Rng(seed));
  try {
    const arch = getArch("mlp-pytorch")!;
    return {
      generator: arch.generator(ctx),
      discriminator: arch.discriminator(ctx),
      optD: tf.train.adam(2e-4, 0.5),
      optG: tf.train.adam(2e-4, 0.5),
    };
  } finally {
    restore();
  }
}

/** Dispose a GAN's models and optimisers. */
export function disposeGan(g: Gan): void {
  for (const x of [g.generator, g.discriminator, g.optD, g.optG]) x.dispose();
}

/** D stats, G loss and 64 generated pixels after one seeded step on `backend`. */
export async function oneStep(backend: BackendChoice): Promise<number[]> {
  await startBackend(backend);
  const gan = tinyGan(3);
  const rng = new Rng(4);
  const real = tf.tensor4d(rng.fillUniform(new Float32Array(8 * 784), -1, 1), [8, 28, 28, 1]);
  const noise = tf.tensor2d(rng.fillNormal(new Float32Array(8 * 8)), [8, 8]);
  const settings = { loss: "bce", realTarget: 0.9, dLossReduce: "sum" } as const;
  const d = discriminatorStep(gan, real, noise, settings);
  const g = generatorStep(gan, noise, settings);
  const probe = tf.tidy(() => gan.generator.predict(noise) as tf.Tensor);
  const out = [...(await d.data()), ...(await g.data()), ...(await probe.data()).slice(0, 64)];
  tf.dispose([d, g, probe, real, noise]);
  disposeGan(gan);
  return out;
}

if (import.meta.main) {
  const values = await oneStep(Deno.args[0] as BackendChoice);
  console.log(`RESULT ${JSON.stringify(values)}`);
}
