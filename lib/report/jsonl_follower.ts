/**
 * Follow a JSON Lines file as it grows: each read returns only the complete
 * lines appended since the last one, from the byte offset read so far.
 * @module
 */
import { parseJsonl } from "../results/jsonl.ts";

/** What one {@linkcode JsonlFollower.read} found. */
export interface FollowedLines {
  /** The complete new lines that parsed as JSON objects, in file order. */
  records: Record<string, unknown>[];
  /** Complete new lines that were not JSON objects (1-based line numbers in the file). */
  bad: number[];
  /** True when the file shrank or was replaced: the caller should drop what it had; `records` start again at line 1. */
  restarted: boolean;
}

/**
 * Reads a growing `metrics.jsonl` by offset. A last line without its newline
 * waits (a writer is still appending it); a file that does not exist yet reads
 * as empty until it appears.
 *
 * @example Only the appended lines
 * ```ts
 * import { JsonlFollower } from "./jsonl_follower.ts";
 * const path = await Deno.makeTempFile();
 * const follower = new JsonlFollower(path);
 * await Deno.writeTextFile(path, '{"step":1}\n{"st');
 * (await follower.read()).records; // [{ step: 1 }]
 * await Deno.writeTextFile(path, 'ep":2}\n', { append: true });
 * (await follower.read()).records; // [{ step: 2 }]
 * ```
 */
export class JsonlFollower {
  /** Most bytes read in one call; a bigger backlog is read over several calls. */
  static readonly PIECE = 2 << 20;
  readonly path: string;
  #offset = 0;
  #lines = 0;
  #tail: Uint8Array = new Uint8Array(0);
  #decoder = new TextDecoder();

  /** @param path The file to follow (it need not exist yet). */
  constructor(path: string) {
    this.path = path;
  }

  /** Bytes consumed so far (complete lines plus the waiting partial one). */
  get offset(): number {
    return this.#offset;
  }

  #reset(): void {
    this.#offset = 0;
    this.#lines = 0;
    this.#tail = new Uint8Array(0);
  }

  /**
   * Read what was appended since the last call.
   * @returns The new complete lines.
   */
  async read(): Promise<FollowedLines> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      // A file that was there and is gone (a run folder deleted): what was read from it no longer holds.
      const restarted = this.#offset > 0;
      this.#reset();
      return { records: [], bad: [], restarted };
    }
    try {
      const size = (await file.stat()).size;
      let restarted = false;
      if (size < this.#offset) {
        this.#reset();
        restarted = true;
      }
      if (size === this.#offset) return { records: [], bad: [], restarted };
      const want = Math.min(size - this.#offset, JsonlFollower.PIECE);
      const buf = new Uint8Array(this.#tail.length + want);
      buf.set(this.#tail);
      await file.seek(this.#offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < want) {
        const n = await file.read(buf.subarray(this.#tail.length + got));
        if (n === null) break;
        got += n;
      }
      this.#offset += got;
      const filled = buf.subarray(0, this.#tail.length + got);
      const lastNewline = filled.lastIndexOf(10);
      this.#tail = filled.slice(lastNewline + 1);
      if (lastNewline < 0) return { records: [], bad: [], restarted };
      const parsed = parseJsonl(this.#decoder.decode(filled.subarray(0, lastNewline + 1)));
      const first = this.#lines;
      this.#lines += countNewlines(filled, lastNewline + 1);
      return { records: parsed.records, bad: parsed.bad.map((b) => first + b.line), restarted };
    } finally {
      file.close();
    }
  }
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 10) n++;
  return n;
}
