/**
 * A worker that trains runs for a parallel sweep: its own tfjs instance,
 * its own copy of the data. It plans the experiment again from the file (so
 * architectures the file registers exist here too) and trains the run asked for.
 * @module
 */
/// <reference lib="deno.worker" />
import { startBackend } from "../tfjs/backend.ts";
import { executeRun, type RunResult } from "./execute_run.ts";
import { loadExperiment } from "../experiment/load.ts";
import { type PlanOptions, planSweep } from "../experiment/plan.ts";
import { StopRequest } from "./stop_request.ts";
import type { TfFlagValue } from "../tfjs/flags.ts";
import type { Progress } from "../train/loop.ts";
import "../tfjs/kernels_setup.ts";
import "../train/builtins.ts"; // the built-in archs, losses and kinds, before planning

/** What the sweep asks a worker to do. */
export interface WorkerRequest {
  experimentPath: string;
  planOptions: PlanOptions;
  runId: string;
  runDir: string;
  backend: "webgpu" | "wasm" | "cpu";
  /** The sweep's {@linkcode StopRequest} buffer, shared: a stop asked for in the sweep is seen here at once. */
  stop: SharedArrayBuffer;
  /** TensorFlow.js flags the sweep was given (`--tf-flag`), set here too. */
  tfFlags: Record<string, TfFlagValue>;
}

/** What a worker says back. */
export type WorkerReply =
  | { type: "progress"; progress: Progress }
  | { type: "warn"; message: string }
  | { type: "result"; result: RunResult }
  /** The worker is ending before its run did (the run's code called `Deno.exit` or `close`). */
  | { type: "ended"; how: string };

/**
 * A worker that ends sends no error and no result, and the sweep would wait for its run forever: say so first.
 * (Deno.exit in a worker ends the worker alone, as `close()` does.)
 */
function tellBeforeEnding(): void {
  const exit = Deno.exit;
  const close = self.close.bind(self);
  const say = (how: string) => self.postMessage({ type: "ended", how } satisfies WorkerReply);
  Object.defineProperty(Deno, "exit", {
    value: (code?: number): never => {
      say(`the run called Deno.exit(${code ?? ""})`);
      return exit(code);
    },
    configurable: true,
    writable: true,
  });
  self.close = () => {
    say("the run called close()");
    close();
  };
}
tellBeforeEnding();

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  const reply = (m: WorkerReply) => self.postMessage(m);
  try {
    const experiment = await loadExperiment(req.experimentPath);
    const plan = await planSweep(
      experiment,
      req.experimentPath,
      req.planOptions,
    );
    const run = plan.runs.find((r) => r.runId === req.runId);
    if (!run) {
      throw new Error(
        `${req.experimentPath} changed after this sweep started: run ${req.runId} is no longer in its grid ` +
          `(it now has ${plan.runs.map((r) => r.runId).join(", ")}); start the sweep again to train the new grid`,
      );
    }
    const backend = await startBackend(req.backend, req.tfFlags);
    const stop = new StopRequest(req.stop);
    const result = await executeRun(run, {
      experiment: experiment.name,
      runDir: req.runDir,
      backend,
      onProgress: (progress) => reply({ type: "progress", progress }),
      warn: (message) => reply({ type: "warn", message }),
      shouldStop: () => stop.requested,
      rules: experiment,
    });
    reply({ type: "result", result });
  } catch (err) {
    reply({
      type: "result",
      result: {
        runId: req.runId,
        status: "failed",
        seconds: 0,
        error: (err as Error).message,
      },
    });
  }
};
