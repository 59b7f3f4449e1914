/**
 * Sample grids: tile generated images into one PNG (gray or RGB, as the images), and assemble
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
 * Tile `count = rows × cols` images (values in `range`, NHWC with `channels` 1 or 3)
 * into a PNG with a 2-pixel dark gap between images.
 */
export function tileToPng(
  pixels: Float32Array,
  [rows, cols]: [number, number],
  [h, w, channels = 1]: [number, number, number?],
  range: PixelRange,
): Uint8Array {
  const width = cols * w + (cols + 1) * GAP;
  const height = rows * h + (rows + 1) * GAP;
  const ch = channels;
  const out = new Uint8Array(width * height * ch);
  const [lo, hi] = range === "[-1,1]" ? [-1, 1] : [0, 1];
  const line = w * ch;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * h * line;
      for (let y = 0; y < h; y++) {
        const row = ((GAP + r * (h + GAP) + y) * width + GAP + c * (w + GAP)) * ch;
        for (let x = 0; x < line; x++) {
          const v = (pixels[base + y * line + x]! - lo) / (hi - lo);
          out[row + x] = Math.round(
            255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)),
          );
        }
      }
    }
  }
  return encode({ width, height, data: out, channels: ch, depth: 8 });
}

/** Animate PNG frames (same size, gray or RGB) into a looping GIF. */
export function pngsToGif(frames: Uint8Array[], delayMs = 300): Uint8Array {
  const gif = GIFEncoder();
  for (const png of frames) {
    const img = decode(png);
    const rgba = new Uint8Array(img.width * img.height * 4);
    const ch = img.channels;
    for (let i = 0; i < img.width * img.height; i++) {
      const r = Number(img.data[i * ch]);
      const [g, b] = ch >= 3 ? [Number(img.data[i * ch + 1]), Number(img.data[i * ch + 2])] : [r, r];
      rgba.set([r, g, b, 255], i * 4);
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
