/**
 * `deno task sweep <experiment.ts> --serve`: the live report served beside the sweep, from the moment its
 * `experiment.json` is written until its last run's last status is on the open pages.
 * @module
 */
import { DEFAULT_PORT, HOST, type LiveServer, requireNetGrant, requirePortFree, serveReport } from "../report/serve.ts";

/**
 * Refuse `--serve` up front, before any data is read, when this process may not listen on the port.
 * @throws {InputError} Naming `--port` (or `--serve`), the port and the permission that would allow it.
 */
export function requireListen(port: number): void {
  requireNetGrant(
    port,
    port === DEFAULT_PORT ? "--serve" : "--port",
    `deno task sweep may listen on port ${DEFAULT_PORT} only, ` +
      `another port needs its own grant: the sweep task's command with --allow-net=${HOST}:${port} ` +
      `(deno run ... --allow-net=${HOST}:${port} tasks/sweep.ts <experiment.ts> --serve --port ${port})`,
  );
}

/**
 * Refuse `--serve` before the sweep writes anything when another process holds the port: the sweep would stop
 * there, and its `experiment.json` already be the new plan.
 * @throws {InputError} Naming `--serve` (or `--port`), the port, and what to do: the sweep task may listen on
 *   8000 only, so "choose another port" is not an answer there.
 */
export function requirePortFreeForSweep(port: number): void {
  const later = "or train without --serve and serve the results later with deno task report:serve <results folder>";
  requirePortFree(
    port,
    port === DEFAULT_PORT ? "--serve" : "--port",
    port === DEFAULT_PORT
      ? `stop what listens there (deno task sweep may listen on ${DEFAULT_PORT} only), ${later}`
      : `stop what listens there, ${later}`,
  );
}

/** A live report that starts when the sweep is prepared and stops after it. */
export interface SweepLiveReport {
  /** Start serving `expDir` (the sweep's `onPrepared`). */
  start(expDir: string): Promise<void>;
  /** Let the open pages receive the sweep's final state (two more polls, at most 5 s), then stop serving. */
  close(): Promise<void>;
}

/** Milliseconds between the server's polls of the results folder. */
const POLL_MS = 1000;

/**
 * The live report of a sweep on 127.0.0.1:`port`.
 * @param port The port ({@linkcode requireListen} checked it).
 * @param log Where its lines go (the sweep's display).
 */
export function sweepLiveReport(port: number, log: (line: string) => void): SweepLiveReport {
  let server: LiveServer | null = null;
  return {
    async start(expDir) {
      server = await serveReport({ resultsDir: expDir, port, pollMs: POLL_MS, log });
      log(`live report of ${expDir} on ${server.url} (it stops with the sweep)`);
    },
    async close() {
      if (server === null) return;
      const s = server;
      server = null;
      const until = s.polls + 2;
      const deadline = performance.now() + 5 * POLL_MS;
      while (s.clients > 0 && s.polls < until && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS / 4));
      }
      await s.close();
    },
  };
}
