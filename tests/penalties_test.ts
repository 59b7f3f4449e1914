import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { discriminatorTerms, generatorLoss } from "../lib/train/losses.ts";
import { gradientPenalty, interpolates, perturbed } from "../lib/train/penalties.ts";
import { randomData, setUpBackends } from "./_kernel_parity.ts";
import "../lib/train/builtins.ts";

await setUpBackends();

/** A small conv critic: conv → LeakyReLU → conv → LeakyReLU → dense, the shape of the DCGAN discriminators. */
/** D's score in training mode, as the penalty takes it. */
function scoreOf(d: tf.LayersModel): (x: tf.Tensor) => tf.Tensor {
  return (x) => d.apply(x, { training: true }) as tf.Tensor;
}

function critic(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, strides: 2, padding: "same" }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  // Small weights keep the penalty moderate, so float32 finite differences resolve its slope.
  const weights = tf.tidy(() =>
    m.getWeights().map((w, i) => tf.mul(tf.tensor(randomData(w.size, 10 + i), w.shape), 0.4))
  );
  m.setWeights(weights);
  tf.dispose(weights);
  return m;
}

const images = (seed: number) => tf.tensor4d(randomData(4 * 64, seed), [4, 8, 8, 1]);

/** The signs of every LeakyReLU's input: the penalty is smooth in the weights only while these stay put. */
function activationPattern(d: tf.Sequential, x: tf.Tensor): string {
  return tf.tidy(() => {
    let h = x;
    const signs: number[] = [];
    for (const layer of d.layers) {
      if (layer.getClassName() === "LeakyReLU") signs.push(...tf.greater(h, 0).dataSync());
      h = layer.apply(h) as tf.Tensor;
    }
    return signs.join("");
  });
}

Deno.test("the gradient penalty's gradient in D's weights matches finite differences through conv and LeakyReLU", async () => {
  await tf.setBackend("cpu");
  const d = critic();
  const x = images(1);
  const weights = d.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => gradientPenalty(scoreOf(d), x, 10), weights);
  assert(value.dataSync()[0]! > 0.1, "a penalty worth checking");
  const penalty = () => tf.tidy(() => gradientPenalty(scoreOf(d), x, 10).dataSync()[0]!);
  const pattern = activationPattern(d, x);
  let checked = 0;
  const probes = [[0, 5], [0, 20], [0, 11], [1, 2], [1, 0], [2, 17], [2, 60], [2, 99], [3, 1], [3, 3], [4, 3], [4, 12]];
  // (D's last bias does not move its input gradient: the penalty has no gradient there.)
  for (const [wi, index] of probes as [number, number][]) {
    const v = weights[wi]!;
    const base = v.dataSync().slice();
    const h = 1e-3;
    const at = (delta: number) => {
      const moved = base.slice();
      moved[index] = base[index]! + delta;
      v.assign(tf.tensor(moved, v.shape));
      return [penalty(), activationPattern(d, x)] as const;
    };
    const [up, upPattern] = at(h);
    const [down, downPattern] = at(-h);
    v.assign(tf.tensor(base, v.shape));
    if (upPattern !== pattern || downPattern !== pattern) continue; // a kink between the two points
    const numeric = (up - down) / (2 * h);
    const analytic = grads[v.name]!.dataSync()[index]!;
    assertAlmostEquals(analytic, numeric, 0.01 * Math.max(1, Math.abs(numeric)), `weight ${wi}[${index}]`);
    checked++;
  }
  assert(checked >= 5, `only ${checked} weights could be checked away from kinks`);
  tf.dispose([x, value, ...Object.values(grads)]);
  d.dispose();
});

Deno.test("the gradient penalty and its weight gradients agree on wasm (the harness's kernels) and cpu", async () => {
  const on = async (backend: "cpu" | "wasm") => {
    await tf.setBackend(backend);
    const d = critic();
    const x = images(2);
    const { value, grads } = tf.variableGrads(
      () => gradientPenalty(scoreOf(d), x, 10),
      d.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const out = await Promise.all([value, ...Object.values(grads)].map((t) => t.data<"float32">()));
    tf.dispose([x, value, ...Object.values(grads)]);
    d.dispose();
    return out;
  };
  const onCpu = await on("cpu");
  const before = tf.memory().numTensors;
  const onWasm = await on("wasm");
  assertEquals(tf.memory().numTensors, before, "no tensor leaks");
  assertEquals(onWasm.length, onCpu.length);
  onCpu.forEach((c, i) => {
    const w = onWasm[i]!;
    const scale = Math.max(...c.map(Math.abs), 1e-6);
    c.forEach((v, j) => assertAlmostEquals(w[j]!, v, 1e-4 * scale, `output ${i}[${j}]`));
  });
});

Deno.test("interpolates() and perturbed() make WGAN-GP's and DRAGAN's points", async () => {
  await tf.setBackend("cpu");
  const real = tf.tensor4d([1, 1, 1, 1, 3, 3, 3, 3], [2, 2, 2, 1]);
  const fake = tf.zerosLike(real);
  const mixed = await interpolates(real, fake, tf.tensor1d([0.25, 1])).data();
  assertEquals(Array.from(mixed), [0.25, 0.25, 0.25, 0.25, 3, 3, 3, 3]);
  // std of the batch is 1, so x + 0.5·u.
  const moved = await perturbed(real, tf.onesLike(real)).data();
  assertEquals(Array.from(moved), [1.5, 1.5, 1.5, 1.5, 3.5, 3.5, 3.5, 3.5]);
});

Deno.test("critic losses: hinge and Wasserstein on raw scores", async () => {
  await tf.setBackend("cpu");
  const real = tf.tensor1d([2, 0.5, -1]);
  const fake = tf.tensor1d([-2, 0, 1]);
  const v = async (t: tf.Scalar) => (await t.data())[0]!;
  const [hr, hf] = discriminatorTerms("hinge", real, fake, 1);
  assertAlmostEquals(await v(hr), (0 + 0.5 + 2) / 3, 1e-6);
  assertAlmostEquals(await v(hf), (0 + 1 + 2) / 3, 1e-6);
  const [wr, wf] = discriminatorTerms("wgan-gp", real, fake, 1);
  assertAlmostEquals((await v(wr)) + (await v(wf)), -0.5 - 1 / 3, 1e-6);
  assertAlmostEquals(await v(generatorLoss("wgan", fake)), 1 / 3, 1e-6);
  assertAlmostEquals(await v(generatorLoss("hinge", fake)), 1 / 3, 1e-6);
  const [dr] = discriminatorTerms("dragan", real, fake, 1);
  assert((await v(dr)) > 0, "dragan's D terms are cross-entropies");
});
