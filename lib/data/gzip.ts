/**
 * Gzip detection and decompression with the runtime's built-in
 * `DecompressionStream` (no npm dependency).
 * @module
 */

/**
 * Whether `bytes` start with the gzip magic number `1f 8b` (RFC 1952).
 *
 * @param bytes The first bytes of a file (at least two are needed).
 * @returns `true` for gzip data.
 * @example Detect gzip data
 * ```ts
 * import { isGzip } from "./gzip.ts";
 * isGzip(new Uint8Array([0x1f, 0x8b, 0x08])); // true
 * isGzip(new Uint8Array([0x00, 0x00, 0x08, 0x03])); // false
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompress a whole gzip stream into memory.
 *
 * A truncated or damaged stream rejects (the runtime reports a CRC or
 * "unexpected end" error); the caller adds the file name.
 *
 * @param data Gzip bytes, or a stream of them (e.g. `file.readable`).
 * @returns The decompressed bytes.
 * @throws {TypeError} When the data is not a complete, valid gzip stream.
 * @example Round trip
 * ```ts
 * import { gunzip } from "./gzip.ts";
 * const packed = new Uint8Array(
 *   await new Response(
 *     new Blob([new Uint8Array([1, 2, 3])]).stream()
 *       .pipeThrough(new CompressionStream("gzip")),
 *   ).arrayBuffer(),
 * );
 * await gunzip(packed); // Uint8Array [1, 2, 3]
 * ```
 */
export async function gunzip(
  data: Uint8Array | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const stream =
    (data instanceof Uint8Array ? new Blob([data as Uint8Array<ArrayBuffer>]).stream() : data) as ReadableStream<
      BufferSource
    >;
  const out = stream.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(out).arrayBuffer());
}
