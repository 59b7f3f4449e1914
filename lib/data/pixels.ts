/**
 * Pixel ranges and the conversions between bytes, training values and display.
 * @module
 */

/** `[-1,1]` (tanh generator) or `[0,1]` (sigmoid generator). */
export type PixelRange = "[-1,1]" | "[0,1]";

/** Scale and offset taking a byte (0..255) to the range: `v = b * scale + offset`. */
export function byteToRange(
  range: PixelRange,
): { scale: number; offset: number } {
  return range === "[-1,1]" ? { scale: 1 / 127.5, offset: -1 } : { scale: 1 / 255, offset: 0 };
}

/** The generator's output activation for a pixel range. */
export function outputActivation(range: PixelRange): "tanh" | "sigmoid" {
  return range === "[-1,1]" ? "tanh" : "sigmoid";
}
