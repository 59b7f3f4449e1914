/**
 * JSON Lines: append whole lines; read tolerating a torn last line.
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

/** What reading a JSONL file found. */
export interface JsonlContent<T> {
  lines: T[];
  /** Byte length of the whole lines (where a torn tail starts). */
  validBytes: number;
  /** The torn last line, if the file did not end in a newline or its last line did not parse. */
  torn: string | null;
}

/** Parse JSONL text; a last line that is unterminated or unparsable is returned as `torn`. */
export function parseJsonl<T = unknown>(bytes: Uint8Array): JsonlContent<T> {
  const text = new TextDecoder().decode(bytes);
  const lines: T[] = [];
  let start = 0;
  let validBytes = 0;
  const enc = new TextEncoder();
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const line = nl === -1 ? text.slice(start) : text.slice(start, nl);
    if (nl === -1) return { lines, validBytes, torn: line };
    if (line.trim()) {
      try {
        lines.push(JSON.parse(line) as T);
      } catch {
        // Only a final line may be torn; a bad line in the middle is corruption.
        if (nl + 1 < text.length) {
          throw new SyntaxError(
            `line ${lines.length + 1} is not JSON: ${line.slice(0, 80)}`,
          );
        }
        return { lines, validBytes, torn: line };
      }
    }
    validBytes += enc.encode(line).length + 1;
    start = nl + 1;
  }
  return { lines, validBytes, torn: null };
}

/** Read a JSONL file (missing file → no lines). */
export async function readJsonl<T = unknown>(
  path: string,
): Promise<JsonlContent<T>> {
  try {
    return parseJsonl<T>(await Deno.readFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { lines: [], validBytes: 0, torn: null };
    }
    throw e;
  }
}
