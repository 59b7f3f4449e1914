import { assertAlmostEquals, assertEquals } from "@std/assert";
import { formatClassHist, parseClassHist } from "../lib/metrics/class_hist.ts";
import { classifierScore, coverage } from "../lib/metrics/class_metrics.ts";

Deno.test("classifierScore() is K for confident, evenly spread predictions and 1 for one class", () => {
  const k = 4;
  const even = new Float32Array(8 * k);
  for (let i = 0; i < 8; i++) even[i * k + (i % k)] = 1;
  assertAlmostEquals(classifierScore(even, k), 4, 1e-9);
  const one = new Float32Array(8 * k);
  for (let i = 0; i < 8; i++) one[i * k + 2] = 1;
  assertAlmostEquals(classifierScore(one, k), 1, 1e-9);
});

Deno.test("classifierScore() is 1 for uncertain predictions whatever the spread", () => {
  assertAlmostEquals(classifierScore(new Float32Array(6 * 3).fill(1 / 3), 3), 1, 1e-6);
});

Deno.test("coverage() counts classes above the share and KL to uniform is ln K for one class", () => {
  const k = 10;
  const probs = new Float32Array(100 * k);
  for (let i = 0; i < 100; i++) probs[i * k + 3] = 0.9;
  for (let i = 0; i < 100; i++) probs[i * k + 5] = 0.1;
  const one = coverage(probs, k, 0.02);
  assertEquals(one.covered, 1);
  assertEquals(one.histogram[3], 1);
  assertAlmostEquals(one.klUniform, Math.log(10), 1e-12);
});

Deno.test("coverage() of an even spread covers every class with KL 0; a rare class falls under the share", () => {
  const k = 10;
  const n = 1000;
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) probs[i * k + (i % k)] = 1;
  const even = coverage(probs, k, 0.02);
  assertEquals(even.covered, 10);
  assertAlmostEquals(even.klUniform, 0, 1e-12);
  // class 9 takes 1% of the images: below a 2% share.
  probs.fill(0);
  for (let i = 0; i < n; i++) probs[i * k + (i < 10 ? 9 : i % 9)] = 1;
  const rare = coverage(probs, k, 0.02);
  assertEquals(rare.covered, 9);
  assertAlmostEquals(rare.histogram[9]!, 0.01, 1e-12);
});

Deno.test("classHist round-trips through the eval line's string field; malformed fields read as null", () => {
  const shares = [0.1, 0.2, 0.7];
  assertEquals(parseClassHist(formatClassHist(shares)), shares);
  assertEquals(parseClassHist("0.5,x"), null);
  assertEquals(parseClassHist(3), null);
});
