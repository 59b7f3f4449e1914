/**
 * One lock file per run folder, so two sweeps (two processes, or two machines
 * on a shared disk) never train the same run. The lock records host, pid and
 * a heartbeat; a lock whose process is gone (same host) or whose heartbeat is
 * older than `staleMs` (other hosts) is taken over.
 * @module
 */
import { join } from "@std/path";

interface LockBody {
  host: string;
  pid: number;
  heartbeat: number;
}

const FILE = "run.lock";

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host";
  }
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (e) {
    // Without /proc (or permission to read it) assume alive: never steal a live lock.
    return !(e instanceof Deno.errors.NotFound);
  }
}

/** A held lock: refresh its heartbeat while training, release when done. */
export interface RunLock {
  heartbeat(): Promise<void>;
  release(): Promise<void>;
  /** Set when a stale lock was taken over: whose it was. */
  tookOver: string | null;
}

/**
 * Try to lock `runDir` (which must exist).
 * @returns the lock, or null when another live process holds it.
 */
export async function acquireRunLock(
  runDir: string,
  staleMs = 10 * 60_000,
): Promise<RunLock | null> {
  const path = join(runDir, FILE);
  const me: LockBody = {
    host: hostname(),
    pid: Deno.pid,
    heartbeat: Date.now(),
  };
  let tookOver: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(me), { createNew: true });
      const write = (b: LockBody) => Deno.writeTextFile(path, JSON.stringify(b));
      return {
        tookOver,
        heartbeat: () => write({ ...me, heartbeat: Date.now() }),
        release: () => Deno.remove(path).catch(() => {}),
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    let other: LockBody | null = null;
    try {
      other = JSON.parse(await Deno.readTextFile(path));
    } catch {
      /* unreadable or half-written: treat as stale below only if old */
    }
    const stale = other === null
      ? Date.now() -
          (await Deno.stat(path).then((s) => s.mtime?.getTime() ?? 0).catch(
            () => 0,
          )) > staleMs
      : other.host === me.host
      ? other.pid !== me.pid && !processAlive(other.pid)
      : Date.now() - other.heartbeat > staleMs;
    if (!stale) return null;
    tookOver = other ? `${other.host} pid ${other.pid}` : "an unreadable lock";
    // Take over by rename: of two processes racing for the same stale lock, only one rename succeeds.
    const grave = `${path}.stale-${Deno.pid}`;
    try {
      await Deno.rename(path, grave);
    } catch {
      return null;
    }
    // If another process replaced the stale lock with its own live one in between, put it back.
    const moved = await Deno.readTextFile(grave).catch(() => null);
    if (other !== null && moved !== JSON.stringify(other)) {
      await Deno.rename(grave, path).catch(() => {});
      return null;
    }
    await Deno.remove(grave).catch(() => {});
  }
  return null;
}
