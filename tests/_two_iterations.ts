// Two training iterations of a GAN on tiny images, every number out of them: the cpu-vs-wasm parity tests' probe.
import * as tf from "@tensorflow/tfjs";
import type { ArchContext } from "../lib/archs/registry.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { Rng, routeMathRandom } from "../lib/rng.ts";
import { disposeGan, ganIteration } from "../lib/train/gan.ts";
import type { Gan, StepSettings } from "../lib/train/steps.ts";
import "../lib/archs/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import "../lib/train/builtins.ts";

/** What the probe trains: a GAN built for `ctx`, its step settings, and the images' and noise's ranges. */
export interface Probe {
  ctx: ArchContext;
  build(): { gan: Gan; settings: StepSettings };
  /** Uniform noise in [−1, 1] (compare_gan's) or N(0, 1). */
  noise: "uniform" | "normal";
}

/**
 * Two iterations on a batch of 3 random images of `ctx.imageShape`, then G's output on fresh noise and a stateful
 * loss's state: every number, on `backend`. Math.random drives the initialisers: the same stream on each backend.
 */
export async function twoIterations(backend: "cpu" | "wasm", probe: Probe): Promise<number[]> {
  await startBackend(backend);
  const { noiseDim, imageShape, pixelRange } = probe.ctx;
  const restore = routeMathRandom(new Rng(11));
  try {
    const { gan, settings } = probe.build();
    const rng = new Rng(12);
    const size = imageShape[0] * imageShape[1] * imageShape[2];
    const low = pixelRange === "[-1,1]" ? -1 : 0;
    const real = tf.tensor4d(rng.fillUniform(new Float32Array(3 * size), low, 1), [3, ...imageShape]);
    const draw = () => {
      const z = new Float32Array(3 * noiseDim);
      return tf.tensor2d(probe.noise === "uniform" ? rng.fillUniform(z, -1, 1) : rng.fillNormal(z), [3, noiseDim]);
    };
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      const numbers = ganIteration(gan, real, draw, settings);
      out.push(...await numbers.data());
      numbers.dispose();
    }
    const z = draw();
    const probeOut = tf.tidy(() => gan.generator.predict(z) as tf.Tensor);
    out.push(...await probeOut.data());
    if (settings.lossState) out.push(...await settings.lossState.data());
    tf.dispose([probeOut, real, z, ...(settings.lossState ? [settings.lossState] : [])]);
    disposeGan(gan);
    return out;
  } finally {
    restore();
  }
}
