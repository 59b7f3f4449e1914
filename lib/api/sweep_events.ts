/**
 * What a sweep run from the API tells as it goes, as events (instead of the terminal's progress bars), and the
 * {@linkcode ProgressDisplay} that turns the sweep's progress calls into them without printing anything.
 * @module
 */
import type { Progress } from "../train/loop.ts";
import type { SweepSummary } from "../sweep/sweep.ts";
import { ProgressDisplay } from "../sweep/progress_display.ts";
import type { RunState } from "../results/read_results.ts";

/** A planned run: its id, grid values, step budget, and where it stood before this sweep. */
export interface PlannedRunInfo {
  runId: string;
  gridValues: Record<string, unknown>;
  totalSteps: number;
  /** `pending` when it has not started; else its `status.json` status (a finished run is skipped). */
  state: RunState;
  /** The step its `status.json` records (0 when none). */
  step: number;
}

/** Something that happened in a sweep. */
export type SweepEvent =
  /** The runs are planned and the results folder is known; nothing has trained yet. */
  | { type: "planned"; experiment: string; resultsDir: string; jobs: number | null; runs: PlannedRunInfo[] }
  /** A run made progress: sent after every step it trains. */
  | { type: "progress"; progress: Progress }
  /** A line the terminal would print above its bars (which GEMM, a warning, a promotion, …). */
  | { type: "log"; message: string }
  /** A run ended (completed, diverged, stopped, pruned, collapsed, failed, or held by another sweep). */
  | { type: "run-ended"; runId: string; message: string }
  /** The sweep is over. */
  | { type: "finished"; summary: SweepSummary };

/** A {@linkcode ProgressDisplay} that prints nothing and hands every call to `emit` as a {@linkcode SweepEvent}. */
export class EventDisplay extends ProgressDisplay {
  readonly #emit: (event: SweepEvent) => void;

  /** @param emit Receives the events. */
  constructor(emit: (event: SweepEvent) => void) {
    super(false);
    this.#emit = emit;
  }

  /** A run made progress. */
  override update(p: Progress): void {
    this.#emit({ type: "progress", progress: p });
  }

  /** A message the terminal would print. */
  override log(message: string): void {
    this.#emit({ type: "log", message });
  }

  /** A run ended. */
  override done(runId: string, message: string): void {
    this.#emit({ type: "run-ended", runId, message });
  }
}
