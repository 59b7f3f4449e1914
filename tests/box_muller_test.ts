import { assert, assertEquals, assertGreater } from "@std/assert";
import { Rng } from "../lib/rng.ts";
import { BoxMuller, boxMuller } from "../lib/kernels/box_muller.ts";
import { checkWords } from "./exhaustive/box_muller.ts";

/** The Box–Muller loop as lib/rng.ts ran it in JavaScript before the wasm module. */
function javascriptNormals(rng: Rng, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

Deno.test("fillNormal gives the JavaScript loop's values and leaves the stream where it did", () => {
  for (const length of [0, 1, 2, 3, 7, 100, 8191, 8192, 8193, 20_001]) {
    const [a, b] = [new Rng(7 + length), new Rng(7 + length)];
    const ours = a.fillNormal(new Float32Array(length));
    const theirs = javascriptNormals(b, new Float32Array(length));
    assertEquals(new Uint32Array(ours.buffer), new Uint32Array(theirs.buffer), `length ${length}`);
    assertEquals(a.getState(), b.getState(), `stream after length ${length}`);
  }
});

Deno.test("fillNormal gives the loop's values where many pairs are left to Math, and where few are", () => {
  const bm = new BoxMuller();
  try {
    for (const eps of [2 ** -26, 2 ** -30, 0]) {
      bm.widenDoubt(eps);
      const [a, b] = [new Rng(11), new Rng(11)];
      const ours = bm.fill(new Float32Array(30_001), () => a.nextUint32());
      const theirs = javascriptNormals(b, new Float32Array(30_001));
      assertEquals(new Uint32Array(ours.buffer), new Uint32Array(theirs.buffer), `eps ${eps}`);
    }
  } finally {
    bm.widenDoubt(0);
  }
});

Deno.test("widening the doubt leaves more pairs to Math, and the module's own bound leaves few", () => {
  const bm = new BoxMuller();
  const log = Math.log;
  let calls = 0;
  Math.log = (x: number) => (calls++, log(x)); // fill() computes a doubtful pair with Math.*
  const pairsToMath = (eps: number) => {
    bm.widenDoubt(eps);
    const rng = new Rng(5);
    calls = 0;
    bm.fill(new Float32Array(200_000), () => rng.nextUint32());
    return calls;
  };
  try {
    const wide = pairsToMath(2 ** -26), own = pairsToMath(0);
    assertGreater(wide, 1_000); // a normal within ±2^-26 of a float32 boundary: ~1 in 8 to 16
    assertGreater(10, own); // ~1 pair in 2 million
  } finally {
    Math.log = log;
    bm.widenDoubt(0);
  }
});

Deno.test("the module's log, sin and cos are within its bounds of Math's on a stride of all 2^32 words", () => {
  const { log, sin, cos } = checkWords(new BoxMuller(), 4099);
  for (const c of [log, sin, cos]) assertEquals([c.beyond, c.examples], [0, []]);
  assertGreater(log.words, 1_000_000);
  // The bounds are tight enough to leave few normals in doubt and loose enough to hold: 1–2 ulps seen.
  for (const c of [log, sin, cos]) assert(c.maxError > 2 ** -60 && c.maxError <= c.claim, JSON.stringify(c));
});

Deno.test("the module's log, sin and cos are within its bounds at the quadrants' edges and the ends of the words", () => {
  const bm = boxMuller();
  const bad: string[] = [];
  for (const edge of [0, 2 ** 29, 2 ** 30, 3 * 2 ** 29, 2 ** 31, 3 * 2 ** 30, 2 ** 32]) {
    const first = Math.max(0, Math.min(2 ** 32 - 64, edge - 32));
    const logs = bm.logWords(first, 64).slice();
    const sc = bm.sincosWords(first, 64).slice();
    for (let k = 0; k < 64; k++) {
      const w = first + k, x = 2 * Math.PI * (w / 2 ** 32);
      const want = [Math.log(1 - w / 2 ** 32), Math.sin(x), Math.cos(x)];
      const got = [logs[k]!, sc[2 * k]!, sc[2 * k + 1]!];
      const claim = [bm.logEta, bm.trigEta, bm.trigEta];
      for (let f = 0; f < 3; f++) {
        const ok = want[f] === 0 ? Object.is(got[f], want[f]) : Math.abs((got[f]! - want[f]!) / want[f]!) <= claim[f]!;
        if (!ok) bad.push(`word ${w}, f${f}: ${got[f]} vs ${want[f]}`);
      }
    }
  }
  assertEquals(bad, []);
});
