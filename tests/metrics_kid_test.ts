import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { kernelDistance, kidSubsets, polynomialMmd } from "../lib/metrics/kid.ts";
import { Rng } from "../lib/rng.ts";
import { pythonHas } from "./_files.ts";

function assertRelative(actual: number, expected: number, tolerance: number, msg = "") {
  const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert(rel <= tolerance, `${msg} expected ${expected}, got ${actual} (relative error ${rel})`);
}

/** `n` normal vectors of length `d`, each coordinate shifted by `shift`. */
function normals(rng: Rng, n: number, d: number, shift = 0): Float32Array {
  return rng.fillNormal(new Float32Array(n * d)).map((v) => v + shift);
}

/** ReLU-like features, as the classifier's penultimate layer gives: `shift` moves them apart. */
function reluFeatures(rng: Rng, n: number, d: number, shift: number): Float32Array {
  const x = rng.fillNormal(new Float32Array(n * d));
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]! * (1 + (i % d) / d) + shift);
  return x;
}

const hasNumpy = await pythonHas("python3", "numpy");

/**
 * The reference's estimate (mbinkowski/MMD-GAN gan/compute_scores.py: `polynomial_kernel` with degree 3, gamma 1/d,
 * coef0 1, then `_mmd2_and_variance` with mmd_est='unbiased') on the given subsets, in numpy float64.
 */
async function numpyMmds(
  real: Float32Array,
  fake: Float32Array,
  d: number,
  subsets: { real: Int32Array; fake: Int32Array }[],
): Promise<number[]> {
  const m = subsets[0]!.real.length;
  const dir = await Deno.makeTempDir();
  try {
    const join = (key: "real" | "fake") => {
      const all = new Int32Array(subsets.length * m);
      subsets.forEach((s, i) => all.set(s[key], i * m));
      return new Uint8Array(all.buffer);
    };
    await Deno.writeFile(`${dir}/real.bin`, new Uint8Array(real.buffer, real.byteOffset, real.byteLength));
    await Deno.writeFile(`${dir}/fake.bin`, new Uint8Array(fake.buffer, fake.byteOffset, fake.byteLength));
    await Deno.writeFile(`${dir}/real_idx.bin`, join("real"));
    await Deno.writeFile(`${dir}/fake_idx.bin`, join("fake"));
    const script = `
import json, sys
import numpy as np
d, s, m = ${d}, ${subsets.length}, ${m}
real = np.fromfile(sys.argv[1] + "/real.bin", dtype=np.float32).reshape(-1, d).astype(np.float64)
fake = np.fromfile(sys.argv[1] + "/fake.bin", dtype=np.float32).reshape(-1, d).astype(np.float64)
ri = np.fromfile(sys.argv[1] + "/real_idx.bin", dtype=np.int32).reshape(s, m)
fi = np.fromfile(sys.argv[1] + "/fake_idx.bin", dtype=np.int32).reshape(s, m)
def kernel(a, b):
    return (a @ b.T / a.shape[1] + 1) ** 3
def polynomial_mmd(codes_g, codes_r):
    X, Y = codes_g, codes_r
    K_XX, K_YY, K_XY = kernel(X, X), kernel(Y, Y), kernel(X, Y)
    m = K_XX.shape[0]
    Kt_XX_sum = (K_XX.sum(axis=1) - np.diagonal(K_XX)).sum()
    Kt_YY_sum = (K_YY.sum(axis=1) - np.diagonal(K_YY)).sum()
    K_XY_sum = K_XY.sum(axis=0).sum()
    return (Kt_XX_sum + Kt_YY_sum) / (m * (m - 1)) - 2 * K_XY_sum / (m * m)
print(json.dumps([float(polynomial_mmd(fake[fi[i]], real[ri[i]])) for i in range(s)]))
`;
    const out = await new Deno.Command("python3", { args: ["-c", script, dir] }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout)) as number[];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "kernelDistance() matches the reference's numpy polynomial_mmd on the same subsets to 1e-6 relative",
  ignore: !hasNumpy,
  fn: async () => {
    // Odd sizes: the subset (203) is not a multiple of the 4-row block, d (37) is odd, the sets differ in size.
    const d = 37;
    const rng = new Rng(11);
    const real = reluFeatures(rng, 450, d, 0.1);
    const fake = reluFeatures(rng, 390, d, 0.3);
    const options = { subsets: 5, subsetSize: 203, seed: 4 };
    const subsets = kidSubsets(450, 390, options);
    const reference = await numpyMmds(real, fake, d, subsets);
    subsets.forEach((s, i) => assertRelative(polynomialMmd(real, s.real, fake, s.fake, d), reference[i]!, 1e-6));
    const mean = reference.reduce((a, b) => a + b, 0) / reference.length;
    const std = Math.sqrt(reference.reduce((a, b) => a + (b - mean) ** 2, 0) / reference.length);
    const ours = kernelDistance(real, fake, d, options);
    assertEquals([ours.subsets, ours.subsetSize], [5, 203]);
    assertRelative(ours.kid, mean, 1e-6, "kid");
    assertRelative(ours.kidStd, std, 1e-6, "kidStd");
    assert(ours.kidStd > 0);
  },
});

