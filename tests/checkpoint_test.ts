import { assert, assertEquals, assertMatch } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { loadCheckpoint, type LoadedCheckpoint, saveCheckpoint } from "../lib/train/checkpoint.ts";
import { sha256Hex } from "../lib/sha256.ts";
import "../lib/train/builtins.ts";

const state = (step: number) => ({ step, seconds: 1.5, metricsBytes: 100, rng: [12345, 67890, 1, 2] });

/** A run folder with checkpoints at steps 50 (kept as checkpoint.prev.bin) and 60. */
async function twoCheckpoints(): Promise<string> {
  await startBackend("wasm");
  const dir = await Deno.makeTempDir();
  for (const step of [50, 60]) {
    const w = tf.tensor2d([[1, 2], [3, step]]);
    await saveCheckpoint(dir, state(step), { generator: [{ name: "w", tensor: w }] });
    w.dispose();
  }
  return dir;
}

function dispose(c: LoadedCheckpoint | null): void {
  if (c) tf.dispose(Object.values(c.groups).flat().map((t) => t.tensor));
}

/** Load with the warnings collected. */
async function load(dir: string): Promise<{ checkpoint: LoadedCheckpoint | null; warnings: string[] }> {
  const warnings: string[] = [];
  const checkpoint = await loadCheckpoint(dir, (m) => warnings.push(m));
  return { checkpoint, warnings };
}

/** Replace `from` by `to` (ASCII, the same length) in the file's header, leaving every other byte as it is. */
async function editHeader(path: string, from: string, to: string): Promise<void> {
  assertEquals(from.length, to.length);
  const file = await Deno.readFile(path);
  const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
  const at = new TextDecoder().decode(file.subarray(8, 8 + headerLength)).indexOf(from);
  assert(at >= 0, `${from} is in the header`);
  file.set(new TextEncoder().encode(to), 8 + at);
  await Deno.writeFile(path, file);
}

/** A version-1 file: no trailer, the header's sha256 over the tensor bytes only. */
async function writeVersion1(path: string, step: number, dtype = "float32"): Promise<void> {
  const body = new Uint8Array(new Float32Array([1, 2, 3, step]).buffer);
  const header = {
    version: 1,
    state: state(step),
    tensors: [{ group: "generator", name: "w", shape: [2, 2], dtype, offset: 0, length: 16 }],
    sha256: await sha256Hex(body),
  };
  const h = new TextEncoder().encode(JSON.stringify(header));
  const file = new Uint8Array(8 + h.length + body.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(h.length), true);
  file.set(h, 8);
  file.set(body, 8 + h.length);
  await Deno.writeFile(path, file);
}

Deno.test("a checkpoint reads back its state and tensors", async () => {
  const dir = await twoCheckpoints();
  const { checkpoint, warnings } = await load(dir);
  assertEquals(warnings, []);
  assertEquals(checkpoint?.state, state(60));
  assertEquals(Array.from(await checkpoint!.groups.generator![0]!.tensor.data()), [1, 2, 3, 60]);
  dispose(checkpoint);
  await Deno.remove(dir, { recursive: true });
});

const tamperings: [string, (path: string) => Promise<void>][] = [
  ["its step edited at equal length", (p) => editHeader(p, '"step":60', '"step":90')],
  ["one digit of its rng changed", (p) => editHeader(p, "12345", "12346")],
  ["a tensor's dtype changed", (p) => editHeader(p, '"float32"', '"float64"')],
  ["a tensor byte flipped", async (p) => {
    const f = await Deno.readFile(p);
    f[f.length - 40]! ^= 0xff;
    await Deno.writeFile(p, f);
  }],
  ["its end cut off", async (p) => {
    const f = await Deno.readFile(p);
    await Deno.writeFile(p, f.subarray(0, f.length - 20));
  }],
  ["its header not JSON", (p) => editHeader(p, '"version"', '"version{')],
];

for (const [what, tamper] of tamperings) {
  Deno.test(`a checkpoint with ${what} is refused, and the previous one loads with a warning`, async () => {
    const dir = await twoCheckpoints();
    await tamper(`${dir}/checkpoint.bin`);
    const { checkpoint, warnings } = await load(dir);
    assertEquals(checkpoint?.state.step, 50);
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0]!, /checkpoint\.bin: .*; trying the previous checkpoint/);
    dispose(checkpoint);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("a version-1 checkpoint (tensor bytes hashed) still loads; one with a bad dtype falls back to the previous", async () => {
  await startBackend("wasm");
  const dir = await Deno.makeTempDir();
  await writeVersion1(`${dir}/checkpoint.prev.bin`, 50);
  await writeVersion1(`${dir}/checkpoint.bin`, 60);
  let { checkpoint, warnings } = await load(dir);
  assertEquals([checkpoint?.state.step, warnings], [60, []]);
  assertEquals(Array.from(await checkpoint!.groups.generator![0]!.tensor.data()), [1, 2, 3, 60]);
  dispose(checkpoint);
  await writeVersion1(`${dir}/checkpoint.bin`, 60, "float64");
  ({ checkpoint, warnings } = await load(dir));
  assertEquals(checkpoint?.state.step, 50);
  assertMatch(warnings[0]!, /checkpoint\.bin: tensor generator\/w \(float64 .*trying the previous checkpoint/);
  dispose(checkpoint);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the committed full-budget checkpoint loads at the step its status names, with its weights", async () => {
  await startBackend("wasm");
  const dir = "results/full-budget/blog-000-tf-dcgan/run_0563a5";
  const status = JSON.parse(await Deno.readTextFile(`${dir}/status.json`));
  const { checkpoint, warnings } = await load(dir);
  assertEquals(warnings, []);
  const step = checkpoint?.state.step ?? -1;
  // 5,873 is where the run stood when it was first committed; a session training it now moves both on.
  assert(step >= 5873 && step <= status.totalSteps, `step ${step}`);
  if (status.status !== "running") assertEquals(step, status.step, "the checkpoint is the step status.json names");
  assert((checkpoint?.groups.generator?.length ?? 0) > 0, "with its generator weights");
  dispose(checkpoint);
});
