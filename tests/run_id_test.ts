import { assertEquals, assertNotEquals } from "@std/assert";
import { configDefaults, configKeys, resolveConfig, type ResolvedConfig } from "../lib/experiment/config.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { type PlanOptions, planSweep } from "../lib/experiment/plan.ts";
import { configHash, FOUNDING_KEYS, identityConfig, runId } from "../lib/experiment/run_id.ts";
import "../lib/train/builtins.ts";

/** Every experiment file's run ids and config hashes as they were when the id rule was fixed (2026-12-02). */
const pinned: Record<string, Record<string, Record<string, string>>> = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/run_ids.json", import.meta.url)),
);

function variantOptions(name: string): PlanOptions {
  if (name === "default") return {};
  if (name.startsWith("profile ")) return { profile: name.slice("profile ".length) };
  if (name.startsWith("--set ")) return { set: [name.slice("--set ".length)] };
  throw new Error(`unknown variant ${name}`);
}

Deno.test("run ids of every experiment file are those pinned, the full-budget 000 run's included", async () => {
  const files = [...Deno.readDirSync(new URL("../experiments/", import.meta.url))]
    .map((e) => `experiments/${e.name}`).filter((p) => p.endsWith(".ts")).sort();
  assertEquals(files, Object.keys(pinned).sort(), "a new experiment file: add its ids to tests/fixtures/run_ids.json");
  for (const [path, variants] of Object.entries(pinned)) {
    const experiment = await loadExperiment(path);
    for (const [variant, ids] of Object.entries(variants)) {
      const plan = await planSweep(experiment, path, variantOptions(variant));
      const got = Object.fromEntries(plan.runs.map((r) => [r.runId, r.configHash]));
      assertEquals(got, ids, `${path} (${variant})`);
    }
  }
  assertEquals(Object.keys(pinned["experiments/blog-000-tf-dcgan.ts"]!["--set checkpointEvery=1"]!), ["run_0563a5"]);
});

Deno.test("the founding keys are config keys, and every key added since has a default", () => {
  const defaults = configDefaults();
  for (const k of FOUNDING_KEYS) assertEquals(configKeys().includes(k), true, k);
  assertEquals(FOUNDING_KEYS.length, 27);
  for (const k of configKeys()) assertEquals(k in defaults, true, `${k} has no default`);
});

Deno.test("adding a config key with a default keeps every run id; setting it off the default makes a new run", async () => {
  const config = resolveConfig({ lr: 1e-2, noiseDim: 10 });
  const grid = { lr: 1e-2, noiseDim: 10 };
  const before = await runId(grid, config);
  // A config from after a key `nCritic` (default 1) was added: same runs at the default.
  const withDefaults = { ...configDefaults(), nCritic: 1 };
  const atDefault = { ...config, nCritic: 1 } as ResolvedConfig;
  assertEquals(await runId(grid, atDefault, withDefaults), before);
  assertEquals(await configHash(atDefault, withDefaults), await configHash(config));
  assertEquals(identityConfig(atDefault, withDefaults), identityConfig(config));
  const changed = { ...config, nCritic: 5 } as ResolvedConfig;
  assertNotEquals(await runId(grid, changed, withDefaults), before);
  assertEquals(identityConfig(changed, withDefaults).nCritic, 5);
});

Deno.test("a founding key is hashed even at its default", () => {
  assertEquals(identityConfig(resolveConfig({})).seed, 1);
});
