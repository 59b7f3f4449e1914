/**
 * Sample grids: tile generated images into one grayscale PNG, and assemble
 * a run's PNGs into an animated GIF.
 * @module
 */
import { decode, encode } from "fast-png";
// @ts-types="../gifenc.d.ts"
import { applyPalette, GIFEncoder, quantize } from "gifenc";
import type { PixelRange } from "../data/pixels.ts";

/** Gap between tiles, in pixels. */
const GAP = 2;

/**
 * Tile `count = rows × cols` images (values in `range`, NHWC with one channel)
 * into a PNG with a 2-pixel dark gap between images.
 */
export function tileToPng(
  pixels: Float32Array,
  [rows, cols]: [number, number],
  [h, w]: [number, number],
  range: PixelRange,
): Uint8Array {
  const width = cols * w + (cols + 1) * GAP;
  const height = rows * h + (rows + 1) * GAP;
  const out = new Uint8Array(width * height);
  const [lo, hi] = range === "[-1,1]" ? [-1, 1] : [0, 1];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * h * w;
      for (let y = 0; y < h; y++) {
        const row = (GAP + r * (h + GAP) + y) * width + GAP + c * (w + GAP);
        for (let x = 0; x < w; x++) {
          const v = (pixels[base + y * w + x]! - lo) / (hi - lo);
          out[row + x] = Math.round(
            255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)),
          );
        }
      }
    }
  }
  return encode({ width, height, data: out, channels: 1, depth: 8 });
}

/** Animate PNG frames (same size, grayscale) into a looping GIF. */
export function pngsToGif(frames: Uint8Array[], delayMs = 300): Uint8Array {
  const gif = GIFEncoder();
  for (const png of frames) {
    const img = decode(png);
    const rgba = new Uint8Array(img.width * img.height * 4);
    const ch = img.channels;
    for (let i = 0; i < img.width * img.height; i++) {
      const v = Number(img.data[i * ch]);
      rgba.set([v, v, v, 255], i * 4);
    }
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), img.width, img.height, {
      palette,
      delay: delayMs,
    });
  }
  gif.finish();
  return gif.bytes();
}
