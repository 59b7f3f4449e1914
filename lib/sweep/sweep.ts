/**
 * A sweep: every planned run, in order or N at a time in workers, each
 * skipped when already done, resumed when interrupted, and its end recorded.
 * @module
 */
import { join } from "@std/path";
import { ensureWritable, writeJsonAtomic } from "../atomic_write.ts";
import { type BackendChoice, type BackendInfo, startBackend } from "../tfjs/backend.ts";
import { type CheckedClaim, writeClaims } from "../claims/claims.ts";
import { type DatasetValue, loadDecoded, resolveDataset } from "../data/dataset_ref.ts";
import { changedArchitecture, executeRun, markCrashedRun, type RunResult } from "./execute_run.ts";
import { readStatus } from "./run_status.ts";
import { doneBecause, rulesFor } from "./early_stop.ts";
import { RungBook } from "./asha.ts";
import type { Plan, PlannedRun, PlanOptions } from "../experiment/plan.ts";
import { formatDuration } from "../cli/duration.ts";
import type { ProgressDisplay } from "./progress_display.ts";
import type { ExperimentFile } from "../results/records.ts";
import { describeGemm, gemmForRun } from "../kernels/gemm_info.ts";
import { useGemmThreads } from "../kernels/register_wasm_kernels.ts";
import type { WorkerReply, WorkerRequest } from "./worker.ts";
import { type StopReason, StopRequest } from "./stop_request.ts";
import { RunQueue } from "./run_queue.ts";
import type { TfFlagValue } from "../tfjs/flags.ts";
import { damagedRunMessage, ENDED_STATUSES, generatorLeftOut } from "../results/verify_run.ts";

/** How to run a sweep. */
export interface SweepOptions {
  /** Results root (`results`). */
  out: string;
  backend: BackendChoice;
  /** Runs trained at once; each in its own worker when more than 1. Default: cores on wasm/cpu, 1 on a GPU. */
  jobs?: number;
  /**
   * Threads for the matrix products of a run trained alone on wasm (1 or 2). Default: 2 on a machine with 2 or
   * more cores when the sweep trains one run at a time, else 1.
   */
  threads?: number;
  /** Take every `count`-th run starting at `index` (0-based). */
  shard?: { index: number; count: number };
  /** The experiment file and the options that planned it (workers plan again from them). */
  experimentPath: string;
  planOptions: PlanOptions;
  display: ProgressDisplay;
  /** When asked, runs in training checkpoint at their current step and return `stopped`; no new run starts. */
  stop?: StopRequest;
  /** TensorFlow.js flags to set as the backend starts, in this thread and in every worker. */
  tfFlags?: Record<string, TfFlagValue>;
  /**
   * Called once `experiment.json` is written and before any run trains (a live report starts here); a throw ends
   * the sweep before it trains anything.
   */
  onPrepared?: (expDir: string) => Promise<void>;
  /** Checks that need the machine (a port for the live report): run after the backend starts, before anything is
   * written; a throw ends the sweep with nothing written. */
  preflight?: () => void | Promise<void>;
}

/** What a sweep did. */
export interface SweepSummary {
  results: RunResult[];
  /** Run folders of this experiment that are not in the current grid. */
  stale: string[];
  seconds: number;
  backend: BackendInfo;
  jobs: number;
  /** The experiment's claims, checked against all its results (also in `claims.json`). */
  claims: CheckedClaim[];
  /** Why the sweep was stopped before its end (its runs then stand `stopped`, not started, or held elsewhere), or null. */
  stoppedBy: StopReason | null;
  /** Runs to train that were not started because of the stop. */
  notStarted: number;
}

/**
 * Each dataset the runs train on, once, the first run's last: a process keeps one decoded set at a time, so the
 * first run trained here finds its set already read (and the others have been read and checked before any training).
 */
