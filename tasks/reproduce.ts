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
import { writeFileAtomic, writeJsonAtomic } from "../lib/results/atomic_write.ts";
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { loadExperiment } from "../lib/experiment/load.ts";
import { planSweep } from "../lib/experiment/plan.ts";
import { ProgressDisplay } from "../lib/sweep/progress_display.ts";
import { buildReport } from "../lib/report/build_report.ts";
import { entryFromResults, renderSummary, type ReproducedExperiment } from "../lib/report/reproduce_summary.ts";
import { parseStopAfter } from "../lib/cli/duration.ts";
import { stopExitCode, stopOnSignals, StopRequest } from "../lib/sweep/stop_request.ts";
import { runSweep } from "../lib/sweep/sweep.ts";
import { readStatus } from "../lib/sweep/execute_run.ts";
import "../lib/tfjs/kernels_setup.ts";

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

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, {
    string: ["profile", "only", "out", "jobs", "backend", "stop-after"],
    default: { out: "results", backend: "auto" },
    positionals: 0,
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const out = String(flags.out);
  const profile = flags.profile === undefined ? null : String(flags.profile);
  const backend = String(flags.backend);
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new InputError("--backend", `expected one of ${BACKEND_CHOICES.join(", ")}, got ${JSON.stringify(backend)}`);
  }
  const postOf = (f: string) => f.match(/blog-(\d{3})-/)![1]!;
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
  const files = BLOG_EXPERIMENTS.filter((f) => !only || only.includes(postOf(f)));
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) {
    throw new InputError("--jobs", `expected a positive integer, got ${JSON.stringify(flags.jobs)}`);
  }

  const stopAfter = parseStopAfter(flags["stop-after"]);

  // Every experiment must offer the profile: one silently at its full budget could train for hours.
  const planOptions = profile !== null ? { profile } : {};
  // Validate every file (and the profile) before training anything.
  const plans = [];
  for (const file of files) {
    const experiment = await loadExperiment(file);
    plans.push({ file, planOptions, plan: await planSweep(experiment, file, planOptions) });
  }
  // The posts --only leaves out, loaded now rather than after hours of training; one that fails to load or plan is
  // only left off the summary.
  const others = [];
  for (const file of BLOG_EXPERIMENTS.filter((f) => !files.includes(f))) {
    try {
      const experiment = await loadExperiment(file);
      const plan = await planSweep(experiment, file, planOptions);
      others.push({ file, experiment, runIds: plan.runs.map((r) => r.runId) });
    } catch (e) {
      console.log(`${file}: will not be on the summary: ${(e as Error).message.split("\n")[0]}`);
    }
  }

  const started = performance.now();
  const display = new ProgressDisplay(Deno.stdout.isTerminal());
  const stop = new StopRequest();
  const unlisten = stopOnSignals(stop, (m) => display.log(m), stopAfter);
  const done: ReproducedExperiment[] = [];
  let backendName = backend;
  let failed = 0;
  let finished = 0; // experiments whose sweep ran to its end
  for (const { file, planOptions, plan } of plans) {
    if (stop.requested) break;
    const t0 = performance.now();
    const summary = await runSweep(plan, {
      out,
      backend: backend as BackendChoice,
      ...(jobs !== undefined ? { jobs } : {}),
      experimentPath: file,
      planOptions,
      display,
      stop,
    });
    backendName = `${summary.backend.name} (${summary.backend.device})`;
    if (!summary.stoppedBy) finished++;
    else display.log(`${plan.experiment.name}: stopped before its end; its claims are checked when it finishes`);
    const expDir = join(out, plan.experiment.name);
    await buildReport({ resultsDir: expDir });
    const count = (s: string) => summary.results.filter((r) => r.status === s).length;
    failed += count("failed");
    done.push({
      name: plan.experiment.name,
      description: plan.experiment.description ?? "",
      report: `${plan.experiment.name}/report.html`,
      claims: summary.claims,
      runs: { completed: count("completed") + count("skipped"), diverged: count("diverged"), failed: count("failed") },
      seconds: (performance.now() - t0) / 1000,
      trainingSeconds: await trainingSeconds(expDir, summary.results.map((r) => r.runId)),
    });
    for (const c of summary.stoppedBy ? [] : summary.claims) {
      display.log(`${plan.experiment.name} · ${c.id}: ${c.verdict} — ${c.measured}`);
    }
  }
  unlisten();
  if (finished < plans.length) {
    console.log(
      `\nstopped (${stop.reason}) with ${finished} of ${plans.length} experiments trained to the end; ` +
        "run the same command to continue (the summary is written when all have run)",
    );
    return failed > 0 ? 1 : stopExitCode(stop.reason ?? "SIGINT");
  }
  // With --only, the other posts keep their place on the summary page: their claims are checked again against the
  // results they already have (nothing is trained for them); a post with no results yet is left out and named.
  for (const { file, experiment, runIds } of others) {
    const entry = await entryFromResults(experiment, out, runIds).catch((e) => {
      console.log(`${file}: not on the summary: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    });
    if (entry) done.push(entry);
    else if (entry === null) {
      const again = `--only ${postOf(file)}${profile !== null ? ` --profile ${profile}` : ""}`;
      console.log(`${file}: no results in ${out}/ yet, so not on the summary (\`${again}\` trains it)`);
    }
  }
  const order = (name: string) => BLOG_EXPERIMENTS.findIndex((f) => f.endsWith(`/${name}.ts`));
  done.sort((a, b) => order(a.name) - order(b.name));
  const seconds = (performance.now() - started) / 1000;
  const meta = { profile, backend: backendName, seconds, date: new Date().toISOString() };
  await writeFileAtomic(join(out, "reproduce.html"), renderSummary(done, meta));
  await writeJsonAtomic(join(out, "reproduce.json"), { ...meta, experiments: done });
  console.log(`\nsummary: ${join(out, "reproduce.html")}`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) await runMain(main);
