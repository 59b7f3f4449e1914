/**
 * `deno task sweep <experiment.ts>`: train every grid point of an experiment.
 *
 * Ctrl-C, SIGTERM or `--stop-after` stop it cleanly: each run in training
 * checkpoints the step it is at, and the same command continues from there.
 *
 * Exit codes: 0 when every run completed or diverged (a diverged run is a
 * result), 1 when a run failed, 2 for invalid input, 3 when `--stop-after`
 * stopped it, 130 / 143 when SIGINT / SIGTERM did.
 * @module
 */
import { join, normalize } from "@std/path";
import { BACKEND_CHOICES, type BackendChoice } from "../lib/tfjs/backend_choice.ts";
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { type Plan, type PlanOptions, planSweep } from "../lib/experiment/plan.ts";
import { formatDuration } from "../lib/cli/duration.ts";
import { ProgressDisplay } from "../lib/sweep/progress_display.ts";
import { parseStopAfter } from "../lib/cli/duration.ts";
import { stopExitCode, stopOnSignals, StopRequest } from "../lib/sweep/stop_request.ts";
import type { SweepSummary } from "../lib/sweep/sweep.ts";
import { describePicks, seedsPhase } from "../lib/sweep/seeds_phase.ts";
import type { TfFlagValue } from "../lib/tfjs/flags.ts";
import { budget } from "../lib/experiment/budget.ts";
import { getKind } from "../lib/plugins/kinds.ts";
import { datasetFacts } from "../lib/data/dataset_ref.ts";
import { datasetLabel } from "../lib/data/sources.ts";
import { requireListen, requirePortFreeForSweep, sweepLiveReport } from "../lib/sweep/live_report.ts";
import { DEFAULT_PORT, parsePort } from "../lib/report/serve.ts";
import "../lib/train/declared.ts"; // the built-in archs, losses and kinds, before planning (training loads the rest)
import { lateImport } from "../lib/late_import.ts";

const USAGE = `usage: deno task sweep <experiment.ts> [options]

  --out DIR            results root (default: results)
  --backend NAME       auto | webgpu | wasm | cpu (default: auto)
  --profile NAME       apply a named profile of the experiment (e.g. quick)
  --set key=value      override a base value for every run (repeatable)
  --only key=value     keep only the grid points with this value (repeatable)
  --jobs N             runs trained at once (default: one per core on wasm/cpu, 1 on a GPU)
  --threads N          1 or 2: threads for the matrix products of a run trained alone on wasm
                       (default: 2 when one run is trained at a time on 2 or more cores)
  --shard i/n          take every n-th run starting at i (0-based), e.g. a Slurm array
  --tf-flag N=V        set a TensorFlow.js flag in every run (repeatable), e.g. the WebGPU backend's
                       WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30; recorded in each run's config.json
  --stop-after TIME    stop cleanly after this long (e.g. 90m, 2h45m): each run in training
                       checkpoints its current step; the same command continues it (exit 3)
  --serve              serve the live report beside the sweep on http://127.0.0.1:PORT/ (as deno task
                       report --serve does) until the sweep ends; deno task sweep may listen on 8000 only
  --port N             the port of --serve (default 8000)
  --dry-run            print the runs and train nothing

Ctrl-C (or SIGTERM) stops the same way (exit 130 / 143); a second Ctrl-C quits at once.`;

function parseShard(
  text: string | undefined,
): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
    throw new InputError(
      "--shard",
      `expected i/n with 0 ≤ i < n (e.g. 0/4), got ${JSON.stringify(text)}`,
    );
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The port of `--serve` (checked: this process may listen there), or null without `--serve`. */
function liveReportPort(serve: boolean, portFlag: unknown): number | null {
  if (!serve) {
    if (portFlag !== undefined) throw new InputError("--port", "is for --serve only");
    return null;
  }
  const port = portFlag === undefined ? DEFAULT_PORT : parsePort(portFlag);
  requireListen(port);
  return port;
}

/** What the command line asks for, checked. */
interface SweepArgs {
  path: string;
  out: string;
  backend: BackendChoice;
  jobs: number | undefined;
  threads: number | undefined;
  shard: { index: number; count: number } | undefined;
  tfFlags: Record<string, TfFlagValue>;
  stopAfter: ReturnType<typeof parseStopAfter>;
  port: number | null;
  planOptions: PlanOptions;
  dryRun: boolean;
}

