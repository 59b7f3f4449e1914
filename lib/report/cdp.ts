/**
 * A small Chrome DevTools Protocol client for a local headless Chromium
 * (Debian's `/usr/bin/chromium`): launch it, open a page, evaluate scripts,
 * collect console errors and requests, take screenshots, and always kill it.
 *
 * Permissions: `--allow-run=<chromium>`, `--allow-net=127.0.0.1` (the DevTools
 * WebSocket), and write access to the profile folder the caller makes.
 * @module
 */

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, offline, headless Chromium that runs as root in a container. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--hide-scrollbars",
  "--mute-audio",
];

type Params = Record<string, unknown>;

interface Message {
  id?: number;
  method?: string;
  params?: Params;
  result?: Params;
  error?: { code: number; message: string };
  sessionId?: string;
}

/**
 * Whether a Chromium executable exists at `path`.
 *
 * @param path The executable (default {@linkcode CHROMIUM}).
 * @returns True when it is a file.
 */
export function hasChromium(path: string = CHROMIUM): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Race `p` against a timer that is always cleared. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What {@linkcode Browser.launch} starts. */
export interface LaunchOptions {
  /** A folder for the browser profile; the caller makes and removes it. */
  userDataDir: string;
  /** The executable (default {@linkcode CHROMIUM}). */
  executable?: string;
  /** Most milliseconds to wait for the DevTools endpoint (default 30 000). */
  timeoutMs?: number;
}

