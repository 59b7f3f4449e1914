/**
 * `deno task report <experiment.ts | results/<experiment>> [options]`: write
 * the comparison report of a sweep (`results/<experiment>/report.html`, and
 * each chart as SVG/PNG in `results/<experiment>/report/`).
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import { buildReport, type ReportOptions } from "../lib/report/build_report.ts";
import { parseSamplePicks } from "../lib/report/samples.ts";
import { screenshotReport } from "../lib/report/screenshot.ts";
import { CHROMIUM } from "../lib/report/cdp.ts";
import { type CheckedClaim, type Claim, claimsFile, saveClaims } from "../lib/claims/claims.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { InputError } from "../lib/input_error.ts";
import { mayWrite, parseFlags, runMain } from "../lib/cli/flags.ts";
import { DEFAULT_PORT, parsePort, serveReport } from "../lib/report/serve.ts";
import "../lib/train/declared.ts"; // the built-in archs, losses and kinds, before planning

const USAGE = `Usage: deno task report <experiment.ts | results/<experiment>> [options]

  --out FILE         HTML file (default results/<experiment>/report.html)
  --facet KEY        grid key for column facets (default: the key with most values)
  --color KEY        grid key for colour (default: the next one)
  --metric NAME      metric of the final-value heatmap (default: first eval metric, else gLoss)
  --heatmap X,Y      grid keys of the heatmap axes (default: the two with most values)
  --samples LIST     sample points: first,middle,last (default) or epoch numbers
  --results DIR      results root for an experiment.ts argument (default results)
  --screenshot FILE  also render the report in headless Chromium (/usr/bin/chromium) to a PNG
                     (deno task report may write it under results/ only)
  --screenshot-sections LIST
                     only these sections in the screenshot, e.g. hparams,seeds,rungs
  --no-charts        do not write report/*.svg and *.png
  --no-png           write SVGs only
  --serve            serve the report live on http://127.0.0.1:PORT/ instead of writing it: the page follows the
                     runs' logs as they train (Ctrl-C stops). deno task report:serve may listen on 8000 only
  --port N           the port of --serve (default 8000)`;

/**
 * Refuse, with one line, a file or folder this process may not read: `deno task report` reads the project's own
 * folder (its experiments, results and node_modules), the system fonts and Chromium only.
 * @throws {InputError} naming `flag` and the path.
 */
function requireReadable(flag: string, path: string): void {
  if (Deno.permissions.querySync({ name: "read", path }).state === "granted") return;
  throw new InputError(
    flag,
    `this task may not read ${JSON.stringify(path)} (deno task report reads the project folder only); ` +
      "keep experiments and results inside the project, or run deno run --allow-read=<folder> tasks/report.ts",
  );
}

/** The results folder of a target, and the claims its experiment file declares (none for a folder). */
async function resultsDirFor(target: string, resultsRoot: string): Promise<{ dir: string; claims: readonly Claim[] }> {
  const isFile = /\.(ts|js|mts|mjs)$/.test(target);
  requireReadable(isFile ? "experiment file" : "results folder", target);
  if (!isFile) return { dir: target, claims: [] };
  const experiment = await loadExperiment(target);
  const dir = join(resultsRoot, experiment.name);
  requireReadable("--results", dir);
  return { dir, claims: experiment.claims ?? [] };
}

/** Save the checked claims beside the results when this process may; a line on stderr when it cannot. */
async function trySaveClaims(resultsDir: string, claims: readonly CheckedClaim[]): Promise<void> {
  const path = claimsFile(resultsDir);
  if (!mayWrite(path)) {
    console.error(`report: ${path} not updated (no write access there)`);
    return;
  }
  try {
    await saveClaims(resultsDir, claims);
  } catch (e) {
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    console.error(`report: ${path} not updated (${e.message})`);
  }
}

function optionalString(v: unknown, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") {
    throw new InputError(`--${flag}`, "expected a value");
  }
  return v;
}

/** Refuse `--screenshot` up front, before anything is written, when Deno may not start Chromium or write the PNG. */
function checkScreenshotPermissions(png: string): void {
  const missing = [
    ...(Deno.permissions.querySync({ name: "run", command: CHROMIUM }).state === "granted"
      ? []
      : [`--allow-run=${CHROMIUM}`]),
    ...(Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted"
      ? []
      : ["--allow-net=127.0.0.1"]),
    ...(mayWrite(dirname(resolve(png))) ? [] : [`--allow-write=${dirname(png)}`]),
  ];
  if (missing.length > 0) {
    throw new InputError(
      "--screenshot",
      `${png} needs ${missing.join(" ")}; \`deno task report\` grants ` +
        `--allow-run=${CHROMIUM} --allow-net=127.0.0.1 and writes under results/ only`,
    );
  }
}

