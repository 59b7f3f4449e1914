/*
 * Single-precision GEMM for the harness's wasm matmul kernel, written for
 * this project (BLIS-style loop nest: pack a KC-row block of B into NR-wide
 * panels, pack an MC×KC block of A into MR-tall panels, then an MR×NR
 * register-tile micro-kernel over the panels).
 *
 *   C[m, n] = act(sum_k A(i, k) · B(k, j) + bias[j])
 *   A(i, k) = a[i·sai + k·sak],  B(k, j) = b[k·sbk + j·sbn]
 *
 * Strides make transposed operands free: the packing reads them either way.
 * The module imports the tfjs wasm backend's memory and works on its
 * buffers in place; it uses no stack and no static data, so it never writes
 * outside the pointers it is given. Built by build.sh.
 */
#include <wasm_simd128.h>

#ifndef MR
#define MR 6
#endif
#define NR 8
#ifndef KC
#define KC 512 /* at most; K is split into equal blocks */
#endif
#ifndef MC
#define MC 96 /* a multiple of MR */
#endif

#ifdef RELAXED
#define MADD(a, b, c) wasm_f32x4_relaxed_madd(a, b, c)
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif

/* Activations, numbered as tfjs-backend-wasm's FusableActivation. */
enum { LINEAR = 0, RELU = 1, RELU6 = 2, LEAKYRELU = 4 };

static inline int min_int(int x, int y) { return x < y ? x : y; }

static inline v128_t activate(v128_t x, int act, v128_t alpha) {
  switch (act) {
    case RELU:
      return wasm_f32x4_pmax(x, wasm_f32x4_splat(0.0f));
    case RELU6:
      return wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(0.0f)), wasm_f32x4_splat(6.0f));
    case LEAKYRELU: {
      v128_t neg = wasm_f32x4_lt(x, wasm_f32x4_splat(0.0f));
      return wasm_v128_bitselect(wasm_f32x4_mul(x, alpha), x, neg);
    }
    default:
      return x;
  }
}

/* MR×NR tile of C (row stride ldc) = or += the panels' product; bias and
 * activation on the last K block. */
static inline void micro_kernel(int kc, const float* restrict ap, const float* restrict bp, float* restrict c,
                                int ldc, int first, int last, const float* restrict bias, int act, float alpha) {
  v128_t lo[MR], hi[MR];
  if (first) {
    for (int r = 0; r < MR; r++) lo[r] = hi[r] = wasm_f32x4_splat(0.0f);
  } else {
    for (int r = 0; r < MR; r++) {
      lo[r] = wasm_v128_load(c + r * ldc);
      hi[r] = wasm_v128_load(c + r * ldc + 4);
    }
  }
  for (int k = 0; k < kc; k++) {
    const v128_t b0 = wasm_v128_load(bp);
    const v128_t b1 = wasm_v128_load(bp + 4);
    for (int r = 0; r < MR; r++) {
      const v128_t av = wasm_v128_load32_splat(ap + r);
      lo[r] = MADD(av, b0, lo[r]);
      hi[r] = MADD(av, b1, hi[r]);
    }
    ap += MR;
    bp += NR;
  }
  if (last) {
    const v128_t bias0 = wasm_v128_load(bias);
    const v128_t bias1 = wasm_v128_load(bias + 4);
    const v128_t va = wasm_f32x4_splat(alpha);
    for (int r = 0; r < MR; r++) {
      lo[r] = activate(wasm_f32x4_add(lo[r], bias0), act, va);
      hi[r] = activate(wasm_f32x4_add(hi[r], bias1), act, va);
    }
  }
  for (int r = 0; r < MR; r++) {
    wasm_v128_store(c + r * ldc, lo[r]);
    wasm_v128_store(c + r * ldc + 4, hi[r]);
  }
}

/* 4×4 transpose of four rows. */
#define TRANSPOSE4(v0, v1, v2, v3)                  \
  do {                                              \
    v128_t t0 = wasm_i32x4_shuffle(v0, v1, 0, 4, 1, 5); \
    v128_t t1 = wasm_i32x4_shuffle(v0, v1, 2, 6, 3, 7); \
    v128_t t2 = wasm_i32x4_shuffle(v2, v3, 0, 4, 1, 5); \
    v128_t t3 = wasm_i32x4_shuffle(v2, v3, 2, 6, 3, 7); \
    v0 = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);    \
    v1 = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);    \
    v2 = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);    \
    v3 = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);    \
  } while (0)

/* B rows [0, kc) (already offset) into NR-wide panels [n/NR][kc][NR], zero-padded. */
static void pack_b(int kc, int n, const float* restrict b, int sbk, int sbn, float* restrict bp) {
  for (int j0 = 0; j0 < n; j0 += NR, bp += kc * NR) {
    const int nr = min_int(NR, n - j0);
    const float* bj = b + j0 * sbn;
    int k = 0;
    if (nr == NR && sbn == 1) {
      for (; k < kc; k++) {
        wasm_v128_store(bp + k * NR, wasm_v128_load(bj + k * sbk));
        wasm_v128_store(bp + k * NR + 4, wasm_v128_load(bj + k * sbk + 4));
      }
    } else if (nr == NR && sbk == 1) {
      for (; k + 4 <= kc; k += 4) {
        for (int h = 0; h < NR; h += 4) {
          v128_t v0 = wasm_v128_load(bj + (h + 0) * sbn + k);
          v128_t v1 = wasm_v128_load(bj + (h + 1) * sbn + k);
          v128_t v2 = wasm_v128_load(bj + (h + 2) * sbn + k);
          v128_t v3 = wasm_v128_load(bj + (h + 3) * sbn + k);
          TRANSPOSE4(v0, v1, v2, v3);
          wasm_v128_store(bp + (k + 0) * NR + h, v0);
          wasm_v128_store(bp + (k + 1) * NR + h, v1);
          wasm_v128_store(bp + (k + 2) * NR + h, v2);
          wasm_v128_store(bp + (k + 3) * NR + h, v3);
        }
      }
    }
    for (; k < kc; k++) {
      for (int j = 0; j < NR; j++) bp[k * NR + j] = j < nr ? bj[k * sbk + j * sbn] : 0.0f;
    }
  }
}

