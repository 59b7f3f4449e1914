// Options belong to their owner: a loss, a kind or an architecture declares its own config keys; one set where the
// run's owners do not read it is refused. And a loss, like a kind, can come from an experiment file.
import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { requireArch } from "../lib/archs/registry.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { validateExperiment } from "../lib/experiment/validate.ts";
import { InputError } from "../lib/input_error.ts";
import { getLoss } from "../lib/plugins/losses.ts";
import { loadCheckpoint } from "../lib/train/checkpoint.ts";
import "../lib/tfjs/kernels_setup.ts";
import { runSweepCli } from "./_sweep_cli.ts";
import "../lib/train/builtins.ts";

const FILE = "experiments/x.ts";
const FIXTURE = "tests/fixtures/plugin_options_sweep.ts";
const tiny = { arch: "mlp-tf1", trainSize: 128, batchSize: 32, steps: 4, noiseDim: 16, evalSamples: 0 };

/** One option value, so that the kinds registered under several names below share it. */
const REPEATS = { doc: "G updates per D update", schema: z.number().int().positive(), default: 2 };

/** A kind with its own option `repeats`, to register under a name of each test's own. */
function gRepeatKind() {
  return {
    description: "G twice",
    numbers: ["dLoss", "gLoss", "dReal", "dFake", "dAcc"],
    losses: ["dLoss", "gLoss"],
    options: { repeats: REPEATS },
    build: () => {
      throw new Error("not built in this test");
    },
  };
}

/** The plan of an in-memory experiment file, or its refusal. */
// deno-lint-ignore require-await
async function plan(value: Record<string, unknown>, set: string[] = []) {
  return planSweep(validateExperiment({ name: "x", ...value }, FILE), FILE, { set });
}

async function refusal(value: Record<string, unknown>, set: string[] = []): Promise<string> {
  return (await assertRejects(() => plan(value, set), InputError)).message;
}

Deno.test("a loss and a kind brought by one experiment file plan with their own options set by it", async () => {
  const experiment = await loadExperiment(FIXTURE);
  const { runs } = await planSweep(experiment, FIXTURE);
  assertEquals(runs.map((r) => r.gridValues), [{ fakeTarget: 0 }, { fakeTarget: 0.1 }]);
  for (const r of runs) {
    const config = r.config as unknown as Record<string, unknown>;
    assertEquals([config.gSteps, config.kRate, config.loss, config.kind], [3, 0.05, "lsgan-k", "g-repeat"]);
  }
  assertMatch(runs[0]!.runId, /^fakeTarget-0_[0-9a-f]{6}$/);
  assertMatch(runs[1]!.runId, /^fakeTarget-0\.1_[0-9a-f]{6}$/);
  assertNotEquals(runs[0]!.configHash, runs[1]!.configHash);
});

Deno.test("a plug-in loss with state and a plug-in kind with an option train, the loss's state in the checkpoint", async () => {
  const out = await Deno.makeTempDir();
  const done = await runSweepCli(out, FIXTURE, "--only", "fakeTarget=0.1");
  assertEquals(done.code, 0, done.stderr);
  const { runs } = await planSweep(await loadExperiment(FIXTURE), FIXTURE, { only: ["fakeTarget=0.1"] });
  const dir = `${out}/plugin-options/${runs[0]!.runId}`;
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
  const steps = lines.filter((l) => l.kind === "step");
  assertEquals(steps.map((l) => l.step), [2, 4, 6]);
  for (const l of steps) assert(Number.isFinite(l.gLossLast) && Number.isFinite(l.dLoss), JSON.stringify(l));
  assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)).config.fakeTarget, 0.1);
  await tf.setBackend("cpu");
  const checkpoint = await loadCheckpoint(dir, (m) => console.error(m));
  if (!checkpoint) throw new Error("no final checkpoint");
  const k = checkpoint.groups["kind:loss"]?.[0]?.tensor;
  if (!k) throw new Error(`no loss state among ${Object.keys(checkpoint.groups).join(", ")}`);
  const [value] = await k.data();
  assert(value! > 0 && value! <= 1, `k = ${value}: it moved from 0 and stayed in [0, 1]`);
  tf.dispose(Object.values(checkpoint.groups).flat().map((t) => t.tensor));
  await Deno.remove(out, { recursive: true });
});

const IGNORED: [string, Record<string, unknown>, string[], RegExp][] = [
  [
    "clipValue with wgan-gp",
    { base: { ...tiny, loss: "wgan-gp", clipValue: 0.05 } },
    [],
    /^experiments\/x\.ts: base: clipValue 0\.05 is an option of loss wgan, but the run's loss is wgan-gp, which does not read it; drop clipValue, or set loss to wgan$/,
  ],
  [
    "gpWeight with bce",
    { base: { ...tiny, loss: "bce", gpWeight: 5 } },
    [],
    /base: gpWeight 5 is an option of loss wgan-gp and dragan, but the run's loss is bce, .*or set loss to wgan-gp or dragan$/,
  ],
  [
    "gpWeight in base where the grid's bce point ignores it",
    { base: { ...tiny, gpWeight: 5 }, grid: { loss: ["wgan-gp", "bce"] } },
    [],
    /grid point loss="bce": gpWeight 5 is an option of loss wgan-gp and dragan/,
  ],
  [
    "gpWeight from --set",
    { base: { ...tiny, loss: "hinge" } },
    ["gpWeight=5"],
    /^--set: base: gpWeight 5 is an option of loss wgan-gp and dragan, but the run's loss is hinge/,
  ],
  [
    "a plug-in kind's option with kind gan",
    { base: { ...tiny, kind: "gan", repeats: 3 }, kinds: { "g-repeat-2": gRepeatKind() } },
    [],
    /base: repeats 3 is an option of kind g-repeat-2, but the run's kind is gan, which does not read it; drop repeats, or set kind to g-repeat-2$/,
  ],
];

