import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { buildReport } from "../lib/report/build_report.ts";

const TASK = new URL("../tasks/report.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Run the report CLI in `dir` (when given), allowed to write there only. */
async function runCli(args: string[], dir?: string) {
  // "deno" from PATH, not Deno.execPath(): `--allow-run=deno` matches the PATH name, and execPath is the symlink's target
  const cmd = new Deno.Command("deno", {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-read",
      ...(dir === undefined ? [] : [`--allow-write=${dir}`]),
      TASK,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    ...(dir === undefined ? {} : { cwd: dir }),
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

Deno.test("report CLI exits 2 with one clear line for a missing folder", async () => {
  const r = await runCli(["/nonexistent/results/nothing"]);
  assertEquals(r.code, 2);
  assertEquals(r.stderr.trim().split("\n").length, 1);
  assertStringIncludes(r.stderr, "does not exist");
});

Deno.test("report CLI exits 2 for a folder that is not an experiment and for an unknown grid key", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runCli([dir], dir);
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, "experiment.json");
  const root = await writeFixtureExperiment(dir, {
    name: "k",
    grid: { lr: [1, 2] },
  });
  const r2 = await runCli([root, "--facet", "nope", "--no-charts"], dir);
  assertEquals(r2.code, 2);
  assertStringIncludes(r2.stderr, "grid keys: lr");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("report CLI checks every flag and where it may write before writing anything", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, { name: "w", grid: { lr: [1, 2] } });
  const noValue = await runCli([root, "--no-charts", "--screenshot"], dir);
  assertEquals(noValue.code, 2);
  assertStringIncludes(noValue.stderr, "--screenshot: expected a value");
  await assertNotWritten(join(root, "report.html"));
  const outside = await runCli([root, "--no-charts", "--out", "/report.html"], dir);
  assertEquals(outside.code, 2, outside.stderr);
  assertEquals(outside.stderr.trim().split("\n").length, 1);
  assertStringIncludes(outside.stderr, '--out: this task may not write "/report.html"');
  await assertNotWritten(join(root, "report.html"));
  const noBrowser = await runCli([root, "--no-charts", "--screenshot", join(dir, "shot.png")], dir);
  assertEquals(noBrowser.code, 2, noBrowser.stderr);
  assertStringIncludes(noBrowser.stderr, "needs --allow-run=/usr/bin/chromium --allow-net=127.0.0.1;");
  await assertNotWritten(join(root, "report.html"));
  await Deno.remove(dir, { recursive: true });
});

async function assertNotWritten(path: string) {
  const found = await Deno.stat(path).then(() => true, () => false);
  assert(!found, `${path} was written`);
}

Deno.test("report CLI saves the checked claims only after the report is written, and only where it may write", async () => {
  const dir = await Deno.makeTempDir();
  await writeFixtureExperiment(join(dir, "results"), { name: "c", grid: { lr: [1, 2] } });
  await Deno.writeTextFile(
    join(dir, "exp.ts"),
    'export default { name: "c", grid: { lr: [1, 2] }, claims: [{ id: "a", text: "t", method: "m", ' +
      'check: (runs) => ({ verdict: "reproduced", measured: `${runs.list.length} runs` }) }] };\n',
  );
  const claimsFile = join(dir, "results", "c", "claims.json");
  const badMetric = await runCli(["exp.ts", "--no-charts", "--metric", "nope"], dir);
  assertEquals(badMetric.code, 2, badMetric.stderr);
  await assertNotWritten(claimsFile);
  const ok = await runCli(["exp.ts", "--no-charts"], dir);
  assertEquals(ok.code, 0, ok.stderr);
  assertEquals(JSON.parse(await Deno.readTextFile(claimsFile))[0].measured, "2 runs");
  assertStringIncludes(await Deno.readTextFile(join(dir, "results", "c", "report.html")), "2 runs");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("report CLI takes an experiment.ts and finds results/<name>", async () => {
  const dir = await Deno.makeTempDir();
  await writeFixtureExperiment(join(dir, "results"), {
    name: "from-ts",
    grid: { lr: [1, 2] },
  });
  await Deno.writeTextFile(
    join(dir, "exp.ts"),
    'export default { name: "from-ts", grid: { lr: [1, 2] } };\n',
  );
  const r = await runCli(["exp.ts", "--no-charts"], dir);
  assertEquals(r.code, 0, r.stderr);
  assert(
    (await Deno.stat(join(dir, "results", "from-ts", "report.html"))).isFile,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("report CLI exits 2 with the loader's one-line message for a bad experiment file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "bad.ts"), 'export default { name: "x", grid: { lr: [] } };\n');
  const r = await runCli(["bad.ts"], dir);
  assertEquals(r.code, 2);
  assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
  assertStringIncludes(r.stderr, "bad.ts: grid.lr");
  const r2 = await runCli(["missing.ts"], dir);
  assertEquals(r2.code, 2);
  assertStringIncludes(r2.stderr, "missing.ts: no such file");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("buildReport() writes the HTML, chart SVGs and PNGs, and reports diverged and failed runs with their reasons", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "full",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] },
    outcome: (_, i) => i === 0 ? "diverged" : i === 1 ? "failed" : "completed",
    gif: true,
  });
  const result = await buildReport({ resultsDir: root });
  const html = await Deno.readTextFile(result.html);
  assertStringIncludes(html, "dLoss is NaN");
  assertStringIncludes(html, "Conv2DBackpropFilter");
  assertStringIncludes(html, "data:image/png;base64,");
  assertStringIncludes(html, "data:image/gif;base64,");
  assert(
    !/src="https?:/.test(html),
    "report must not load anything from the network",
  );
  assertEquals(result.charts, ["loss-linear", "loss-log", "health", "heatmap", "parallel", "scatter"]);
  for (const id of result.charts) {
    const svg = await Deno.readTextFile(join(root, "report", `${id}.svg`));
    assert(svg.startsWith("<svg"));
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("buildReport() escapes grid values and descriptions that contain markup", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "evil",
    description: "<img src=x onerror=alert(1)>",
    grid: { arch: ["<script>alert(1)</script>", "mlp"] },
  });
  const result = await buildReport({ resultsDir: root, chartDir: null });
  const html = await Deno.readTextFile(result.html);
  assert(!html.includes("<script>alert(1)"), "grid value injected a script");
  assert(!html.includes("<img src=x"), "description injected markup");
  assertStringIncludes(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("buildReport() warns about an unreadable claims.json instead of silently showing no claims", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, { name: "bad-claims", grid: { lr: [1, 2] } });
  await Deno.writeTextFile(join(root, "claims.json"), '[{"id": "a", "verdict": "repro');
  const result = await buildReport({ resultsDir: root, chartDir: null });
  assertEquals(result.claims, []);
  assert(
    result.notes.some((n) => /claims\.json is not a JSON list of checked claims/.test(n)),
    result.notes.join("\n"),
  );
  await Deno.remove(dir, { recursive: true });
});
