/**
 * Internal: decode the base64-embedded wasm modules.
 * @module
 */

/** Decode a base64 string to bytes. */
export function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
