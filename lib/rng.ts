/**
 * A small seeded random generator (sfc32) whose state can be saved and
 * restored, so noise, data order, dropout masks and initial weights follow the
 * run's seed and a resumed run continues the same stream.
 * @module
 */
import { boxMuller } from "./kernels/box_muller.ts";

/** The generator's whole state: four 32-bit words. */
export type RngState = [number, number, number, number];

/** Seeded sfc32 generator with normal and uniform helpers. */
export class Rng {
  #s: Uint32Array;

  /** Start a stream from an integer seed. */
  constructor(seed: number) {
    this.#s = new Uint32Array([
      0x9e3779b9,
      seed >>> 0,
      (seed / 0x100000000) >>> 0,
      0x6a09e667,
    ]);
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t;
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }

  /**
   * Fill `out` with standard normal values (Box–Muller): per pair, u1 = 1 − next(), u2 = next(),
   * r = √(−2 ln u1), then r·cos 2πu2 and r·sin 2πu2 (an odd length drops the last sine). Runs on
   * wasm SIMD to the bit of that JavaScript (lib/kernels/box_muller.ts).
   */
  fillNormal(out: Float32Array): Float32Array {
    return boxMuller().fill(out, () => this.nextUint32());
  }

  /** Fill `out` with values uniform on [lo, hi). */
  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  /** An integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffle in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A copy of the state, for checkpoints. */
  getState(): RngState {
    return [this.#s[0]!, this.#s[1]!, this.#s[2]!, this.#s[3]!];
  }

  /** Continue from a saved state. */
  setState(state: RngState): void {
    this.#s.set(state);
  }
}

/**
 * Route `Math.random` through `rng` until the returned function is called.
 * tfjs seeds its initialisers and dropout masks from `Math.random` when no
 * seed is given, so this makes weights and dropout follow the run's seed.
 */
export function routeMathRandom(rng: Rng): () => void {
  const original = Math.random;
  Math.random = () => rng.next();
  return () => {
    Math.random = original;
  };
}
