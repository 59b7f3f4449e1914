/**
 * The git commit the harness runs from, read from `.git` directly (no
 * subprocess, so no run permission is needed).
 * @module
 */
import { fromFileUrl, join, resolve } from "@std/path";

/**
 * Where HEAD is and where the refs are: `.git` itself, or for a linked worktree (`.git` a file
 * `gitdir: …`) its own git folder and the main repository's (`commondir`).
 */
async function gitDirs(git: string): Promise<{ head: string; refs: string }> {
  if ((await Deno.stat(git)).isDirectory) return { head: git, refs: git };
  const link = (await Deno.readTextFile(git)).trim();
  if (!link.startsWith("gitdir: ")) throw new Error(`${git}: not a git link`);
  const head = resolve(join(git, ".."), link.slice(8));
  const common = await Deno.readTextFile(join(head, "commondir")).then((t) => t.trim(), () => ".");
  return { head, refs: resolve(head, common) };
}

/** The commit hash of the repository holding this file, or null. */
export async function gitCommit(): Promise<string | null> {
  try {
    const dirs = await gitDirs(fromFileUrl(new URL("../../.git", import.meta.url)));
    const head = (await Deno.readTextFile(join(dirs.head, "HEAD"))).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(join(dirs.refs, ref))).trim();
    } catch {
      const packed = await Deno.readTextFile(join(dirs.refs, "packed-refs"));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(
        " ",
      )[0] ?? null;
    }
  } catch {
    return null;
  }
}
