/**
 * Images for the HTML report: embedded as data URIs up to a size budget,
 * then referenced by a path relative to the report file.
 * @module
 */
import { Buffer } from "node:buffer";
import { relative, SEPARATOR } from "@std/path";

const MIME: Record<string, string> = {
  png: "image/png",
  gif: "image/gif",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  svg: "image/svg+xml",
};

/** Turns image files into `src` values for the report. */
export class ImageEmbedder {
  #left: number;
  #outDir: string;
  /** Images referenced by path because the budget ran out. */
  linked = 0;

  /**
   * @param outDir The folder the report is written to.
   * @param budgetBytes Most bytes embedded in total.
   */
  constructor(outDir: string, budgetBytes: number) {
    this.#outDir = outDir;
    this.#left = budgetBytes;
  }

  /**
   * A `src` for an image file: a data URI while the budget lasts, else a
   * relative path; null when the file cannot be read.
   *
   * @param path The image file.
   * @returns The `src` value, or null.
   */
  async src(path: string): Promise<string | null> {
    let bytes: Uint8Array;
    try {
      const info = await Deno.stat(path);
      if (info.size > this.#left) {
        this.linked++;
        return relative(this.#outDir, path).split(SEPARATOR).map(
          encodeURIComponent,
        ).join("/");
      }
      bytes = await Deno.readFile(path);
    } catch {
      return null;
    }
    this.#left -= bytes.length;
    const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    const mime = MIME[ext] ?? "application/octet-stream";
    return `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;
  }
}
