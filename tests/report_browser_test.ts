/**
 * The report in a real browser: Debian's headless Chromium, driven over the
 * DevTools protocol. Needs only
 * `deno test --allow-read --allow-write=.test-artifacts --allow-run=/usr/bin/chromium --allow-net=127.0.0.1 tests/report_browser_test.ts`
 * run from the repository root. Skipped when /usr/bin/chromium is missing.
 */
import { assert, assertEquals } from "@std/assert";
import { resolve, toFileUrl } from "@std/path";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { measureText } from "../lib/report/text_metrics.ts";
import { Browser, CHROMIUM, hasChromium } from "../lib/report/cdp.ts";

const ARTIFACTS = ".test-artifacts";
const found = hasChromium();
if (!found) {
  console.warn(`report_browser_test: skipped, no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
}

Deno.test({
  name: "report.html renders every chart in headless Chromium with no console errors or requests",
  ignore: !found,
  async fn() {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const dir = await Deno.makeTempDir({ dir: ARTIFACTS, prefix: "report-" });
    const profile = await Deno.makeTempDir({ dir: ARTIFACTS, prefix: "chromium-" });
    let browser: Browser | null = null;
    try {
      const root = await writeFixtureExperiment(dir, {
        name: "lr-vs-noise",
        description: "Does a larger noise vector tolerate a higher learning rate? <b>not bold</b>",
        grid: { lr: [1e-2, 2e-3, 2e-4], noiseDim: [10, 100], seed: [1, 2] },
        epochs: 5,
        outcome: (g, i) =>
          g.lr === 1e-2 && g.noiseDim === 10 ? "diverged" : i === 11 ? "running" : i === 7 ? "failed" : "completed",
        torn: (i) => i === 11,
        evalMetrics: ["fid"],
        evals: { classifier: (i) => i === 4 ? "4db884a9019e" : "cedb162e4113" },
        gif: true,
      });
      const result = await buildReport({ resultsDir: root, chartDir: null });
      assertEquals(result.charts, [
        "loss-linear",
        "loss-log",
        "health",
        "eval",
        "heatmap",
        "parallel",
        "scatter",
        "seed-bands",
        "class-hist",
      ]);

      browser = await Browser.launch({ userDataDir: resolve(profile) });
      const page = await browser.newPage({ width: 1400, height: 1000 });
      const url = toFileUrl(resolve(result.html)).href;
      await page.goto(url);
      await page.waitFor("document.body.hasAttribute('data-charts-rendered')");
      const state = await page.evaluate<{ rendered: string; failed: string }>(`({
        rendered: document.body.getAttribute("data-charts-rendered"),
        failed: document.body.getAttribute("data-charts-failed"),
      })`);
      assertEquals(state, { rendered: String(result.charts.length), failed: "0" });

      // every chart drew one SVG view with marks in it
      const views = await page.evaluate<Record<string, { svgs: number; marks: number }>>(`(() => {
        const out = {};
        for (const id of ${JSON.stringify(result.charts)}) {
          const el = document.getElementById("chart-" + id);
          out[id] = {
            svgs: el.querySelectorAll("svg.marks").length,
            marks: el.querySelectorAll("svg.marks .role-mark > *").length,
          };
        }
        return out;
      })()`);
      for (const id of result.charts) {
        assertEquals(views[id]?.svgs, 1, `chart ${id}: ${JSON.stringify(views[id])}`);
        assert((views[id]?.marks ?? 0) > 0, `chart ${id} drew no marks`);
      }
      assertEquals(await page.evaluate("document.querySelectorAll('svg.marks').length"), result.charts.length);

      // the log/linear toggle swaps the loss views
      const shown = (id: string) =>
        page.evaluate<boolean>(`getComputedStyle(document.getElementById("${id}")).display !== "none"`);
      const logBefore = await shown("chart-loss-log");
      assertEquals(await shown("chart-loss-linear"), !logBefore);
      const click = (value: string) => page.evaluate(`document.querySelector('input[value="${value}"]').click()`);
      await click(logBefore ? "chart-loss-linear" : "chart-loss-log");
      assertEquals(await shown("chart-loss-log"), !logBefore);
      assertEquals(await shown("chart-loss-linear"), logBefore);
      await click(logBefore ? "chart-loss-log" : "chart-loss-linear");
      assertEquals(await shown("chart-loss-log"), logBefore);

      // diverged and failed runs are listed with their reasons; the torn line is a warning
      const problems = await page.evaluate<string>(`document.querySelector("#problems + table").innerText`);
      assert(problems.includes("dLoss is NaN"), problems);
      assert(problems.includes("failed"), problems);
      const warnings = await page.evaluate<string>(`document.querySelector(".warnings").innerText`);
      assert(warnings.includes("incomplete"), warnings);
      assert(warnings.includes("2 different classifiers"), warnings);

      // markup in the description is shown as text
      assertEquals(await page.evaluate("document.querySelectorAll('p.desc b').length"), 0);
      assert((await page.evaluate<string>(`document.querySelector("p.desc").textContent`)).includes("<b>not bold</b>"));

      // sample grids and GIFs are embedded and decoded
      const images = await page.evaluate<{ n: number; broken: number }>(`(() => {
        const imgs = [...document.querySelectorAll("img.sample, img.gif")];
        return { n: imgs.length, broken: imgs.filter((i) => !i.complete || i.naturalWidth === 0).length };
      })()`);
      assert(images.n > 0, "no sample images");
      assertEquals(images.broken, 0);

      // the Helvetica table agrees with the browser's Arial (Liberation Sans) widths
      const texts = ["Hello", "D loss", "noiseDim=100 · seed=2", "0.0002", "WMiil"];
      const widths = await page.evaluate<number[]>(`(() => {
        const ctx = document.createElement("canvas").getContext("2d");
        ctx.font = "11px Arial";
        return ${JSON.stringify(texts)}.map((t) => ctx.measureText(t).width);
      })()`);
      texts.forEach((t, i) => {
        const mine = measureText(t, { fontSize: 11 });
        const theirs = widths[i] ?? 0;
        assert(Math.abs(mine - theirs) / theirs < 0.03, `width of '${t}': ${mine} vs ${theirs}`);
      });

      assertEquals(page.errors, [], "console errors");
      assertEquals(page.requests, [url], "the report fetched something besides itself");
      await Deno.writeFile(`${ARTIFACTS}/report.png`, await page.screenshot({ fullPage: true }));
    } finally {
      await browser?.close();
      await Deno.remove(profile, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
