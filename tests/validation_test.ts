import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import { type Architecture, registerArch, requireArch } from "../lib/archs/registry.ts";
import { InputError } from "../lib/input_error.ts";
import { parseAssignment } from "../lib/experiment/assignment.ts";
import { loadExperiment, provideExperiments } from "../lib/experiment/load.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { validateExperiment } from "../lib/experiment/validate.ts";
import { badSyntaxFile } from "./_sweep_cli.ts";
import "../lib/train/builtins.ts";

const FILE = "experiments/x.ts";

function messageOf(value: unknown): string {
  return assertThrows(() => validateExperiment(value, FILE), InputError)
    .message;
}

Deno.test("an unknown config key is named with its path and the closest known key", () => {
  const m = messageOf({ name: "x", base: { learningRate: 0.1, lrr: 1 } });
  assertMatch(m, /^experiments\/x\.ts: base\.learningRate: unknown key/);
  const typo = messageOf({ name: "x", grid: { noiseDin: [10] } });
  assertMatch(typo, /grid\.noiseDin: unknown key; did you mean 'noiseDim'\?/);
});

Deno.test("an unknown top-level key suggests the experiment field", () => {
  assertMatch(
    messageOf({ name: "x", grids: {} }),
    /grids: unknown key; did you mean 'grid'\?/,
  );
});

Deno.test("an unknown key in a claim lists the claim's keys, not the config's", () => {
  const m = messageOf({
    name: "x",
    claims: [{ id: "a", text: "t", method: "m", check: () => null, texts: "u" }],
  });
  assertMatch(m, /claims\[0\]\.texts: unknown key; did you mean 'text'\? \(known keys: id, text, method, check\)/);
});

Deno.test("a bad value for a key that also takes null says what null would mean", () => {
  assertMatch(
    messageOf({ name: "x", base: { steps: -1 } }),
    /^experiments\/x\.ts: base\.steps: expected number to be >0, got -1 \(number\); null is accepted too \(train for `epochs`\)$/,
  );
  assertMatch(
    messageOf({ name: "x", grid: { trainSize: [100, 0] } }),
    /grid\.trainSize\[1\]: .*null is accepted too \(all training images\)$/,
  );
  assertMatch(
    messageOf({ name: "x", base: { batchSize: 0 } }),
    /base\.batchSize: expected number to be >0, got 0 \(number\)$/,
  );
  // About a grid's list, not a value: no hint (a grid lists values, so null alone is not a list).
  assertMatch(messageOf({ name: "x", grid: { steps: null } }), /^experiments\/x\.ts: grid\.steps: [^;]*$/);
});

Deno.test("a wrong type names the field path, the value and its type", () => {
  const m = messageOf({ name: "x", base: { batchSize: "128" } });
  assertMatch(
    m,
    /base\.batchSize: expected number, got "128" \(string\)/,
  );
});

Deno.test("zod's own words do not leak: no category prefix, no 'received', NaN named", () => {
  assertMatch(
    messageOf({ name: "x", base: { noise: "foo" } }),
    /base\.noise: expected one of "normal"\|"uniform", got "foo" \(string\)/,
  );
  assertMatch(messageOf({ name: "x", base: { lr: NaN } }), /base\.lr: expected a finite number, got NaN/);
  for (const base of [{ noise: "foo" }, { lr: NaN }, { loss: 5 }, { batchSize: 0 }, { pixelRange: "[0,2]" }]) {
    const m = messageOf({ name: "x", base });
    assert(!/Invalid (option|input)|Too (small|big):|received/.test(m), m);
  }
});

Deno.test("a bad value inside a grid list names its index", () => {
  assertMatch(
    messageOf({ name: "x", grid: { lr: [0.01, -2e-4] } }),
    /grid\.lr\[1\]: .*>0.*got -0\.0002/,
  );
});

Deno.test("an empty grid list is rejected", () => {
  assertMatch(
    messageOf({ name: "x", grid: { lr: [] } }),
    /grid\.lr: an empty list: give at least one value to try, got \[\]/,
  );
});

Deno.test("non-positive learning rates and batch sizes are rejected", () => {
  assertMatch(messageOf({ name: "x", base: { lr: 0 } }), /base\.lr: .*>0/);
  assertMatch(
    messageOf({ name: "x", base: { batchSize: 0 } }),
    /base\.batchSize: .*>0/,
  );
  assertMatch(
    messageOf({ name: "x", base: { batchSize: 12.5 } }),
    /base\.batchSize: expected int/,
  );
});

