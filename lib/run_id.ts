/**
 * Run ids: a readable slug of the grid values plus a short hash of the
 * resolved config, e.g. `lr-0.01_noiseDim-10_3fa2c1`. The hash makes the id
 * follow the config: change anything and the run is a new run.
 * @module
 */
import { canonicalJson, sha256Hex } from "./canonical_json.ts";

function slugValue(v: unknown): string {
  const text = Array.isArray(v) ? v.join("x") : String(v);
  return text.replace(/[^A-Za-z0-9.+-]+/g, "") || "x";
}

/** The id of a run with these grid values and this resolved config. */
export async function runId(
  gridValues: Record<string, unknown>,
  config: unknown,
): Promise<string> {
  const hash = (await sha256Hex(canonicalJson(config))).slice(0, 6);
  const slug = Object.entries(gridValues).map(([k, v]) => `${k}-${slugValue(v)}`).join("_").slice(0, 80);
  return slug ? `${slug}_${hash}` : `run_${hash}`;
}
