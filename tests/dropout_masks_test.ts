import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertNotEquals } from "@std/assert";
import { setUpBackends } from "./_kernel_parity.ts";
import { fillDropoutMultipliers } from "../lib/tfjs/dropout_masks.ts";
import { Rng, routeMathRandom } from "../lib/rng.ts";

await setUpBackends();

/** Run `fn` with Math.random routed through a fresh Rng(seed); return its result and the stream's next value. */
function seeded<T>(seed: number, fn: () => T): [T, number] {
  const rng = new Rng(seed);
  const restore = routeMathRandom(rng);
  try {
    return [fn(), rng.next()];
  } finally {
    restore();
  }
}

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** D-like use: the layer's output and the gradient of sum(dropout(x)·x) with respect to x. */
function outputAndGradient(drop: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor[] {
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(drop(v), v)))(x);
  return [drop(x), grad];
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`Dropout layer on ${backend}: tf.dropout's output and gradient to the bit, one Math.random each`, async () => {
    await tf.setBackend(backend);
    // Signed zeros and a NaN too: dropped values are x·0, as tfjs computes them.
    const edges = tf.tensor4d([-0, 0, NaN], [1, 1, 1, 3]);
    const x = tf.tidy(() => tf.randomNormal([33, 7, 5, 3], 0, 1, "float32", 3).concat(tf.tile(edges, [1, 7, 5, 1])));
    edges.dispose();
    for (const rate of [0.3, 0.5, 0.01, 0.99]) {
      const layer = tf.layers.dropout({ rate });
      const before = tf.memory().numTensors;
      const [want, wantNext] = seeded(11, () => tf.tidy(() => outputAndGradient((v) => tf.dropout(v, rate), x)));
      const [got, gotNext] = seeded(
        11,
        () => tf.tidy(() => outputAndGradient((v) => layer.apply(v, { training: true }) as tf.Tensor, x)),
      );
      assertEquals(bits(got[0]!), bits(want[0]!), `output, rate ${rate}`);
      assertEquals(bits(got[1]!), bits(want[1]!), `gradient, rate ${rate}`);
      assertEquals(gotNext, wantNext, "the run's random stream is where tf.dropout leaves it");
      const run = await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor);
      assertEquals(run.kernels.map((k) => k.name), ["Multiply"], "the mask is drawn in the loop, then one kernel");
      tf.dispose(run.result);
      tf.dispose([...want, ...got]);
      assertEquals(tf.memory().numTensors, before, "no tensor leaks");
    }
    x.dispose();
  });
}

Deno.test("Dropout layer with a seed, a noise shape or outside training behaves as tfjs's", async () => {
  await tf.setBackend("wasm");
  const x = tf.randomNormal([8, 6, 4], 0, 1, "float32", 5);
  const seededLayer = tf.layers.dropout({ rate: 0.4, seed: 1234 });
  const want = tf.dropout(x, 0.4, undefined, 1234);
  assertEquals(bits(seededLayer.apply(x, { training: true }) as tf.Tensor), bits(want));
  const shaped = tf.layers.dropout({ rate: 0.4, noiseShape: [8, 1, 4], seed: 9 });
  assertEquals(bits(shaped.apply(x, { training: true }) as tf.Tensor), bits(tf.dropout(x, 0.4, [8, 1, 4], 9)));
  assertEquals(bits(seededLayer.apply(x) as tf.Tensor), bits(x), "inference passes x through");
  tf.dispose([x, want]);
});

Deno.test("fillDropoutMultipliers keeps about 1 − rate of the values, each 1/keep in float32", () => {
  const out = new Float32Array(100_000);
  fillDropoutMultipliers(out, 0.3, 42);
  const kept = out.filter((v) => v !== 0);
  assertEquals(new Set(kept).size, 1);
  assertEquals(kept[0], Math.fround(1 / Math.fround(0.7)));
  assertEquals(Math.round(kept.length / 1000), 70);
  const other = new Float32Array(100_000);
  fillDropoutMultipliers(other, 0.3, 43);
  assertNotEquals(Array.from(other.slice(0, 64)), Array.from(out.slice(0, 64)), "the seed picks the mask");
});
