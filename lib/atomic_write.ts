/**
 * Write a file so that readers see the old content or the new, never half:
 * write a temp file beside it, fsync, rename over.
 * @module
 */
import { join } from "@std/path";
import { InputError } from "./input_error.ts";

/** Atomically replace `path` with `data`. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Remove the temp files that {@linkcode writeFileAtomic} leaves in `dir` when its process is killed mid-write
 * (`checkpoint.bin.tmp-<pid>-<id>`, up to the run's full checkpoint size). Only for a folder no one else is writing:
 * a run folder whose lock this process holds.
 * @returns The names removed.
 */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /\.tmp-\d+-[0-9a-f]{8}$/.test(e.name)) {
      await Deno.remove(`${dir}/${e.name}`);
      removed.push(e.name);
    }
  }
  return removed;
}

/** Atomically write a value as pretty JSON. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Fail before anything is written when `dir` cannot be made or written to (a read-only folder, a file in the way).
 * @throws {InputError} naming `flag`, the folder, the system's reason and `fix`.
 */
export async function ensureWritable(flag: string, dir: string, fix: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = join(dir, `.write-test-${Deno.pid}`);
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new InputError(flag, `cannot write to ${dir} (${(e as Error).name}: ${(e as Error).message}); ${fix}`);
  }
}