function datasetsToCheck(runs: readonly PlannedRun[]): [DatasetValue, string][] {
  const byKey = new Map<string, [DatasetValue, string]>();
  for (const run of [...runs].reverse()) {
    const dataDir = run.dataDir ?? ".";
    const key = JSON.stringify(resolveDataset(run.config.dataset, dataDir));
    byKey.delete(key);
    byKey.set(key, [run.config.dataset, dataDir]);
  }
  return [...byKey.values()];
}

/** The checks that can fail cheaply before any run folder exists, then the backend; writes `experiment.json`. */
async function prepareSweep(plan: Plan, options: SweepOptions, expDir: string): Promise<BackendInfo> {
  for (const [dataset, dataDir] of datasetsToCheck(plan.runs)) await loadDecoded(dataset, dataDir);
  const backend = await startBackend(options.backend, options.tfFlags ?? {});
  await ensureWritable("--out", expDir, "choose a writable folder with --out");
  await options.preflight?.();
  const experimentFile: ExperimentFile = {
    name: plan.experiment.name,
    description: plan.experiment.description ?? "",
    source: plan.source,
    grid: (plan.experiment.grid ?? {}) as Record<string, unknown[]>,
    runs: plan.gridRunIds, // the whole grid: --only selects what trains now, not what the experiment is
    updated: new Date().toISOString(),
  };
  await writeJsonAtomic(join(expDir, "experiment.json"), experimentFile);
  return backend;
}

/**
 * This shard's runs, split into those already done (as `skipped` results) and those to train. A run that ended but
 * whose files are not what it ended with (lib/results/verify_run.ts) is neither: it is `failed`, named with what
 * differs, and left as it is. Done runs that hold no `generator/` at all are named in `withoutGenerator`.
 */
async function sortOutDone(
  plan: Plan,
  options: SweepOptions,
  expDir: string,
): Promise<{ mine: PlannedRun[]; done: RunResult[]; todo: PlannedRun[]; withoutGenerator: string[] }> {
  const { shard } = options;
  const mine = shard ? plan.runs.filter((_, i) => i % shard.count === shard.index) : plan.runs;
  const done: RunResult[] = [];
  const todo: PlannedRun[] = [];
  const withoutGenerator: string[] = [];
  for (const run of mine) {
    const status = await readStatus(join(expDir, run.runId));
    const because = await doneBecause(status, rulesFor(plan.experiment, run), expDir, run.runId);
    const changed = because === null ? null : await changedArchitecture(run, join(expDir, run.runId));
    const damaged = because === null || status === null
      ? null
      : await damagedRunMessage(join(expDir, run.runId), status);
    const refusal = changed ?? damaged;
    if (refusal !== null) {
      done.push({ runId: run.runId, status: "failed", seconds: 0, error: refusal });
    } else if (because !== null) {
      done.push({ runId: run.runId, status: "skipped", seconds: 0, note: because });
      if (ENDED_STATUSES.includes(status!.status) && await generatorLeftOut(join(expDir, run.runId))) {
        withoutGenerator.push(run.runId);
      }
    } else todo.push(run);
  }
  return { mine, done, todo, withoutGenerator };
}

/** What training the runs to do needs: where, on what, how to tell how each went, and when to stop. */
interface TrainContext {
  plan: Plan;
  options: SweepOptions;
  expDir: string;
  backend: BackendInfo;
  stop: StopRequest;
  /** Record a run's result and show it. */
  report: (r: RunResult) => void;
  warn: (message: string) => void;
}

/** A run's result as one line: `FAILED: …`, `completed at step 400 in 1m05s`, … */
function describeResult(r: RunResult): string {
  const resumed = r.resumedFrom ? ` (resumed from step ${r.resumedFrom})` : "";
  return r.status === "failed"
    ? `FAILED: ${r.error}`
    : r.status === "locked" || r.status === "skipped"
    ? `skipped: ${r.note}`
    : r.status === "stopped"
    ? `stopped at step ${r.step} with a checkpoint there, after ${formatDuration(r.seconds)}${resumed}`
    : `${r.status} at step ${r.step} in ${formatDuration(r.seconds)}${resumed}`;
}

