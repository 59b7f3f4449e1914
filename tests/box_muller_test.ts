import { assertEquals, assertGreater } from "@std/assert";
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

Deno.test("the module's log, sin and cos are Math's on a stride of all 2^32 words", () => {
  const { log, sin, cos } = checkWords(new BoxMuller(), 4099);
  for (const c of [log, sin, cos]) assertEquals(c.examples, []);
  assertGreater(log.words, 1_000_000);
  // Some are left to Math (so that path runs in the test above too), and few.
  for (const c of [log, sin, cos]) assertGreater(c.leftToMath, 0);
  for (const c of [log, sin, cos]) assertGreater(c.words / 100, c.leftToMath);
});

Deno.test("the module's log, sin and cos are Math's at the quadrants' edges and the ends of the words", () => {
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
      for (let f = 0; f < 3; f++) {
        if (!Number.isNaN(got[f]!) && !Object.is(got[f], want[f])) {
          bad.push(`word ${w}, f${f}: ${got[f]} vs ${want[f]}`);
        }
      }
    }
  }
  assertEquals(bad, []);
});
