/**
 * Stopping a sweep cleanly: Ctrl-C (SIGINT), SIGTERM (a cluster's scheduler, `kill`) or a time limit
 * (`--stop-after`) asks every run in training to finish its current step, write a checkpoint there and
 * return; `deno task sweep` with the same arguments then continues each run from that step, logging exactly
 * what an uninterrupted run logs. A second Ctrl-C quits at once (the last cadence checkpoint remains).
 *
 * The request lives in a SharedArrayBuffer so the runs trained in workers see it at their next step without
 * waiting for a message.
 * @module
 */

/** Why a sweep was asked to stop. */
export type StopReason = "SIGINT" | "SIGTERM" | "time limit";

const REASONS: readonly StopReason[] = ["SIGINT", "SIGTERM", "time limit"];

/** A stop request shared by the sweep and its workers. */
export class StopRequest {
  /** Shareable with workers: pass it in a message and wrap it again with `new StopRequest(buffer)`. */
  readonly buffer: SharedArrayBuffer;
  readonly #flag: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.#flag = new Int32Array(buffer);
  }

  /** Ask for a stop; the first reason given is the one kept. */
  request(reason: StopReason): void {
    Atomics.compareExchange(this.#flag, 0, 0, REASONS.indexOf(reason) + 1);
  }

  /** Why a stop was asked for, or null when none was. */
  get reason(): StopReason | null {
    return REASONS[Atomics.load(this.#flag, 0) - 1] ?? null;
  }

  /** Whether a stop was asked for. */
  get requested(): boolean {
    return Atomics.load(this.#flag, 0) !== 0;
  }
}

/** The exit code a stopped sweep ends with: 128 + the signal's number, or 3 for the time limit. */
export function stopExitCode(reason: StopReason): number {
  return reason === "SIGINT" ? 130 : reason === "SIGTERM" ? 143 : 3;
}

/**
 * Route SIGINT and SIGTERM (and the time limit, when given) to `stop`; a second SIGINT, a second or more after
 * the first, exits at once with 130. (One Ctrl-C under `deno task` arrives twice: from the terminal and
 * forwarded by the task runner.) Returns a function that removes the handlers and the timer. Where the OS has
 * no SIGTERM (Windows), only Ctrl-C and the time limit stop.
 */
export function stopOnSignals(
  stop: StopRequest,
  log: (message: string) => void,
  stopAfterSeconds?: number,
): () => void {
  let firstCtrlC = Infinity; // when the first Ctrl-C came
  const asked = (reason: StopReason) => () => {
    if (reason === "SIGINT") {
      const now = performance.now();
      if (now - firstCtrlC > 1000) {
        log("second Ctrl-C: quitting now; each run continues from its last checkpoint");
        Deno.exit(130);
      }
      if (firstCtrlC === Infinity) firstCtrlC = now;
      else return; // the same Ctrl-C, forwarded by `deno task`
    } else if (stop.requested) return;
    const first = !stop.requested;
    stop.request(reason);
    log(
      `${reason}: ${first ? "finishing the current step of each run, then checkpointing there" : "already stopping"}` +
        (reason === "SIGINT" ? " (Ctrl-C again to quit at once)" : ""),
    );
  };
  const onInt = asked("SIGINT");
  const onTerm = asked("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  let term = true;
  try {
    Deno.addSignalListener("SIGTERM", onTerm);
  } catch {
    term = false; // Windows
  }
  const timer = stopAfterSeconds === undefined ? undefined : setTimeout(asked("time limit"), stopAfterSeconds * 1000);
  return () => {
    Deno.removeSignalListener("SIGINT", onInt);
    if (term) Deno.removeSignalListener("SIGTERM", onTerm);
    if (timer !== undefined) clearTimeout(timer);
  };
}
