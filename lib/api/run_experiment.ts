/**
 * Run an experiment from code (a notebook, a script): the planner, run ids, resume rules and results folder of
 * `deno task sweep`, so the runs a notebook trains are the runs the command line trains, and either one continues
 * the other's. Progress comes as {@linkcode SweepEvent}s; in a Jupyter notebook it is also drawn as one output
 * updated in place. Outside a notebook nothing is printed.
 * @module
 */
import { join } from "@std/path";
import type { Experiment } from "../experiment/define.ts";
import { loadExperiment } from "../experiment/load.ts";
import { type Plan, type PlanOptions, planSweep } from "../experiment/plan.ts";
import { validateExperiment } from "../experiment/validate.ts";
import { budget } from "../experiment/budget.ts";
import { datasetFacts } from "../data/dataset_ref.ts";
import type { BackendChoice } from "../tfjs/backend.ts";
import type { TfFlagValue } from "../tfjs/flags.ts";
import type { SweepSummary } from "../sweep/sweep.ts";
import { type StopReason, StopRequest } from "../sweep/stop_request.ts";
import { readStatus } from "../sweep/run_status.ts";
import { JUPYTER_DISPLAY, jupyterKernel, type MediaBundle } from "./jupyter.ts";
import { EventDisplay, type PlannedRunInfo, type SweepEvent } from "./sweep_events.ts";
import { LiveView } from "./live_view.ts";
import { loadResults, type Results } from "./results.ts";
import { tableBundle } from "./text_table.ts";
import "../train/declared.ts"; // the built-in archs, losses and kinds, before planning
import { lateImport } from "../late_import.ts";

/** How to run an experiment: the options of `deno task sweep`, an abort signal, and where events go. */
export interface RunExperimentOptions {
  /** Results root (`--out`; default `results`, relative to the working directory). */
  out?: string;
  /** A named profile of the experiment (`--profile`). */
  profile?: string;
  /** Base values overriding every run (`--set`): `["steps=400"]`, or `{ steps: 400 }`. */
  set?: readonly string[] | Record<string, unknown>;
  /** Keep only the grid points with these values (`--only`): `["lr=2e-4"]`, or `{ lr: 2e-4 }`. */
  only?: readonly string[] | Record<string, unknown>;
  /** `auto` (default), `webgpu`, `wasm` or `cpu` (`--backend`). */
  backend?: BackendChoice;
  /**
   * Runs trained at once (`--jobs`; default as the command: one per core on wasm/cpu, 1 on a GPU). Runs of an
   * experiment given as a value train one at a time: workers load the experiment from its file.
   */
  jobs?: number;
  /** Matrix-product threads of a run trained alone on wasm, 1 or 2 (`--threads`). */
  threads?: number;
  /** Take every `count`-th run starting at `index` (`--shard index/count`). */
  shard?: { index: number; count: number };
  /** TensorFlow.js flags set as the backend starts (`--tf-flag`). */
  tfFlags?: Record<string, TfFlagValue>;
  /**
   * Aborting stops the sweep as Ctrl-C stops `deno task sweep`: each run in training checkpoints its current step
   * and the same call (or command) later continues it. E.g. `AbortSignal.timeout(10 * 60_000)`.
   */
  signal?: AbortSignal;
  /** Receives every event of the sweep, in order. */
  onEvent?: (event: SweepEvent) => void;
  /** Draw the live output (default: when running in a Jupyter kernel). */
  live?: boolean;
  /** For an experiment given as a value: the name its `experiment.json` records as the source (default `notebook`). */
  source?: string;
}

/** Why a sweep stopped before its end: a signal or `--stop-after` (as the command), or the abort signal. */
export type StoppedBy = StopReason | "abort";

/** What a sweep run from the API did; shows itself in a notebook as its runs' results. */
export class ExperimentRun {
  /**
   * @param plan The runs planned.
   * @param resultsDir The experiment's results folder, e.g. `results/quickstart`.
   * @param summary What the sweep did (as `deno task sweep` prints it).
   * @param stoppedBy Why it stopped early, or null when it ran to its end.
   */
  constructor(
    readonly plan: Plan,
    readonly resultsDir: string,
    readonly summary: SweepSummary,
    readonly stoppedBy: StoppedBy | null,
  ) {}

  /** The experiment's name. */
  get experiment(): string {
    return this.plan.experiment.name;
  }

  /** The planned run ids, in grid order. */
  get runIds(): string[] {
    return this.plan.runs.map((r) => r.runId);
  }

  /** Read the results folder as it is now. */
  results(): Promise<Results> {
    return loadResults(this.resultsDir);
  }

  /** One row per run of this sweep: how its attempt ended and where. */
  [JUPYTER_DISPLAY](): MediaBundle {
    const s = this.summary;
    return tableBundle({
      title: `${this.experiment}: ${s.results.length} runs in ${s.seconds.toFixed(1)} s on ${s.backend.name}` +
        (this.stoppedBy ? `, stopped (${this.stoppedBy})` : "") + ` — ${this.resultsDir}`,
      head: ["run", "result", "step", "note"],
      rows: s.results.map((
        r,
      ) => [r.runId, r.status, r.step === undefined ? "—" : String(r.step), r.error ?? r.note ?? ""]),
    });
  }
}