Deno.test({
  name: "kernelDistance() of whole 128-d sets (subset size ≥ n) matches numpy's full-sample estimate to 1e-6 relative",
  ignore: !hasNumpy,
  fn: async () => {
    const d = 128;
    const rng = new Rng(12);
    const real = reluFeatures(rng, 301, d, 0);
    const fake = reluFeatures(rng, 301, d, 0.05);
    const all = Int32Array.from({ length: 301 }, (_, i) => i);
    const [reference] = await numpyMmds(real, fake, d, [{ real: all, fake: all }]);
    const ours = kernelDistance(real, fake, d); // default subset size 1000 > 301: the whole sets, once
    assertEquals([ours.subsets, ours.subsetSize, ours.kidStd], [1, 301, 0]);
    assertRelative(ours.kid, reference!, 1e-6);
  },
});

Deno.test("kernelDistance() of 1-d normals approaches the population MMD² 3δ² + 3(δ²)² + (δ³ + 3δ)²", () => {
  // With d = 1, k(x, y) = 1 + 3xy + 3x²y² + x³y³: MMD² = 3Δ(E x)² + 3Δ(E x²)² + Δ(E x³)², N(0,1) against N(δ,1).
  const rng = new Rng(5);
  for (const delta of [0.25, 0.5]) {
    const expected = 3 * delta ** 2 + 3 * delta ** 4 + (delta ** 3 + 3 * delta) ** 2;
    const { kid } = kernelDistance(normals(rng, 20_000, 1), normals(rng, 20_000, 1, delta), 1, {
      subsets: 10,
      subsetSize: 2000,
    });
    assertRelative(kid, expected, 0.15, `δ = ${delta}`);
  }
});

Deno.test("kernelDistance() is unbiased: tiny same-distribution samples average to 0 and are often negative", () => {
  // The biased (V-statistic) estimate would average 2 (E k(x,x) − E k(x,x')) / n = 2 (28 − 4) / 10 = 4.8 here.
  const rng = new Rng(6);
  const draws = Array.from({ length: 2000 }, () => kernelDistance(normals(rng, 10, 1), normals(rng, 10, 1), 1).kid);
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  assert(Math.abs(mean) < 1, `mean of 2000 estimates ${mean}, expected ≈ 0`);
  assert(draws.filter((v) => v < 0).length > 200, "an unbiased estimate of 0 is negative about as often as not");
});

