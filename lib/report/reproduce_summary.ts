/**
 * The summary page of `deno task reproduce`: every post's claims with their
 * verdicts and numbers, linking each experiment's own report.
 * @module
 */
import { join } from "@std/path";
import type { CheckedClaim } from "../claims/claims.ts";
import type { Experiment } from "../experiment/define.ts";
import { buildReport } from "./build_report.ts";
import { formatDuration } from "../cli/duration.ts";
import { escapeHtml as h } from "./escape.ts";

/** One experiment's part of the summary. */
export interface ReproducedExperiment {
  name: string;
  description: string;
  /** The report, relative to the summary page. */
  report: string;
  claims: CheckedClaim[];
  runs: { completed: number; diverged: number; failed: number };
  /** Wall time of this `reproduce` call for the experiment (near 0 when every run was already done). */
  seconds: number;
  /** The runs' own training time, summed over runs and over every session that trained them (`status.json`). */
  trainingSeconds: number;
  /**
   * Set when this call trained nothing for it (`--only` left it out) and checked its claims on the results already
   * there: says so, and whether those are the runs this call's settings (profile, `--set`) would train.
   */
  fromEarlierResults?: string;
}

/**
 * The entry of a post that this call did not train: its claims checked against the results it already has in
 * `out`, and its report rendered again from them.
 * @param plannedRunIds The runs this call's settings would train for it, to say when the results are others.
 * @returns null when `out` holds no results for it.
 */
export async function entryFromResults(
  experiment: Pick<Experiment, "name" | "description" | "claims">,
  out: string,
  plannedRunIds: readonly string[],
): Promise<ReproducedExperiment | null> {
  const expDir = join(out, experiment.name);
  if (!(await Deno.stat(join(expDir, "experiment.json")).then(() => true, () => false))) return null;
  const result = await buildReport({ resultsDir: expDir, claims: experiment.claims ?? [] });
  const runs = result.results.runs;
  const count = (s: string) => runs.filter((r) => r.state === s).length;
  const missing = plannedRunIds.filter((id) => !runs.some((r) => r.id === id && r.status !== null)).length;
  return {
    name: experiment.name,
    description: experiment.description ?? "",
    report: `${experiment.name}/report.html`,
    claims: result.claims,
    runs: { completed: count("completed"), diverged: count("diverged"), failed: count("failed") },
    seconds: 0,
    trainingSeconds: runs.reduce((a, r) => a + (r.status?.seconds ?? 0), 0),
    fromEarlierResults: "not trained in this call: claims checked on earlier results" +
      (missing > 0
        ? `, which lack ${missing} of the ${plannedRunIds.length} runs this call's settings would train`
        : ""),
  };
}

const CSS = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; white-space: nowrap; }
.s-reproduced { background: #e5f4e8; color: #185c2a; }
.s-not-reproduced { background: #fbe4e4; color: #8f1d1d; }
.s-inconclusive { background: #fdf0dc; color: #8a4b00; }
.muted { color: #666; font-size: 13px; }`;

function badge(verdict: string): string {
  return `<span class="badge s-${h(verdict.replace(/\W+/g, "-"))}">${h(verdict)}</span>`;
}

/** The summary page as self-contained HTML. */
export function renderSummary(
  experiments: ReproducedExperiment[],
  meta: { profile: string | null; backend: string; seconds: number; date: string },
): string {
  const all = experiments.flatMap((e) => e.claims);
  const counts = ["reproduced", "not reproduced", "inconclusive"].map((v) =>
    `${badge(v)} ${all.filter((c) => c.verdict === v).length}`
  ).join(" &nbsp; ");
  const sections = experiments.map((e) => {
    const rows = e.claims.map((c) =>
      `<tr><td>${h(c.text)}</td><td>${badge(c.verdict)}</td><td>${h(c.measured)}</td><td class="muted">${
        h(c.method)
      }</td></tr>`
    ).join("\n");
    return `<h2>${h(e.name)}</h2>
<p>${
      h(e.description)
    }<br><span class="muted">${e.runs.completed} completed, ${e.runs.diverged} diverged, ${e.runs.failed} failed · ${
      h(formatDuration(e.trainingSeconds))
    } of training over all runs (${
      e.fromEarlierResults ? h(e.fromEarlierResults) : `${h(formatDuration(e.seconds))} in this call`
    }) · <a href="${h(e.report)}">full report</a></span></p>
<table><thead><tr><th>claim</th><th>verdict</th><th>measured</th><th>how it is decided</th></tr></thead>
<tbody>${rows || '<tr><td colspan="4" class="muted">no claims declared</td></tr>'}</tbody></table>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Blog-post reproductions</title><style>${CSS}</style></head>
<body><h1>Reproducing the five blog posts</h1>
<p class="muted">Profile: ${h(meta.profile ?? "full budget")} · backend ${h(meta.backend)} · ${
    h(formatDuration(experiments.reduce((a, e) => a + e.trainingSeconds, 0)))
  } of training over all runs, ${h(formatDuration(meta.seconds))} in this call · ${h(meta.date)}</p>
<p>${counts}</p>
${sections}
</body></html>
`;
}
