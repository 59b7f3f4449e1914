import { assert, assertEquals, assertMatch } from "@std/assert";
import { runDeno } from "./_files.ts";
import { badSyntaxFile, listDir, runSweepCli, runSweepCliWithEnv, sweepArgs } from "./_sweep_cli.ts";

async function status(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${dir}/status.json`));
}

Deno.test({
  name:
    "sweep trains every grid point into its own folder, names the report command for it, then skips them when run again",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const first = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--jobs", "1");
    assertEquals(first.code, 0, first.stderr);
    assertMatch(first.stdout, /tiny: 2 completed, 0 diverged, 0 failed/);
    // The report command it suggests finds these results (they are not in the default folder).
    assert(
      first.stdout.includes(`report: deno task report tests/fixtures/tiny_sweep.ts --results ${out}\n`),
      first.stdout,
    );
    const runs = (await listDir(`${out}/tiny`)).filter((n) => n.startsWith("lr-"));
    assertEquals(runs.length, 2);
    for (const run of runs) {
      assertEquals((await status(`${out}/tiny/${run}`)).status, "completed");
      const config = JSON.parse(await Deno.readTextFile(`${out}/tiny/${run}/config.json`));
      assertEquals(config.backend.name, "wasm");
      assertEquals(config.config.arch, "mlp-tf1");
      assertEquals(typeof config.versions["tfjs-core"], "string");
      assert((await listDir(`${out}/tiny/${run}/samples`)).includes("step-000024.png"));
      assertEquals(await listDir(`${out}/tiny/${run}/generator`), ["inputs.json", "model.json", "weights.bin"]);
      const evals = (await Deno.readTextFile(`${out}/tiny/${run}/metrics.jsonl`)).split("\n")
        .filter((l) => l.includes('"kind":"eval"')).map((l) => JSON.parse(l));
      assertEquals(evals.map((e) => e.step), [12, 24], "an eval line every evalEvery steps and at the end");
      for (const e of evals) assert(Number.isFinite(e.fcd) && e.classesCovered >= 1, JSON.stringify(e));
    }
    const experiment = JSON.parse(await Deno.readTextFile(`${out}/tiny/experiment.json`));
    assertEquals(experiment.runs.sort(), runs);
    const again = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts");
    assertEquals(again.code, 0);
    assertMatch(again.stdout, /0 completed, 0 diverged, 0 failed, 2 already done/);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "a changed experiment lists the old run folders that are not in the grid",
  fn: async () => {
    const out = await Deno.makeTempDir();
    await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4", "--set", "steps=4");
    const changed = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4", "--set", "steps=6");
    assertEquals(changed.code, 0, changed.stderr);
    assertMatch(changed.stdout, /1 run folder\(s\) in .* are not in this grid/);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name:
    "a run trained alone gets a second thread for its matrix products, unless --threads 1; --threads 3 is refused, and ignored with a warning under --jobs 2",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const device = async () => {
      const [run] = (await listDir(`${out}/tiny`)).filter((n) => n.startsWith("lr-"));
      return JSON.parse(await Deno.readTextFile(`${out}/tiny/${run}/config.json`)).backend.device as string;
    };
    const alone = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", "lr=2e-4", "--set", "steps=4");
    assertEquals(alone.code, 0, alone.stderr);
    if (navigator.hardwareConcurrency >= 2) {
      assertMatch(alone.stdout, /matrix products on 2 threads/);
      assertMatch(await device(), /^wasm SIMD, 2 threads on /);
    }
    await Deno.remove(`${out}/tiny`, { recursive: true });
    const one = await runSweepCli(
      out,
      "tests/fixtures/tiny_sweep.ts",
      "--only",
      "lr=2e-4",
      "--set",
      "steps=4",
      "--threads",
      "1",
    );
    assertEquals(one.code, 0, one.stderr);
    assert(!one.stdout.includes("matrix products on"), one.stdout);
    assertMatch(await device(), /^wasm SIMD, 1 thread on /);
    const bad = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--threads", "3");
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /--threads.*expected 1 or 2, got "3"/);
    await Deno.remove(`${out}/tiny`, { recursive: true });
    const ignored = await runSweepCli(
      out,
      "tests/fixtures/tiny_sweep.ts",
      "--set",
      "steps=2",
      "--jobs",
      "2",
      "--threads",
      "2",
    );
    assertEquals(ignored.code, 0, ignored.stderr);
    assertMatch(ignored.stdout + ignored.stderr, /--threads 2 has no effect here: .* 2 runs at a time/);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "a run that blows up is recorded as diverged with its progress GIF, and the sweep still exits 0",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const r = await runSweepCli(out, "tests/fixtures/diverge_sweep.ts", "--jobs", "1");
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /1 completed, 1 diverged, 0 failed/);
    const [bad] = (await listDir(`${out}/diverge`)).filter((n) => n.startsWith("lr-1000000000"));
    const s = await status(`${out}/diverge/${bad}`);
    assertEquals(s.status, "diverged");
    assertMatch((s.diverged as { reason: string }).reason, /Loss is .*divergenceThreshold/);
    assert((await Deno.stat(`${out}/diverge/${bad}/samples/progress.gif`)).size > 100, "the GIF up to the blow-up");
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "an exception in one run marks it failed, the others train, and the sweep exits 1",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const r = await runSweepCli(out, "tests/fixtures/failing_sweep.ts", "--jobs", "1");
    assertEquals(r.code, 1);
    assertMatch(r.stdout, /1 completed, 0 diverged, 1 failed/);
    assertMatch(r.stdout, /failed: arch-exploding_\w+: the exploding generator exploded/);
    const [bad] = (await listDir(`${out}/failing`)).filter((n) => n.startsWith("arch-exploding"));
    const s = await status(`${out}/failing/${bad}`);
    assertEquals(s.status, "failed");
    assertMatch(String(s.error), /the exploding generator exploded/);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name:
    "runs whose worker crashes are marked failed on disk, replacement workers train the others, and the sweep exits 1",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const r = await runSweepCli(out, "tests/fixtures/crashing_sweep.ts", "--jobs", "2");
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertMatch(r.stdout, /2 completed, 0 diverged, 2 failed/);
    const runs = (await listDir(`${out}/crashing`)).filter((n) => n.startsWith("arch-"));
    for (const run of runs) {
      const s = await status(`${out}/crashing/${run}`);
      if (run.startsWith("arch-crashing")) {
        assertEquals(s.status, "failed", run);
        assertMatch(String(s.error), /worker crashed: .*uncaught in the worker/);
      } else assertEquals(s.status, "completed", `${run}, trained by a replacement worker`);
    }
    assertEquals(runs.length, 4);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "runs whose worker exits (Deno.exit) are marked failed with the exit, the others train, and the sweep exits 1",
  fn: async () => {
    const out = await Deno.makeTempDir();
    const child = new Deno.Command("deno", {
      args: sweepArgs(out, ["tests/fixtures/exiting_sweep.ts", "--jobs", "2"]),
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    // A sweep that waits for an answer from a worker that is gone never ends: give up on it rather than hang here.
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const r = await child.output().finally(() => clearTimeout(timer));
    const stdout = new TextDecoder().decode(r.stdout);
    assertEquals(r.code, 1, stdout + new TextDecoder().decode(r.stderr));
    assertMatch(stdout, /2 completed, 0 diverged, 2 failed/);
    const runs = (await listDir(`${out}/exiting`)).filter((n) => n.startsWith("arch-"));
    for (const run of runs) {
      const s = await status(`${out}/exiting/${run}`);
      if (run.startsWith("arch-exiting")) {
        assertEquals(s.status, "failed", run);
        assertMatch(String(s.error), /worker ended without a result: .*Deno\.exit\(3\)/);
      } else assertEquals(s.status, "completed", `${run}, trained by a replacement worker`);
    }
    assertEquals(runs.length, 4);
    await Deno.remove(out, { recursive: true });
  },
});

for (
  const [what, args, expected] of [
    ["an unknown key", ["tests/fixtures/invalid_unknown_key.ts"], /base\.learningrate: unknown key/],
    ["a syntax error", [await badSyntaxFile()], /bad_syntax\.ts: cannot load the experiment file/],
    ["no default export", ["tests/fixtures/no_default.ts"], /has no default export/],
    ["a bad --set value", ["tests/fixtures/tiny_sweep.ts", "--set", "batchSize=-3"], /--set: batchSize: .*got -3/],
    ["an unknown flag", ["tests/fixtures/tiny_sweep.ts", "--job", "2"], /--job: unknown flag; did you mean 'jobs'\?/],
    ["a bad --shard", ["tests/fixtures/tiny_sweep.ts", "--shard", "2/2"], /--shard: expected i\/n/],
    ["an unknown backend", ["tests/fixtures/tiny_sweep.ts", "--backend", "tpu"], /--backend: expected one of/],
    ["--jobs 0", ["tests/fixtures/tiny_sweep.ts", "--jobs", "0"], /--jobs: expected a positive integer, got "0"/],
    [
      "a negative --jobs",
      ["tests/fixtures/tiny_sweep.ts", "--jobs", "-1"],
      /--jobs: expected a positive integer, got "-1"/,
    ],
    ["--jobs abc", ["tests/fixtures/tiny_sweep.ts", "--jobs", "abc"], /--jobs: expected a positive integer, got "abc"/],
  ] as const
) {
  Deno.test({
    name: `invalid input (${what}) exits 2 with one clear message and writes nothing`,
    fn: async () => {
      const parent = await Deno.makeTempDir();
      const out = `${parent}/results`;
      const r = await runSweepCli(out, ...args);
      assertEquals(r.code, 2, r.stdout + r.stderr);
      assertMatch(r.stderr, expected);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
      assertEquals(await listDir(parent), [], "nothing is written");
      await Deno.remove(parent, { recursive: true });
    },
  });
}

Deno.test({
  name: "an unwritable results folder is reported as bad input before any run starts",
  fn: async () => {
    const parent = await Deno.makeTempDir();
    await Deno.writeTextFile(`${parent}/results`, "a file, not a folder");
    const r = await runSweepCli(`${parent}/results`, "tests/fixtures/tiny_sweep.ts");
    assertEquals(r.code, 2, r.stdout + r.stderr);
    assertMatch(r.stderr, /--out: cannot write to .*results\/tiny/);
    await Deno.remove(parent, { recursive: true });
  },
});

Deno.test({
  name: "--dry-run lists the runs with their grid values and trains nothing",
  fn: async () => {
    const parent = await Deno.makeTempDir();
    const r = await runSweepCli(
      `${parent}/results`,
      "tests/fixtures/tiny_sweep.ts",
      "--dry-run",
      "--profile",
      "longer",
    );
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /tiny: 2 runs/);
    assertMatch(r.stdout, /lr-0\.001_\w{6}\s+lr=0\.001\s+mlp-tf1 mnist 40 steps/);
    assertEquals(await listDir(parent), []);
    await Deno.remove(parent, { recursive: true });
  },
});

Deno.test({
  name: "--shard i/n splits the runs between machines with no overlap",
  fn: async () => {
    const parent = await Deno.makeTempDir();
    const a = await runSweepCli(`${parent}/r`, "tests/fixtures/tiny_sweep.ts", "--dry-run", "--shard", "0/2");
    const b = await runSweepCli(`${parent}/r`, "tests/fixtures/tiny_sweep.ts", "--dry-run", "--shard", "1/2");
    const mine = (s: string) => s.split("\n").filter((l) => /^\s+lr-/.test(l) && !l.includes("(other shard)"));
    assertEquals(mine(a.stdout).length, 1);
    assertEquals(mine(b.stdout).length, 1);
    assert(mine(a.stdout)[0] !== mine(b.stdout)[0]);
    await Deno.remove(parent, { recursive: true });
  },
});

Deno.test("a truncated dataset file in the cache stops the sweep with exit 2, naming the file, before any run folder", async () => {
  const parent = await Deno.makeTempDir();
  const cache = `${parent}/cache/fashion-mnist`;
  await Deno.mkdir(cache, { recursive: true });
  const official = "/usr/share/datasets/fashion-mnist";
  for (const f of ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
    await Deno.copyFile(`${official}/${f}`, `${cache}/${f}`);
  }
  const images = await Deno.readFile(`${official}/train-images-idx3-ubyte.gz`);
  await Deno.writeFile(`${cache}/train-images-idx3-ubyte.gz`, images.subarray(0, images.length >> 1));
  const r = await runSweepCliWithEnv(
    { GAN_HARNESS_DATA: `${parent}/cache` },
    `${parent}/results`,
    "tests/fixtures/tiny_sweep.ts",
    "--set",
    "dataset=fashion-mnist",
  );
  assertEquals(r.code, 2, r.stdout + r.stderr);
  assertMatch(r.stderr, /train-images-idx3-ubyte\.gz/);
  assertEquals(await listDir(`${parent}/results/tiny`), [], "no run folder");
  await Deno.remove(parent, { recursive: true });
});

Deno.test("--tf-flag reaches every run, in workers too, and is recorded in config.json; an unknown flag exits 2 first", async () => {
  const out = await Deno.makeTempDir();
  const flag = "WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE";
  const ok = await runSweepCli(
    out,
    "tests/fixtures/tiny_sweep.ts",
    "--jobs",
    "2",
    "--set",
    "steps=2",
    "--tf-flag",
    `${flag}=30`,
  );
  assertEquals(ok.code, 0, ok.stderr);
  const runs = (await listDir(`${out}/tiny`)).filter((n) => n.startsWith("lr-"));
  assertEquals(runs.length, 2);
  for (const run of runs) {
    const config = JSON.parse(await Deno.readTextFile(`${out}/tiny/${run}/config.json`));
    assertEquals(config.backend.tfFlags, { [flag]: 30 });
  }
  const empty = await Deno.makeTempDir();
  const bad = await runSweepCli(empty, "tests/fixtures/tiny_sweep.ts", "--tf-flag", "WEBGPU_NOPE=1");
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /--tf-flag: "WEBGPU_NOPE" is not a TensorFlow\.js flag/);
  assertEquals(await listDir(empty), [], "nothing written");
  await Deno.remove(out, { recursive: true });
  await Deno.remove(empty, { recursive: true });
});

Deno.test("reproduce with a profile one of the posts lacks exits 2 naming it, before training anything", async () => {
  const out = await Deno.makeTempDir();
  const { code, stderr } = await runDeno([
    "run",
    "--allow-read",
    `--allow-write=${out}`,
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "--allow-sys=hostname",
    "tasks/reproduce.ts",
    "--profile",
    "quik",
    "--out",
    out,
  ]);
  assertEquals(code, 2, stderr);
  assertMatch(stderr, /--profile: "quik" is not a profile of experiments\/blog-000-tf-dcgan\.ts.*'quick'/);
  assertEquals(await listDir(out), []);
  await Deno.remove(out, { recursive: true });
});

Deno.test("--only trains a subset but experiment.json keeps the whole grid, so two subsets make one sweep", async () => {
  const out = await Deno.makeTempDir();
  for (const lr of ["1e-3", "2e-4"]) {
    const r = await runSweepCli(out, "tests/fixtures/tiny_sweep.ts", "--only", `lr=${lr}`, "--set", "steps=4");
    assertEquals(r.code, 0, r.stderr);
    assert(!/are not in this grid/.test(r.stdout), r.stdout);
  }
  const experiment = JSON.parse(await Deno.readTextFile(`${out}/tiny/experiment.json`));
  assertEquals(experiment.runs.length, 2);
  for (const id of experiment.runs) {
    assertEquals(JSON.parse(await Deno.readTextFile(`${out}/tiny/${id}/status.json`)).status, "completed");
  }
  await Deno.remove(out, { recursive: true });
});
