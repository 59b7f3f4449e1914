import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { frechetDistance, type Gaussian, sqrtPsd, traceSqrtProduct } from "../lib/metrics/frechet.ts";
import { moments } from "../lib/metrics/moments.ts";
import { symmetricEigen } from "../lib/metrics/symmetric_eigen.ts";
import { Rng } from "../lib/rng.ts";
import { pythonHas } from "./_files.ts";

const f64 = (a: number[]) => new Float64Array(a);

function assertRelative(actual: number, expected: number, tolerance: number, msg = "") {
  const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert(rel <= tolerance, `${msg} expected ${expected}, got ${actual} (relative error ${rel})`);
}

/** A random symmetric positive definite matrix: B Bᵀ / d + eps I. */
function randomSpd(rng: Rng, n: number): Float64Array {
  const b = rng.fillNormal(new Float32Array(n * n));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      out[i * n + j] = s / n + (i === j ? 0.01 : 0);
    }
  }
  return out;
}

Deno.test("symmetricEigen() reconstructs A = V diag(λ) Vᵀ with orthonormal V", () => {
  const n = 24;
  const a = randomSpd(new Rng(3), n);
  const { values, vectors } = symmetricEigen(a, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rebuilt = 0;
      let gram = 0;
      for (let k = 0; k < n; k++) {
        rebuilt += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
        gram += vectors[k * n + i]! * vectors[k * n + j]!;
      }
      assertAlmostEquals(rebuilt, a[i * n + j]!, 1e-12);
      assertAlmostEquals(gram, i === j ? 1 : 0, 1e-12);
    }
  }
});

Deno.test("sqrtPsd() squares back to the matrix", () => {
  const n = 16;
  const a = randomSpd(new Rng(4), n);
  const s = sqrtPsd(a, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let ss = 0;
      for (let k = 0; k < n; k++) ss += s[i * n + k]! * s[k * n + j]!;
      assertAlmostEquals(ss, a[i * n + j]!, 1e-12);
    }
  }
});

Deno.test("frechetDistance() of 1-d Gaussians is (μ₁−μ₂)² + (σ₁−σ₂)²", () => {
  const d = frechetDistance({ mean: f64([0]), cov: f64([4]) }, { mean: f64([3]), cov: f64([1]) });
  assertRelative(d, 9 + 1, 1e-12);
});

Deno.test("frechetDistance() of diagonal covariances is ‖Δμ‖² + Σ(√aᵢ − √bᵢ)²", () => {
  const a = [0.5, 2, 7, 0.01];
  const b = [3, 2, 0.2, 1];
  const diag = (v: number[]) => {
    const m = new Float64Array(v.length * v.length);
    v.forEach((x, i) => m[i * v.length + i] = x);
    return m;
  };
  const mu1 = [1, 2, 3, 4];
  const mu2 = [0, 2, 5, 4.5];
  const expected = mu1.reduce((s, m, i) => s + (m - mu2[i]!) ** 2, 0) +
    a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0);
  const d = frechetDistance({ mean: f64(mu1), cov: diag(a) }, { mean: f64(mu2), cov: diag(b) });
  assertRelative(d, expected, 1e-12);
});

Deno.test("traceSqrtProduct() of non-commuting 2×2 matrices matches the hand formula √(tr M + 2√det M)", () => {
  // For 2×2 M = C1 C2 with non-negative eigenvalues λ1, λ2: tr √M = √λ1 + √λ2 = √(λ1 + λ2 + 2√(λ1 λ2)).
  const c1 = f64([2, 1, 1, 3]);
  const c2 = f64([1, -0.5, -0.5, 4]);
  const m = [2 * 1 + 1 * -0.5, 2 * -0.5 + 1 * 4, 1 * 1 + 3 * -0.5, 1 * -0.5 + 3 * 4];
  const tr = m[0]! + m[3]!;
  const det = m[0]! * m[3]! - m[1]! * m[2]!;
  assert(c1[1]! * c2[0]! !== c2[1]! * c1[0]!, "the matrices do not commute");
  assertRelative(traceSqrtProduct(c1, c2, 2), Math.sqrt(tr + 2 * Math.sqrt(det)), 1e-12);
  // and the full distance: ‖Δμ‖² + tr C1 + tr C2 − 2 tr √(C1 C2)
  const d = frechetDistance({ mean: f64([1, -1]), cov: c1 }, { mean: f64([0, 1]), cov: c2 });
  assertRelative(d, 1 + 4 + 5 + 5 - 2 * Math.sqrt(tr + 2 * Math.sqrt(det)), 1e-12);
});