/** Serve the live report until Ctrl-C (SIGINT) or SIGTERM; 0 when stopped so. */
async function serve(opts: Parameters<typeof serveReport>[0]): Promise<number> {
  const server = await serveReport(opts);
  console.log(`Serving the live report of ${opts.resultsDir} on ${server.url} (Ctrl-C stops)`);
  const { promise: stop, resolve } = Promise.withResolvers<string>();
  const signals = ["SIGINT", "SIGTERM"] as const;
  const handlers = signals.map((s) => [s, () => resolve(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  const signal = await stop;
  for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  await server.close();
  console.log(`Stopped (${signal}).`);
  return 0;
}

/** What the flags ask for, every one checked before anything is read or written. */
function reportChoices(flags: ReturnType<typeof parseFlags>) {
  const heatmap = optionalString(flags.heatmap, "heatmap");
  const samples = optionalString(flags.samples, "samples");
  const screenshot = optionalString(flags.screenshot, "screenshot");
  const sections = optionalString(flags["screenshot-sections"], "screenshot-sections")?.split(",").map((x) => x.trim());
  if (sections !== undefined && screenshot === undefined) {
    throw new InputError("--screenshot-sections", "is for --screenshot only");
  }
  if (flags.serve === true) {
    const staticOnly = ["out", "screenshot"].filter((f) => flags[f] !== undefined);
    if (staticOnly.length > 0) {
      throw new InputError(`--${staticOnly[0]}`, "is for the written report; --serve writes nothing");
    }
  }
  if (screenshot !== undefined) checkScreenshotPermissions(screenshot);
  if (flags.port !== undefined && flags.serve !== true) throw new InputError("--port", "is for --serve only");
  const choices = {
    out: optionalString(flags.out, "out"),
    facet: optionalString(flags.facet, "facet"),
    color: optionalString(flags.color, "color"),
    metric: optionalString(flags.metric, "metric"),
    heatmap: heatmap?.split(",").map((s) => s.trim()),
    samples: samples === undefined ? undefined : parseSamplePicks(samples),
    png: flags.png === true,
  };
  const port = flags.port === undefined ? DEFAULT_PORT : parsePort(flags.port);
  return { choices, port, screenshot, sections };
}

/** "Wrote report.html and runs.csv (N charts, M runs: 3 completed, 1 pruned)". */
function wroteLine(result: Awaited<ReturnType<typeof buildReport>>): string {
  const runs = result.results.runs;
  const counts = ["completed", "running", "stopped", "diverged", "damaged", "failed", "pruned", "collapsed", "pending"]
    .flatMap((s) => {
      const n = runs.filter((r) => r.state === s).length;
      return n > 0 ? [`${n} ${s}`] : [];
    });
  return `Wrote ${result.html} and ${basename(result.csv)} (${result.charts.length} charts, ${runs.length} runs: ${
    counts.join(", ")
  })`;
}

/** Screenshot the written report; 1 when it could not be taken or showed failed charts or browser errors. */
async function screenshotStatus(html: string, png: string, sections: string[] | undefined): Promise<number> {
  let shot;
  try {
    shot = await screenshotReport(html, png, sections === undefined ? {} : { sections });
  } catch (e) {
    console.error(`report: no screenshot: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  }
  console.log(`Screenshot: ${shot.png} (${shot.rendered} charts drawn)`);
  const problems = [
    ...(shot.failed > 0 ? [`${shot.failed} charts failed to render`] : []),
    ...shot.errors.map((e) => `browser console: ${e}`),
    ...shot.requests.map((r) => `the page requested ${r}`),
  ];
  for (const p of problems) console.error(`warning: ${p}`);
  return problems.length > 0 ? 1 : 0;
}

/**
 * Run the report command.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 written, 1 the screenshot failed or showed errors, 2 bad input.
 */
export async function report(args: string[]): Promise<number> {
  const flags = parseFlags(args, {
    string: [
      "out",
      "facet",
      "color",
      "metric",
      "heatmap",
      "samples",
      "results",
      "screenshot",
      "port",
      "screenshot-sections",
    ],
    boolean: ["charts", "png", "serve"],
    negatable: ["charts", "png"],
    default: { charts: true, png: true },
    positionals: 1,
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const positional = (flags._ as unknown[]).map(String);
  if (positional.length !== 1) {
    throw new InputError("arguments", "expected an experiment file or a results folder (deno task report --help)");
  }
  const { choices, port, screenshot, sections } = reportChoices(flags);
  const { dir: resultsDir, claims } = await resultsDirFor(
    positional[0] ?? "",
    optionalString(flags.results, "results") ?? "results",
  );
  if (flags.serve === true) return await serve({ resultsDir, ...choices, port });
  // The experiment's claims are checked against the results as they are now, and saved once the report is written.
  const opts: ReportOptions = { resultsDir, ...choices, ...(claims.length ? { claims } : {}) };
  if (flags.charts !== true) opts.chartDir = null;
  const result = await buildReport(opts);
  if (claims.length) await trySaveClaims(resultsDir, result.claims);
  for (const note of result.notes) console.error(note);
  console.log(wroteLine(result));
  if (result.files.length > 0) console.log(`Charts: ${result.files.length} files in ${result.chartDir}`);
  return screenshot === undefined ? 0 : await screenshotStatus(result.html, screenshot, sections);
}

if (import.meta.main) await runMain(() => report(Deno.args));
