import { assert, assertEquals, assertMatch } from "@std/assert";
import { fingerprintChange } from "../lib/archs/fingerprint.ts";
import { runFolder, runSweepCli } from "./_sweep_cli.ts";

/** An experiment file whose own architecture's D has `units` hidden units, in .test-artifacts/ (one fixed path). */
async function experimentWithUnits(units: number): Promise<string> {
  const dir = new URL("../.test-artifacts", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/own_arch_sweep.ts`;
  await Deno.writeTextFile(
    path,
    `import * as tf from "@tensorflow/tfjs";
import { defineExperiment } from "../mod.ts";
export default defineExperiment({
  name: "own-arch",
  base: { arch: "own", trainSize: 64, batchSize: 32, steps: 4, logEvery: 2, noiseDim: 8, evalSamples: 0 },
  archs: {
    own: {
      description: "an MLP whose D width this test edits",
      generator: ({ noiseDim }) => tf.sequential({ layers: [
        tf.layers.dense({ inputShape: [noiseDim], units: 784, activation: "tanh" }),
        tf.layers.reshape({ targetShape: [28, 28, 1] }),
      ] }),
      discriminator: ({ imageShape }) => tf.sequential({ layers: [
        tf.layers.flatten({ inputShape: imageShape }),
        tf.layers.dense({ units: ${units}, activation: "relu" }),
        tf.layers.dense({ units: 1 }),
      ] }),
    },
  },
});
`,
  );
  return path;
}

Deno.test("a run whose experiment file changed its own architecture under the same name is refused, naming the layer", async () => {
  const out = await Deno.makeTempDir();
  const first = await runSweepCli(out, await experimentWithUnits(16));
  assertEquals(first.code, 0, first.stderr);
  const dir = await runFolder(out, "own-arch");
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assertEquals(config.archFingerprint.discriminator.length, 3);
  const again = await runSweepCli(out, await experimentWithUnits(16));
  assertEquals(again.code, 0, again.stderr);
  assertMatch(again.stdout, /1 already done/);

  const edited = await runSweepCli(out, await experimentWithUnits(32));
  assert(edited.code !== 0, "the sweep reports the refused run");
  assertMatch(
    edited.stdout + edited.stderr,
    /architecture 'own' has changed since this run was trained \(discriminator layer 2: Dense units 16 → 32, output \[null,16\] → \[null,32\]\)/,
  );
  assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).status, "completed", "its results untouched");
  await Deno.remove(out, { recursive: true });
});

Deno.test("fingerprintChange names the first layer that differs, or the layer counts", () => {
  const dense = (units: number) => `Dense {"units":${units}} → [null,${units}]`;
  const a = { generator: [dense(1), "Reshape {} → [null,1]"], discriminator: ["Flatten {} → [null,4]", dense(16)] };
  assertEquals(fingerprintChange(a, a), null);
  assertEquals(
    fingerprintChange(a, { ...a, discriminator: ["Flatten {} → [null,4]", dense(32)] }),
    "discriminator layer 2: Dense units 16 → 32, output [null,16] → [null,32]",
  );
  assertEquals(
    fingerprintChange(a, { ...a, discriminator: ["Dropout {} → [null,4]", dense(16)] }),
    "discriminator layer 1: was Flatten, is now Dropout",
  );
  assertEquals(fingerprintChange(a, { ...a, generator: [dense(1)] }), "generator had 2 layers, has 1 now");
});
