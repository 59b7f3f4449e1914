/**
 * The second phase of a search with `reseed` (`lib/experiment/reseed.ts`): planned from the first phase's results
 * on disk once every first-phase run has ended, so the same command plans the same second phase on every machine
 * and after every restart, and resuming a sweep resumes whichever phase it was in.
 * @module
 */
import { join } from "@std/path";
import { type Plan, type PlanOptions, planSweep } from "../experiment/plan.ts";
import { type FinishedTrial, planReseed, type ReseedPick } from "../experiment/reseed.ts";
import type { RunStatus } from "../results/records.ts";
import { readStatus } from "./run_status.ts";
import "../train/declared.ts"; // the built-in archs, losses and kinds, before planning

/** The states a first-phase run may be in for the second phase to be planned: it will not train again. */
const ENDED: readonly RunStatus[] = ["completed", "diverged", "failed", "pruned", "collapsed"];

/** A plan with its seeds phase, and what it picked. */
export interface SeedsPhase {
  /** The first phase's runs and the seeds phase's (a trial reused where its seed is one of the seeds). */
  plan: Plan;
  /** The options that plan it (workers plan again from them). */
  planOptions: PlanOptions;
  /** Each group's picks, best first. */
  picks: ReseedPick[];
}

/**
 * The plan with its seeds phase, when the experiment has `reseed` and every run of `plan` (its first phase) has
 * ended in `expDir`; null otherwise (no `reseed`, a run still to train, or the seeds phase already planned).
 */
export async function seedsPhase(plan: Plan, planOptions: PlanOptions, expDir: string): Promise<SeedsPhase | null> {
  const reseed = plan.experiment.reseed;
  if (!reseed || planOptions.extraPoints !== undefined) return null;
  const trials: FinishedTrial[] = [];
  for (const run of plan.runs) {
    const runDir = join(expDir, run.runId);
    const status = await readStatus(runDir);
    if (status === null || !ENDED.includes(status.status)) return null;
    const value = status.status === "completed" ? await lastEval(runDir, reseed.metric) : null;
    trials.push({ runId: run.runId, gridValues: run.gridValues, config: { ...run.config }, value });
  }
  const picks = planReseed(reseed, trials);
  const options = { ...planOptions, extraPoints: picks.flatMap((p) => p.points) };
  return { plan: await planSweep(plan.experiment, plan.source, options), planOptions: options, picks };
}

/** The last finite value of `metric` in a run's eval lines, or null. */
async function lastEval(runDir: string, metric: string): Promise<number | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(runDir, "metrics.jsonl"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let value: number | null = null;
  for (const line of text.split("\n")) {
    if (!line.includes('"eval"')) continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      const v = record[metric];
      if (record.kind === "eval" && typeof v === "number" && Number.isFinite(v)) value = v;
    } catch {
      // a torn last line: the sweep repairs it; its value is not final
    }
  }
  return value;
}

/** One line per pick for the sweep's log: `loss=bce: 1. lr=0.0002 (fcd 8.1) → seeds 1, 2, 3`. */
export function describePicks(phase: SeedsPhase): string[] {
  const reseed = phase.plan.experiment.reseed!;
  return phase.picks.map((p) => {
    const group = Object.entries(p.group).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") || "all";
    const values = Object.entries(p.from.gridValues).filter(([k]) => k !== "seed")
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
    return `${group}: ${p.rank}. ${p.from.runId} ${values} (${reseed.metric} ${p.from.value}) → seeds ${
      reseed.seeds.join(", ")
    }`;
  });
}