/** A positive integer flag (`--jobs`), or undefined when absent. */
function positiveFlag(value: unknown, flag: string, allowed?: readonly number[]): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (allowed ? !allowed.includes(n) : !(Number.isInteger(n) && n >= 1)) {
    const expected = allowed ? allowed.join(" or ") : "a positive integer";
    throw new InputError(flag, `expected ${expected}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `--tf-flag` settings, checked against TensorFlow.js's flags and its backends' (loaded only when there are some). */
async function tfFlagsOf(settings: string[]): Promise<Record<string, TfFlagValue>> {
  if (settings.length === 0) return {};
  await lateImport(new URL("../lib/tfjs/backend.ts", import.meta.url)); // the backends register their flags
  const { parseTfFlags } = await lateImport<typeof import("../lib/tfjs/flags.ts")>(
    new URL("../lib/tfjs/flags.ts", import.meta.url),
  );
  return parseTfFlags(settings);
}

/** Parse and check `Deno.args`; null for `--help`. */
async function parseArgs(): Promise<SweepArgs | null> {
  const flags = parseFlags(Deno.args, {
    string: ["out", "backend", "profile", "set", "only", "jobs", "shard", "threads", "stop-after", "tf-flag", "port"],
    boolean: ["dry-run", "serve"],
    collect: ["set", "only", "tf-flag"],
    default: { out: "results", backend: "auto" },
  });
  if (flags.help) return null;
  const path = flags._[0];
  if (flags._.length !== 1 || path === undefined) {
    const got = flags._.length ? `got ${flags._.map((a) => JSON.stringify(String(a))).join(" ")}` : "got none";
    throw new InputError("sweep", `expected one experiment file, ${got}\n${USAGE}`);
  }
  const backend = String(flags.backend);
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new InputError("--backend", `expected one of ${BACKEND_CHOICES.join(", ")}, got ${JSON.stringify(backend)}`);
  }
  return {
    path: String(path),
    out: String(flags.out),
    backend: backend as BackendChoice,
    jobs: positiveFlag(flags.jobs, "--jobs"),
    threads: positiveFlag(flags.threads, "--threads", [1, 2]),
    shard: parseShard(flags.shard as string | undefined),
    tfFlags: await tfFlagsOf(flags["tf-flag"] as string[]),
    stopAfter: parseStopAfter(flags["stop-after"]),
    port: liveReportPort(flags.serve === true, flags.port),
    planOptions: {
      set: flags.set as string[],
      only: flags.only as string[],
      ...(flags.profile !== undefined ? { profile: String(flags.profile) } : {}),
    },
    dryRun: flags["dry-run"] === true,
  };
}

/** `--dry-run`: the runs, one line each, with the shard each falls to (and the seeds phase to come, if any). */
async function printPlan(plan: Plan, shard: SweepArgs["shard"], seedsPlanned: boolean): Promise<void> {
  const { experiment } = plan;
  console.log(
    `${experiment.name}: ${plan.runs.length} run${plan.runs.length === 1 ? "" : "s"}${
      experiment.description ? ` — ${experiment.description}` : ""
    }`,
  );
  if (plan.overrides.length) console.log(`  --set ${plan.overrides.join(", ")}`);
  for (const [i, run] of plan.runs.entries()) {
    const skip = shard && i % shard.count !== shard.index ? "  (other shard)" : "";
    const values = Object.entries(run.gridValues).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
    const { totalSteps } = budget(run.config, (await datasetFacts(run.config.dataset, run.dataDir ?? ".")).count);
    const networks = getKind(run.config.kind)?.ownNetworks ?? run.config.arch;
    const { dataset, datasetB } = run.config;
    const data = datasetLabel(dataset) + (datasetB ? ` ↔ ${datasetLabel(datasetB)}` : "");
    console.log(`  ${run.runId}  ${values}  ${networks} ${data} ${totalSteps} steps${skip}`);
  }
  const reseed = experiment.reseed;
  if (reseed && !seedsPlanned) {
    console.log(
      `  then the seeds phase: the best ${reseed.top ?? 1} of each ${(reseed.by ?? []).join(" × ") || "run"} by ` +
        `${reseed.metric}, with seeds ${reseed.seeds.join(", ")} (planned once these runs have ended)`,
    );
  }
}

/** The sweep's one summary line and what follows it. */
function printSummary(summary: SweepSummary, plan: Plan, args: SweepArgs): void {
  const count = (s: string) => summary.results.filter((r) => r.status === s).length;
  const name = plan.experiment.name;
  console.log(
    `\n${name}: ${count("completed")} completed, ${count("diverged")} diverged, ${count("failed")} failed, ` +
      (count("stopped") ? `${count("stopped")} stopped, ` : "") +
      (count("pruned") ? `${count("pruned")} pruned, ` : "") +
      (count("collapsed") ? `${count("collapsed")} collapsed, ` : "") +
      (summary.notStarted ? `${summary.notStarted} not started, ` : "") +
      `${count("skipped")} already done, ${count("locked")} held by another sweep — ${
        formatDuration(summary.seconds)
      } on ${summary.backend.name}, ${summary.jobs} at a time`,
  );
  for (const r of summary.results.filter((r) => r.status === "failed")) console.log(`  failed: ${r.runId}: ${r.error}`);
  if (summary.stale.length) {
    console.log(
      `  ${summary.stale.length} run folder(s) in ${args.out}/${name} are not in this grid (the experiment ` +
        "changed, or they belong to another --profile or --set):",
    );
    for (const s of summary.stale) console.log(`    ${s}`);
  }
  for (const c of summary.claims) console.log(`  claim ${c.id}: ${c.verdict.toUpperCase()} — ${c.measured}`);
  const elsewhere = normalize(args.out) === "results" ? "" : ` --results ${args.out}`;
  console.log(`  results: ${args.out}/${name}/   report: deno task report ${args.path}${elsewhere}`);
  if (args.port !== null) {
    console.log(`  live report: stopped with the sweep; deno task report:serve ${args.out}/${name} serves it again`);
  }
  if (summary.stoppedBy) {
    console.log(
      `  stopped (${summary.stoppedBy}): run the same command to continue each stopped run from its checkpoint`,
    );
  }
}

/** The command: parse `Deno.args`, plan, train (the seeds phase after the first, when asked), print the summary. */
export async function main(): Promise<number> {
  const args = await parseArgs();
  if (args === null) {
    console.log(USAGE);
    return 0;
  }
  const experiment = await loadExperiment(args.path);
  const expDir = join(args.out, experiment.name);
  let plan = await planSweep(experiment, args.path, args.planOptions);
  let planOptions = args.planOptions;
  const ready = await seedsPhase(plan, planOptions, expDir); // the first phase already ended: plan both
  if (ready) ({ plan, planOptions } = ready);
  if (args.dryRun) {
    if (ready) { for (const line of describePicks(ready)) console.log(`  seeds phase: ${line}`); }
    await printPlan(plan, args.shard, ready !== null);
    return 0;
  }
  await lateImport<typeof import("../lib/tfjs/kernels_setup.ts")>(
    new URL("../lib/tfjs/kernels_setup.ts", import.meta.url),
  ); // training starts: TensorFlow.js and the harness's kernels load
  const { runSweep } = await lateImport<typeof import("../lib/sweep/sweep.ts")>(
    new URL("../lib/sweep/sweep.ts", import.meta.url),
  );
  const display = new ProgressDisplay(Deno.stdout.isTerminal());
  const stop = new StopRequest();
  const live = args.port === null ? null : sweepLiveReport(args.port, (m) => display.log(m));
  const unlisten = stopOnSignals(stop, (m) => display.log(m), args.stopAfter);
  const train = (p: Plan, options: PlanOptions) =>
    runSweep(p, {
      out: args.out,
      backend: args.backend,
      ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
      ...(args.shard ? { shard: args.shard } : {}),
      experimentPath: args.path,
      planOptions: options,
      display,
      stop,
      tfFlags: args.tfFlags,
      ...(live ? { onPrepared: live.start, preflight: () => requirePortFreeForSweep(args.port!) } : {}),
    });
  let summary: SweepSummary;
  try {
    summary = await train(plan, planOptions);
    const next = summary.stoppedBy ? null : await seedsPhase(plan, planOptions, expDir);
    if (next) {
      printSummary(summary, plan, args);
      for (const line of describePicks(next)) display.log(`seeds phase: ${line}`);
      await live?.close();
      summary = await train(next.plan, next.planOptions);
      plan = next.plan;
    }
  } finally {
    unlisten();
    await live?.close();
  }
  printSummary(summary, plan, args);
  if (summary.results.some((r) => r.status === "failed")) return 1;
  return summary.stoppedBy ? stopExitCode(summary.stoppedBy) : 0;
}

if (import.meta.main) await runMain(main);