Deno.test("an unknown dataset or loss lists the accepted values, a loss the closest name and how to add one", () => {
  assertMatch(
    messageOf({ name: "x", base: { dataset: "cifar10" } }),
    /base\.dataset: expected a built-in dataset \("mnist", "fashion-mnist", "emoji"\) or a source .*\{ cifar: "folder" \}, got "cifar10"/,
  );
  assertMatch(
    messageOf({ name: "x", grid: { loss: ["bce", "begn"] } }),
    /grid\.loss\[1\]: unknown loss "begn"; did you mean 'began'\? \(known: bce, .*wgan-gp, dragan, began; an experiment file can add its own under 'losses'\)/,
  );
});

Deno.test("an unknown architecture suggests the closest and lists the known ones", () => {
  const m = messageOf({ name: "x", grid: { arch: ["mlp-keras", "mlp-kera"] } });
  assertMatch(
    m,
    /grid\.arch\[1\]: unknown architecture "mlp-kera"; did you mean 'mlp-keras'\? \(known: .*mlp-pytorch/,
  );
});

Deno.test("an experiment name must be usable as a folder name", () => {
  assertMatch(messageOf({ name: "../escape" }), /name: expected a folder name/);
});

Deno.test("an experiment file can register its own architecture by name", () => {
  const tiny: Architecture = {
    description: "test",
    generator: () => {
      throw new Error("not built here");
    },
    discriminator: () => {
      throw new Error("not built here");
    },
  };
  const exp = validateExperiment({
    name: "x",
    base: { arch: "tiny-test-arch" },
    archs: { "tiny-test-arch": tiny },
  }, FILE);
  assertEquals(exp.base?.arch, "tiny-test-arch");
});

Deno.test("loadExperiment() reports a syntax error with the file name and the parser's words", async () => {
  const path = await badSyntaxFile();
  const e = await assertRejects(() => loadExperiment(path), InputError);
  assertMatch(e.message, /bad_syntax\.ts: cannot load the experiment file: .*Expected/);
});

Deno.test("loadExperiment() reports a file without a default export", async () => {
  const e = await assertRejects(
    () => loadExperiment("tests/fixtures/no_default.ts"),
    InputError,
  );
  assertMatch(e.message, /has no default export/);
});

Deno.test("loadExperiment() reports a missing file", async () => {
  const e = await assertRejects(
    () => loadExperiment("experiments/nope.ts"),
    InputError,
  );
  assertMatch(e.message, /^experiments\/nope\.ts: no such file/);
});

Deno.test("a batch size larger than the training images is rejected before any run", async () => {
  const exp = validateExperiment({
    name: "x",
    base: { trainSize: 100 },
    grid: { batchSize: [64, 128] },
  }, FILE);
  const e = await assertRejects(() => planSweep(exp, FILE), InputError);
  assertMatch(
    e.message,
    /grid point batchSize=128: batchSize 128 is larger than the 100 training images/,
  );
});

Deno.test("--set parses JSON values and checks them against the key's schema", () => {
  assertEquals(parseAssignment("lr=1e-3", "--set"), ["lr", 0.001]);
  assertEquals(parseAssignment("pixelRange=[0,1]", "--set"), [
    "pixelRange",
    "[0,1]",
  ]);
  assertEquals(parseAssignment("sampleGrid=[4,6]", "--set"), ["sampleGrid", [
    4,
    6,
  ]]);
  assertEquals(parseAssignment("steps=null", "--set"), ["steps", null]);
  assertMatch(
    assertThrows(() => parseAssignment("lr=fast", "--set"), InputError).message,
    /^--set: lr: expected number/,
  );
  assertMatch(
    assertThrows(() => parseAssignment("noise_dim=3", "--set"), InputError)
      .message,
    /unknown key/,
  );
});

Deno.test("--only keeps matching grid points and --set overrides the base, saying what it changed", async () => {
  const exp = validateExperiment({
    name: "x",
    base: { epochs: 3 },
    grid: { lr: [0.01, 0.0002], noiseDim: [10, 100] },
  }, FILE);
  const plan = await planSweep(exp, FILE, {
    only: ["lr=2e-4"],
    set: ["epochs=1", "batchSize=32"],
  });
  assertEquals(
    plan.runs.map((r) => [r.config.lr, r.config.noiseDim, r.config.epochs, r.config.batchSize]),
    [[0.0002, 10, 1, 32], [0.0002, 100, 1, 32]],
  );
  assertEquals(plan.overrides, ["epochs=1 (was 3)", "batchSize=32 (was 128)"]);
  const e = await assertRejects(
    () => planSweep(exp, FILE, { only: ["lr=0.5"] }),
    InputError,
  );
  assertMatch(e.message, /--only: lr=0.5 matches no run/);
});

Deno.test("--set on a key the grid varies is rejected with the grid's values and --only suggested", async () => {
  const exp = validateExperiment({ name: "x", grid: { lr: [0.01, 0.0002], noiseDim: [10, 100] } }, FILE);
  const e = await assertRejects(() => planSweep(exp, FILE, { set: ["noiseDim=7"] }), InputError);
  assertMatch(
    e.message,
    /^--set: noiseDim: the grid of experiments\/x\.ts varies noiseDim \(10, 100\).*--only noiseDim=<value>/,
  );
  // lr sets lrD and lrG, so fixing either while the grid varies lr would be half overridden.
  const lrD = await assertRejects(() => planSweep(exp, FILE, { set: ["lrD=0.001"] }), InputError);
  assertMatch(lrD.message, /^--set: lrD: the grid .* varies lr \(0\.01, 0\.0002\)/);
  // The other way round is meaningful: --set lr sets lrG while the grid varies lrD.
  const byD = validateExperiment({ name: "x", grid: { lrD: [0.01, 0.0002] } }, FILE);
  const plan = await planSweep(byD, FILE, { set: ["lr=0.001"] });
  assertEquals(plan.runs.map((r) => [r.config.lrD, r.config.lrG]), [[0.01, 0.001], [0.0002, 0.001]]);
});

Deno.test("a profile that sets a key the grid varies is rejected in the experiment file", () => {
  assertMatch(
    messageOf({
      name: "x",
      grid: { arch: ["mlp-pytorch", "mlp-keras"] },
      profiles: { quick: { arch: "mlp-pytorch" } },
    }),
    /^experiments\/x\.ts: profiles\.quick\.arch: the grid varies arch, so a profile cannot set it/,
  );
});

Deno.test("a value listed twice in a grid list is rejected, naming both places", () => {
  assertMatch(
    messageOf({ name: "x", grid: { lr: [1e-3, 2e-4, 1e-3] } }),
    /^experiments\/x\.ts: grid\.lr\[2\]: 0\.001 repeats grid\.lr\[0\]/,
  );
});

Deno.test("a base lrD or lrG that a grid over lr would always overwrite is rejected", () => {
  assertMatch(
    messageOf({ name: "x", base: { lrD: 1e-3 }, grid: { lr: [1e-2, 2e-4] } }),
    /^experiments\/x\.ts: base\.lrD: the grid varies lr, which sets lrD too/,
  );
  // The other way round is meaningful: lrG from base.lr, lrD varied.
  validateExperiment({ name: "x", base: { lr: 1e-3 }, grid: { lrD: [1e-2, 2e-4] } }, FILE);
});

Deno.test("trainSize above the 60,000 training images and non-finite numbers are rejected, shown as given", async () => {
  const big = validateExperiment({ name: "x", base: { trainSize: 100_000 } }, FILE);
  const e = await assertRejects(() => planSweep(big, FILE), InputError);
  assertMatch(e.message, /base: trainSize 100000 is more than the 60000 training images of mnist/);
  assertMatch(messageOf({ name: "x", base: { lr: Infinity } }), /base\.lr: .*got Infinity \(number\)/);
});

Deno.test("a dataset source's own fields are checked, naming the field and the keys that source takes", () => {
  assertMatch(messageOf({ name: "x", base: { dataset: { images: 3 } } }), /base\.dataset\.images: expected string/);
  assertMatch(
    messageOf({ name: "x", grid: { dataset: ["mnist", { npy: "x.npy", size: 32 }] } }),
    /grid\.dataset\[1\]\.size: unknown key \(known keys: npy, labels\)/,
  );
  assertMatch(
    messageOf({ name: "x", base: { dataset: { images: "d", channels: 4 } } }),
    /base\.dataset\.channels: .*got 4/,
  );
});

Deno.test("an unknown --profile lists the experiment's profiles", async () => {
  const exp = validateExperiment({
    name: "x",
    profiles: { quick: { steps: 10 } },
  }, FILE);
  const e = await assertRejects(
    () => planSweep(exp, FILE, { profile: "quik" }),
    InputError,
  );
  assertMatch(e.message, /did you mean 'quick'\?/);
});

Deno.test("an experiment module provided to the planner (the GPU bundle's way) is used instead of importing its file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/provided.ts`;
  // The file on disk would fail to import; the provided module is what gets validated.
  await Deno.writeTextFile(path, "this is not TypeScript");
  provideExperiments({ [path]: { default: { name: "provided", base: { steps: 2 } } } });
  assertEquals((await loadExperiment(path)).name, "provided");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the GPU bundle's experiment list names every file in experiments/, so pack.sh regenerates it unchanged", async () => {
  const listed = [
    ...(await Deno.readTextFile("bench/gpu/bundled_experiments.ts")).matchAll(/"\.\.\/\.\.\/(experiments\/[^"]+)"/g),
  ]
    .map((m) => m[1]);
  const files = [];
  for await (const e of Deno.readDir("experiments")) {
    if (e.isFile && e.name.endsWith(".ts")) files.push(`experiments/${e.name}`);
  }
  // pack.sh lists them as the shell's glob sorts them (C locale here: byte order).
  assertEquals(
    listed,
    files.sort(),
    "run bash bench/gpu/pack.sh (or add the new file to bench/gpu/bundled_experiments.ts)",
  );
});

