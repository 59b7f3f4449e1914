/**
 * One lock per run folder, so two sweeps (two processes, or two machines on
 * a shared disk with working file locks) never train the same run.
 *
 * The lock is an OS advisory lock (`flock`) on `run.lock`: the kernel drops it
 * the moment its process ends, however it ends, so a lock left by a killed
 * sweep is never stale. The file itself stays (removing it could let two
 * processes lock two different files); it records who holds or last held it.
 * @module
 */
import { join } from "@std/path";

/** A held lock. */
export interface RunLock {
  release(): Promise<void>;
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host";
  }
}

/**
 * Try to lock `runDir` (which must exist).
 * @returns the lock, or null when another live process holds it.
 */
export async function acquireRunLock(runDir: string): Promise<RunLock | null> {
  const file = await Deno.open(join(runDir, "run.lock"), { read: true, write: true, create: true });
  if (!(await file.tryLock(true))) {
    file.close();
    return null;
  }
  await file.truncate(0);
  await file.write(
    new TextEncoder().encode(JSON.stringify({ host: hostname(), pid: Deno.pid, since: new Date().toISOString() })),
  );
  return {
    release: async () => {
      await file.unlock();
      file.close();
    },
  };
}
