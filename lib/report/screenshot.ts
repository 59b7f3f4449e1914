/**
 * Render a report page in headless Chromium and save it as a PNG.
 * @module
 */
import { dirname, resolve, toFileUrl } from "@std/path";
import { Browser, CHROMIUM, hasChromium } from "./cdp.ts";

/** How the page rendered. */
export interface ScreenshotResult {
  /** The PNG written. */
  png: string;
  /** Charts drawn, and charts that failed. */
  rendered: number;
  failed: number;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests other than the page itself and `data:` URLs (none expected). */
  requests: string[];
}

/**
 * Open `html` in headless Chromium, wait for every chart, and write a
 * full-page PNG. The browser profile lives in a temporary folder beside the
 * PNG, removed afterwards, so only the PNG's folder needs write access.
 *
 * @param html The report file.
 * @param png Where to write the screenshot.
 * @param opts `width`: viewport width in CSS pixels (default 1400);
 * `executable`: the browser (default `/usr/bin/chromium`); `sections`: show only these sections (ids such as
 * `hparams`, `seeds`, `rungs`), for a picture of part of the report.
 * @returns What rendered and what went wrong.
 * @throws {Error} When Chromium is missing, does not start, or the charts never finish.
 */
export async function screenshotReport(
  html: string,
  png: string,
  opts: { width?: number; executable?: string; sections?: readonly string[] } = {},
): Promise<ScreenshotResult> {
  const executable = opts.executable ?? CHROMIUM;
  if (!hasChromium(executable)) {
    throw new Error(`Cannot take a screenshot: no Chromium at ${executable} (Debian: apt-get install chromium)`);
  }
  const outDir = dirname(resolve(png));
  await Deno.mkdir(outDir, { recursive: true });
  const profile = await Deno.makeTempDir({ dir: outDir, prefix: ".chromium-profile-" });
  try {
    const browser = await Browser.launch({ userDataDir: profile, executable });
    try {
      const page = await browser.newPage({ width: opts.width ?? 1400, height: 1000 });
      const url = toFileUrl(resolve(html)).href;
      await page.goto(url);
      await page.waitFor("document.body.hasAttribute('data-charts-rendered')");
      const rendered = Number(await page.evaluate("document.body.getAttribute('data-charts-rendered')"));
      const failed = Number(await page.evaluate("document.body.getAttribute('data-charts-failed')"));
      if (opts.sections !== undefined) {
        const ids = JSON.stringify(opts.sections.map((s) => `section-${s}`));
        const present = await page.evaluate<string[]>(`(() => {
          document.querySelectorAll("main > *").forEach((el) => {
            if (!${ids}.includes(el.id)) el.style.display = "none";
          });
          return [...document.querySelectorAll("main > section")].map((el) => el.id.slice(8));
        })()`);
        const missing = opts.sections.filter((s) => !present.includes(s));
        if (missing.length > 0) {
          throw new Error(
            `--screenshot-sections: the page has no section ${missing.join(", ")} (it has ${present.join(", ")})`,
          );
        }
      }
      await Deno.writeFile(png, await page.screenshot({ fullPage: true }));
      return {
        png,
        rendered,
        failed,
        errors: [...page.errors],
        requests: page.requests.filter((r) => r !== url),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
