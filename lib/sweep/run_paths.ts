/**
 * What a run folder must hold where, checked before a run trains: a file or a folder standing where the other kind
 * goes (a `run.lock` or `status.json` folder, a `samples` file) ends that run as failed with the path named,
 * rather than an OS error part-way, or a crash that stops the whole sweep.
 * @module
 */
import { join } from "@std/path";

/** The entries of a run folder, each a file or a folder (absent is fine: the run makes it). */
const EXPECTED: readonly (readonly [name: string, kind: "file" | "folder"])[] = [
  ["run.lock", "file"],
  ["status.json", "file"],
  ["config.json", "file"],
  ["metrics.jsonl", "file"],
  ["checkpoint.bin", "file"],
  ["checkpoint.prev.bin", "file"],
  ["samples", "folder"],
  ["generator", "folder"],
];

/**
 * Check the entries of `runDir` named in `names` (all by default).
 * @returns a message naming the first path of the wrong kind and what to do, or null when all are fine.
 */
export async function misplacedRunPath(runDir: string, names?: readonly string[]): Promise<string | null> {
  for (const [name, kind] of EXPECTED) {
    if (names && !names.includes(name)) continue;
    const path = join(runDir, name);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      return `${path} cannot be read (${(e as Error).message}): the run needs a ${kind} there`;
    }
    const actual = info.isDirectory ? "folder" : info.isFile ? "file" : "special file";
    if (actual !== kind) {
      return `${path} is a ${actual}, where the run keeps a ${kind}: move it away, then run the sweep again`;
    }
  }
  return null;
}
