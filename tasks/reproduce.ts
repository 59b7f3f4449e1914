/**
 * `deno task reproduce [--profile quick]`: train the five blog-post
 * experiments, check each post's claims, render each report and one summary
 * page (`results/reproduce.html`) with every verdict. Ctrl-C, SIGTERM or
 * `--stop-after` stop it cleanly (runs checkpoint their current step; no
 * summary is written) and the same command continues: exit 130 / 143 / 3.
 * @module
 */
import { join } from "@std/path";
import { BACKEND_CHOICES, type BackendChoice } from "../lib/tfjs/backend.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic_write.ts";
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { type Plan, type PlanOptions, planSweep } from "../lib/experiment/plan.ts";
import { ProgressDisplay } from "../lib/sweep/progress_display.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { entryFromResults, renderSummary, type ReproducedExperiment } from "../lib/report/reproduce_summary.ts";
import { parseStopAfter } from "../lib/cli/duration.ts";
import { stopExitCode, stopOnSignals, StopRequest } from "../lib/sweep/stop_request.ts";
import { runSweep, type SweepSummary } from "../lib/sweep/sweep.ts";
import { readStatus } from "../lib/sweep/run_status.ts";
import "../lib/tfjs/kernels_setup.ts";
import "../lib/train/builtins.ts"; // the built-in archs, losses and kinds, before planning

/** The reproductions, in post order. */
export const BLOG_EXPERIMENTS = [
  "experiments/blog-000-tf-dcgan.ts",
  "experiments/blog-001-pytorch-fashion.ts",
  "experiments/blog-002-keras-mlp.ts",
  "experiments/blog-003-tf1-vanilla.ts",
  "experiments/blog-004-gia-dcgan.ts",
];

const USAGE =
  `usage: deno task reproduce [--profile quick] [--only 000,002] [--out results] [--jobs N] [--backend NAME] [--stop-after TIME]

  --stop-after TIME   stop cleanly after this long (e.g. 90m, 2h45m); the same command continues (exit 3).
                      Ctrl-C or SIGTERM stop the same way (exit 130 / 143).`;

/** The runs' own training seconds (from each `status.json`), summed; a run without one counts 0. */
async function trainingSeconds(expDir: string, runIds: string[]): Promise<number> {
  let total = 0;
  for (const id of runIds) total += (await readStatus(join(expDir, id)))?.seconds ?? 0;
  return total;
}

/** What the command line asks for, checked. */
interface ReproduceArgs {
  out: string;
  profile: string | null;
  backend: BackendChoice;
  /** The experiment files to train (all, or those `--only` names). */
  files: string[];
  jobs: number | undefined;
  stopAfter: ReturnType<typeof parseStopAfter>;
}

const postOf = (f: string) => f.match(/blog-(\d{3})-/)![1]!;

/** Parse and check `Deno.args`; null for `--help`. */
function parseArgs(): ReproduceArgs | null {
  const flags = parseFlags(Deno.args, {
    string: ["profile", "only", "out", "jobs", "backend", "stop-after"],
    default: { out: "results", backend: "auto" },
    positionals: 0,
  });
  if (flags.help) return null;
  const backend = String(flags.backend);
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new InputError("--backend", `expected one of ${BACKEND_CHOICES.join(", ")}, got ${JSON.stringify(backend)}`);
  }
  const posts = BLOG_EXPERIMENTS.map(postOf);
  const only = flags.only === undefined ? null : String(flags.only).split(",").map((o) => o.trim());
  for (const o of only ?? []) {
    if (!posts.includes(o)) {
      throw new InputError(
        "--only",
        `${JSON.stringify(o)} is not a post number; expected a comma-separated list of ${posts.join(", ")}`,
      );
    }
  }
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) {
    throw new InputError("--jobs", `expected a positive integer, got ${JSON.stringify(flags.jobs)}`);
  }
  return {
    out: String(flags.out),
    profile: flags.profile === undefined ? null : String(flags.profile),
    backend: backend as BackendChoice,
    files: BLOG_EXPERIMENTS.filter((f) => !only || only.includes(postOf(f))),
    jobs,
    stopAfter: parseStopAfter(flags["stop-after"]),
  };
}

/**
 * Plan every file to train (and the profile: one silently at its full budget could train for hours) before
 * training anything, and the posts `--only` leaves out (one that fails to load or plan is only left off the summary).
 */