Deno.test("training a config whose architecture is not registered names the field, the closest name and the known ones", () => {
  assertMatch(
    assertThrows(() => requireArch("mlp-kera", "config.arch"), InputError).message,
    /^config\.arch: no architecture is registered as 'mlp-kera'; did you mean 'mlp-keras'\? \(registered: .*mlp-keras/,
  );
});

Deno.test("a Promise as the default export is refused with what to export instead", async () => {
  const e = await assertRejects(() => loadExperiment("tests/fixtures/promise_default.ts"), InputError);
  assertMatch(e.message, /^tests\/fixtures\/promise_default\.ts: default export: a Promise; export the experiment/);
});

Deno.test("an experiment file whose top-level await never settles gives up with a message naming the cause", async () => {
  const { code, stderr } = await new Deno.Command("deno", {
    args: ["run", "--allow-read", "tests/fixtures/load_with_timeout.ts", "tests/fixtures/never_settles.ts", "300"],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr);
  assertEquals(code, 2, text);
  assertMatch(text, /never_settles\.ts: did not finish loading in 0\.3 s: .*top level that never settles/);
});

Deno.test("an architecture whose discriminator has 3 outputs, or whose generator draws the wrong shape, is refused by name", async () => {
  const tf = await import("@tensorflow/tfjs");
  await tf.setBackend("cpu");
  const mlp = (inputShape: number[], units: number, reshape?: number[]) =>
    tf.sequential({
      layers: [
        ...(inputShape.length > 1 ? [tf.layers.flatten({ inputShape })] : []),
        tf.layers.dense({ units, ...(inputShape.length > 1 ? {} : { inputShape }) }),
        ...(reshape ? [tf.layers.reshape({ targetShape: reshape })] : []),
      ],
    });
  const ctx = { noiseDim: 8, imageShape: [28, 28, 1] as [number, number, number], pixelRange: "[-1,1]" as const };
  const before = tf.memory().numTensors;
  registerArch("test-three-logits", {
    description: "D with 3 outputs",
    generator: () => mlp([8], 784, [28, 28, 1]),
    discriminator: () => mlp([28, 28, 1], 3),
  });
  const three = requireArch("test-three-logits", "config.arch");
  three.generator(ctx).dispose();
  assertEquals(
    assertThrows(() => three.discriminator(ctx), InputError).message,
    "architecture 'test-three-logits': its discriminator returns [null,3]; expected one output of shape [null,1] (one logit or energy per image)",
  );
  registerArch("test-small-images", {
    description: "G draws 14×14",
    generator: () => mlp([8], 196, [14, 14, 1]),
    discriminator: () => mlp([28, 28, 1], 1),
  });
  assertMatch(
    assertThrows(() => requireArch("test-small-images", "config.arch").generator(ctx), InputError).message,
    /its generator returns \[null,14,14,1\]; expected one output of shape \[null,28,28,1\] \(the image shape\)/,
  );
  assertEquals(tf.memory().numTensors, before, "a refused network is disposed");
});
