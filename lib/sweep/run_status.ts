/**
 * Reading a run folder's JSON files (`status.json`, `config.json`) as the sweep and the notebook API do.
 * @module
 */
import { join } from "@std/path";
import type { RunStatusFile } from "../results/records.ts";

/** A JSON file of the run folder, parsed; null when there is none (or it is unreadable). */
export async function readRunFile<T>(runDir: string, name: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(runDir, name)));
  } catch {
    return null;
  }
}

/** Read a run's `status.json`, or null when there is none (or it is unreadable). */
export function readStatus(runDir: string): Promise<RunStatusFile | null> {
  return readRunFile<RunStatusFile>(runDir, "status.json");
}