async function planAll(args: ReproduceArgs) {
  const planOptions = args.profile !== null ? { profile: args.profile } : {};
  const plans = [];
  for (const file of args.files) {
    plans.push({ file, planOptions, plan: await planSweep(await loadExperiment(file), file, planOptions) });
  }
  const others = [];
  for (const file of BLOG_EXPERIMENTS.filter((f) => !args.files.includes(f))) {
    try {
      const experiment = await loadExperiment(file);
      const plan = await planSweep(experiment, file, planOptions);
      others.push({ file, experiment, runIds: plan.runs.map((r) => r.runId) });
    } catch (e) {
      console.log(`${file}: will not be on the summary: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return { plans, others };
}

/** Train one post's sweep, render its report, and say what it found. */
async function trainPost(
  args: ReproduceArgs,
  { file, planOptions, plan }: { file: string; planOptions: PlanOptions; plan: Plan },
  display: ProgressDisplay,
  stop: StopRequest,
): Promise<{ entry: ReproducedExperiment; summary: SweepSummary }> {
  const t0 = performance.now();
  const summary = await runSweep(plan, {
    out: args.out,
    backend: args.backend,
    ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
    experimentPath: file,
    planOptions,
    display,
    stop,
  });
  if (summary.stoppedBy) {
    display.log(`${plan.experiment.name}: stopped before its end; its claims are checked when it finishes`);
  }
  const expDir = join(args.out, plan.experiment.name);
  await buildReport({ resultsDir: expDir });
  const count = (s: string) => summary.results.filter((r) => r.status === s).length;
  for (const c of summary.stoppedBy ? [] : summary.claims) {
    display.log(`${plan.experiment.name} · ${c.id}: ${c.verdict} — ${c.measured}`);
  }
  const entry = {
    name: plan.experiment.name,
    description: plan.experiment.description ?? "",
    report: `${plan.experiment.name}/report.html`,
    claims: summary.claims,
    runs: { completed: count("completed") + count("skipped"), diverged: count("diverged"), failed: count("failed") },
    seconds: (performance.now() - t0) / 1000,
    trainingSeconds: await trainingSeconds(expDir, summary.results.map((r) => r.runId)),
  };
  return { entry, summary };
}

/**
 * With `--only`, the other posts keep their place on the summary page: their claims are checked again against the
 * results they already have (nothing is trained for them); a post with no results yet is left out and named.
 */
async function otherPosts(
  args: ReproduceArgs,
  others: Awaited<ReturnType<typeof planAll>>["others"],
): Promise<ReproducedExperiment[]> {
  const entries: ReproducedExperiment[] = [];
  for (const { file, experiment, runIds } of others) {
    const entry = await entryFromResults(experiment, args.out, runIds).catch((e) => {
      console.log(`${file}: not on the summary: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    });
    if (entry) entries.push(entry);
    else if (entry === null) {
      const again = `--only ${postOf(file)}${args.profile !== null ? ` --profile ${args.profile}` : ""}`;
      console.log(`${file}: no results in ${args.out}/ yet, so not on the summary (\`${again}\` trains it)`);
    }
  }
  return entries;
}

async function main(): Promise<number> {
  const args = parseArgs();
  if (args === null) {
    console.log(USAGE);
    return 0;
  }
  const { plans, others } = await planAll(args);
  const started = performance.now();
  const display = new ProgressDisplay(Deno.stdout.isTerminal());
  const stop = new StopRequest();
  const unlisten = stopOnSignals(stop, (m) => display.log(m), args.stopAfter);
  const done: ReproducedExperiment[] = [];
  let backendName: string = args.backend;
  let failed = 0;
  let finished = 0; // experiments whose sweep ran to its end
  for (const planned of plans) {
    if (stop.requested) break;
    const { entry, summary } = await trainPost(args, planned, display, stop);
    backendName = `${summary.backend.name} (${summary.backend.device})`;
    if (!summary.stoppedBy) finished++;
    failed += entry.runs.failed;
    done.push(entry);
  }
  unlisten();
  if (finished < plans.length) {
    console.log(
      `\nstopped (${stop.reason}) with ${finished} of ${plans.length} experiments trained to the end; ` +
        "run the same command to continue (the summary is written when all have run)",
    );
    return failed > 0 ? 1 : stopExitCode(stop.reason ?? "SIGINT");
  }
  done.push(...await otherPosts(args, others));
  const order = (name: string) => BLOG_EXPERIMENTS.findIndex((f) => f.endsWith(`/${name}.ts`));
  done.sort((a, b) => order(a.name) - order(b.name));
  const meta = {
    profile: args.profile,
    backend: backendName,
    seconds: (performance.now() - started) / 1000,
    date: new Date().toISOString(),
  };
  await writeFileAtomic(join(args.out, "reproduce.html"), renderSummary(done, meta));
  await writeJsonAtomic(join(args.out, "reproduce.json"), { ...meta, experiments: done });
  console.log(`\nsummary: ${join(args.out, "reproduce.html")}`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) await runMain(main);
