/**
 * What the report knows about `eval` lines (see `lib/metrics/evaluator.ts`'s
 * `evalFields`): which fields are metrics and which bookkeeping, which way is
 * better, the class histograms, and whether runs were evaluated alike.
 * @module
 */
import { parseClassHist } from "../metrics/class_hist.ts";
import type { RunData, SeriesPoint } from "../results/read_results.ts";

/**
 * Numeric eval fields that describe the evaluation, not the generator: never charted (`kidStd` is the spread of
 * KID's subset estimates, how precise the estimate is).
 */
export const EVAL_BOOKKEEPING: readonly string[] = ["evalN", "evalSeconds", "kidStd"];

/** The quality metrics in the order the report shows them. */
export const EVAL_ORDER: readonly string[] = [
  "fcd",
  "kid",
  "cis",
  "classesCovered",
  "klUniform",
  "precision",
  "recall",
];

const LOWER_IS_BETTER = new Set(["fcd", "fid", "kid", "klUniform"]);
const HIGHER_IS_BETTER = new Set(["cis", "inceptionScore", "classesCovered", "precision", "recall"]);

const DESCRIPTIONS: Record<string, string> = {
  fcd: "Fréchet classifier distance",
  kid: "kernel distance (unbiased MMD²) on the classifier's features",
  cis: "classifier score, 1 to 10",
  classesCovered: "classes with at least 2% of the samples, of 10",
  klUniform: "KL(class histogram ‖ uniform), nats",
  precision: "share of samples on the real images' manifold",
  recall: "share of real images on the samples' manifold",
};

/**
 * Which way a metric improves.
 *
 * @param metric A metric name.
 * @returns `lower`, `higher`, or null when unknown.
 */
export function betterDirection(metric: string): "lower" | "higher" | null {
  const base = metric.startsWith("eval.") ? metric.slice(5) : metric;
  if (LOWER_IS_BETTER.has(base)) return "lower";
  if (HIGHER_IS_BETTER.has(base)) return "higher";
  return null;
}

/**
 * A metric's chart title: what it is and which way is better.
 *
 * @param metric A metric name.
 * @returns E.g. `fcd: Fréchet classifier distance (lower is better)`.
 */
export function metricTitle(metric: string): string {
  const dir = betterDirection(metric);
  const what = DESCRIPTIONS[metric];
  return `${metric}${what === undefined ? "" : `: ${what}`}${dir === null ? "" : ` (${dir} is better)`}`;
}

/**
 * The eval metrics worth charting: every numeric eval field but the
 * bookkeeping, the known metrics first.
 *
 * @param names Eval field names, in first-seen order.
 * @returns The charted names.
 */
export function chartedEvalMetrics(names: readonly string[]): string[] {
  const kept = names.filter((n) => !EVAL_BOOKKEEPING.includes(n));
  return [...EVAL_ORDER.filter((n) => kept.includes(n)), ...kept.filter((n) => !EVAL_ORDER.includes(n))];
}

/** How an eval line was made: the classifier's hash prefix and the sample count. */
export interface EvalSetup {
  classifier: string | null;
  n: number | null;
}

/**
 * The setup of one eval line.
 *
 * @param p An eval point.
 * @returns Its classifier and `evalN` (null when not logged).
 */
export function evalSetup(p: SeriesPoint): EvalSetup {
  return { classifier: p.strings?.classifier ?? null, n: p.values.evalN ?? null };
}

function sameSetup(a: EvalSetup, b: EvalSetup): boolean {
  return a.classifier === b.classifier && a.n === b.n;
}

function setupLabel(s: EvalSetup): string {
  return [
    s.classifier === null ? "" : `classifier ${s.classifier}`,
    s.n === null ? "" : `N=${s.n}`,
  ].filter((x) => x !== "").join(", ") || "no classifier or N logged";
}

function listIds(ids: readonly string[], max = 3): string {
  return ids.length <= max ? ids.join(", ") : `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`;
}

function tally<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return [...m];
}

function runs_(n: number): string {
  return n === 1 ? "1 run" : `${n} runs`;
}

/** Runs with their eval lines made comparable, and what was found. */
export interface EvalConsistency {
  /** The runs, each keeping only the eval lines of its last eval's setup. */
  runs: RunData[];
  /** Report warnings (different classifiers or N across runs, re-evaluated runs). */
  warnings: string[];
  /** The setup of each run's last eval line, by run id (runs without eval lines absent). */
  setups: Map<string, EvalSetup>;
}

