/**
 * `deno task report <dir> --serve`: the report as a live page on 127.0.0.1.
 * One poller follows the result folder ({@linkcode LiveResults}); each open
 * page holds a Server-Sent Events stream and receives only what changed
 * ({@linkcode PageFeed}). Sample images are served from the run folders; `/status` says how far it has read.
 * @module
 */
import { extname, join, normalize, SEPARATOR } from "@std/path";
import { InputError } from "../input_error.ts";
import { LiveResults } from "./live_results.ts";
import { liveModel, type LiveOptions } from "./live_model.ts";
import { type LiveModel, PageFeed } from "./live_diff.ts";
import { livePage } from "./live_page.ts";
import { readVegaBuilds } from "./vega_assets.ts";

/** The only address the live report listens on. */
export const HOST = "127.0.0.1";

/** The port when `--port` is not given (the one `deno task report:serve` may listen on). */
export const DEFAULT_PORT = 8000;

/** What to serve and how. */
export interface ServeOptions extends LiveOptions {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Milliseconds between polls of the result folder (default 1000). */
  pollMs?: number;
  /** Milliseconds between keep-alive comments on each stream (default 15 000). */
  keepAliveMs?: number;
  /** Called for each problem worth a line on stderr (default `console.error`). */
  log?: (line: string) => void;
}

/** A running live report. */
export interface LiveServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Pages connected now. */
  readonly clients: number;
  /** Polls done so far. */
  readonly polls: number;
  /** Bytes of `metrics.jsonl` read so far. */
  readonly bytesRead: number;
  /** Stop polling, end every stream and close the server. */
  close(): Promise<void>;
}

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".gif": "image/gif",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
};

/**
 * Whether a request's `Host` header names this server by a loopback name: `127.0.0.1`, `localhost` or `[::1]`,
 * with the server's port or none. Any other name (a DNS-rebinding page's own) is refused.
 * @param host The header's value (null when absent: HTTP/1.0 clients, refused too).
 * @param port The port the server listens on.
 * @example
 * ```ts
 * import { isLoopbackHost } from "./serve.ts";
 * isLoopbackHost("localhost:8000", 8000); // true
 * isLoopbackHost("evil.example.com", 8000); // false
 * ```
 */
export function isLoopbackHost(host: string | null, port: number): boolean {
  if (host === null) return false;
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d+))?$/i.exec(host.trim());
  return m !== null && (m[2] === undefined || Number(m[2]) === port);
}

/**
 * Check a `--port` value.
 * @param value The flag's value.
 * @returns The port.
 * @throws {InputError} Naming `--port` and the value when it is not an integer in 1–65535.
 */
