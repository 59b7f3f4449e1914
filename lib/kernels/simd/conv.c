/*
 * Patch-matrix (im2col) gather and its adjoint (col2im scatter-add) for the
 * harness's wasm convolutions, written for this project. With them every
 * convolution the DCGANs train is one GEMM over row blocks (gemm.c):
 *
 *   Conv2D               Y[M, co]  = P[M, K] · W[K, co]
 *   Conv2DBackpropInput  dP[M, K]  = dY[M, co] · Wᵀ, then col2im(dP) → dx
 *   Conv2DBackpropFilter dW[K, co] = Σ_blocks P_blkᵀ · dY_blk
 *
 * with M = batch · oh · ow output pixels and K = fh · fw · ci. Row r of P is
 * the patch under output pixel r: column (fy, fx, c) holds
 * x[b, oy·sh + fy − pt, ox·sw + fx − pl, c], or 0 outside the image. NHWC,
 * dilation 1. Same module and memory rules as gemm.c (imported memory, no
 * stack, no static data).
 */
#include <wasm_simd128.h>

static inline void copy_f32(float* restrict dst, const float* restrict src, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    wasm_v128_store(dst + i, wasm_v128_load(src + i));
    wasm_v128_store(dst + i + 4, wasm_v128_load(src + i + 4));
  }
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_f32(float* dst, int n) {
  const v128_t z = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, z);
  for (; i < n; i++) dst[i] = 0.0f;
}

static inline void add_f32(float* restrict dst, const float* restrict src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

/* The valid fx range [*fx0, *fx1) for output column ox: 0 ≤ ox·sw + fx − pl < w. */
static inline void valid_taps(int ox, int sw, int pl, int w, int fw, int* fx0, int* fx1) {
  const int ix = ox * sw - pl;
  *fx0 = ix < 0 ? -ix : 0;
  *fx1 = w - ix < fw ? w - ix : fw;
  if (*fx1 < *fx0) *fx1 = *fx0;
}

/**
 * Rows [row0, row0 + rows) of the patch matrix of x [n, h, w, c] into `out`
 * (rows × fh·fw·c, row-major). Per output pixel and filter row, the valid
 * taps are one contiguous run of x.
 */
__attribute__((export_name("im2col"))) void im2col(const float* x, int h, int w, int c, int oh, int ow, int fh, int fw,
                                                   int sh, int sw, int pt, int pl, int row0, int rows, float* out) {
  const int run = fw * c;
  int b = row0 / (oh * ow), oy = row0 % (oh * ow) / ow, ox = row0 % ow;
  for (int r = 0; r < rows; r++) {
    const float* xb = x + b * h * w * c;
    int fx0, fx1;
    valid_taps(ox, sw, pl, w, fw, &fx0, &fx1);
    for (int fy = 0; fy < fh; fy++, out += run) {
      const int iy = oy * sh + fy - pt;
      if (iy < 0 || iy >= h || fx1 == fx0) {
        zero_f32(out, run);
        continue;
      }
      zero_f32(out, fx0 * c);
      copy_f32(out + fx0 * c, xb + (iy * w + ox * sw - pl + fx0) * c, (fx1 - fx0) * c);
      zero_f32(out + fx1 * c, (fw - fx1) * c);
    }
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        b++;
      }
    }
  }
}

/**
 * The adjoint of im2col: add rows [row0, row0 + rows) of a patch-matrix
 * gradient `dp` (rows × fh·fw·c) into dx [n, h, w, c] (taps outside the
 * image are dropped). dx must hold its running sum (zeros at first).
 */
__attribute__((export_name("col2im_add"))) void col2im_add(const float* dp, int h, int w, int c, int oh, int ow,
                                                           int fh, int fw, int sh, int sw, int pt, int pl, int row0,
                                                           int rows, float* dx) {
  const int run = fw * c;
  int b = row0 / (oh * ow), oy = row0 % (oh * ow) / ow, ox = row0 % ow;
  for (int r = 0; r < rows; r++) {
    float* xb = dx + b * h * w * c;
    int fx0, fx1;
    valid_taps(ox, sw, pl, w, fw, &fx0, &fx1);
    for (int fy = 0; fy < fh; fy++, dp += run) {
      const int iy = oy * sh + fy - pt;
      if (iy < 0 || iy >= h || fx1 == fx0) continue;
      add_f32(xb + (iy * w + ox * sw - pl + fx0) * c, dp + fx0 * c, (fx1 - fx0) * c);
    }
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        b++;
      }
    }
  }
}

/** dst[0, n) = 0. */
__attribute__((export_name("zero_f32"))) void zero_fill(float* dst, int n) { zero_f32(dst, n); }
