/**
 * The live report in a real browser: `serveReport` on a free port against a temp result folder, the page in
 * Debian's headless Chromium over the DevTools protocol; a line appended to a run's metrics.jsonl must reach the
 * page's Vega view without a reload. Skipped when /usr/bin/chromium is missing.
 */
import { assert, assertEquals } from "@std/assert";
import { join, resolve } from "@std/path";
import { Browser, CHROMIUM, hasChromium } from "../lib/report/cdp.ts";
import { type LiveServer, serveReport } from "../lib/report/serve.ts";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { freePort } from "./_serve_helpers.ts";

const ARTIFACTS = ".test-artifacts";
const found = hasChromium();
if (!found) console.warn(`report_live_browser_test: skipped, no Chromium at ${CHROMIUM}`);

/** The steps of one run in the loss chart's Vega dataset, read from the page. */
function stepsInView(run: string): string {
  return `(() => {
    const view = window.__live.views["loss-linear"];
    if (!view) return [];
    return view.data("live_0").filter((t) => t.run === ${JSON.stringify(run)} && t.metric === "D loss")
      .map((t) => t.step);
  })()`;
}

Deno.test({
  name: "report --serve: an appended metrics line and a status change reach the open page without a reload",
  ignore: !found,
  async fn() {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const dir = await Deno.makeTempDir({ dir: ARTIFACTS, prefix: "live-" });
    const profile = await Deno.makeTempDir({ dir: ARTIFACTS, prefix: "chromium-" });
    let browser: Browser | null = null;
    let server: LiveServer | null = null;
    try {
      const root = await writeFixtureExperiment(dir, {
        name: "live",
        grid: { lr: [1e-3, 1e-4], seed: [1, 2] },
        epochs: 2,
        evals: {},
        outcome: (_g, i) => i === 0 ? "running" : "completed",
      });
      const runs = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs as string[];
      const run = runs[0]!;
      server = await serveReport({ resultsDir: root, port: freePort(), pollMs: 200, log: () => {} });

      browser = await Browser.launch({ userDataDir: resolve(profile) });
      const page = await browser.newPage({ width: 1400, height: 1000 });
      await page.goto(server.url);
      await page.waitFor(`window.__live && window.__live.views["loss-linear"] && window.__live.views["eval"]`);
      const before = await page.evaluate<number[]>(stepsInView(run));
      assert(before.length > 0, "the loss chart shows the run's points");
      assert(!before.includes(4242));
      const marksBefore = await page.evaluate<number>(
        `document.querySelectorAll("#chart-loss-linear svg.marks .role-mark > *").length`,
      );
      await page.evaluate(`window.__marker = "same page"`);

      const line = { kind: "step", step: 4242, epoch: 2, dLoss: 0.25, gLoss: 2.5, dReal: 0.6, dFake: 0.3 };
      await Deno.writeTextFile(join(root, run, "metrics.jsonl"), JSON.stringify(line) + "\n", { append: true });
      await page.waitFor(`${stepsInView(run)}.includes(4242)`, 15_000);
      const after = await page.evaluate<number[]>(stepsInView(run));
      assertEquals(after.length, before.length + 1, "exactly the new point joined the view");

      const status = JSON.parse(await Deno.readTextFile(join(root, run, "status.json")));
      await Deno.writeTextFile(join(root, run, "status.json"), JSON.stringify({ ...status, status: "diverged" }));
      await page.waitFor(`document.querySelector("#live-header .badges").textContent.includes("diverged: 1")`, 15_000);
      await page.waitFor(
        `(document.querySelector("#problems + table")?.innerText ?? "").includes(${JSON.stringify(run)})`,
      );

      assertEquals(await page.evaluate("window.__marker"), "same page", "the page was not reloaded");
      assert(
        (await page.evaluate<number>(
          `document.querySelectorAll("#chart-loss-linear svg.marks .role-mark > *").length`,
        )) >= marksBefore,
      );
      assertEquals(await page.evaluate("window.__live.errors"), []);
      assertEquals(page.errors, [], "console errors");
      const outside = page.requests.filter((u) => !u.startsWith(server!.url));
      assertEquals(outside, [], "every request stays on 127.0.0.1");
      await Deno.writeFile(`${ARTIFACTS}/live.png`, await page.screenshot({ fullPage: true }));
    } finally {
      await browser?.close();
      await server?.close();
      await Deno.remove(profile, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
