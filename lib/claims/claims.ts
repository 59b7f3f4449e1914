/**
 * Claims as data: an experiment file states what its blog post claims as
 * checks over the sweep's results, and each check returns a verdict with the
 * numbers it measured — reproduced, not reproduced, or inconclusive. A claim
 * that does not reproduce is a finding, not an error.
 * @module
 */
import { join } from "@std/path";
import { writeJsonAtomic } from "../atomic_write.ts";
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

const VERDICTS: readonly Verdict[] = ["reproduced", "not reproduced", "inconclusive"];

/** `value` as a check's outcome, or why it is not one (naming the claim and what was expected). */
function asOutcome(id: string, value: unknown): ClaimOutcome | string {
  const expected = `expected { verdict: ${VERDICTS.map((v) => JSON.stringify(v)).join(" | ")}, measured: string }`;
  const shown = (v: unknown) => {
    if (v instanceof Promise) return "a Promise (checks are synchronous: read the runs, then decide)";
    if (v === null || typeof v !== "object") {
      return `${typeof v === "string" ? JSON.stringify(v) : String(v)} (${v === null ? "null" : typeof v})`;
    }
    return Array.isArray(v) ? "an array" : "";
  };
  const what = shown(value);
  if (what) return `claim ${JSON.stringify(id)}: its check returned ${what}; ${expected}`;
  const { verdict, measured } = value as Record<string, unknown>;
  if (!VERDICTS.includes(verdict as Verdict)) {
    return `claim ${JSON.stringify(id)}: its check returned verdict ${
      JSON.stringify(verdict) ?? "undefined"
    }; ${expected}`;
  }
  if (typeof measured !== "string") {
    return `claim ${JSON.stringify(id)}: its check returned measured ${
      JSON.stringify(measured) ?? "undefined"
    } (${typeof measured}); ${expected}`;
  }
  return { verdict: verdict as Verdict, measured };
}

/**
 * Check every claim against runs already read; a check that throws, or returns something other than an outcome,
 * is inconclusive, with why (naming the claim) in `measured`.
 */
export function checkClaimsOn(claims: readonly Claim[], list: readonly RunData[]): CheckedClaim[] {
  const runs = new Runs(list);
  return claims.map((c) => {
    let outcome: ClaimOutcome;
    try {
      const checked = asOutcome(c.id, c.check(runs));
      outcome = typeof checked === "string"
        ? { verdict: "inconclusive", measured: `the check failed: ${checked}` }
        : checked;
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