/**
 * Keep, per run, only the eval lines made like its last one (a run
 * re-evaluated with another classifier or N would otherwise chart values of
 * different scales as one curve), and warn when runs' last evaluations differ
 * in classifier or N: FCD and its kin are not comparable across them.
 *
 * @param runs The runs as read.
 * @returns Filtered copies of the runs and the warnings.
 */
export function consistentEvals(runs: readonly RunData[]): EvalConsistency {
  const warnings: string[] = [];
  const setups = new Map<string, EvalSetup>();
  const reevaluated: string[] = [];
  const dropped = new Set<string>();
  const out = runs.map((run) => {
    const last = run.evals[run.evals.length - 1];
    if (last === undefined) return run;
    const setup = evalSetup(last);
    setups.set(run.id, setup);
    const evals = run.evals.filter((p) => sameSetup(evalSetup(p), setup));
    if (evals.length === run.evals.length) return run;
    for (const p of run.evals) if (!sameSetup(evalSetup(p), setup)) dropped.add(setupLabel(evalSetup(p)));
    reevaluated.push(run.id);
    return { ...run, evals };
  });
  const evaluated = [...setups.entries()];
  // Each dataset has its own pinned classifier: only runs of one dataset evaluated with two classifiers are odd.
  const datasetOf = new Map(runs.map((r) => [r.id, r.config?.config?.dataset ?? "unknown dataset"]));
  for (const dataset of new Set(evaluated.map(([id]) => datasetOf.get(id)!))) {
    const ofDataset = evaluated.filter(([id]) => datasetOf.get(id) === dataset);
    const classifiers = tally(ofDataset, ([, s]) => s.classifier ?? "not logged");
    if (classifiers.length > 1) {
      warnings.push(
        `Runs of ${dataset} were evaluated with ${classifiers.length} different classifiers (` +
          classifiers.map(([c, n]) => `${c}: ${runs_(n)}`).join("; ") +
          "): FCD, classifier score, coverage and precision/recall are not comparable across classifiers. " +
          "Re-evaluate the odd ones out with deno task eval <runDir>.",
      );
    }
  }
  const ns = tally(evaluated, ([, s]) => s.n === null ? "not logged" : String(s.n));
  if (ns.length > 1) {
    warnings.push(
      `Runs were evaluated on different sample counts (` +
        ns.map(([n, k]) => `evalN ${n}: ${runs_(k)}`).join("; ") +
        "): FCD is biased upwards at small N, so it is not comparable across them (KID, unbiased, is).",
    );
  }
  if (reevaluated.length > 0) {
    warnings.push(
      `${runs_(reevaluated.length)} ${reevaluated.length === 1 ? "was" : "were"} evaluated again with another ` +
        `classifier or sample count (${listIds(reevaluated)}): only each run's latest kind of evaluation is ` +
        `charted and tabled; left out: ${[...dropped].join("; ")}.`,
    );
  }
  return { runs: out, warnings, setups };
}

/** The setups in use, as one line for a note (`classifier cedb162e4113, N=10000`). */
export function setupsLabel(setups: ReadonlyMap<string, EvalSetup>): string {
  const seen = new Map<string, number>();
  for (const s of setups.values()) {
    const label = setupLabel(s);
    seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  return [...seen].map(([l, n]) => seen.size > 1 ? `${l} (${runs_(n)})` : l).join("; ");
}

/** A run's class histogram from its last eval line that has one. */
export interface RunClassHist {
  /** Share per class, classes 0 to 9. */
  shares: number[];
  step: number;
  epoch: number | null;
  /** `classesCovered` of that line, else the classes with at least 2%. */
  covered: number;
}

/**
 * The class histogram of a run's last eval line that logs one.
 *
 * @param run A run (its eval lines already made consistent).
 * @returns The histogram, or null when no eval line has a well-formed one.
 */
export function lastClassHist(run: RunData): RunClassHist | null {
  for (let i = run.evals.length - 1; i >= 0; i--) {
    const p = run.evals[i];
    if (p === undefined) continue;
    const shares = parseClassHist(p.strings?.classHist);
    if (shares === null) continue;
    const covered = p.values.classesCovered ?? shares.filter((s) => s >= 0.02).length;
    return { shares, step: p.step, epoch: p.epoch, covered };
  }
  return null;
}