/** How long a run another process holds waits at the end of the queue before it is tried again. */
const HELD_RETRY_MS = 1000;

/**
 * The next run of `queue` to try, or undefined when none is left (or the sweep is stopping). A held run that the
 * process holding it has since ended as `failed` is reported, not tried again: that sweep reports the failure.
 */
async function nextRun(queue: RunQueue<PlannedRun>, ctx: TrainContext): Promise<PlannedRun | undefined> {
  const onWait = (held: PlannedRun[]) =>
    ctx.options.display.log(
      `waiting for ${held.length} run(s) that other sweeps hold: ${held.map((r) => r.runId).join(", ")}`,
    );
  for (;;) {
    const run = await queue.next(() => ctx.stop.requested, onWait);
    if (!run) return undefined;
    const since = queue.heldSince(run);
    const status = since === undefined ? null : await readStatus(join(ctx.expDir, run.runId));
    if (ctx.stop.requested) {
      queue.putBack(run);
      return undefined;
    }
    if (since === undefined || status?.status !== "failed" || !(Date.parse(status.updated) >= since)) return run;
    const error = (status.error ?? "").split("\n")[0];
    ctx.report({
      runId: run.runId,
      status: "locked",
      seconds: 0,
      note: `another sweep trained it and it failed: ${error}`,
    });
  }
}

/** Record how an attempt at `run` went, or put the run back at the end of the queue when another process holds it. */
function settle(run: PlannedRun, result: RunResult, queue: RunQueue<PlannedRun>, ctx: TrainContext): void {
  if (result.status !== "locked" || ctx.stop.requested) return ctx.report(result);
  if (queue.heldSince(run) === undefined) {
    ctx.options.display.log(`${run.runId}: another sweep holds it; trying again once the other runs are through`);
  }
  queue.requeue(run);
}

/** Train the runs of `queue` one at a time in this thread: on wasm its matrix products can have the other core. */
async function trainInOrder(queue: RunQueue<PlannedRun>, ctx: TrainContext): Promise<void> {
  const { backend, options, stop } = ctx;
  const cores = navigator.hardwareConcurrency || 1;
  const threads = queue.size && backend.name === "wasm"
    ? await useGemmThreads(options.threads ?? Math.min(2, cores))
    : 1;
  const backendWith = (threads: number): BackendInfo =>
    threads > 1
      ? {
        ...backend,
        device: backend.device.replace("1 thread", `${threads} threads`),
        ...(backend.gemm ? { gemm: { ...backend.gemm, threads } } : {}),
      }
      : backend;
  if (threads > 1) options.display.log(`matrix products on ${threads} threads`);
  let current = threads;
  try {
    for (let run = await nextRun(queue, ctx); run; run = await nextRun(queue, ctx)) {
      const runDir = join(ctx.expDir, run.runId);
      // A resumed run keeps the GEMM threads it trained with (OpenBLAS's last bits depend on them).
      const gemm = backend.gemm ? await gemmForRun(runDir, backend.gemm, threads, true) : { threads };
      if (gemm.warning) ctx.warn(gemm.warning);
      if (gemm.threads !== current) {
        current = await useGemmThreads(gemm.threads);
        const why = current === threads ? "" : ", the threads its checkpoint was trained with";
        options.display.log(`${run.runId}: matrix products on ${current} thread(s)${why}`);
      }
      const result = await executeRun(run, {
        experiment: ctx.plan.experiment.name,
        runDir,
        backend: backendWith(current),
        onProgress: (p) => options.display.update(p),
        warn: ctx.warn,
        shouldStop: () => stop.requested,
        rules: ctx.plan.experiment,
      });
      settle(run, result, queue, ctx);
    }
  } finally {
    if (current > 1) await useGemmThreads(1);
  }
}

