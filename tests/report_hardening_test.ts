// What a report does with result folders that are hostile or odd: it shows what it may, warns, and never reads or
// writes outside where it should.
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { buildReport } from "../lib/report/build_report.ts";
import { LiveResults } from "../lib/report/live_results.ts";
import { sweptKeys } from "../lib/report/hparam_rows.ts";
import { writeFixtureExperiment } from "./_report_fixtures.ts";

/** `ln -s target path`: Deno.symlink needs unscoped read and write, which the tests are not given; a child is. */
async function symlink(target: string, path: string): Promise<void> {
  const code = `await Deno.symlink(${JSON.stringify(target)}, ${JSON.stringify(path)})`;
  const { success } = await new Deno.Command("deno", { args: ["eval", code] }).output();
  assert(success, `could not link ${path} to ${target}`);
}

Deno.test("a sample line's path that leads outside its run folder is not embedded: a warning instead", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = join(dir, "secret.png");
    await Deno.writeTextFile(secret, "not an image: the contents of a private file\n");
    const root = await writeFixtureExperiment(join(dir, "results"), { name: "evil-samples", grid: { lr: [1, 2] } });
    const runDir = join(root, "lr-1_r0");
    await symlink(secret, join(runDir, "samples", "epoch-0009.png"));
    const lines = [
      { kind: "sample", step: 3000, epoch: 0, path: "../../../secret.png" },
      { kind: "sample", step: 3100, epoch: 0, path: secret },
      { kind: "sample", step: 3200, epoch: 0, path: "samples/epoch-0009.png" },
    ];
    await Deno.writeTextFile(join(runDir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""), {
      append: true,
    });
    const result = await buildReport({ resultsDir: root, chartDir: null, samples: [3000, 3100, 3200, "last"] });
    const html = await Deno.readTextFile(result.html);
    const leaked = btoa(String.fromCharCode(...await Deno.readFile(secret)));
    assert(!html.includes(leaked), "the file outside the run folder was embedded in the report");
    const warnings = result.notes.filter((n) => n.includes("leads outside the run folder"));
    assertEquals(warnings.length, 3, result.notes.join("\n"));
    assert(warnings[0]!.includes('"../../../secret.png"'), warnings[0]);
    const run = result.results.runs.find((r) => r.id === "lr-1_r0")!;
    assert(run.samples.every((s) => !s.path.includes("secret") && s.path !== "samples/epoch-0009.png"));
    assert(run.samples.length > 0, "the run's own samples are still shown");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const ROOT = new URL("..", import.meta.url).pathname;
const CONFIG = join(ROOT, "deno.json");

/** `deno task report`'s own `--allow-read=…` flag, from deno.json. */
async function reportTaskReadFlag(): Promise<string> {
  const command: string = JSON.parse(await Deno.readTextFile(CONFIG)).tasks.report.command;
  const flag = command.split(" ").find((a) => a.startsWith("--allow-read"));
  if (flag === undefined) throw new Error(`no --allow-read in ${command}`);
  return flag;
}

/** Run tasks/report.ts in the project folder with `read` as its read permission and writes under `write`. */
async function runReport(read: string, write: string, args: string[]) {
  const out = await new Deno.Command("deno", {
    args: ["run", "--config", CONFIG, read, `--allow-write=${write}`, join(ROOT, "tasks/report.ts"), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("deno task report reads the project's results but refuses a folder outside it with one line", async () => {
  const read = await reportTaskReadFlag();
  assert(read !== "--allow-read", "the report task may read every file");
  const artifacts = join(ROOT, ".test-artifacts");
  await Deno.mkdir(artifacts, { recursive: true });
  const inside = await Deno.makeTempDir({ dir: artifacts, prefix: "report-read-" });
  const outside = await Deno.makeTempDir();
  try {
    const here = await writeFixtureExperiment(inside, { name: "readable", grid: { lr: [1, 2] } });
    const ok = await runReport(read, inside, [here]);
    assertEquals(ok.code, 0, ok.stderr);
    const there = await writeFixtureExperiment(outside, { name: "elsewhere", grid: { lr: [1, 2] } });
    const refused = await runReport(read, outside, [there]);
    assertEquals(refused.code, 2, refused.stderr);
    assertEquals(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert(refused.stderr.includes(`may not read "${there}"`), refused.stderr);
  } finally {
    await Deno.remove(inside, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("--out elsewhere puts the charts beside that file, named after it, and none in the results folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = await writeFixtureExperiment(join(dir, "results"), { name: "out-elsewhere", grid: { lr: [1, 2] } });
    const result = await buildReport({ resultsDir: root, out: join(dir, "shared", "lr.html"), png: false });
    assertEquals(result.chartDir, join(dir, "shared", "lr"));
    assert(result.files.length > 0 && result.files.every((f) => f.startsWith(join(dir, "shared", "lr") + "/")));
    assertEquals(await Deno.stat(join(root, "report")).then(() => true, () => false), false);
    const beside = await buildReport({ resultsDir: root, png: false });
    assertEquals(beside.chartDir, join(root, "report"), "the default stays results/<experiment>/report/");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a results folder the report cannot write to is one clear line, exit 2, and nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A file where the chart folder goes: as much in the way as a read-only folder, even for root.
    const blocked = await writeFixtureExperiment(dir, { name: "blocked", grid: { lr: [1, 2] } });
    await Deno.writeTextFile(join(blocked, "report"), "not a folder");
    const r = await runReport("--allow-read", dir, [blocked]);
    assertEquals(r.code, 2, r.stderr);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.includes(`chart folder: cannot write to ${join(blocked, "report")}`), r.stderr);
    assertEquals(await Deno.stat(join(blocked, "report.html")).then(() => true, () => false), false);

    const readOnly = await writeFixtureExperiment(dir, { name: "read-only", grid: { lr: [1, 2] } });
    await Deno.chmod(readOnly, 0o555);
    const probe = join(readOnly, ".probe");
    const bites = await Deno.writeTextFile(probe, "").then(() => Deno.remove(probe).then(() => false), () => true);
    if (bites) { // not as root, who may write anyway
      const ro = await runReport("--allow-read", dir, [readOnly]);
      assertEquals(ro.code, 2, ro.stderr);
      assert(ro.stderr.includes(`--out: cannot write to ${readOnly}`), ro.stderr);
      const elsewhere = await runReport("--allow-read", dir, [readOnly, "--out", join(dir, "ro.html")]);
      assertEquals(elsewhere.code, 0, elsewhere.stderr);
    }
    await Deno.chmod(readOnly, 0o755);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run's garbage or unreadable config.json is a warning naming the file, and the report is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: Array<[string, (path: string) => Promise<void>]> = [
      ["garbage", (p) => Deno.writeTextFile(p, "\u0000\u0001 not json {")],
      ["a list", (p) => Deno.writeTextFile(p, "[1, 2]")],
      ["gridValues a list", (p) => Deno.writeTextFile(p, JSON.stringify({ gridValues: [1, 2], config: {} }))],
      ["config a number", (p) => Deno.writeTextFile(p, JSON.stringify({ gridValues: { lr: 1 }, config: 5 }))],
      ["a folder", async (p) => {
        await Deno.remove(p);
        await Deno.mkdir(p);
      }],
    ];
    for (const [i, [what, spoil]] of cases.entries()) {
      const root = await writeFixtureExperiment(join(dir, `c${i}`), {
        name: "bad-config",
        grid: { lr: [1, 2], beta1: [0.5, 0.9] },
      });
      const id = "lr-1_beta1-0.5_r0";
      const config = join(root, id, "config.json");
      await spoil(config);
      const result = await buildReport({ resultsDir: root, png: false });
      assert((await Deno.stat(result.html)).isFile, what);
      const warning = result.notes.find((n) => n.includes(config));
      assert(warning !== undefined && warning.includes(id), `${what}: ${result.notes.join("\n")}`);
      assert(result.charts.includes("scatter") && result.charts.includes("parallel"), `${what}: ${result.charts}`);
      const run = result.results.runs.find((r) => r.id === id)!;
      assertEquals(run.config, null, what);
      assertEquals(run.gridValues, { lr: 1, beta1: 0.5 }, `${what}: the grid values come from the grid`);
      assertEquals(sweptKeys(result.results.runs), ["lr", "beta1"], `${what}: only the grid keys vary`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task report on a run with a garbage config.json exits 0 with one warning line, no stack trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = await writeFixtureExperiment(dir, { name: "garbage-config", grid: { lr: [1, 2], beta1: [0.5, 0.9] } });
    const config = join(root, "lr-1_beta1-0.5_r0", "config.json");
    await Deno.writeTextFile(config, "garbage");
    const r = await runReport("--allow-read", dir, [root, "--no-png"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stderr.trim().split("\n").filter((l) => l.includes(config)).length, 1, r.stderr);
    assert(!/^\s+at /m.test(r.stderr), r.stderr);
    assert((await Deno.stat(join(root, "report.html"))).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run's samples that is a file, not a folder, is a warning naming it, and the report is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = await writeFixtureExperiment(dir, { name: "samples-file", grid: { lr: [1, 2] } });
    const samples = join(root, "lr-1_r0", "samples");
    await Deno.remove(samples, { recursive: true });
    await Deno.writeTextFile(samples, "not a folder\n");
    const result = await buildReport({ resultsDir: root, png: false });
    assert((await Deno.stat(result.html)).isFile);
    const about = result.notes.filter((n) => n.includes(samples));
    assertEquals(about.length, 1, result.notes.join("\n"));
    assert(about[0]!.includes("not a folder"), about[0]);
    assert(!result.notes.some((n) => n.includes("leads outside")), result.notes.join("\n"));
    const other = result.results.runs.find((r) => r.id === "lr-2_r1")!;
    assert(other.samples.length > 0, "the other run's samples are still shown");

    const cli = await runReport("--allow-read", dir, [root, "--no-png", "--no-charts"]);
    assertEquals(cli.code, 0, cli.stderr);
    assert(!/^\s+at /m.test(cli.stderr), cli.stderr);

    const live = new LiveResults(root);
    await live.poll();
    assert(live.results!.warnings.some((w) => w.message.includes(samples)), "the live report warns too");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
