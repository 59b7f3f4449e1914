/**
 * The noise's normals on wasm SIMD (lib/kernels/simd/box_muller.c), to the
 * bit of lib/rng.ts's JavaScript Box–Muller loop: the module computes `log`,
 * `cos` and `sin` in plain doubles within measured bounds of V8's correctly
 * rounded `Math.log`/`Math.cos`/`Math.sin`, and decides each normal at its
 * float32: the few pairs whose float32 those bounds leave in doubt (one in
 * ~2 million) are computed here with `Math.*`, so every value is the
 * JavaScript loop's. The bounds are checked on every one of the 2³² words of
 * each function by `tests/exhaustive/box_muller.ts`.
 * @module
 */
import { decodeBase64 } from "./_base64.ts";
import { BOX_MULLER_SIMD } from "./simd/_simd_wasm.ts";

interface BoxMullerExports {
  memory: WebAssembly.Memory;
  words_ptr(): number;
  normals_ptr(): number;
  unsure_ptr(): number;
  checked_ptr(): number;
  chunk_pairs(): number;
  box_muller(pairs: number): number;
  log_words(first: number, n: number): void;
  sincos_words(first: number, n: number): void;
  log_eta(): number;
  trig_eta(): number;
  widen_doubt(eps: number): void;
}

/** One standard normal pair from two 32-bit words, as the JavaScript loop computes it. */
export function boxMullerPair(a: number, b: number): [number, number] {
  const u1 = 1 - a / 0x100000000;
  const u2 = b / 0x100000000;
  const r = Math.sqrt(-2 * Math.log(u1));
  return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
}

/** The module, instantiated once, with views of its buffers. */
export class BoxMuller {
  /** Pairs per call. */
  readonly chunk: number;
  /** The check exports' output (`log_words`, `sincos_words`). */
  readonly checked: Float64Array;
  /** The module's claimed bounds on |its log / `Math.log` − 1| and the same for sin and cos, over every word. */
  readonly logEta: number;
  readonly trigEta: number;
  readonly #exports: BoxMullerExports;
  readonly #words: Uint32Array;
  readonly #normals: Float32Array;
  readonly #unsure: Uint32Array;

  constructor() {
    const module = new WebAssembly.Module(decodeBase64(BOX_MULLER_SIMD));
    this.#exports = new WebAssembly.Instance(module, {}).exports as unknown as BoxMullerExports;
    const e = this.#exports;
    const buffer = e.memory.buffer;
    this.chunk = e.chunk_pairs();
    this.#words = new Uint32Array(buffer, e.words_ptr(), 2 * this.chunk);
    this.#normals = new Float32Array(buffer, e.normals_ptr(), 2 * this.chunk);
    this.#unsure = new Uint32Array(buffer, e.unsure_ptr(), this.chunk);
    this.checked = new Float64Array(buffer, e.checked_ptr(), 2 * this.chunk);
    this.logEta = e.log_eta();
    this.trigEta = e.trig_eta();
  }

  /**
   * Fill `out` with standard normals, pair by pair from two words of `nextWord`
   * each (r·cos first, then r·sin; an odd length drops the last sine, its words
   * still drawn): the values, and the words drawn, of the JavaScript loop.
   */
  fill(out: Float32Array, nextWord: () => number): Float32Array {
    const words = this.#words;
    for (let start = 0; start < out.length; start += 2 * this.chunk) {
      const count = Math.min(out.length - start, 2 * this.chunk);
      const pairs = (count + 1) >> 1;
      for (let i = 0; i < 2 * pairs; i++) words[i] = nextWord();
      const doubtful = this.#exports.box_muller(pairs);
      out.set(this.#normals.subarray(0, count), start);
      for (let k = 0; k < doubtful; k++) {
        const p = this.#unsure[k]!;
        const [c, s] = boxMullerPair(words[2 * p]!, words[2 * p + 1]!);
        out[start + 2 * p] = c;
        if (2 * p + 1 < count) out[start + 2 * p + 1] = s;
      }
    }
    return out;
  }

  /**
   * For the tests: leave to `Math` every pair whose normals' float32 could change within a relative `eps` (at
   * least the module's own bound, which 0 restores), so that path runs often.
   */
  widenDoubt(eps: number): void {
    this.#exports.widen_doubt(eps);
  }

  /** `checked[k]` = the module's log(1 − (first + k)/2³²) for k < n ≤ 2·chunk. */
  logWords(first: number, n: number): Float64Array {
    this.#exports.log_words(first >>> 0, n);
    return this.checked.subarray(0, n);
  }

  /** `checked[2k]`, `checked[2k + 1]` = the module's sin, cos of 2π·(first + k)/2³² for k < n ≤ chunk. */
  sincosWords(first: number, n: number): Float64Array {
    this.#exports.sincos_words(first >>> 0, n);
    return this.checked.subarray(0, 2 * n);
  }
}

let shared: BoxMuller | undefined;

/** The one instance (built on first use). */
export function boxMuller(): BoxMuller {
  return shared ??= new BoxMuller();
}
