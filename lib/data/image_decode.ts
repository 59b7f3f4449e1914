/**
 * Decoding one PNG or JPEG file's bytes with jimp: RGBA composited on white, scaled to cover `size`×`size` and
 * centre-cropped, kept as RGB. Loaded only when a set is not in the decoded cache (`image_files.ts`).
 * @module
 */
import { Buffer } from "node:buffer";
import { createJimp } from "@jimp/core";
import png from "@jimp/js-png";
import jpeg from "@jimp/js-jpeg";
import { methods as cover } from "@jimp/plugin-cover";
import { DatasetError } from "./dataset_info.ts";

/** jimp with what decoding needs only: `cover` (scale and centre-crop). */
const Jimp = createJimp({ plugins: [cover] });

/**
 * The decoders, told by the file's first bytes (jimp's own sniffing, through `file-type`, loads a module that
 * reads the whole environment, which the tasks do not grant).
 */
const DECODERS = [
  { magic: [0x89, 0x50, 0x4e, 0x47], format: png() },
  { magic: [0xff, 0xd8, 0xff], format: jpeg() },
] as const;

/** The file's pixels as RGBA, or why they cannot be had. */
function decodeBitmap(bytes: Uint8Array): { data: Uint8Array; width: number; height: number } {
  const decoder = DECODERS.find((d) => d.magic.every((b, i) => bytes[i] === b));
  if (!decoder) throw new Error("it starts with neither the PNG nor the JPEG signature");
  const { data, width, height } = decoder.format.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {});
  return { data: new Uint8Array(data), width, height };
}

/**
 * RGB bytes of one file's content at `size`×`size`, and whether it is in colour.
 * @param path the file, for the error.
 * @throws {DatasetError} when the bytes are not a PNG or JPEG that decodes.
 */
export function decodeImage(bytes: Uint8Array, path: string, size: number): { rgb: Uint8Array; colour: boolean } {
  let image: ReturnType<typeof Jimp.fromBitmap>;
  try {
    image = Jimp.fromBitmap(decodeBitmap(bytes));
  } catch (e) {
    throw new DatasetError(
      `${path}: cannot be decoded as an image (${(e as Error).message}): the file is damaged, truncated or ` +
        "not a PNG/JPEG; replace it or move it out of the folder",
    );
  }
  const rgba = image.bitmap.data;
  for (let i = 0; i < rgba.length; i += 4) { // composite on white, before scaling mixes transparent pixels in
    const a = rgba[i + 3]! / 255;
    for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(rgba[i + c]! * a + 255 * (1 - a));
    rgba[i + 3] = 255;
  }
  if (image.bitmap.width !== size || image.bitmap.height !== size) image.cover({ w: size, h: size });
  const px = image.bitmap.data;
  const rgb = new Uint8Array(size * size * 3);
  let colour = false;
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = [px[4 * p]!, px[4 * p + 1]!, px[4 * p + 2]!];
    rgb.set([r, g, b], 3 * p);
    if (r !== g || g !== b) colour = true;
  }
  return { rgb, colour };
}
