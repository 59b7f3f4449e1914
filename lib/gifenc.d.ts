// Types for gifenc's ESM build (the subset used here).
export type Palette = number[][];
export function quantize(rgba: Uint8Array, maxColors: number): Palette;
export function applyPalette(rgba: Uint8Array, palette: Palette): Uint8Array;
export interface Encoder {
  writeFrame(
    index: Uint8Array,
    width: number,
    height: number,
    options?: { palette?: Palette; delay?: number; repeat?: number },
  ): void;
  finish(): void;
  bytes(): Uint8Array;
}
export function GIFEncoder(): Encoder;
