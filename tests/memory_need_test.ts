/** A batch past the wasm heap is refused before training, naming the bound and the largest batch that could fit. */
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { getArch } from "../lib/archs/registry.ts";
import { InputError } from "../lib/input_error.ts";
import { startBackend } from "../lib/tfjs/backend.ts";
import { activationsPerImage, requireBatchFits } from "../lib/train/memory_need.ts";
import { runSweepCli } from "./_sweep_cli.ts";
import "../lib/archs/builtin.ts";
import "../lib/tfjs/kernels_setup.ts";
import "../lib/train/builtins.ts";

Deno.test("requireBatchFits refuses mlp-keras at a batch of 60,000 on wasm and names a batch it accepts", async () => {
  await startBackend("wasm");
  const arch = getArch("mlp-keras")!;
  const ctx = { noiseDim: 100, imageShape: [28, 28, 1] as [number, number, number], pixelRange: "[-1,1]" as const };
  const networks = { generator: arch.generator(ctx), discriminator: arch.discriminator(ctx) };
  try {
    // Dense 256 → 512 → 1024 → 784 with their activations and batch norms: the floats per image of each layer.
    assert(activationsPerImage(networks.generator) > 256 + 512 + 1024 + 784);
    requireBatchFits(networks, 64, "wasm");
    requireBatchFits(networks, 60_000, "cpu"); // only the wasm heap is known
    const e = assertThrows(() => requireBatchFits(networks, 60_000, "wasm"), InputError);
    assertMatch(e.message, /config\.batchSize: a batch of 60000 needs at least [\d.]+ GiB/);
    assertMatch(e.message, /more than the wasm backend's 4\.0 GiB heap; use a batch of at most \d+/);
    const largest = Number(/at most (\d+)/.exec(e.message)![1]);
    assert(largest > 1000 && largest < 60_000, `${largest}`);
    requireBatchFits(networks, largest, "wasm");
    assertThrows(() => requireBatchFits(networks, largest + 1, "wasm"), InputError);
  } finally {
    for (const m of Object.values(networks)) m.dispose();
  }
});

Deno.test("a sweep with a batch past the heap fails that run in seconds with the message, no wasm trap or stack", async () => {
  const out = await Deno.makeTempDir();
  try {
    const started = performance.now();
    const cli = await runSweepCli(
      out,
      "tests/fixtures/tiny_sweep.ts",
      "--only",
      "lr=0.001",
      ...["arch=mlp-keras", "trainSize=60000", "batchSize=60000", "evalSamples=0"].flatMap((s) => ["--set", s]),
    );
    assertEquals(cli.code, 1, cli.stderr);
    assertMatch(cli.stdout + cli.stderr, /a batch of 60000 needs at least/);
    assert(!/memory access out of bounds/.test(cli.stdout + cli.stderr));
    const [run] = [...Deno.readDirSync(join(out, "tiny"))].filter((e) => e.isDirectory);
    const status = JSON.parse(await Deno.readTextFile(join(out, "tiny", run!.name, "status.json")));
    assertEquals(status.status, "failed");
    assertMatch(status.error, /^config\.batchSize: a batch of 60000/);
    assert(!status.error.includes("    at "), "a refusal, not a stack");
    assert(performance.now() - started < 60_000, "refused before training");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
