/**
 * Claims as data: an experiment file states what its blog post claims as
 * checks over the sweep's results, and each check returns a verdict with the
 * numbers it measured — reproduced, not reproduced, or inconclusive. A claim
 * that does not reproduce is a finding, not an error.
 * @module
 */
import { join } from "@std/path";
import { writeJsonAtomic } from "./atomic_write.ts";
import { readExperimentResults, type RunData } from "./report/read_results.ts";

/** The three honest answers. */
export type Verdict = "reproduced" | "not reproduced" | "inconclusive";

/** What a check found. */
export interface ClaimOutcome {
  /** Reproduced, not reproduced, or inconclusive (not enough data yet, or in between). */
  verdict: Verdict;
  /** The numbers behind the verdict, in words. */
  measured: string;
}

/** One claim of a post, and how to check it. */
export interface Claim {
  /** Short stable id, e.g. `lr-1e-2-fails`. */
  id: string;
  /** What the post says. */
  text: string;
  /** How the check decides: the statistic, the threshold and why. */
  method: string;
  /** Decide, from the sweep's runs. */
  check(runs: Runs): ClaimOutcome;
}

/** A claim with its outcome, as written to `claims.json`. */
export interface CheckedClaim extends ClaimOutcome {
  /** The claim's id. */
  id: string;
  /** What the post says. */
  text: string;
  /** How the check decides. */
  method: string;
}

/** Mean, standard deviation and count of some numbers. */
export interface Stat {
  /** The mean; NaN for no values. */
  mean: number;
  /** The sample standard deviation; 0 for one value. */
  sd: number;
  /** How many values. */
  n: number;
}

/**
 * Summarise numbers.
 * @param values The numbers, e.g. one final metric per seed.
 * @returns Their mean (NaN when there are none), sample standard deviation (0 for one) and count.
 * @example
 * ```ts
 * import { formatStat, stat } from "../mod.ts";
 * formatStat(stat([0.55, 0.57])); // "0.560 ± 0.014 (n=2)"
 * ```
 */
export function stat(values: readonly number[]): Stat {
  const n = values.length;
  const mean = n ? values.reduce((a, v) => a + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Format a stat for a claim's measured text.
 * @param s The stat.
 * @param digits Digits after the decimal point.
 * @returns `0.557 ± 0.012 (n=2)`, the mean alone for one value, or "no data".
 */
export function formatStat(s: Stat, digits = 3): string {
  if (s.n === 0) return "no data";
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (n=${s.n})` : s.mean.toFixed(digits);
}

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

/** Check every claim against the results in `resultsDir`; a check that throws is inconclusive. */
export async function checkClaims(claims: readonly Claim[], resultsDir: string): Promise<CheckedClaim[]> {
  return checkClaimsOn(claims, (await readExperimentResults(resultsDir)).runs);
}

/** Check every claim against runs already read; a check that throws is inconclusive. */
export function checkClaimsOn(claims: readonly Claim[], list: readonly RunData[]): CheckedClaim[] {
  const runs = new Runs(list);
  return claims.map((c) => {
    let outcome: ClaimOutcome;
    try {
      outcome = c.check(runs);
    } catch (e) {
      outcome = { verdict: "inconclusive", measured: `the check failed: ${(e as Error).message}` };
    }
    return { id: c.id, text: c.text, method: c.method, ...outcome };
  });
}

/** Check the claims and write `claims.json` beside the runs, for the report. */
export async function writeClaims(claims: readonly Claim[], resultsDir: string): Promise<CheckedClaim[]> {
  const checked = await checkClaims(claims, resultsDir);
  await saveClaims(resultsDir, checked);
  return checked;
}

/** Write checked claims to `<resultsDir>/claims.json`. */
export function saveClaims(resultsDir: string, checked: readonly CheckedClaim[]): Promise<void> {
  return writeJsonAtomic(claimsFile(resultsDir), checked);
}

/** Where an experiment's checked claims are kept. */
export function claimsFile(resultsDir: string): string {
  return join(resultsDir, "claims.json");
}
