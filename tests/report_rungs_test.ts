/** The rung view: reading rungs.jsonl, the rows per trial and rung, the survivors' values and the compute saved. */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { computeSaved, readRungBook, rungRows, survivorTable } from "../lib/report/rung_view.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { writeRungFixture } from "./_rung_fixture.ts";
import { hasChromium } from "../lib/report/cdp.ts";
import { screenshotReport } from "../lib/report/screenshot.ts";

async function withRungs(fn: (root: string, best: string[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "report-rungs-" });
  try {
    const { root, runs } = await writeRungFixture(dir);
    await fn(root, runs);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("rungRows keeps each trial's first decision per rung, a promotion overriding a prune", async () => {
  await withRungs(async (root, best) => {
    const book = await readRungBook(root);
    if (book === null) throw new Error("no rungs.jsonl read");
    const rows = rungRows(book.lines);
    assertEquals(rows.length, 8 + 4 + 2, "8 trials at rung 100, 4 at 200, 2 at 400");
    const of = (run: string) => rows.filter((r) => r.run === run);
    assertEquals(of(best[0]!).map((r) => [r.rung, r.decision, r.pruned]), [
      [100, "continue", false],
      [200, "continue", false],
      [400, "continue", false],
    ]);
    assertEquals(of(best[7]!).map((r) => [r.rung, r.decision, r.pruned]), [[100, "prune", true]]);
    const promoted = of(best[4]!);
    assertEquals(promoted.map((r) => [r.decision, r.promoted, r.pruned]), [["continue", true, false]]);
  });
});

Deno.test("readRungBook is null without rungs.jsonl and names records that are not decisions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await readRungBook(dir), null);
    await Deno.writeTextFile(join(dir, "rungs.jsonl"), '{"kind":"prune","runId":"a"}\nnot json\n');
    const book = await readRungBook(dir);
    assertEquals(book?.lines, []);
    assertEquals(book?.warnings.length, 2);
    assertStringIncludes(book!.warnings.join("\n"), "line 2 is damaged and holds no readable decision");
    assertStringIncludes(book!.warnings.join("\n"), "record 1 is not a rung decision");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("computeSaved counts steps trained against every trial's full budget", async () => {
  await withRungs(async (root) => {
    const { runs } = await readExperimentResults(root);
    // 4 pruned at 100, 2 at 200, 1 at 400 (their step), the best trained to 400
    assertEquals(computeSaved(runs), { trained: 4 * 100 + 2 * 200 + 400 + 400, budget: 8 * 400, trials: 8 });
  });
});

Deno.test("survivorTable shows the values the survivors of the last rung share against all values tried", async () => {
  await withRungs(async (root) => {
    const { runs } = await readExperimentResults(root);
    const book = await readRungBook(root);
    const table = survivorTable(runs, rungRows(book!.lines));
    assertEquals(table.head, ["key", "survivors at step 400 (1)", "all trials (8)"]);
    assertEquals(table.rows.map((r) => r.cells), [["lr", "0.001", "0.0002 – 0.02 (8 runs)"]]);
  });
});

Deno.test("the report has a rung section with the compute saved when rungs.jsonl exists", async () => {
  await withRungs(async (root) => {
    const result = await buildReport({ resultsDir: root, chartDir: null });
    assert(result.charts.includes("rungs"), result.charts.join(", "));
    const html = await Deno.readTextFile(result.html);
    assertStringIncludes(html, "Successive halving: fcd at each rung");
    assertStringIncludes(
      html,
      "1,600 steps trained of the 3,200 that 8 trials at full budget would take (50.0% saved)",
    );
  });
});

Deno.test({
  name: "the rung, parallel-coordinates and scatter charts of a pruned sweep render in Chromium without errors",
  ignore: !hasChromium(),
  async fn() {
    await Deno.mkdir(".test-artifacts", { recursive: true });
    const dir = await Deno.makeTempDir({ dir: ".test-artifacts", prefix: "rungs-" });
    try {
      const { root } = await writeRungFixture(dir);
      const result = await buildReport({ resultsDir: root, chartDir: null });
      const shot = await screenshotReport(result.html, join(dir, "rungs.png"));
      assertEquals({ rendered: shot.rendered, failed: shot.failed, errors: shot.errors, requests: shot.requests }, {
        rendered: result.charts.length,
        failed: 0,
        errors: [],
        requests: [],
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