for (const [name, value, set, expected] of IGNORED) {
  Deno.test(`an option its run's owner ignores is refused: ${name}`, async () => {
    assertMatch(await refusal(value, set), expected);
  });
}

Deno.test("an option at its default, or read by the run's loss, is accepted", async () => {
  assertEquals((await plan({ base: { ...tiny, loss: "bce", gpWeight: 10 } })).runs.length, 1);
  const wgan = await plan({ base: { ...tiny, loss: "wgan", clipValue: 0.05 }, grid: { gpWeight: [10] } });
  assertEquals(wgan.runs[0]!.config.clipValue, 0.05);
  const both = await plan({ base: { ...tiny, gpWeight: 5 }, grid: { loss: ["wgan-gp", "dragan"] } });
  assertEquals(both.runs.map((r) => r.config.gpWeight), [5, 5]);
});

Deno.test("an architecture's own option reaches its builders, and is refused for another architecture", async () => {
  await tf.setBackend("cpu");
  const width = { doc: "hidden units", schema: z.number().int().positive(), default: 8 };
  const archs = {
    "wide-mlp": {
      description: "one hidden layer of `width`",
      options: { width },
      generator: ({ noiseDim, options }: { noiseDim: number; options: { width: number } }) =>
        tf.sequential({
          layers: [
            tf.layers.dense({ inputShape: [noiseDim], units: options.width, activation: "relu" }),
            tf.layers.dense({ units: 784, activation: "tanh" }),
            tf.layers.reshape({ targetShape: [28, 28, 1] }),
          ],
        }),
      discriminator: () =>
        tf.sequential({
          layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 1 })],
        }),
    },
  };
  const { runs } = await plan({ archs, base: { ...tiny, arch: "wide-mlp", width: 5 } });
  const g = requireArch("wide-mlp", "config.arch").generator({
    noiseDim: 16,
    imageShape: [28, 28, 1],
    pixelRange: "[-1,1]",
    options: runs[0]!.config as unknown as Record<string, unknown>,
  });
  assertEquals((g.layers[0]!.getConfig() as { units: number }).units, 5);
  g.dispose();
  assertMatch(
    await refusal({ archs, base: { ...tiny, width: 5 } }),
    /base: width 5 is an option of architecture wide-mlp, but the run's architecture is mlp-tf1, .*set arch to wide-mlp$/,
  );
});

Deno.test("a plug-in's option is checked by its own schema, with its field path and the closest key", async () => {
  const experiment = { kinds: { "g-repeat-3": gRepeatKind() }, base: { ...tiny, kind: "g-repeat-3" } };
  const bad = assertThrows(
    () => validateExperiment({ name: "x", ...experiment, grid: { repeats: [2, 0] } }, FILE),
    InputError,
  );
  assertMatch(bad.message, /^experiments\/x\.ts: grid\.repeats\[1\]: expected number to be >0, got 0 \(number\)$/);
  const typo = assertThrows(
    () => validateExperiment({ name: "x", ...experiment, base: { repeat: 2 } }, FILE),
    InputError,
  );
  assertMatch(typo.message, /base\.repeat: unknown key; did you mean 'repeats'\?/);
  assertEquals((await plan({ ...experiment })).runs[0]!.config.kind, "g-repeat-3");
});

Deno.test("a plug-in option that takes a config key's name, or another owner's with another spec, is refused", () => {
  const kind = (options: Record<string, unknown>) => ({
    kinds: { [`k-${Object.keys(options)[0]}`]: { ...gRepeatKind(), options } },
  });
  const spec = { doc: "x", schema: z.number(), default: 1 };
  assertMatch(
    assertThrows(() => validateExperiment({ name: "x", ...kind({ lr: spec }) }, FILE), InputError).message,
    /kinds\.k-lr: Cannot register kind 'k-lr': option 'lr' is a config key of the harness itself/,
  );
  assertMatch(
    assertThrows(() => validateExperiment({ name: "x", ...kind({ gpWeight: spec }) }, FILE), InputError).message,
    /kinds\.k-gpWeight: .*option 'gpWeight' is declared already by loss wgan-gp and loss dragan with another spec/,
  );
  // The same spec value is the same option: shared.
  const shared = getLoss("wgan-gp")!.options!.gpWeight;
  validateExperiment({ name: "x", ...kind({ gpWeight: shared }) }, FILE);
  assertMatch(
    assertThrows(
      () => validateExperiment({ name: "x", ...kind({ bad: { ...spec, default: "one" } }) }, FILE),
      InputError,
    )
      .message,
    /option 'bad': its default "one" is not a value its schema accepts/,
  );
});

Deno.test("a loss brought by an experiment file must be a GanLoss: the field says what is expected", () => {
  const m = assertThrows(() => validateExperiment({ name: "x", losses: { half: { description: "no terms" } } }, FILE))
    .message;
  assertMatch(m, /^experiments\/x\.ts: losses: expected \{ name: \{ description, discriminator\(real, fake, ctx\)/);
});