Deno.test("kernelDistance() is near 0 for one distribution and grows with a shift", () => {
  const d = 16;
  const rng = new Rng(7);
  const real = normals(rng, 2000, d);
  const same = kernelDistance(real, normals(rng, 2000, d), d, { subsetSize: 500 });
  const shifted = [0.1, 0.25, 0.5, 1].map((s) =>
    kernelDistance(real, normals(rng, 2000, d, s), d, { subsetSize: 500 })
  );
  assert(Math.abs(same.kid) < 3 * same.kidStd, `same distribution: ${same.kid} ± ${same.kidStd}`);
  for (let i = 0; i < shifted.length; i++) {
    const s = shifted[i]!;
    assert(s.kid > 3 * s.kidStd && s.kid > 10 * Math.abs(same.kid), `shift ${i}: ${s.kid} ± ${s.kidStd}`);
    if (i > 0) assert(s.kid > shifted[i - 1]!.kid, `KID does not grow with the shift: ${shifted.map((x) => x.kid)}`);
  }
});

Deno.test("kernelDistance() is deterministic for a seed and draws other subsets for another", () => {
  const d = 8;
  const rng = new Rng(8);
  const real = normals(rng, 300, d);
  const fake = normals(rng, 300, d, 0.2);
  const options = { subsets: 6, subsetSize: 100, seed: 3 };
  assertEquals(kernelDistance(real, fake, d, options), kernelDistance(real, fake, d, options));
  assertEquals(kidSubsets(300, 300, options), kidSubsets(300, 300, options));
  assertNotEquals(
    kernelDistance(real, fake, d, { ...options, seed: 4 }).kid,
    kernelDistance(real, fake, d, options).kid,
  );
});

Deno.test("kidSubsets() draws distinct rows within each subset, independently across subsets", () => {
  const subsets = kidSubsets(50, 40, { subsets: 30, subsetSize: 40, seed: 1 });
  for (const s of subsets) {
    assertEquals(new Set(s.real).size, 40);
    assertEquals(new Set(s.fake).size, 40);
    assert(s.real.every((i) => i >= 0 && i < 50) && s.fake.every((i) => i >= 0 && i < 40));
  }
  // Real subsets of 40 of 50 rows differ from draw to draw.
  assertEquals(new Set(subsets.map((s) => [...s.real].sort((a, b) => a - b).join())).size, 30);
});

Deno.test("kernelDistance() averages over the mean of polynomialMmd() on kidSubsets()", () => {
  const d = 5;
  const rng = new Rng(9);
  const real = normals(rng, 60, d);
  const fake = normals(rng, 70, d, 0.3);
  const options = { subsets: 4, subsetSize: 33, seed: 2 };
  const each = kidSubsets(60, 70, options).map((s) => polynomialMmd(real, s.real, fake, s.fake, d));
  const mean = each.reduce((a, b) => a + b, 0) / each.length;
  assertAlmostEquals(kernelDistance(real, fake, d, options).kid, mean, 1e-12);
  // Subsets larger than a set shrink to it: 70 generated, 60 real → 60.
  assertEquals(kernelDistance(real, fake, d, { subsets: 2, subsetSize: 1000 }).subsetSize, 60);
});

Deno.test("kernelDistance() rejects bad inputs with RangeErrors that quote the value", () => {
  const two = new Float32Array(8);
  assertThrows(
    () => kernelDistance(new Float32Array(4), two, 4),
    RangeError,
    "at least 2 real vectors of length 4, got 1",
  );
  assertThrows(() => kernelDistance(two, new Float32Array(0), 4), RangeError, "generated vectors of length 4, got 0");
  assertThrows(() => kernelDistance(new Float32Array(9), two, 4), RangeError, "got 2.25 (9 values)");
  assertThrows(() => kernelDistance(two, two, 0), RangeError, "'d' = 0");
  assertThrows(() => kernelDistance(two, two, 4, { subsets: 0 }), RangeError, "'subsets' = 0");
  assertThrows(() => kernelDistance(two, two, 4, { subsetSize: 1 }), RangeError, "'subsetSize' = 1");
  assertThrows(() => polynomialMmd(two, [0, 1], two, [0], 4), RangeError, "2 real and 1 generated rows");
  assertThrows(() => kidSubsets(10, 5, { subsetSize: 6 }), RangeError, "subsets of 6 from 10 real and 5 generated");
});
