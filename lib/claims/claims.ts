/**
 * Claims as data: an experiment file states what its blog post claims as
 * checks over the sweep's results, and each check returns a verdict with the
 * numbers it measured — reproduced, not reproduced, or inconclusive. A claim
 * that does not reproduce is a finding, not an error.
 * @module
 */
import { join } from "@std/path";
import { writeJsonAtomic } from "../results/atomic_write.ts";
import { readExperimentResults, type RunData } from "../results/read_results.ts";
import { Runs } from "./run_query.ts";

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
