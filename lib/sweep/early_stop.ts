/**
 * The experiment's early-stopping rules as a sweep applies them: the pruning rule through the sweep's rung book
 * (`asha.ts`, shared by every process on the results folder) and the collapse rule, handed to the loop; and
 * which runs are done for the sweep (completed, diverged, collapsed, or pruned and not since promoted).
 * @module
 */
import type { Experiment } from "../experiment/define.ts";
import type { PlannedRun } from "../experiment/plan.ts";
import type { RunStatusFile } from "../results/records.ts";
import type { Stopping } from "../train/loop.ts";
import { RungBook } from "./asha.ts";
import { pruneBracket } from "../experiment/stopping.ts";

/** The rules of `experiment` for a run of the sweep in `expDir`, or undefined when it has none. */
export function stoppingFor(
  experiment: Experiment,
  expDir: string,
  runId: string,
  config: Record<string, unknown> = {},
  warn?: (message: string) => void,
): Stopping | undefined {
  const { prune, collapse } = experiment;
  if (!prune && !collapse) return undefined;
  const book = prune ? new RungBook(expDir, prune, warn) : null;
  const group = prune ? pruneBracket(prune, config) : "";
  return {
    ...(prune ? { prune, decide: (rung: number, value: number) => book!.decide(runId, rung, value, group) } : {}),
    ...(collapse ? { collapse } : {}),
  };
}

/**
 * The rules a run trains under: the experiment's, less the pruning rule for a run of the seeds phase, which trains
 * to its budget (a restart of a picked configuration is measured whole, not ranked against the first phase's trials).
 */
export function rulesFor<E extends Pick<Experiment, "prune" | "collapse">>(experiment: E, run: PlannedRun): E {
  if (!run.seedsPhase || !experiment.prune) return experiment;
  const { prune: _, ...rest } = experiment;
  return rest as E;
}

/**
 * Why a run needs no training now, or null when it does: `completed`, `diverged` and `collapsed` are results; a
 * `pruned` run waits unless the rung book has promoted it since.
 */
export async function doneBecause(
  status: RunStatusFile | null,
  experiment: Pick<Experiment, "prune">,
  expDir: string,
  runId: string,
): Promise<string | null> {
  switch (status?.status) {
    case "completed":
    case "diverged":
    case "collapsed":
      return `already ${status.status}`;
    case "pruned": {
      if (!experiment.prune) return null; // the rule was dropped from the file: train it to its budget
      const pruned = await new RungBook(expDir, experiment.prune).pruned();
      return pruned.has(runId) ? `pruned at step ${status.step} (${describePruned(status)})` : null;
    }
    default:
      return null;
  }
}

/** `fcd 512.3, 5th of 6 at the rung`. */
export function describePruned(status: RunStatusFile): string {
  const p = status.pruned;
  return p ? `${p.metric} ${p.value}, ${p.rank + 1} of ${p.of} at the rung` : "by the pruning rule";
}
