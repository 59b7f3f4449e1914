// One seeded training step of a small GAN on a given backend, shared by the
// backend parity test. Run as a script (`deno run ... tests/_one_step.ts webgpu`)
// it prints `RESULT <json>` before exiting, so the WebGPU half of the parity
// test runs in its own process: Mesa/wgpu device teardown at process exit has
// aborted the whole test runner here (malloc heap corruption after all tests
// passed), and a separate process keeps that out of the runner.
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, startBackend } from "../lib/tfjs/backend.ts";
import { buildGan, disposeGan, ganIteration } from "../lib/train/gan.ts";
import { Rng, routeMathRandom } from "../lib/rng.ts";
import type { Gan } from "../lib/train/steps.ts";
import "../lib/archs/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import "../lib/train/builtins.ts";

export { disposeGan };

/** The small seeded GAN of these tests (the seed-001 MLP with 8-d noise, Adam at 2e-4 and beta1 0.5). */
export function tinyGan(seed: number): Gan {
  const ctx = { noiseDim: 8, imageShape: [28, 28, 1] as [number, number, number], pixelRange: "[-1,1]" as const };
  const restore = routeMathRandom(new Rng(seed));
  try {
    const adam = { lrD: 2e-4, lrG: 2e-4, beta1: 0.5, beta2: 0.999, adamEpsilon: 1e-7 };
    return buildGan({ arch: "mlp-pytorch", ...adam }, ctx);
  } finally {
    restore();
  }
}

/** The iteration's numbers and 64 generated pixels after one seeded iteration on `backend`. */
export async function oneStep(backend: BackendChoice): Promise<number[]> {
  await startBackend(backend);
  const gan = tinyGan(3);
  const rng = new Rng(4);
  const real = tf.tensor4d(rng.fillUniform(new Float32Array(8 * 784), -1, 1), [8, 28, 28, 1]);
  const noise = () => tf.tensor2d(rng.fillNormal(new Float32Array(8 * 8)), [8, 8]);
  const settings = { loss: "bce", realTarget: 0.9, dLossReduce: "sum" } as const;
  const numbers = ganIteration(gan, real, noise, settings);
  const z = noise();
  const probe = tf.tidy(() => gan.generator.predict(z) as tf.Tensor);
  const out = [...(await numbers.data()), ...(await probe.data()).slice(0, 64)];
  tf.dispose([numbers, probe, real, z]);
  disposeGan(gan);
  return out;
}

if (import.meta.main) {
  const values = await oneStep(Deno.args[0] as BackendChoice);
  console.log(`RESULT ${JSON.stringify(values)}`);
}
