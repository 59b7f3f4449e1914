/**
 * `deno task sweep ... --serve`: the live report served beside a real sweep. A page opened in Debian's headless
 * Chromium while the runs train must see a curve gain points and a run's state change without a reload, and the
 * server must stop with the sweep. The browser part is skipped when /usr/bin/chromium is missing.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join, resolve } from "@std/path";
import { Browser, CHROMIUM, hasChromium } from "../lib/report/cdp.ts";
import { sweepArgs } from "./_sweep_cli.ts";
import { listDir, runDeno, withTempDir } from "./_files.ts";
import { freePort } from "./_serve_helpers.ts";

const found = hasChromium();
if (!found) console.warn(`sweep_serve_test: the browser test is skipped, no Chromium at ${CHROMIUM}`);

/** The sweep task's permissions plus a listen grant on `port`, with `args` after the script. */
function servingSweepArgs(out: string, port: number, args: string[]): string[] {
  const base = sweepArgs(out, args);
  const script = base.indexOf("tasks/sweep.ts");
  return [...base.slice(0, script), `--allow-net=127.0.0.1:${port}`, ...base.slice(script)];
}

/** Resolve once `url` answers (the server is up), or throw after `ms`. */
async function waitForServer(url: string, ms: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !exited()) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms${exited() ? " (the sweep exited)" : ""}`);
}

/** The D-loss steps of `run` in the page's loss chart. */
function stepsInView(run: string): string {
  return `(() => {
    const view = window.__live.views["loss-linear"];
    let rows = [];
    try {
      rows = view ? view.data("live_0") : []; // no such dataset until the chart has rows
    } catch {
      return [];
    }
    return rows.filter((t) => t.run === ${JSON.stringify(run)} && t.metric === "D loss").map((t) => t.step);
  })()`;
}

Deno.test({
  name: "sweep --serve: a page opened mid-sweep gains points and run states without a reload, then the server stops",
  ignore: !found,
  async fn() {
    await withTempDir("sweep-serve-", async (dir) => {
      const out = join(dir, "results");
      const port = freePort();
      const url = `http://127.0.0.1:${port}/`;
      // Long enough (thousands of cheap MLP steps, one run at a time) that the page opens while the first run trains.
      const sweep = new Deno.Command("deno", {
        args: servingSweepArgs(out, port, [
          "tests/fixtures/tiny_sweep.ts",
          "--jobs",
          "1",
          "--set",
          "steps=1500",
          "--set",
          "evalEvery=750",
          "--set",
          "sampleEvery=500",
          "--set",
          "checkpointEvery=500",
          "--serve",
          "--port",
          String(port),
        ]),
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      let exited = false;
      const output = sweep.output().finally(() => exited = true);
      let browser: Browser | null = null;
      let checked = false;
      try {
        await waitForServer(`${url}status`, 120_000, () => exited);
        const runs = JSON.parse(await Deno.readTextFile(join(out, "tiny", "experiment.json"))).runs as string[];
        const first = runs[0]!;
        browser = await Browser.launch({ userDataDir: resolve(join(dir, "chromium")) });
        const page = await browser.newPage({ width: 1400, height: 1000 });
        await page.goto(url);
        await page.waitFor(`window.__live && window.__live.views["loss-linear"]`, 60_000);
        await page.evaluate(`window.__marker = "same page"`);
        await page.waitFor(`${stepsInView(first)}.length > 0`, 60_000);
        const before = Math.max(...await page.evaluate<number[]>(stepsInView(first)));
        await page.waitFor(`Math.max(...${stepsInView(first)}) > ${before}`, 60_000);
        await page.waitFor(
          `document.querySelector("#live-header .badges").textContent.includes("completed: 2")`,
          240_000,
        );
        assertEquals(await page.evaluate("window.__marker"), "same page", "the page was not reloaded");
        assertEquals(await page.evaluate("window.__live.errors"), []);
        assertEquals(page.errors, [], "console errors");
        assertEquals(page.requests.filter((u) => !u.startsWith(url)), [], "every request stays on 127.0.0.1");
        checked = true;
      } finally {
        await browser?.close();
        if (!checked && !exited) sweep.kill("SIGTERM");
      }
      const { code, stdout, stderr } = await output;
      const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assertEquals(code, 0, text);
      assertStringIncludes(text, `live report of ${join(out, "tiny")} on ${url}`);
      assertStringIncludes(text, "tiny: 2 completed");
      assertStringIncludes(text, "live report: stopped with the sweep");
      const after = await fetch(url).then((r) => r.body?.cancel(), (e: Error) => e);
      assert(after instanceof Error, "the server stopped with the sweep");
    });
  },
});

Deno.test("sweep --serve without a listen grant is refused before anything is read or written (exit 2)", async () => {
  await withTempDir("sweep-serve-", async (dir) => {
    const out = join(dir, "results");
    const port = freePort();
    const r = await runDeno(sweepArgs(out, ["tests/fixtures/tiny_sweep.ts", "--serve", "--port", String(port)]));
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "--port");
    assertStringIncludes(r.stderr, `may not listen on 127.0.0.1:${port}`);
    assertStringIncludes(r.stderr, `--allow-net=127.0.0.1:${port}`);
    assertEquals(await listDir(out), [], "nothing written");
  });
});

Deno.test("sweep --port without --serve is refused (exit 2)", async () => {
  await withTempDir("sweep-serve-", async (dir) => {
    const r = await runDeno(sweepArgs(join(dir, "results"), ["tests/fixtures/tiny_sweep.ts", "--port", "8123"]));
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "--port: is for --serve only");
  });
});

Deno.test("sweep --serve on a port in use is refused before experiment.json is rewritten (exit 2)", async () => {
  await withTempDir("sweep-serve-", async (dir) => {
    const out = join(dir, "results");
    const port = freePort();
    const first = await runDeno(sweepArgs(out, ["tests/fixtures/tiny_sweep.ts"]));
    assertEquals(first.code, 0, first.stderr);
    const [name] = (await listDir(out)).filter((n) => !n.endsWith(".json"));
    const before = await Deno.readTextFile(join(out, name!, "experiment.json"));
    const taken = Deno.listen({ hostname: "127.0.0.1", port });
    try {
      const args = ["tests/fixtures/tiny_sweep.ts", "--serve", "--port", String(port), "--profile", "longer"];
      const r = await runDeno(servingSweepArgs(out, port, args));
      assertEquals(r.code, 2, r.stderr + r.stdout);
      assertStringIncludes(r.stderr, `--port: port ${port} on 127.0.0.1 is in use; stop what listens there`);
      assertStringIncludes(r.stderr, "deno task report:serve");
    } finally {
      taken.close();
    }
    assertEquals(await Deno.readTextFile(join(out, name!, "experiment.json")), before, "the old plan stands");
  });
});