Deno.test("frechetDistance() of commuting matrices Q diag(a) Qᵀ, Q diag(b) Qᵀ is Σ(√aᵢ − √bᵢ)²", () => {
  const n = 12;
  // Q: orthonormal eigenvectors of a random SPD matrix.
  const q = symmetricEigen(randomSpd(new Rng(9), n), n).vectors;
  const rng = new Rng(10);
  const a = Array.from({ length: n }, () => 0.1 + 5 * rng.next());
  const b = Array.from({ length: n }, () => 0.1 + 5 * rng.next());
  const rotate = (v: number[]) => {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[i * n + k]! * v[k]! * q[j * n + k]!;
        m[i * n + j] = s;
      }
    }
    return m;
  };
  const zero = new Float64Array(n);
  const d = frechetDistance({ mean: zero, cov: rotate(a) }, { mean: zero, cov: rotate(b) });
  assertRelative(d, a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0), 1e-10);
});

Deno.test("frechetDistance() of a Gaussian with itself is 0", () => {
  const g = moments(new Rng(1).fillNormal(new Float32Array(200 * 8)), 8);
  assertAlmostEquals(frechetDistance(g, g), 0, 1e-9);
});

Deno.test("frechetDistance() rejects Gaussians of different dimensions", () => {
  const a: Gaussian = { mean: f64([0]), cov: f64([1]) };
  const b: Gaussian = { mean: f64([0, 0]), cov: f64([1, 0, 0, 1]) };
  assertThrows(() => frechetDistance(a, b), RangeError, "different dimensions");
});

Deno.test("moments() gives the mean and the unbiased covariance", () => {
  const { mean, cov } = moments(new Float32Array([1, 2, 3, 6, 5, 10]), 2);
  assertEquals([...mean], [3, 6]);
  assertEquals([...cov], [4, 8, 8, 16]);
});

Deno.test({
  name: "frechetDistance() on 128-d features matches numpy's non-symmetric eigvals(C1 C2) to 1e-6 relative",
  ignore: !(await pythonHas("python3", "numpy")),
  fn: async () => {
    const d = 128;
    const n = 400;
    const rng = new Rng(7);
    const x = rng.fillNormal(new Float32Array(n * d));
    const y = rng.fillNormal(new Float32Array(n * d));
    for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]! * (1 + (i % d) / d) + 0.4 * x[i]! + 0.1); // ReLU-like
    const dir = await Deno.makeTempDir();
    await Deno.writeFile(`${dir}/x.bin`, new Uint8Array(x.buffer));
    await Deno.writeFile(`${dir}/y.bin`, new Uint8Array(y.buffer));
    // Another route: numpy's LAPACK moments and the general (non-symmetric) eigenvalues of C1 C2.
    const script = `
import numpy as np, sys
x = np.fromfile(sys.argv[1], dtype=np.float32).reshape(${n}, ${d}).astype(np.float64)
y = np.fromfile(sys.argv[2], dtype=np.float32).reshape(${n}, ${d}).astype(np.float64)
c1, c2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
ev = np.linalg.eigvals(c1 @ c2)
print(repr(float(((x.mean(0) - y.mean(0)) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * np.sqrt(ev.astype(complex)).real.sum())))
`;
    const out = await new Deno.Command("python3", { args: ["-c", script, `${dir}/x.bin`, `${dir}/y.bin`] }).output();
    await Deno.remove(dir, { recursive: true });
    assert(out.success, new TextDecoder().decode(out.stderr));
    const reference = Number(new TextDecoder().decode(out.stdout).trim());
    const ours = frechetDistance(moments(x, d), moments(y, d));
    assertRelative(ours, reference, 1e-6);
  },
});
