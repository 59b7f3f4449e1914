/**
 * The exhaustive check of lib/kernels/simd/box_muller.c (minutes; run it by hand after changing the module or
 * Deno): for every 32-bit word w, the module's log(1 − w/2³²), sin(2π·w/2³²) and cos(2π·w/2³²) against `Math.log`,
 * `Math.sin` and `Math.cos`: the largest |module/Math − 1| of each must be within the module's claimed bound (and
 * where `Math`'s is 0, the module's must be too). Those are the only inputs the noise gives them, so the bounds
 * hold for every normal, and the module's decision at float32 (lib/kernels/simd/box_muller.c) leaves no normal
 * different from the JavaScript loop's. `--stride N` checks every Nth word only.
 *
 *     deno run tests/exhaustive/box_muller.ts [--stride N]
 * @module
 */
import { strideFlag } from "./_stride.ts";
import { BoxMuller } from "../../lib/kernels/box_muller.ts";

/** Words checked, the largest relative error seen and where, values beyond the claim (the first few described). */
export interface CheckCounts {
  words: number;
  claim: number;
  maxError: number;
  maxAt: string;
  beyond: number;
  examples: string[];
}

/** Check the words 0, stride, 2·stride, … below 2³² (all of them when `stride` is 1). */
export function checkWords(
  bm: BoxMuller,
  stride: number,
): { log: CheckCounts; sin: CheckCounts; cos: CheckCounts } {
  const fresh = (claim: number): CheckCounts => ({ words: 0, claim, maxError: 0, maxAt: "", beyond: 0, examples: [] });
  const log = fresh(bm.logEta), sin = fresh(bm.trigEta), cos = fresh(bm.trigEta);
  const note = (c: CheckCounts, ours: number, want: number, what: string) => {
    c.words++;
    const error = want === 0 ? (Object.is(ours, want) ? 0 : Infinity) : Math.abs((ours - want) / want);
    if (!(error <= c.maxError)) {
      c.maxError = Number.isNaN(error) ? Infinity : error;
      c.maxAt = what;
    }
    if (!(error <= c.claim)) {
      c.beyond++;
      if (c.examples.length < 5) c.examples.push(`${what}: module ${ours}, Math ${want}`);
    }
  };
  const span = bm.chunk;
  for (let first = 0; first < 0x100000000; first += span * stride) {
    const n = Math.min(span, Math.ceil((0x100000000 - first) / stride));
    if (stride === 1) {
      const logs = bm.logWords(first, n);
      for (let k = 0; k < n; k++) note(log, logs[k]!, Math.log(1 - (first + k) / 0x100000000), `log word ${first + k}`);
      const sc = bm.sincosWords(first, n);
      for (let k = 0; k < n; k++) {
        const x = 2 * Math.PI * ((first + k) / 0x100000000);
        note(sin, sc[2 * k]!, Math.sin(x), `sin word ${first + k}`);
        note(cos, sc[2 * k + 1]!, Math.cos(x), `cos word ${first + k}`);
      }
    } else {
      for (let k = 0; k < n; k++) {
        const w = first + k * stride;
        note(log, bm.logWords(w, 1)[0]!, Math.log(1 - w / 0x100000000), `log word ${w}`);
        const sc = bm.sincosWords(w, 1);
        const x = 2 * Math.PI * (w / 0x100000000);
        note(sin, sc[0]!, Math.sin(x), `sin word ${w}`);
        note(cos, sc[1]!, Math.cos(x), `cos word ${w}`);
      }
    }
  }
  return { log, sin, cos };
}

if (import.meta.main) {
  const stride = strideFlag(Deno.args);
  const started = performance.now();
  const result = checkWords(new BoxMuller(), stride);
  let bad = 0;
  for (const [name, c] of Object.entries(result)) {
    bad += c.beyond;
    console.log(
      `${name}: ${c.words} words, largest error 2^${Math.log2(c.maxError).toFixed(2)} (${c.maxAt}), claim 2^${
        Math.log2(c.claim)
      }, ${c.beyond} beyond it`,
    );
    for (const e of c.examples) console.log(`  ${e}`);
  }
  console.log(
    `${((performance.now() - started) / 1000).toFixed(0)} s; ${bad === 0 ? "every bound holds" : `${bad} beyond`}`,
  );
  Deno.exit(bad === 0 ? 0 : 1);
}