/** Train the runs of `queue` in `jobs` workers, each taking the next run from the queue when its run ends. */
async function trainInWorkers(queue: RunQueue<PlannedRun>, jobs: number, ctx: TrainContext): Promise<void> {
  const { options, stop } = ctx;
  const newWorker = () => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  await Promise.all(Array.from({ length: jobs }, async () => {
    let worker = newWorker();
    try {
      for (let run = await nextRun(queue, ctx); run; run = await nextRun(queue, ctx)) {
        const runDir = join(ctx.expDir, run.runId);
        const gemm = ctx.backend.gemm ? await gemmForRun(runDir, ctx.backend.gemm, 1, false) : null;
        if (gemm?.warning) ctx.warn(gemm.warning);
        let crashed = false;
        const request: WorkerRequest = {
          experimentPath: options.experimentPath,
          planOptions: options.planOptions,
          runId: run.runId,
          runDir,
          backend: ctx.backend.name,
          stop: stop.buffer,
          tfFlags: options.tfFlags ?? {},
        };
        const result = await new Promise<RunResult>((resolve) => {
          worker.onmessage = (e: MessageEvent<WorkerReply>) => {
            const m = e.data;
            if (m.type === "progress") options.display.update(m.progress);
            else if (m.type === "warn") ctx.warn(m.message);
            else if (m.type === "result") resolve(m.result);
            else {
              crashed = true;
              resolve({
                runId: run!.runId,
                status: "failed",
                seconds: 0,
                error: `worker ended without a result: ${m.how}`,
              });
            }
          };
          worker.onerror = (e) => {
            e.preventDefault();
            crashed = true;
            resolve({
              runId: run!.runId,
              status: "failed",
              seconds: 0,
              error: `worker crashed: ${e.message}`,
            });
          };
          worker.postMessage(request);
        });
        if (crashed) {
          // An uncaught error does not end a worker, and one that is ending may still be running: end it, so it cannot
          // answer for the next run (which gets a fresh one), then mark the run failed once its lock is free.
          worker.terminate();
          await markCrashedRun(runDir, result.error ?? "worker crashed", ctx.warn);
          worker = newWorker();
        }
        settle(run, result, queue, ctx);
      }
    } finally {
      worker.terminate();
    }
  }));
}

/** Run folders in `expDir` with a status that are not runs of `plan`, sorted. */
async function staleRuns(plan: Plan, expDir: string): Promise<string[]> {
  const current = new Set(plan.gridRunIds);
  const stale: string[] = [];
  for await (const entry of Deno.readDir(expDir)) {
    if (
      entry.isDirectory && !current.has(entry.name) &&
      (await readStatus(join(expDir, entry.name))) !== null
    ) stale.push(entry.name);
  }
  return stale.sort();
}

/**
 * ASHA's promotions: once this shard's runs are through, each pruned run that the rung book now keeps (more runs
 * have reached its rung since) resumes from its checkpoint; again until none is promoted.
 */
async function trainPromoted(
  mine: PlannedRun[],
  ctx: TrainContext,
  train: (runs: PlannedRun[]) => Promise<void>,
): Promise<void> {
  const prune = ctx.plan.experiment.prune;
  if (!prune) return;
  const book = new RungBook(ctx.expDir, prune);
  const byId = new Map(mine.filter((r) => !r.seedsPhase).map((r) => [r.runId, r])); // the seeds phase is not pruned
  while (!ctx.stop.requested) {
    const promoted = await book.promote(new Set(byId.keys()));
    if (promoted.length === 0) return;
    for (const p of promoted) {
      ctx.options.display.log(`${p.runId}: promoted at step ${p.rung} (${p.rank + 1} of ${p.of} there now)`);
    }
    await train(promoted.map((p) => byId.get(p.runId)!));
  }
}

