/**
 * The git commit the harness runs from, read from `.git` directly (no
 * subprocess, so no run permission is needed).
 * @module
 */
import { fromFileUrl, join } from "@std/path";

/** The commit hash of the repository holding this file, or null. */
export async function gitCommit(): Promise<string | null> {
  const git = fromFileUrl(new URL("../../.git", import.meta.url));
  try {
    const head = (await Deno.readTextFile(join(git, "HEAD"))).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(join(git, ref))).trim();
    } catch {
      const packed = await Deno.readTextFile(join(git, "packed-refs"));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(
        " ",
      )[0] ?? null;
    }
  } catch {
    return null;
  }
}