/* A rows [0, mc), columns [0, kc) (already offset) into MR-tall panels [mc/MR][kc][MR], zero-padded. */
static void pack_a(int mc, int kc, const float* restrict a, int sai, int sak, float* restrict ap) {
  for (int i0 = 0; i0 < mc; i0 += MR, ap += kc * MR) {
    const int mr = min_int(MR, mc - i0);
    const float* ai = a + i0 * sai;
    if (mr == MR && sai == 1) {
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) ap[k * MR + r] = ai[k * sak + r];
      }
    } else if (mr == MR) {
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) ap[k * MR + r] = ai[r * sai + k * sak];
      }
    } else {
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) ap[k * MR + r] = r < mr ? ai[r * sai + k * sak] : 0.0f;
      }
    }
  }
}

/** Floats of workspace gemm() needs for n output columns. */
__attribute__((export_name("workspace_floats"))) int workspace_floats(int n) {
  const int npad = (n + NR - 1) / NR * NR;
  return KC * npad + MC * KC + npad + MR * NR;
}

/**
 * c[m×n] (row-major, densely packed) = act(A·B + bias), or with `accumulate`
 * c += A·B (then pass no bias and the linear activation). `bias` may be 0
 * (none). `work` holds workspace_floats(n) floats, 16-byte aligned. k ≥ 1.
 */
__attribute__((export_name("gemm"))) void gemm(const float* a, int sai, int sak, const float* b, int sbk, int sbn,
                                                 float* c, int m, int n, int k, const float* bias, int act,
                                                 float alpha, int accumulate, float* work) {
  const int npad = (n + NR - 1) / NR * NR;
  float* bp = work;
  float* ap = bp + KC * npad;
  float* biasp = ap + MC * KC;
  float* tile = biasp + npad;
  for (int j = 0; j < npad; j++) biasp[j] = (bias && j < n) ? bias[j] : 0.0f;
  const int blocks = (k + KC - 1) / KC;
  const int kstep = (k + blocks - 1) / blocks;
  for (int k0 = 0; k0 < k; k0 += kstep) {
    const int kc = min_int(kstep, k - k0);
    const int first = k0 == 0 && !accumulate;
    const int last = k0 + kc == k;
    pack_b(kc, n, b + k0 * sbk, sbk, sbn, bp);
    for (int i0 = 0; i0 < m; i0 += MC) {
      const int mc = min_int(MC, m - i0);
      pack_a(mc, kc, a + i0 * sai + k0 * sak, sai, sak, ap);
      for (int j0 = 0; j0 < n; j0 += NR) {
        const int nr = min_int(NR, n - j0);
        for (int ii = 0; ii < mc; ii += MR) {
          const int mr = min_int(MR, mc - ii);
          float* ct = c + (i0 + ii) * n + j0;
          if (mr == MR && nr == NR) {
            micro_kernel(kc, ap + ii * kc, bp + j0 * kc, ct, n, first, last, biasp + j0, act, alpha);
          } else {
            if (!first) {
              for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) tile[r * NR + j] = ct[r * n + j];
              }
            }
            micro_kernel(kc, ap + ii * kc, bp + j0 * kc, tile, NR, first, last, biasp + j0, act, alpha);
            for (int r = 0; r < mr; r++) {
              for (int j = 0; j < nr; j++) ct[r * n + j] = tile[r * NR + j];
            }
          }
        }
      }
    }
  }
}

/**
 * c[i] = act(c[i]) for n floats in place: the activation of a product made elsewhere (OpenBLAS's), the same
 * lanes as the micro-kernel's.
 */
__attribute__((export_name("activate_f32"))) void activate_f32(float* c, int n, int act, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(c + i, activate(wasm_v128_load(c + i), act, va));
  for (; i < n; i++) c[i] = wasm_f32x4_extract_lane(activate(wasm_f32x4_splat(c[i]), act, va), 0);
}

/**
 * n rounds of 12 independent f32x4 multiply-adds on registers only: the
 * core's SIMD peak, the ceiling the bench compares the GEMM with.
 */
__attribute__((export_name("madd_peak"))) float madd_peak(int n, float x) {
  v128_t acc[12];
  const v128_t m = wasm_f32x4_splat(x), c = wasm_f32x4_splat(1e-7f);
  for (int i = 0; i < 12; i++) acc[i] = wasm_f32x4_splat((float)i);
  for (int k = 0; k < n; k++) {
    for (int i = 0; i < 12; i++) acc[i] = MADD(acc[i], m, c);
  }
  v128_t s = acc[0];
  for (int i = 1; i < 12; i++) s = wasm_f32x4_add(s, acc[i]);
  return wasm_f32x4_extract_lane(s, 0);
}
