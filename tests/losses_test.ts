import { assertAlmostEquals, assertEquals } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { bceWithLogits, discriminatorTerms, generatorLoss } from "../lib/train/losses.ts";
import "../lib/train/builtins.ts";

const logits = [-3, -0.5, 0, 2, 40];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (x: number, t: number) => -(t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x)));
const mean = (f: (x: number) => number, xs = logits.slice(0, 4)) => xs.reduce((a, x) => a + f(x), 0) / xs.length;

async function value(t: tf.Scalar): Promise<number> {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

Deno.test("bceWithLogits() equals BCE of the sigmoid for moderate logits, with label smoothing", async () => {
  const x = tf.tensor1d(logits.slice(0, 4));
  assertAlmostEquals(
    await value(bceWithLogits(x, 1)),
    mean((v) => bce(v, 1)),
    1e-5,
  );
  assertAlmostEquals(
    await value(bceWithLogits(x, 0.9)),
    mean((v) => bce(v, 0.9)),
    1e-5,
  );
  x.dispose();
});

Deno.test("bceWithLogits() stays finite where sigmoid saturates", async () => {
  const x = tf.tensor1d([40, -40]);
  assertAlmostEquals(await value(bceWithLogits(x, 0)), 20, 1e-4);
  x.dispose();
});

Deno.test("minimax G loss is mean log(1 − D(G(z))) and non-saturating is −mean log D(G(z))", async () => {
  const x = tf.tensor1d(logits.slice(0, 4));
  assertAlmostEquals(
    await value(generatorLoss("minimax", x)),
    mean((v) => Math.log(1 - sigmoid(v))),
    1e-5,
  );
  assertAlmostEquals(
    await value(generatorLoss("bce", x)),
    mean((v) => -Math.log(sigmoid(v))),
    1e-5,
  );
  x.dispose();
});

Deno.test("LSGAN losses are squared distances to the targets", async () => {
  const r = tf.tensor1d([1, 0.5]);
  const f = tf.tensor1d([0, 0.5]);
  const [lr, lf] = discriminatorTerms("lsgan", r, f, 0.9);
  assertAlmostEquals(await value(lr), (0.01 + 0.16) / 2, 1e-6);
  assertAlmostEquals(await value(lf), 0.125, 1e-6);
  assertAlmostEquals(
    await value(generatorLoss("lsgan", f)),
    (1 + 0.25) / 2,
    1e-6,
  );
  tf.dispose([r, f]);
});

Deno.test("nCritic null trains the critic as each loss's paper does: 5 for wgan and wgan-gp, 1 otherwise", async () => {
  const { criticSteps } = await import("../lib/experiment/config.ts");
  assertEquals(criticSteps({ loss: "wgan", nCritic: null }), 5);
  assertEquals(criticSteps({ loss: "wgan-gp", nCritic: null }), 5);
  assertEquals(criticSteps({ loss: "bce", nCritic: null }), 1);
  assertEquals(criticSteps({ loss: "dragan", nCritic: null }), 1);
  assertEquals(criticSteps({ loss: "wgan-gp", nCritic: 2 }), 2);
});
