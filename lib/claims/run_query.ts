/**
 * The runs of a sweep as a claim's check sees them, with the queries claims need (filter by config, final values,
 * values at an epoch, evaluation curves, how far training got).
 * @module
 */
import type { RunData } from "../results/read_results.ts";

/** The runs of a sweep, with the queries claims need. */
export class Runs {
  /** Wrap runs as read by the report's reader. */
  constructor(readonly list: readonly RunData[]) {}

  /**
   * Filter by config.
   * @param filter Config keys and values, e.g. `{ lr: 1e-2 }`.
   * @returns The runs whose resolved config matches every given key.
   */
  where(filter: Record<string, unknown>): Runs {
    return new Runs(
      this.list.filter((r) =>
        Object.entries(filter).every(([k, v]) =>
          JSON.stringify((r.config?.config as Record<string, unknown> | undefined)?.[k]) === JSON.stringify(v)
        )
      ),
    );
  }

  /**
   * Count runs in a state.
   * @param state e.g. `"completed"` or `"diverged"`.
   * @returns How many runs ended (or stand) in that state.
   */
  count(state: RunData["state"]): number {
    return this.list.filter((r) => r.state === state).length;
  }

  /**
   * The end value of a metric.
   * @param metric A logged field, e.g. `"fcd"` or `"dLoss"`.
   * @returns Per run that logged it, its last value: from eval lines first, then epoch lines, then step lines.
   */
  final(metric: string): number[] {
    return this.list.flatMap((r) => {
      for (const series of [r.evals, r.epochs, r.steps]) {
        const v = [...series].reverse().find((p) => Number.isFinite(p.values[metric]))?.values[metric];
        if (v !== undefined) return [v];
      }
      return [];
    });
  }

  /**
   * A metric at one epoch.
   * @param metric A field of the epoch lines, e.g. `"dLoss"`.
   * @param epoch The epoch (1-based).
   * @returns The epoch's mean of `metric`, one value per run that reached it.
   */
  atEpoch(metric: string, epoch: number): number[] {
    return this.list.flatMap((r) => {
      const v = r.epochs.find((p) => p.epoch === epoch)?.values[metric];
      return v !== undefined && Number.isFinite(v) ? [v] : [];
    });
  }

  /**
   * A quality metric's curve.
   * @param metric A field of the eval lines, e.g. `"fcd"`.
   * @returns Per run, its eval lines' values as `[step, value]` pairs.
   */
  evalSeries(metric: string): [number, number][][] {
    return this.list.map((r) =>
      r.evals.filter((p) => Number.isFinite(p.values[metric])).map((p) =>
        [p.step, p.values[metric]!] as [number, number]
      )
    );
  }

  /**
   * How far training got.
   * @returns The largest step any run reached: by its `status.json` (written at checkpoints) or, for a run still
   *   training, by its latest log line.
   */
  maxStep(): number {
    return Math.max(
      0,
      ...this.list.map((r) => Math.max(r.status?.step ?? 0, r.steps.at(-1)?.step ?? 0, r.evals.at(-1)?.step ?? 0)),
    );
  }

  /**
   * The step of the latest quality evaluation.
   * @returns The largest step of any run's eval lines; 0 when none was evaluated.
   */
  lastEvalStep(): number {
    return Math.max(0, ...this.list.map((r) => r.evals.at(-1)?.step ?? 0));
  }

  /**
   * Where the numbers `final()` gives for eval metrics were measured, for a claim's `measured` text.
   * @returns `"at step N"` when the latest evaluation is where training got to; otherwise
   *   `"at step N's evaluation (trained to step M)"`, so a run still training is not read as measured where it stands.
   */
  evaluatedAt(): string {
    const evaluated = this.lastEvalStep();
    const trained = this.maxStep();
    return evaluated >= trained
      ? `at step ${evaluated}`
      : `at step ${evaluated}'s evaluation (trained to step ${trained})`;
  }
}
