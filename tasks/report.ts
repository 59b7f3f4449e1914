/**
 * `deno task report <experiment.ts | results/<experiment>> [options]`: write
 * the comparison report of a sweep (`results/<experiment>/report.html`, and
 * each chart as SVG/PNG in `results/<experiment>/report/`).
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { join, resolve, toFileUrl } from "@std/path";
import { buildReport, type ReportOptions } from "../lib/report/build_report.ts";
import { NotAnExperimentError } from "../lib/report/read_results.ts";
import { parseSamplePicks } from "../lib/report/samples.ts";

const USAGE = `Usage: deno task report <experiment.ts | results/<experiment>> [options]

  --out FILE         HTML file (default results/<experiment>/report.html)
  --facet KEY        grid key for column facets (default: the key with most values)
  --color KEY        grid key for colour (default: the next one)
  --metric NAME      metric of the final-value heatmap (default: first eval metric, else gLoss)
  --heatmap X,Y      grid keys of the heatmap axes (default: the two with most values)
  --samples LIST     sample points: first,middle,last (default) or epoch numbers
  --results DIR      results root for an experiment.ts argument (default results)
  --no-charts        do not write report/*.svg and *.png
  --no-png           write SVGs only`;

/** A command-line mistake: printed as one line, exit code 2. */
class UsageError extends Error {}

async function resultsDirFor(
  target: string,
  resultsRoot: string,
): Promise<string> {
  if (!/\.(ts|js|mts|mjs)$/.test(target)) return target;
  const url = toFileUrl(resolve(target)).href;
  let name: unknown;
  try {
    const loader = await import("../lib/experiment.ts") as Record<
      string,
      unknown
    >;
    if (typeof loader.loadExperiment === "function") {
      const exp = await (loader.loadExperiment as (p: string) => Promise<unknown>)(
        target,
      );
      name = (exp as { name?: unknown } | null)?.name;
    } else {
      const mod = await import(url) as { default?: { name?: unknown } };
      name = mod.default?.name;
    }
  } catch (e) {
    throw new UsageError(
      `Cannot load experiment file '${target}': ${e instanceof Error ? e.message.split("\n")[0] : e}`,
    );
  }
  if (typeof name !== "string" || name === "") {
    throw new UsageError(
      `'${target}' is not an experiment file: its default export has no 'name'`,
    );
  }
  return join(resultsRoot, name);
}

function optionalString(v: unknown, flag: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") {
    throw new UsageError(`--${flag} needs a value`);
  }
  return v;
}

/**
 * Run the report command.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 written, 2 bad input.
 */
export async function report(args: string[]): Promise<number> {
  const flags = parseArgs(args, {
    string: [
      "out",
      "facet",
      "color",
      "metric",
      "heatmap",
      "samples",
      "results",
    ],
    boolean: ["help", "charts", "png"],
    default: { charts: true, png: true },
    negatable: ["charts", "png"],
    unknown: (arg: string) => {
      if (arg.startsWith("-")) {
        throw new UsageError(`Unknown option '${arg}'\n${USAGE}`);
      }
      return true;
    },
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const positional = (flags._ as unknown[]).map(String);
  if (positional.length !== 1) {
    throw new UsageError(
      `Expected one experiment file or results folder\n${USAGE}`,
    );
  }
  const target = positional[0] ?? "";
  const resultsDir = await resultsDirFor(
    target,
    optionalString(flags.results, "results") ?? "results",
  );
  const heatmap = optionalString(flags.heatmap, "heatmap");
  const samples = optionalString(flags.samples, "samples");
  const opts: ReportOptions = {
    resultsDir,
    out: optionalString(flags.out, "out"),
    facet: optionalString(flags.facet, "facet"),
    color: optionalString(flags.color, "color"),
    metric: optionalString(flags.metric, "metric"),
    heatmap: heatmap?.split(",").map((s) => s.trim()),
    samples: samples === undefined ? undefined : parseSamplePicks(samples),
    png: flags.png === true,
  };
  if (flags.charts !== true) opts.chartDir = null;
  const result = await buildReport(opts);
  for (const note of result.notes) console.error(note);
  const runs = result.results.runs;
  const counts = ["completed", "running", "diverged", "failed", "pending"]
    .flatMap((s) => {
      const n = runs.filter((r) => r.state === s).length;
      return n > 0 ? [`${n} ${s}`] : [];
    });
  console.log(
    `Wrote ${result.html} (${result.charts.length} charts, ${runs.length} runs: ${counts.join(", ")})`,
  );
  if (result.files.length > 0) {
    console.log(
      `Charts: ${result.files.length} files in ${join(resultsDir, "report")}`,
    );
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await report(Deno.args));
  } catch (e) {
    if (
      e instanceof UsageError || e instanceof NotAnExperimentError ||
      e instanceof RangeError
    ) {
      console.error(`report: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}