/** Run every run of `plan` that is not done yet. */
export async function runSweep(
  plan: Plan,
  options: SweepOptions,
): Promise<SweepSummary> {
  const started = performance.now();
  const { display } = options;
  const expDir = join(options.out, plan.experiment.name);
  const backend = await prepareSweep(plan, options, expDir);
  await options.onPrepared?.(expDir);
  const { mine, done, todo, withoutGenerator } = await sortOutDone(plan, options, expDir);
  // By run id, in the order each first reported: a promoted run reports again, and its latest result stands for it.
  const results = new Map<string, RunResult>(done.map((r) => [r.runId, r]));
  const skipped = done.filter((r) => r.status === "skipped").length;
  const refused = done.filter((r) => r.status === "failed"); // ended but damaged, or of a changed architecture
  const cores = navigator.hardwareConcurrency || 1;
  const jobs = Math.max(1, Math.min(options.jobs ?? (backend.name === "webgpu" ? 1 : cores), todo.length || 1));
  display.log(
    `${plan.experiment.name}: ${plan.runs.length} run${plan.runs.length === 1 ? "" : "s"}` +
      (options.shard ? `, shard ${options.shard.index}/${options.shard.count} takes ${mine.length}` : "") +
      `, ${skipped} already done${refused.length ? `, ${refused.length} refused` : ""}, ${todo.length} to train on ` +
      `${backend.name} (${backend.reason}), ${jobs} at a time`,
  );
  for (const r of refused) display.done(r.runId, `${r.runId}: ${describeResult(r)}`);
  if (plan.overrides.length) display.log(`  --set ${plan.overrides.join(", ")}`);
  const warn = (m: string) => display.log(`warning: ${m}`);
  if (withoutGenerator.length > 0) {
    display.log(
      `  ${withoutGenerator.length} of the runs done hold no generator/ (saved weights left out, as committed ` +
        `results leave them; e.g. ${withoutGenerator[0]}): counted done from their whole log, samples and settings; ` +
        "deno task eval needs a run's generator",
    );
  }
  if (options.threads !== undefined && (jobs > 1 || backend.name !== "wasm")) {
    warn(
      `--threads ${options.threads} has no effect here: it sets the matrix-product threads of a run trained alone ` +
        `on wasm, and this sweep trains ${jobs > 1 ? `${jobs} runs at a time` : `on ${backend.name}`}`,
    );
  }
  const stop = options.stop ?? new StopRequest();
  const report = (r: RunResult) => {
    results.set(r.runId, r);
    display.done(r.runId, `${r.runId}: ${describeResult(r)}`);
  };
  if (todo.length && backend.gemm) {
    // Once per sweep: which GEMM the runs train on, and a warning (with the fix) when it is not the native one.
    if (backend.gemm.library === "openblas") display.log(describeGemm(backend.gemm));
    else warn(describeGemm(backend.gemm));
  }
  const ctx: TrainContext = { plan, options, expDir, backend, stop, report, warn };
  let notStarted = 0;
  let leftHeld = 0; // runs another sweep still held when this one stopped waiting for them
  const train = async (runs: PlannedRun[]) => {
    const queue = new RunQueue(runs, HELD_RETRY_MS);
    await (jobs === 1 ? trainInOrder(queue, ctx) : trainInWorkers(queue, jobs, ctx));
    // Left when the sweep stops: a run another sweep holds is reported as such, the others were not started.
    for (const run of queue.drain()) {
      if (queue.heldSince(run) === undefined) notStarted++;
      else {
        leftHeld++;
        report({ runId: run.runId, status: "locked", seconds: 0, note: "another sweep is training it" });
      }
    }
  };
  await train(todo);
  await trainPromoted(mine, ctx, train);

  const stale = await staleRuns(plan, expDir);
  const claims = plan.experiment.claims?.length ? await writeClaims(plan.experiment.claims, expDir) : [];
  const ended = [...results.values()];
  return {
    results: ended,
    stale,
    seconds: (performance.now() - started) / 1000,
    backend,
    jobs,
    claims,
    // A stop asked for after the last run's last step stopped nothing.
    stoppedBy: ended.some((r) => r.status === "stopped") || notStarted > 0 || leftHeld > 0 ? stop.reason : null,
    notStarted,
  };
}
