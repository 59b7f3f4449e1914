// Shared by the DCGAN builders: G upsamples twice by 2, so it starts at a quarter of the image size.
import type { ArchContext } from "./registry.ts";

/**
 * Height and width of a DCGAN generator's first feature map: a quarter of the image's.
 * @throws {RangeError} when the image's height or width is not divisible by 4.
 */
export function quarterSize(ctx: ArchContext, arch: string): [number, number] {
  const [h, w] = ctx.imageShape;
  if (h % 4 !== 0 || w % 4 !== 0) {
    throw new RangeError(
      `Cannot build ${arch} for images of ${h}×${w}: height and width must be divisible by 4 (two stride-2 upsamplings)`,
    );
  }
  return [h / 4, w / 4];
}
