/**
 * JSON Lines for `metrics.jsonl`: append whole lines; read tolerating a torn
 * last line (a writer interrupted or still appending).
 * @module
 */

/** Appends one JSON object per line, each with a single write. */
export class JsonlWriter {
  #file: Deno.FsFile;
  #enc = new TextEncoder();

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Open `path` for appending (created when missing). */
  static async open(path: string): Promise<JsonlWriter> {
    return new JsonlWriter(
      await Deno.open(path, { append: true, create: true }),
    );
  }

  /** Append `value` as one line. */
  async write(value: unknown): Promise<void> {
    const bytes = this.#enc.encode(JSON.stringify(value) + "\n");
    let written = 0;
    while (written < bytes.length) {
      written += await this.#file.write(bytes.subarray(written));
    }
  }

  /** Flush to disk. */
  async sync(): Promise<void> {
    await this.#file.sync();
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }
}

/** A JSON Lines file split into records, with what could not be read. */
export interface ParsedJsonl {
  /** Every line that parsed as a JSON object, in order. */
  records: Record<string, unknown>[];
  /**
   * The last line, when it is incomplete (no newline and not valid JSON): a
   * writer was interrupted or is still appending. It is left out of `records`.
   */
  torn: { line: number; text: string } | null;
  /** Complete lines (1-based numbers) that were not JSON objects: skipped. */
  bad: { line: number; text: string }[];
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

/**
 * Parse JSON Lines text without throwing. Blank lines are ignored; a last
 * line without a newline that does not parse is reported as `torn`; other
 * lines that do not parse as objects are reported in `bad`.
 *
 * @param text The file's contents.
 * @returns The records and the problems found.
 *
 * @example A file whose writer was interrupted
 * ```ts
 * import { parseJsonl } from "./jsonl.ts";
 * const parsed = parseJsonl('{"step":1}\n{"step":2}\n{"st');
 * parsed.records.length; // 2
 * parsed.torn?.line; // 3
 * ```
 */
export function parseJsonl(text: string): ParsedJsonl {
  const out: ParsedJsonl = { records: [], torn: null, bad: [] };
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const record = parseObject(line);
    if (record !== null) {
      out.records.push(record);
    } else if (i === lines.length - 1 && !endsWithNewline) {
      out.torn = { line: i + 1, text: line };
    } else {
      out.bad.push({ line: i + 1, text: line });
    }
  });
  return out;
}
