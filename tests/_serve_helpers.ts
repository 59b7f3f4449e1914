/** Helpers for the live report's tests: a free port and a reader of its event stream. */
import type { LiveEvent } from "../lib/report/live_diff.ts";

/** A port nothing listens on now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads a Server-Sent Events stream's `live` batches. */
export class EventReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  /** Bytes received so far. */
  bytes = 0;
  /** Each region's HTML as the events so far build it (`html` sets it, `patch` edits it), as the page does. */
  readonly regions = new Map<string, string>();

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next batch of events (keep-alive comments skipped). */
  async next(timeoutMs = 10_000): Promise<LiveEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (block.includes("event: live")) return this.#apply(JSON.parse(data));
        continue;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no event in time")), Math.max(1, deadline - Date.now()));
      });
      try {
        const { value, done } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error("stream ended");
        this.bytes += value.length;
        this.#buffer += value;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  #apply(events: LiveEvent[]): LiveEvent[] {
    for (const e of events) {
      if (e.type === "html") this.regions.set(e.region, e.html);
      if (e.type !== "patch") continue;
      const old = this.regions.get(e.region);
      if (old === undefined) throw new Error(`a patch of ${e.region} before its HTML`);
      this.regions.set(e.region, old.slice(0, e.at) + e.text + old.slice(e.at + e.cut));
    }
    return events;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}