/** `{ steps: 400 }` or `["steps=400"]` as the command line's `key=value` texts. */
function assignments(value: readonly string[] | Record<string, unknown> | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...value] as string[];
  return Object.entries(value).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** Each planned run's budget and where it stands before training. */
async function plannedRuns(plan: Plan, expDir: string): Promise<PlannedRunInfo[]> {
  const out: PlannedRunInfo[] = [];
  for (const run of plan.runs) {
    const { totalSteps } = budget(run.config, (await datasetFacts(run.config.dataset, run.dataDir ?? ".")).count);
    const status = await readStatus(join(expDir, run.runId));
    out.push({
      runId: run.runId,
      gridValues: run.gridValues,
      totalSteps,
      state: status?.status ?? "pending",
      step: status?.step ?? 0,
    });
  }
  return out;
}

/**
 * Train every grid point of an experiment that is not done yet, as `deno task sweep` does: same plan, same run
 * ids, same results folder (`<out>/<experiment name>/`), finished runs skipped and stopped ones resumed.
 *
 * @param experiment An experiment file (e.g. `experiments/quickstart.ts`), or an experiment value
 *   (`defineExperiment({...})`), which trains in this thread, one run at a time.
 * @param options The command's options, an abort signal, an event listener, the live output.
 * @returns What the sweep did; its results folder.
 * @throws {InputError} For an invalid experiment, profile, `set` or `only` (before anything trains).
 * @throws {RangeError} For `jobs` above 1 with an experiment value, or `jobs` not a positive integer.
 * @example The quick start's grid at 200 steps a run, from a notebook in `notebooks/`
 * ```ts ignore
 * import { runExperiment } from "../mod.ts";
 * const run = await runExperiment("../experiments/quickstart.ts", { out: "../results", set: { steps: 200 } });
 * run.runIds; // the ids `deno task sweep experiments/quickstart.ts --set steps=200` trains
 * ```
 */
export async function runExperiment(
  experiment: Experiment | string,
  options: RunExperimentOptions = {},
): Promise<ExperimentRun> {
  options.signal?.throwIfAborted();
  const jobs = options.jobs;
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
    throw new RangeError(`Cannot run with 'jobs' ${jobs}: expected a positive integer`);
  }
  const isFile = typeof experiment === "string";
  if (!isFile && jobs !== undefined && jobs > 1) {
    throw new RangeError(
      `Cannot train an experiment value with 'jobs' ${jobs}: workers load the experiment from its file; ` +
        "pass the experiment file's path, or leave 'jobs' out (one run at a time)",
    );
  }
  const source = isFile ? experiment : options.source ?? "notebook";
  const loaded = isFile ? await loadExperiment(experiment) : validateExperiment(experiment, source);
  const planOptions: PlanOptions = {
    set: assignments(options.set),
    only: assignments(options.only),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
  };
  const plan = await planSweep(loaded, source, planOptions);
  const out = options.out ?? "results";
  const expDir = join(out, plan.experiment.name);

  const live = options.live ?? jupyterKernel() !== null ? new LiveView() : null;
  const pendingStates: Promise<void>[] = [];
  const emit = (event: SweepEvent) => {
    options.onEvent?.(event);
    live?.receive(event);
    if (event.type === "run-ended" && live) {
      pendingStates.push(
        readStatus(join(expDir, event.runId)).then((s) =>
          live.ended(event.runId, /FAILED/.test(event.message) ? "failed" : s?.status ?? "failed")
        ),
      );
    }
  };
  const runJobs = isFile ? jobs : 1;
  emit({
    type: "planned",
    experiment: plan.experiment.name,
    resultsDir: expDir,
    jobs: runJobs ?? null,
    runs: await plannedRuns(plan, expDir),
  });

  // The sweep and the harness's kernels (as `tasks/sweep.ts` imports them), loaded when a sweep runs.
  await lateImport<typeof import("../tfjs/kernels_setup.ts")>(new URL("../tfjs/kernels_setup.ts", import.meta.url));
  const { runSweep } = await lateImport<typeof import("../sweep/sweep.ts")>(
    new URL("../sweep/sweep.ts", import.meta.url),
  );
  const stop = new StopRequest();
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    stop.request("SIGINT"); // the clean stop of Ctrl-C: checkpoint each run where it is
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let summary: SweepSummary;
  try {
    summary = await runSweep(plan, {
      out,
      backend: options.backend ?? "auto",
      ...(runJobs !== undefined ? { jobs: runJobs } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      experimentPath: source,
      planOptions,
      display: new EventDisplay(emit),
      stop,
      tfFlags: options.tfFlags ?? {},
    });
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  await Promise.all(pendingStates);
  emit({ type: "finished", summary });
  await live?.flush();
  const stoppedBy: StoppedBy | null = summary.stoppedBy === null ? null : aborted ? "abort" : summary.stoppedBy;
  return new ExperimentRun(plan, expDir, summary, stoppedBy);
}
