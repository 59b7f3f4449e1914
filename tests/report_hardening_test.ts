// What a report does with result folders that are hostile or odd: it shows what it may, warns, and never reads or
// writes outside where it should.
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { buildReport } from "../lib/report/build_report.ts";
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