export function parsePort(value: unknown): number {
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= 65535)) {
    throw new InputError("--port", `expected a TCP port, an integer from 1 to 65535; got ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * Refuse, before anything is written, when 127.0.0.1:`port` is taken by another process (it is bound and let go at
 * once; the server binds it again when it starts).
 * @param flag The flag the error names.
 * @param remedy The end of the message: what to do instead.
 * @throws {InputError} Naming `flag`, the address and `remedy`.
 */
export function requirePortFree(port: number, flag: string, remedy: string): void {
  try {
    Deno.listen({ hostname: HOST, port }).close();
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) throw new InputError(flag, `port ${port} on ${HOST} is in use; ${remedy}`);
    throw e;
  }
}

/**
 * Refuse, before anything listens, when this process may not listen on 127.0.0.1:`port`.
 * @param flag The flag the error names (`--port`, or `--serve` for the default port).
 * @param remedy The end of the message: which grant would allow it, and how to run with it.
 * @throws {InputError} Naming `flag`, the address and `remedy`.
 */
export function requireNetGrant(port: number, flag: string, remedy: string): void {
  if (Deno.permissions.querySync({ name: "net", host: `${HOST}:${port}` }).state === "granted") return;
  throw new InputError(flag, `this process may not listen on ${HOST}:${port}; ${remedy}`);
}

interface Client {
  feed: PageFeed;
  send(chunk: string): void;
  close(): void;
}

/**
 * Listen on 127.0.0.1:`port` with `handler`. Anything a request trips over is a 500 and one short line in `log` (a
 * line repeated by the next request is not logged again), not a stack trace per request.
 * @throws {InputError} Naming `--port` when the port is in use.
 */
function listen(port: number, handler: (request: Request) => Promise<Response>, log: (line: string) => void) {
  let lastRequestError = "";
  const onError = (e: unknown): Response => {
    const line = `report --serve: a request failed: ${
      String((e as Error)?.message ?? e).split("\n")[0]!.slice(0, 160)
    }`;
    if (line !== lastRequestError) log(line);
    lastRequestError = line;
    return new Response("internal error\n", { status: 500 });
  };
  try {
    return Deno.serve({ hostname: HOST, port, onListen: () => {}, onError }, handler);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new InputError("--port", `port ${port} on ${HOST} is in use; choose another with --port N`);
    }
    throw e;
  }
}

/**
 * Call `poll` every `ms` until `stop()`. A failing poll is logged once (until one succeeds), and the page keeps
 * showing the last results read.
 */
function pollEvery(ms: number, log: (line: string) => void, poll: () => Promise<void>): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    let lastError = "";
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      if (stopped) break;
      try {
        await poll();
        lastError = "";
      } catch (e) {
        const line = `report --serve: ${(e as Error).message.split("\n")[0]}; showing the last results read`;
        if (line !== lastError) log(line);
        lastError = line;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      (wake as (() => void) | null)?.();
      await loop;
    },
  };
}

/**
 * Serve the live report of `opts.resultsDir` on 127.0.0.1:`opts.port` until {@linkcode LiveServer.close}.
 *
 * @param opts What to serve.
 * @returns The running server, once it listens and has read the results once.
 * @throws {InputError} Naming `--port` when this process may not listen there or the port is in use.
 * @throws {NotAnExperimentError} When the folder is not a sweep's results.
 */
export async function serveReport(opts: ServeOptions): Promise<LiveServer> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const { port } = opts;
  requireNetGrant(
    port,
    "--port",
    `deno task report:serve may use port ${DEFAULT_PORT} only, ` +
      `for another run deno run --allow-read=. --allow-net=${HOST}:${port} tasks/report.ts <dir> --serve --port ${port}`,
  );
  const live = new LiveResults(opts.resultsDir);
  await live.poll();
  const build = async (): Promise<LiveModel> => await liveModel(live.results!, opts);
  let model = await build();
  const page = livePage(live.results!.experiment.name, await readVegaBuilds());
  const clients = new Set<Client>();
  let polls = 1;

  const push = (client: Client) => {
    const events = client.feed.update(model);
    if (events.length > 0) client.send(`event: live\ndata: ${JSON.stringify(events)}\n\n`);
  };

  const route = (pathname: string, head: boolean): Response | Promise<Response> => {
    if (pathname === "/") {
      return new Response(page, {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    }
    if (pathname === "/events") return eventStream(head, clients, push, opts.keepAliveMs ?? 15_000);
    if (pathname === "/status") {
      return Response.json({ polls, clients: clients.size, bytesRead: live.bytesRead }, {
        headers: { "cache-control": "no-store" },
      });
    }
    return imageFile(opts.resultsDir, pathname);
  };

  // HEAD is GET's answer without its body (RFC 9110 §9.3.2).
  const handler = async (request: Request): Promise<Response> => {
    const head = request.method === "HEAD";
    const refused = refusal(request, opts.port);
    if (refused) return refused;
    const response = await route(new URL(request.url).pathname, head);
    if (!head) return response;
    await response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };

  const server = listen(port, handler, log);
  const poller = pollEvery(opts.pollMs ?? 1000, log, async () => {
    polls++;
    if (await live.poll()) {
      model = await build();
      for (const c of clients) push(c);
    }
  });

  return {
    url: `http://${HOST}:${port}/`,
    get clients() {
      return clients.size;
    },
    get polls() {
      return polls;
    },
    get bytesRead() {
      return live.bytesRead;
    },
    async close() {
      await poller.stop();
      for (const c of clients) c.close();
      clients.clear();
      await server.shutdown();
    },
  };
}

/** The answer to a request the server does not serve: another Host (421), a method other than GET and HEAD (405). */
function refusal(request: Request, port: number): Response | null {
  if (!isLoopbackHost(request.headers.get("host"), port)) {
    // A page on another origin that rebinds its name to 127.0.0.1 sends its own name: refuse it (421).
    return new Response("misdirected request: this report answers only 127.0.0.1 and localhost\n", { status: 421 });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("only GET and HEAD\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  return null;
}

/**
 * A page's Server-Sent Events stream: the whole model first (`push`), then what changes, and a keep-alive comment
 * every `keepAliveMs`; the client leaves `clients` when the page goes. A HEAD gets the headers alone.
 */
function eventStream(head: boolean, clients: Set<Client>, push: (c: Client) => void, keepAliveMs: number): Response {
  const headers = { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" };
  if (head) return new Response(null, { headers });
  const encoder = new TextEncoder();
  let client: Client | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  const drop = () => {
    clearInterval(timer);
    if (client !== null) clients.delete(client);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const c: Client = {
        feed: new PageFeed(),
        send(chunk) {
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            drop();
          }
        },
        close() {
          drop();
          try {
            controller.close();
          } catch {
            // already closed
          }
        },
      };
      client = c;
      clients.add(c);
      c.send("retry: 2000\n\n");
      push(c);
      timer = setInterval(() => c.send(": keep-alive\n\n"), keepAliveMs);
    },
    cancel() {
      drop();
    },
  });
  return new Response(body, { headers });
}

/** A sample image from a run folder under `resultsDir` (never outside it), or 404; a malformed path gets 400. */
async function imageFile(resultsDir: string, pathname: string): Promise<Response> {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(pathname.slice(1)));
  } catch {
    // A malformed percent-escape (`/%E0%A4%A`): the client's mistake, answered without a log line.
    return new Response("bad request: malformed percent-escape in the path\n", { status: 400 });
  }
  const type = IMAGE_TYPES[extname(rel).toLowerCase()];
  if (type === undefined || rel.startsWith("..") || rel.startsWith(SEPARATOR)) return notFound();
  try {
    const root = await Deno.realPath(resultsDir);
    const real = await Deno.realPath(join(resultsDir, rel));
    if (!real.startsWith(root + SEPARATOR)) return notFound();
    return new Response(await Deno.readFile(real), { headers: { "content-type": type, "cache-control": "no-cache" } });
  } catch {
    return notFound();
  }
}

function notFound(): Response {
  return new Response("not found\n", { status: 404 });
}
