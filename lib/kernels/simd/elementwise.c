/*
 * Element-wise float32 kernels for the harness's wasm backend kernels,
 * written for this project: the stock tfjs-wasm LeakyRelu, Greater (with a
 * scalar), Select and Sqrt run 4–25× slower than a SIMD loop here, and an
 * Adam step as one pass instead of 13 kernels.
 * Same module and memory rules as gemm.c (imported memory, no stack).
 */
#include <stdint.h>
#include <wasm_simd128.h>

/** out[i] = x[i] < 0 ? alpha·x[i] : x[i] */
__attribute__((export_name("leaky_relu"))) void leaky_relu(const float* x, float* out, int n, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(out + i, wasm_v128_bitselect(wasm_f32x4_mul(v, va), v, wasm_f32x4_lt(v, zero)));
  }
  for (; i < n; i++) out[i] = x[i] < 0.0f ? alpha * x[i] : x[i];
}

/** out[i] = sqrt(x[i]) */
__attribute__((export_name("sqrt_f32"))) void sqrt_f32(const float* x, float* out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_sqrt(wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = __builtin_sqrtf(x[i]);
}

/** out[i] = a[i] > b[i or 0] as a byte 0/1 (b_step 1: same shape, 0: b is one value). */
__attribute__((export_name("greater_f32"))) void greater_f32(const float* a, const float* b, int b_step, uint8_t* out,
                                                             int n) {
  int i = 0;
  if (b_step == 0) {
    const v128_t vb = wasm_v128_load32_splat(b);
    const v128_t one = wasm_i8x16_splat(1);
    for (; i + 16 <= n; i += 16) {
      const v128_t m0 = wasm_f32x4_gt(wasm_v128_load(a + i), vb);
      const v128_t m1 = wasm_f32x4_gt(wasm_v128_load(a + i + 4), vb);
      const v128_t m2 = wasm_f32x4_gt(wasm_v128_load(a + i + 8), vb);
      const v128_t m3 = wasm_f32x4_gt(wasm_v128_load(a + i + 12), vb);
      const v128_t lo = wasm_i16x8_narrow_i32x4(m0, m1);
      const v128_t hi = wasm_i16x8_narrow_i32x4(m2, m3);
      wasm_v128_store(out + i, wasm_v128_and(wasm_i8x16_narrow_i16x8(lo, hi), one));
    }
  }
  for (; i < n; i++) out[i] = a[i] > b[i * b_step] ? 1 : 0;
}

/** out[i] = cond[i] ? t[i] : e[i] */
__attribute__((export_name("select_f32"))) void select_f32(const uint8_t* cond, const float* t, const float* e,
                                                           float* out, int n) {
  int i = 0;
  const v128_t zero = wasm_i32x4_splat(0);
  for (; i + 16 <= n; i += 16) {
    const v128_t c = wasm_v128_load(cond + i);
    const v128_t c16lo = wasm_u16x8_extend_low_u8x16(c);
    const v128_t c16hi = wasm_u16x8_extend_high_u8x16(c);
    const v128_t m0 = wasm_i32x4_ne(wasm_u32x4_extend_low_u16x8(c16lo), zero);
    const v128_t m1 = wasm_i32x4_ne(wasm_u32x4_extend_high_u16x8(c16lo), zero);
    const v128_t m2 = wasm_i32x4_ne(wasm_u32x4_extend_low_u16x8(c16hi), zero);
    const v128_t m3 = wasm_i32x4_ne(wasm_u32x4_extend_high_u16x8(c16hi), zero);
    wasm_v128_store(out + i, wasm_v128_bitselect(wasm_v128_load(t + i), wasm_v128_load(e + i), m0));
    wasm_v128_store(out + i + 4, wasm_v128_bitselect(wasm_v128_load(t + i + 4), wasm_v128_load(e + i + 4), m1));
    wasm_v128_store(out + i + 8, wasm_v128_bitselect(wasm_v128_load(t + i + 8), wasm_v128_load(e + i + 8), m2));
    wasm_v128_store(out + i + 12, wasm_v128_bitselect(wasm_v128_load(t + i + 12), wasm_v128_load(e + i + 12), m3));
  }
  for (; i < n; i++) out[i] = cond[i] ? t[i] : e[i];
}

/**
 * One Adam step, in exactly tfjs's AdamOptimizer op order, each op rounded
 * to float32 (so the result is bit-identical to the unfused ops):
 *   m' = m·b1 + g·c1            (c1 = 1 − b1)
 *   v' = v·b2 + (g·g)·c2        (c2 = 1 − b2)
 *   w' = ((m'/om1) / (sqrt(v'/om2) + eps))·neg_lr + w
 * Build with -ffp-contract=off: no multiply-add may be fused here.
 */
__attribute__((export_name("adam_f32"))) void adam_f32(const float* w, const float* m, const float* v, const float* g,
                                                       float* w_out, float* m_out, float* v_out, int n, float b1,
                                                       float c1, float b2, float c2, float om1, float om2, float eps,
                                                       float neg_lr) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vc1 = wasm_f32x4_splat(c1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vc2 = wasm_f32x4_splat(c2);
  const v128_t vom1 = wasm_f32x4_splat(om1), vom2 = wasm_f32x4_splat(om2);
  const v128_t veps = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(neg_lr);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1), wasm_f32x4_mul(gi, vc1));
    const v128_t vi =
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), vc2));
    const v128_t mh = wasm_f32x4_div(mi, vom1);
    const v128_t vh = wasm_f32x4_div(vi, vom2);
    const v128_t step = wasm_f32x4_mul(wasm_f32x4_div(mh, wasm_f32x4_add(wasm_f32x4_sqrt(vh), veps)), vlr);
    wasm_v128_store(w_out + i, wasm_f32x4_add(step, wasm_v128_load(w + i)));
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
  }
  for (; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    w_out[i] = ((mi / om1) / (__builtin_sqrtf(vi / om2) + eps)) * neg_lr + w[i];
    m_out[i] = mi;
    v_out[i] = vi;
  }
}
