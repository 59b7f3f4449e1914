import { assert, assertEquals } from "@std/assert";
import { chromium } from "playwright-core";
import { writeFixtureExperiment } from "../lib/report/fixtures.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { measureText } from "../lib/report/text_metrics.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "report.html renders every chart in headless Chromium with no console errors",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const root = await writeFixtureExperiment(dir, {
      name: "lr-vs-noise",
      description: "Does a larger noise vector tolerate a higher learning rate? <b>not bold</b>",
      grid: { lr: [1e-2, 2e-3, 2e-4], noiseDim: [10, 100], seed: [1, 2] },
      epochs: 5,
      outcome: (g, i) =>
        g.lr === 1e-2 && g.noiseDim === 10 ? "diverged" : i === 11 ? "running" : i === 7 ? "failed" : "completed",
      torn: (i) => i === 11,
      evalMetrics: ["fid"],
      gif: true,
    });
    const result = await buildReport({ resultsDir: root, chartDir: null });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 1000 },
      });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) {
          requests.push(r.url());
        }
      });
      await page.goto(`file://${result.html}`);
      await page.waitForSelector("body[data-charts-rendered]", {
        timeout: 30_000,
      });
      const rendered = await page.getAttribute("body", "data-charts-rendered");
      const failed = await page.getAttribute("body", "data-charts-failed");
      assertEquals(failed, "0");
      assertEquals(Number(rendered), result.charts.length);
      assertEquals(result.charts, [
        "loss-linear",
        "loss-log",
        "health",
        "eval",
        "heatmap",
      ]);
      for (const id of result.charts) {
        const n = await page.locator(`#chart-${id} svg.marks`).count();
        assertEquals(n, 1, `chart ${id} has no rendered SVG`);
      }
      // the log/linear toggle swaps the loss views
      const visibleBefore = await page.locator("#chart-loss-log").isVisible();
      await page.locator(
        `label:has(input[value="${visibleBefore ? "chart-loss-linear" : "chart-loss-log"}"])`,
      )
        .click();
      assertEquals(
        await page.locator("#chart-loss-log").isVisible(),
        !visibleBefore,
      );
      await page.locator(
        `label:has(input[value="${visibleBefore ? "chart-loss-log" : "chart-loss-linear"}"])`,
      )
        .click();
      // diverged and failed runs are listed with their reasons; the torn line is a warning
      const problems = await page.locator("#problems + table").innerText();
      assert(problems.includes("dLoss is NaN"));
      assert(problems.includes("failed"));
      assert(
        (await page.locator(".warnings").innerText()).includes("incomplete"),
      );
      assertEquals(
        await page.locator("p.desc b").count(),
        0,
        "description markup was not escaped",
      );
      assert((await page.locator("img.sample").count()) > 0);
      // the Helvetica table agrees with the browser's Arial (Liberation Sans) widths
      const texts = [
        "Hello",
        "D loss",
        "noiseDim=100 · seed=2",
        "0.0002",
        "WMiil",
      ];
      const widths = await page.evaluate(`(() => {
        const ctx = document.createElement("canvas").getContext("2d");
        ctx.font = "11px Arial";
        return ${JSON.stringify(texts)}.map((t) => ctx.measureText(t).width);
      })()`) as number[];
      texts.forEach((t, i) => {
        const mine = measureText(t, { fontSize: 11 });
        const theirs = widths[i] ?? 0;
        assert(
          Math.abs(mine - theirs) / theirs < 0.03,
          `width of '${t}': ${mine} vs ${theirs}`,
        );
      });
      assertEquals(errors, []);
      assertEquals(
        requests,
        [],
        "the report fetched something from the network",
      );
      await Deno.mkdir(".test-artifacts", { recursive: true });
      await page.screenshot({
        path: ".test-artifacts/report.png",
        fullPage: true,
      });
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
