import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import { D_STEP_NUMBERS, fusedDStepNumbers, type OutputScale } from "../lib/kernels/fused_step_stats.ts";
import "../lib/train/builtins.ts";

await setUpBackends();

/** lib/train/steps.ts's ops for the same numbers. */
function ops(loss: tf.Scalar, real: tf.Tensor, fake: tf.Tensor, { sigmoid, threshold }: OutputScale): tf.Tensor {
  const [pReal, pFake] = [real, fake].map((x) => sigmoid ? tf.sigmoid(x) : x) as [tf.Tensor, tf.Tensor];
  const correct = tf.sum(tf.cast(tf.greater(pReal, threshold), "float32"))
    .add(tf.sum(tf.cast(tf.lessEqual(pFake, threshold), "float32")));
  return tf.stack([loss, tf.mean(pReal), tf.mean(pFake), correct.div(2 * real.shape[0]!)]);
}

/** D's outputs with the edges: the threshold itself, ±0, NaN, ±∞, and random values around it. */
function outputs(n: number, seed: number, threshold: number): tf.Tensor2D {
  const edges = [threshold, 0, -0, NaN, Infinity, -Infinity, 30, -30];
  return tf.tensor2d(randomData(n, seed).map((v, i) => i < edges.length && n > 20 ? edges[i]! : v * 3), [n, 1]);
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

Deno.test("a D step's numbers on wasm are one kernel with the ops' bits", async () => {
  await tf.setBackend("wasm");
  for (
    const scale of [{ sigmoid: true, threshold: 0.5 }, { sigmoid: false, threshold: 0.5 }, {
      sigmoid: false,
      threshold: 0,
    }]
  ) {
    for (const n of [1, 7, 100, 129]) {
      const [loss, real, fake] = [tf.scalar(1.2345), outputs(n, 10 + n, scale.threshold), outputs(n, 20 + n, 0.5)];
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      const profile = await tf.profile(() => fusedDStepNumbers(loss, real, fake, scale)!);
      assertEquals(profile.kernelNames, [D_STEP_NUMBERS]);
      const fused = profile.result as tf.Tensor;
      const want = tf.tidy(() => ops(loss, real, fake, scale));
      assertEquals(bits(fused), bits(want), `${JSON.stringify(scale)}, n ${n}`);
      tf.dispose([fused, want]);
      assertEquals([tf.memory().numTensors, tf.backend().numDataIds()], before, "tensors or buffers kept");
      tf.dispose([loss, real, fake]);
    }
  }
});

Deno.test("the D step's numbers are left to the ops on cpu", async () => {
  await tf.setBackend("cpu");
  const [loss, real] = [tf.scalar(1), tf.ones([4, 1])];
  assertEquals(fusedDStepNumbers(loss, real, real, { sigmoid: true, threshold: 0.5 }), null);
  tf.dispose([loss, real]);
});