/** A running headless Chromium and its DevTools connection. Close it in a `finally`. */
export class Browser {
  #child: Deno.ChildProcess;
  #ws: WebSocket;
  #stderr: { tail: string[]; done: Promise<void>; cancel: () => Promise<void> };
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: Params) => void; reject: (e: Error) => void; method: string }>();
  #sessions = new Map<string, (m: Message) => void>();
  #wsClosed: Promise<void>;
  #closed = false;

  private constructor(
    child: Deno.ChildProcess,
    ws: WebSocket,
    stderr: { tail: string[]; done: Promise<void>; cancel: () => Promise<void> },
  ) {
    this.#child = child;
    this.#ws = ws;
    this.#stderr = stderr;
    this.#wsClosed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
    ws.addEventListener("message", (e) => this.#dispatch(JSON.parse(String(e.data)) as Message));
    ws.addEventListener("close", () => {
      for (const p of this.#pending.values()) p.reject(new Error(`${p.method}: the browser closed the connection`));
      this.#pending.clear();
    });
  }

  /**
   * Start Chromium with remote debugging on a free port and connect to it.
   *
   * @param opts The profile folder and executable.
   * @returns The connected browser.
   * @throws {Error} When Chromium exits or prints no DevTools address in time.
   */
  static async launch(opts: LaunchOptions): Promise<Browser> {
    const child = new Deno.Command(opts.executable ?? CHROMIUM, {
      args: [...CHROMIUM_FLAGS, "--remote-debugging-port=0", `--user-data-dir=${opts.userDataDir}`, "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const tail: string[] = [];
    let found: (url: string | null) => void = () => {};
    const endpoint = new Promise<string | null>((resolve) => found = resolve);
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    // Keep draining stderr for the browser's whole life, or it blocks on a full pipe.
    const done = (async () => {
      let buf = "";
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          buf += r.value;
          for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
            if (m) found(m[1] ?? null);
            // dbus complaints are noise in a container; keep the rest for error messages
            if (!line.includes("dbus") && line.trim() !== "") tail.push(line);
            if (tail.length > 20) tail.shift();
          }
        }
      } catch {
        // cancelled at close
      } finally {
        found(null);
      }
    })();
    const stderr = { tail, done, cancel: () => reader.cancel().catch(() => {}) };
    const kill = async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await within(done, 5000, "chromium stderr").catch(stderr.cancel);
    };
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let ws: WebSocket;
    try {
      const url = await within(endpoint, timeoutMs, "waiting for Chromium's DevTools address");
      if (url === null) throw new Error("Chromium exited before it listened for DevTools");
      ws = new WebSocket(url);
      await within(
        new Promise<void>((resolve, reject) => {
          ws.addEventListener("open", () => resolve());
          ws.addEventListener("error", () => reject(new Error(`Cannot connect to ${url}`)));
        }),
        timeoutMs,
        "connecting to Chromium",
      );
    } catch (e) {
      await kill();
      throw new Error(`${(e as Error).message}; Chromium's last messages:\n${tail.join("\n")}`);
    }
    return new Browser(child, ws, stderr);
  }

  #dispatch(m: Message): void {
    if (m.id !== undefined) {
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
      else p.resolve(m.result ?? {});
    } else if (m.sessionId !== undefined) {
      this.#sessions.get(m.sessionId)?.(m);
    }
  }

  /**
   * Send one DevTools command.
   *
   * @param method E.g. `Target.createTarget`.
   * @param params Its parameters.
   * @param sessionId The page session, or none for the browser.
   * @returns The command's result.
   */
  send(method: string, params: Params = {}, sessionId?: string): Promise<Params> {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`${method}: the browser is closed`));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /**
   * Open a new page with the given viewport, with console, log and network
   * events recorded.
   *
   * @param viewport CSS pixels.
   * @returns The page.
   */
  async newPage(viewport: { width: number; height: number } = { width: 1400, height: 1000 }): Promise<Page> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, String(sessionId));
    this.#sessions.set(String(sessionId), (m) => page.handle(m));
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Log.enable");
    await page.send("Network.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: viewport.width,
      height: viewport.height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Close the browser: politely, then with SIGKILL. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await within(this.send("Browser.close"), 3000, "Browser.close").catch(() => {});
    this.#closed = true;
    const exited = await within(this.#child.status, 5000, "chromium exit").then(() => true, () => false);
    if (!exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
      await this.#child.status;
    }
    if (this.#ws.readyState !== WebSocket.CLOSED) {
      try {
        this.#ws.close();
      } catch {
        // closing already
      }
      await within(this.#wsClosed, 3000, "DevTools socket close").catch(() => {});
    }
    // helper processes can hold stderr open for a moment after the browser exits
    await within(this.#stderr.done, 5000, "chromium stderr").catch(this.#stderr.cancel);
  }

  /** `await using browser = await Browser.launch(...)` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function remoteText(arg: unknown): string {
  const o = (arg ?? {}) as { value?: unknown; description?: string; unserializableValue?: string };
  if (o.value !== undefined) return typeof o.value === "string" ? o.value : JSON.stringify(o.value);
  return o.description ?? o.unserializableValue ?? "";
}

/** One page (tab) of a {@linkcode Browser}. */
export class Page {
  /** Console errors, uncaught exceptions and error log entries, in order. */
  readonly errors: string[] = [];
  /** URLs of every request except `data:` ones, in order. */
  readonly requests: string[] = [];
  #browser: Browser;
  #session: string;
  #waiters = new Map<string, Set<(p: Params) => void>>();

  /** Made by {@linkcode Browser.newPage}. */
  constructor(browser: Browser, session: string) {
    this.#browser = browser;
    this.#session = session;
  }

  /**
   * Send a command to this page.
   *
   * @param method The DevTools method.
   * @param params Its parameters.
   * @returns Its result.
   */
  send(method: string, params: Params = {}): Promise<Params> {
    return this.#browser.send(method, params, this.#session);
  }

  /** @internal An event for this page's session. */
  handle(m: Message): void {
    const p = m.params ?? {};
    switch (m.method) {
      case "Runtime.consoleAPICalled":
        if (p.type === "error" || p.type === "assert") {
          this.errors.push(`console.${p.type}: ${(p.args as unknown[] ?? []).map(remoteText).join(" ")}`);
        }
        break;
      case "Runtime.exceptionThrown": {
        const d = (p.exceptionDetails ?? {}) as { text?: string; exception?: unknown };
        this.errors.push(`uncaught: ${remoteText(d.exception) || d.text || "exception"}`);
        break;
      }
      case "Log.entryAdded": {
        const e = (p.entry ?? {}) as { level?: string; text?: string; url?: string };
        if (e.level === "error") this.errors.push(`log: ${e.text ?? ""}${e.url ? ` (${e.url})` : ""}`);
        break;
      }
      case "Network.requestWillBeSent": {
        const url = String((p.request as { url?: string } | undefined)?.url ?? "");
        if (!url.startsWith("data:")) this.requests.push(url);
        break;
      }
    }
    if (m.method !== undefined) { for (const w of this.#waiters.get(m.method) ?? []) w(p); }
  }

  #next(method: string): Promise<Params> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(method) ?? new Set();
      const once = (p: Params) => {
        set.delete(once);
        resolve(p);
      };
      set.add(once);
      this.#waiters.set(method, set);
    });
  }

  /**
   * Load `url` and wait for its `load` event.
   *
   * @param url E.g. a `file://` URL.
   * @param timeoutMs Most milliseconds to wait.
   * @throws {Error} When navigation fails or times out.
   */
  async goto(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = this.#next("Page.loadEventFired");
    const r = await this.send("Page.navigate", { url });
    if (typeof r.errorText === "string" && r.errorText !== "") {
      throw new Error(`Cannot load ${url}: ${r.errorText}`);
    }
    await within(loaded, timeoutMs, `loading ${url}`);
  }

  /**
   * Evaluate a JavaScript expression in the page (awaiting a promise result).
   *
   * @param expression The source, e.g. `document.title`.
   * @returns Its value, as JSON.
   * @throws {Error} When the expression throws.
   */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    const ex = r.exceptionDetails as { text?: string; exception?: unknown } | undefined;
    if (ex !== undefined) throw new Error(`evaluate: ${remoteText(ex.exception) || ex.text}`);
    return (r.result as { value?: unknown } | undefined)?.value as T;
  }

  /**
   * Poll `expression` until it is truthy.
   *
   * @param expression The condition.
   * @param timeoutMs Most milliseconds to wait.
   * @throws {Error} On timeout.
   */
  async waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`!!(${expression})`))) {
      if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * A PNG of the viewport, or of the whole page.
   *
   * @param opts `fullPage`: the whole scrollable page (default true).
   * @returns The PNG bytes.
   */
  async screenshot(opts: { fullPage?: boolean } = {}): Promise<Uint8Array> {
    const params: Params = { format: "png" };
    if (opts.fullPage ?? true) {
      const m = await this.send("Page.getLayoutMetrics");
      const size = m.cssContentSize as { width: number; height: number };
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 };
    }
    const r = await this.send("Page.captureScreenshot", params);
    return Uint8Array.from(atob(String(r.data)), (c) => c.charCodeAt(0));
  }
}
