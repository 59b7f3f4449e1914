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

/*
 * x/c for a float32 divisor c fixed for the whole loop, from r = 1/c in float64, without a division:
 * four lanes widened, multiplied by r and rounded back to float32. This is the float32 quotient, to the bit:
 * - The double product is within a relative 2^-52 of x/c: one rounding in r, one in the product.
 * - Write x = X·2^a, c = C·2^b (|X| < 2^24, 2^23 ≤ C < 2^24) and a point halfway between two floats as
 *   h = H·2^d with H odd, |H| < 2^25. If x/c ≠ h, then |x/c − h|·|c| = |X·2^a − H·C·2^(b+d)| ≥ 2^min(a, b+d),
 *   which is at least a relative 1/|H·C| > 2^-49 of x/c. So the product rounds as x/c does.
 * - x/c is never h itself: X = H·C·2^(b+d−a) would make X a multiple of the odd H ≥ 2^24.
 * NaN lanes stay NaN (their payload may differ from the division's).
 */
static inline __attribute__((always_inline)) v128_t div_by_reciprocal(v128_t x, v128_t r) {
  const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(x), r));
  const v128_t hi = wasm_f32x4_demote_f64x2_zero(
      wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)), r));
  return wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5);
}

/*
 * adam_f32's loop. With `om1_is_one` (1 − β₁ᵗ is 1.0f once β₁ᵗ < 2^-25: after 25 steps at β₁ = 0.5, 165 at 0.9)
 * m'/om1 is m' itself and is skipped.
 */
static inline __attribute__((always_inline)) void adam_loop(const float* w, const float* m, const float* v,
                                                            const float* g, float* w_out, float* m_out, float* v_out,
                                                            int n, float b1, float c1, float b2, float c2, float om1,
                                                            float om2, float eps, float neg_lr, int om1_is_one) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vc1 = wasm_f32x4_splat(c1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vc2 = wasm_f32x4_splat(c2);
  const v128_t r1 = wasm_f64x2_splat(1.0 / (double)om1), r2 = wasm_f64x2_splat(1.0 / (double)om2);
  const v128_t veps = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(neg_lr);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1), wasm_f32x4_mul(gi, vc1));
    const v128_t vi =
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), vc2));
    const v128_t mh = om1_is_one ? mi : div_by_reciprocal(mi, r1);
    const v128_t vh = div_by_reciprocal(vi, r2);
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

/**
 * One Adam step, in exactly tfjs's AdamOptimizer op order, each op rounded
 * to float32 (so the result is bit-identical to the unfused ops):
 *   m' = m·b1 + g·c1            (c1 = 1 − b1)
 *   v' = v·b2 + (g·g)·c2        (c2 = 1 − b2)
 *   w' = ((m'/om1) / (sqrt(v'/om2) + eps))·neg_lr + w
 * The two divisions by om1 and om2 are multiplications by their reciprocals in float64 (div_by_reciprocal: the
 * same bits), and the first is skipped once om1 is 1. Over mlp-tf1's 436k parameters here: 492 → 462 µs (421 once
 * skipping) with the data in cache; 533 → 531 (482) with it evicted first, as in training, where the step is
 * memory-bound and the skip is what counts.
 * Build with -ffp-contract=off: no multiply-add may be fused here.
 */
__attribute__((export_name("adam_f32"))) void adam_f32(const float* w, const float* m, const float* v, const float* g,
                                                       float* w_out, float* m_out, float* v_out, int n, float b1,
                                                       float c1, float b2, float c2, float om1, float om2, float eps,
                                                       float neg_lr) {
  if (om1 == 1.0f) {
    adam_loop(w, m, v, g, w_out, m_out, v_out, n, b1, c1, b2, c2, om1, om2, eps, neg_lr, 1);
  } else {
    adam_loop(w, m, v, g, w_out, m_out, v_out, n, b1, c1, b2, c2, om1, om2, eps, neg_lr, 0);
  }
}

/*
 * tanh, bit for bit what tfjs-wasm's Tanh returns: its kernel calls musl's
 * tanhf (and tanhf musl's expm1f) one float at a time, 12 ns each here.
 * These are the same float32 operations in the same order, four lanes at a
 * time: every branch is computed and each lane keeps its own. Built with
 * -ffp-contract=off, so nothing is fused.
 */
#ifdef RELAXED
/* Masks here are whole lanes (comparison results), where laneselect is bitselect in one instruction. */
static inline v128_t pick(v128_t mask, v128_t yes, v128_t no) { return wasm_i32x4_relaxed_laneselect(yes, no, mask); }
/* Truncation; lanes out of int32 range (which differ from trunc_sat) are discarded by the caller. */
static inline v128_t trunc_i32(v128_t x) { return wasm_i32x4_relaxed_trunc_f32x4(x); }
#else
static inline v128_t pick(v128_t mask, v128_t yes, v128_t no) { return wasm_v128_bitselect(yes, no, mask); }
static inline v128_t trunc_i32(v128_t x) { return wasm_i32x4_trunc_sat_f32x4(x); }
#endif
static inline v128_t bits(uint32_t b) { return wasm_i32x4_splat((int32_t)b); }
static inline v128_t f4(float f) { return wasm_f32x4_splat(f); }

/* expm1f's rational approximation on the primary range: x²/2 and the correction e. */
struct primary {
  v128_t hxs, e0;
};
static inline __attribute__((always_inline)) struct primary expm1f_primary(v128_t xr) {
  const v128_t hfx = wasm_f32x4_mul(f4(0.5f), xr);
  const v128_t hxs = wasm_f32x4_mul(xr, hfx);
  const v128_t r1 = wasm_f32x4_add(
      f4(1.0f), wasm_f32x4_mul(hxs, wasm_f32x4_add(f4(-3.3333212137e-2f), wasm_f32x4_mul(hxs, f4(1.5807170421e-3f)))));
  const v128_t t = wasm_f32x4_sub(f4(3.0f), wasm_f32x4_mul(r1, hfx));
  const v128_t e0 = wasm_f32x4_mul(
      hxs, wasm_f32x4_div(wasm_f32x4_sub(r1, t), wasm_f32x4_sub(f4(6.0f), wasm_f32x4_mul(xr, t))));
  return (struct primary){hxs, e0};
}

/*
 * expm1f after its argument reduction: x − (hi − lo) where `reduce` (else x itself), its rounding error c, and the
 * primary-range results: the value for k = 0 and the correction e that the k ≠ 0 formulas take.
 */
struct reduced {
  v128_t xr, when_k0, e;
};
static inline __attribute__((always_inline)) struct reduced expm1f_reduced(v128_t reduce, v128_t hi, v128_t lo,
                                                                            v128_t x) {
  const v128_t xr_reduced = wasm_f32x4_sub(hi, lo);
  const v128_t xr = pick(reduce, xr_reduced, x);
  const v128_t c = pick(reduce, wasm_f32x4_sub(wasm_f32x4_sub(hi, xr_reduced), lo), f4(0.0f));
  const struct primary p = expm1f_primary(xr);
  const v128_t when_k0 = wasm_f32x4_sub(xr, wasm_f32x4_sub(wasm_f32x4_mul(xr, p.e0), p.hxs));
  const v128_t e = wasm_f32x4_sub(wasm_f32x4_sub(wasm_f32x4_mul(xr, wasm_f32x4_sub(p.e0, c)), c), p.hxs);
  return (struct reduced){xr, when_k0, e};
}

/* expm1f's last step for k = −1, from the reduced argument and its correction e. */
static inline v128_t expm1f_km1(v128_t xr, v128_t e) {
  return wasm_f32x4_sub(wasm_f32x4_mul(f4(0.5f), wasm_f32x4_sub(xr, e)), f4(0.5f));
}

/* expm1f's last step for k = 1. */
static inline v128_t expm1f_k1(v128_t xr, v128_t e) {
  return pick(wasm_f32x4_lt(xr, f4(-0.25f)), wasm_f32x4_mul(f4(-2.0f), wasm_f32x4_sub(e, wasm_f32x4_add(xr, f4(0.5f)))),
              wasm_f32x4_add(f4(1.0f), wasm_f32x4_mul(f4(2.0f), wasm_f32x4_sub(xr, e))));
}

/* musl's expm1f on the arguments tanhf gives it (−0.52 < x ≤ 20; lanes outside are discarded). */
static v128_t expm1f_x4(v128_t x) {
  const v128_t ln2_hi = f4(6.9313812256e-01f), ln2_lo = f4(9.0580006145e-06f);
  const v128_t hx = wasm_v128_and(x, bits(0x7fffffff));
  const v128_t sign = wasm_v128_and(x, bits(0x80000000));
  const v128_t reduce = wasm_i32x4_gt(hx, bits(0x3eb17218));  /* |x| > 0.5 ln2 */
  const v128_t near = wasm_i32x4_lt(hx, bits(0x3f851592));    /* |x| < 1.5 ln2: k = ±1 */
  /* k = ±1: hi = x ∓ ln2_hi (x − (−ln2_hi) is x + ln2_hi to the bit), lo = ±ln2_lo */
  const v128_t k_near = wasm_v128_or(wasm_i32x4_shr(sign, 31), bits(1));
  const v128_t hi_near = wasm_f32x4_sub(x, wasm_v128_xor(ln2_hi, sign));
  const v128_t lo_near = wasm_v128_xor(ln2_lo, sign);
  /* Farther out tanhf's arguments are positive: k = (int)(x/ln2 + 0.5) */
  const v128_t k_far = trunc_i32(wasm_f32x4_add(wasm_f32x4_mul(f4(1.4426950216e+00f), x), f4(0.5f)));
  const v128_t t_far = wasm_f32x4_convert_i32x4(k_far);
  const v128_t hi = pick(near, hi_near, wasm_f32x4_sub(x, wasm_f32x4_mul(t_far, ln2_hi)));
  const v128_t lo = pick(near, lo_near, wasm_f32x4_mul(t_far, ln2_lo));
  const v128_t k = pick(reduce, pick(near, k_near, k_far), bits(0));
  const struct reduced r = expm1f_reduced(reduce, hi, lo, x);
  const v128_t xr = r.xr, when_k0 = r.when_k0, e = r.e;
  const v128_t when_km1 = expm1f_km1(xr, e), when_k1 = expm1f_k1(xr, e);
  const v128_t twopk = wasm_i32x4_shl(wasm_i32x4_add(k, bits(0x7f)), 23);
  const v128_t twomk = wasm_i32x4_shl(wasm_i32x4_sub(bits(0x7f), k), 23);
  const v128_t k_small = wasm_f32x4_mul(
      wasm_f32x4_add(wasm_f32x4_sub(xr, e), wasm_f32x4_sub(f4(1.0f), twomk)), twopk); /* 1 < k < 23 */
  const v128_t k_large = wasm_f32x4_mul(
      wasm_f32x4_add(wasm_f32x4_sub(xr, wasm_f32x4_add(e, twomk)), f4(1.0f)), twopk); /* 23 ≤ k ≤ 56 */
  v128_t y = pick(wasm_i32x4_lt(k, bits(23)), k_small, k_large);
  y = pick(wasm_i32x4_eq(k, bits(1)), when_k1, y);
  y = pick(wasm_i32x4_eq(k, bits((uint32_t)-1)), when_km1, y);
  y = pick(wasm_i32x4_eq(k, bits(0)), when_k0, y);
  return pick(wasm_i32x4_lt(hx, bits(0x33000000)), x, y); /* |x| < 2^-25: x */
}

/*
 * expm1f's steps for 1 < k < 23 only, the case of tanhf's 0.55 < |x| < 7.79,
 * where a generator's saturated pixels fall: a fifth of the general path's work.
 */
static v128_t expm1f_moderate_x4(v128_t x, v128_t k) {
  const v128_t t_k = wasm_f32x4_convert_i32x4(k);
  const v128_t hi = wasm_f32x4_sub(x, wasm_f32x4_mul(t_k, f4(6.9313812256e-01f)));
  const v128_t lo = wasm_f32x4_mul(t_k, f4(9.0580006145e-06f));
  const v128_t xr = wasm_f32x4_sub(hi, lo);
  const v128_t c = wasm_f32x4_sub(wasm_f32x4_sub(hi, xr), lo);
  const struct primary p = expm1f_primary(xr);
  const v128_t hxs = p.hxs, e0 = p.e0;
  const v128_t e = wasm_f32x4_sub(wasm_f32x4_sub(wasm_f32x4_mul(xr, wasm_f32x4_sub(e0, c)), c), hxs);
  const v128_t twopk = wasm_i32x4_shl(wasm_i32x4_add(k, bits(0x7f)), 23);
  const v128_t twomk = wasm_i32x4_shl(wasm_i32x4_sub(bits(0x7f), k), 23);
  return wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_sub(xr, e), wasm_f32x4_sub(f4(1.0f), twomk)), twopk);
}

/* tanhf_below_x4 where every lane has 2|x| ≤ 0.5 ln2: expm1f's k is 0 in all, and tanhf is −t/(t+2). */
static inline __attribute__((always_inline)) v128_t tanhf_k0_x4(v128_t ax) {
  const v128_t arg = wasm_f32x4_mul(f4(-2.0f), ax);
  const struct primary p = expm1f_primary(arg);
  v128_t em = wasm_f32x4_sub(arg, wasm_f32x4_sub(wasm_f32x4_mul(arg, p.e0), p.hxs));
  em = pick(wasm_i32x4_lt(wasm_v128_and(arg, bits(0x7fffffff)), bits(0x33000000)), arg, em); /* |arg| < 2^-25 */
  const v128_t t = wasm_f32x4_div(wasm_f32x4_neg(em), wasm_f32x4_add(em, f4(2.0f)));
  return pick(wasm_i32x4_lt(ax, bits(0x00800000)), ax, t);
}

/*
 * tanhf for 2|x| < 1.5 ln2, where expm1f's k is −1, 0 or 1 and needs no general reduction: tanhf is −t/(t+2) with
 * t = expm1f(−2|x|) up to log(5/3)/2, and t/(t+2) with t = expm1f(2|x|) above. Subnormal |x| is returned as it is.
 */
static inline __attribute__((always_inline)) v128_t tanhf_below_x4(v128_t ax) {
  const v128_t mid = wasm_i32x4_gt(ax, bits(0x3e82c578)); /* |x| > log(5/3)/2 */
  const v128_t arg = pick(mid, wasm_f32x4_mul(f4(2.0f), ax), wasm_f32x4_mul(f4(-2.0f), ax));
  const v128_t arg_sign = wasm_v128_and(arg, bits(0x80000000));
  const v128_t harg = wasm_v128_and(arg, bits(0x7fffffff));
  const v128_t reduce = wasm_i32x4_gt(harg, bits(0x3eb17218)); /* k = ±1: hi = arg ∓ ln2_hi, lo = ±ln2_lo */
  const v128_t hi = wasm_f32x4_sub(arg, wasm_v128_xor(f4(6.9313812256e-01f), arg_sign));
  const v128_t lo = wasm_v128_xor(f4(9.0580006145e-06f), arg_sign);
  const struct reduced r = expm1f_reduced(reduce, hi, lo, arg);
  const v128_t xr = r.xr, e = r.e;
  const v128_t when_km1 = expm1f_km1(xr, e), when_k1 = expm1f_k1(xr, e);
  v128_t em = pick(reduce, pick(mid, when_k1, when_km1), r.when_k0);
  em = pick(wasm_i32x4_lt(harg, bits(0x33000000)), arg, em); /* |arg| < 2^-25: expm1f returns it */
  const v128_t t = wasm_f32x4_div(pick(mid, em, wasm_f32x4_neg(em)), wasm_f32x4_add(em, f4(2.0f)));
  return pick(wasm_i32x4_lt(ax, bits(0x00800000)), ax, t);
}

/*
 * tanhf where every lane has 2^-26 ≤ |x| < 7.75 but the lanes fall in different branches: a generator's pixels in
 * training, some near 0 and some toward ±1. Below log(5/3)/2 expm1f's argument is −2|x| (k is 0 or −1, never
 * reduced far); above it, 2|x| > 0.51 (k is 1, with a reduced argument above −0.19, or 1 < k < 23). So the general
 * path's tiny, k ≥ 23, saturated and subnormal cases, and k = 1's second formula, cannot occur here.
 */
static inline __attribute__((always_inline)) v128_t tanhf_tame_x4(v128_t ax) {
  const v128_t mid = wasm_i32x4_gt(ax, bits(0x3e82c578)); /* |x| > log(5/3)/2: expm1f(2|x|) */
  const v128_t big = wasm_i32x4_gt(ax, bits(0x3f0c9f54)); /* |x| > log(3)/2: 1 − 2/(t + 2) */
  const v128_t two_ax = wasm_f32x4_mul(f4(2.0f), ax);
  const v128_t arg_sign = wasm_v128_andnot(bits(0x80000000), mid);
  const v128_t arg = wasm_v128_xor(two_ax, arg_sign); /* −2|x| is −(2|x|) to the bit */
  const v128_t reduce = wasm_i32x4_gt(two_ax, bits(0x3eb17218)); /* |arg| > 0.5 ln2 */
  const v128_t near = wasm_i32x4_lt(two_ax, bits(0x3f851592));   /* |arg| < 1.5 ln2: k = ±1 */
  const v128_t k_far = trunc_i32(wasm_f32x4_add(wasm_f32x4_mul(f4(1.4426950216e+00f), two_ax), f4(0.5f)));
  const v128_t t_far = wasm_f32x4_convert_i32x4(k_far);
  const v128_t hi = pick(near, wasm_f32x4_sub(arg, wasm_v128_xor(f4(6.9313812256e-01f), arg_sign)),
                         wasm_f32x4_sub(two_ax, wasm_f32x4_mul(t_far, f4(6.9313812256e-01f))));
  const v128_t lo = pick(near, wasm_v128_xor(f4(9.0580006145e-06f), arg_sign), wasm_f32x4_mul(t_far, f4(9.0580006145e-06f)));
  const struct reduced r = expm1f_reduced(reduce, hi, lo, arg);
  const v128_t xr = r.xr, e = r.e;
  const v128_t when_k1 = wasm_f32x4_add(f4(1.0f), wasm_f32x4_mul(f4(2.0f), wasm_f32x4_sub(xr, e)));
  const v128_t twopk = wasm_i32x4_shl(wasm_i32x4_add(k_far, bits(0x7f)), 23);
  const v128_t twomk = wasm_i32x4_shl(wasm_i32x4_sub(bits(0x7f), k_far), 23);
  const v128_t k_small = wasm_f32x4_mul(wasm_f32x4_add(wasm_f32x4_sub(xr, e), wasm_f32x4_sub(f4(1.0f), twomk)), twopk);
  const v128_t em = pick(mid, pick(near, when_k1, k_small), pick(reduce, expm1f_km1(xr, e), r.when_k0));
  const v128_t num = pick(big, f4(2.0f), wasm_v128_xor(em, arg_sign)); /* em, or −em where arg < 0 */
  const v128_t q = wasm_f32x4_div(num, wasm_f32x4_add(em, f4(2.0f)));
  return pick(big, wasm_f32x4_sub(f4(1.0f), q), q);
}

/* tanhf's value above |x| = 10: 1 + 0/|x|, which is 1, or NaN for NaN. */
static inline v128_t tanhf_saturated_x4(v128_t ax) { return pick(wasm_f32x4_ne(ax, ax), ax, f4(1.0f)); }

/* musl's tanhf, four lanes. */
static inline __attribute__((always_inline)) v128_t tanhf_x4(v128_t x) {
  const v128_t sign = wasm_v128_and(x, bits(0x80000000));
  const v128_t ax = wasm_v128_and(x, bits(0x7fffffff));
  const v128_t big = wasm_i32x4_gt(ax, bits(0x3f0c9f54)); /* |x| > log(3)/2 */
  const v128_t two_ax = wasm_f32x4_mul(f4(2.0f), ax);
  const v128_t k = trunc_i32(wasm_f32x4_add(wasm_f32x4_mul(f4(1.4426950216e+00f), two_ax), f4(0.5f)));
  const v128_t moderate = wasm_v128_and(big, wasm_i32x4_lt(ax, bits(0x40f80000))); /* (0.55, 7.75): k ≤ 22 */
  const v128_t saturated = wasm_i32x4_gt(ax, bits(0x41200000));                /* > 10, inf or NaN */
  if (wasm_i32x4_all_true(wasm_v128_or(moderate, saturated))) { /* a trained generator's pixels */
    const v128_t em = expm1f_moderate_x4(two_ax, k);
    const v128_t t = wasm_f32x4_sub(f4(1.0f), wasm_f32x4_div(f4(2.0f), wasm_f32x4_add(em, f4(2.0f))));
    return wasm_v128_xor(pick(saturated, tanhf_saturated_x4(ax), t), sign);
  }
  /* An untrained generator's pixels: */
  if (wasm_i32x4_all_true(wasm_i32x4_le(ax, bits(0x3e317218)))) return wasm_v128_xor(tanhf_k0_x4(ax), sign);
  if (wasm_i32x4_all_true(wasm_i32x4_lt(ax, bits(0x3f051592)))) return wasm_v128_xor(tanhf_below_x4(ax), sign);
  if (wasm_i32x4_all_true(wasm_v128_and(wasm_i32x4_ge(ax, bits(0x32800000)), wasm_i32x4_lt(ax, bits(0x40f80000))))) {
    return wasm_v128_xor(tanhf_tame_x4(ax), sign); /* a generator's pixels in training */
  }
  const v128_t mid = wasm_i32x4_gt(ax, bits(0x3e82c578)); /* |x| > log(5/3)/2 */
  const v128_t em = expm1f_x4(pick(mid, two_ax, wasm_f32x4_mul(f4(-2.0f), ax)));
  const v128_t num = pick(big, f4(2.0f), pick(mid, em, wasm_f32x4_neg(em)));
  const v128_t q = wasm_f32x4_div(num, wasm_f32x4_add(em, f4(2.0f)));
  v128_t t = pick(big, wasm_f32x4_sub(f4(1.0f), q), q);
  t = pick(wasm_i32x4_gt(ax, bits(0x41200000)), tanhf_saturated_x4(ax), t);
  t = pick(wasm_i32x4_lt(ax, bits(0x00800000)), ax, t); /* subnormal: x */
  return wasm_v128_xor(t, sign);
}

/** out[i] = tanh(x[i]), musl's tanhf to the bit. */
__attribute__((export_name("tanh_f32"))) void tanh_f32(const float* x, float* out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, tanhf_x4(wasm_v128_load(x + i)));
  if (i < n) { /* the last 1–3 floats, in lanes (no stack: the module has none) */
    const int r = n - i;
    const v128_t v = tanhf_x4(wasm_f32x4_make(x[i], r > 1 ? x[i + 1] : 0.0f, r > 2 ? x[i + 2] : 0.0f, 0.0f));
    out[i] = wasm_f32x4_extract_lane(v, 0);
    if (r > 1) out[i + 1] = wasm_f32x4_extract_lane(v, 1);
    if (r > 2) out[i + 2] = wasm_f32x4_extract_lane(v, 2);
  }
}

/**
 * dst[c] = (float)(scale · Σ_r x[r·cols + c]), summed in float64 over r in order: the bits of
 * lib/kernels/wasm_reduce.ts's loop over a Float64Array, 8 columns at a time in registers.
 */
__attribute__((export_name("column_sums_f64"))) void column_sums_f64(const float* x, int rows, int cols, float* dst,
                                                                     double scale) {
  int c = 0;
  for (; c + 8 <= cols; c += 8) {
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    for (int r = 0; r < rows; r++) {
      const v128_t lo = wasm_v128_load(x + (long)r * cols + c), hi = wasm_v128_load(x + (long)r * cols + c + 4);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(lo));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(lo, lo, 2, 3, 0, 1)));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(hi));
      a3 = wasm_f64x2_add(a3, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(hi, hi, 2, 3, 0, 1)));
    }
    const v128_t s = wasm_f64x2_splat(scale);
    const v128_t lo = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a0, s));
    const v128_t lo2 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a1, s));
    const v128_t hi = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a2, s));
    const v128_t hi2 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(a3, s));
    wasm_v128_store(dst + c, wasm_i32x4_shuffle(lo, lo2, 0, 1, 4, 5));
    wasm_v128_store(dst + c + 4, wasm_i32x4_shuffle(hi, hi2, 0, 1, 4, 5));
  }
  for (; c < cols; c++) {
    double acc = 0.0;
    for (int r = 0; r < rows; r++) acc += (double)x[(long)r * cols + c];
    dst[c] = (float)(acc * scale);
  }
}

/** out[i] = x[i] > 0 ? dy[i] : dy[i]·alpha: tfjs's LeakyRelu gradient, where(x > 0, dy, dy·alpha), in one pass. */
__attribute__((export_name("leaky_relu_grad"))) void leaky_relu_grad(const float* x, const float* dy, float* out,
                                                                     int n, float alpha) {
  const v128_t va = wasm_f32x4_splat(alpha);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t d = wasm_v128_load(dy + i);
    wasm_v128_store(out + i, wasm_v128_bitselect(d, wasm_f32x4_mul(d, va), wasm_f32x4_gt(wasm_v128_load(x + i), zero)));
  }
  for (; i < n; i++) out[i] = x[i] > 0.0f ? dy[i] : dy[i] * alpha;
}

/**
 * out[i] = dy[i]·step(x[i]), step 1 above 0, NaN for NaN and 0 otherwise: tfjs's Relu gradient, mul(dy, step(x)),
 * in one pass (the same product, so −0 for a negative dy at x ≤ 0 and NaN for an infinite one).
 */
__attribute__((export_name("relu_grad"))) void relu_grad(const float* x, const float* dy, float* out, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f), nan = wasm_f32x4_splat(__builtin_nanf(""));
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t xv = wasm_v128_load(x + i);
    const v128_t step = wasm_v128_bitselect(one, wasm_v128_bitselect(nan, zero, wasm_f32x4_ne(xv, xv)),
                                            wasm_f32x4_gt(xv, zero));
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step));
  }
  for (; i < n; i++) out[i] = dy[i] * (x[i] > 0.0f ? 1.0f : x[i] != x[i] ? __builtin_nanf("") : 0.0f);
}

/** out[i] = (1 − y[i]·y[i])·dy[i]: tfjs's Tanh gradient, mul(sub(1, square(y)), dy), in one pass. */
__attribute__((export_name("tanh_grad"))) void tanh_grad(const float* y, const float* dy, float* out, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(y + i);
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_f32x4_sub(one, wasm_f32x4_mul(v, v)), wasm_v128_load(dy + i)));
  }
  for (; i < n; i++) out[i] = (1.0f - y[i] * y[i]) * dy[i];
}

/*
 * The binary cross-entropy of logits x against a constant target t, per item, as lib/train/losses.ts writes it:
 * relu(x).sub(x.mul(t)).add(softplus(neg(abs(x)))). The softplus and (in the gradient) the sigmoid of −|x| are the
 * stock kernels' (lib/kernels/fused_bce.ts calls them); these are the rest, the same float32 operations in order.
 * (At x = ±0 and NaN these may pick a different zero or NaN than the stock Relu and Step; the results do not.)
 */

/** e[i] = −|x[i]|. */
__attribute__((export_name("neg_abs_f32"))) void neg_abs_f32(const float* x, float* e, int n) {
  for (int i = 0; i < n; i++) e[i] = -__builtin_fabsf(x[i]);
}

/** y[i] = (relu(x[i]) − x[i]·t) + f[i], f = softplus(−|x|). */
__attribute__((export_name("bce_logits"))) void bce_logits(const float* x, const float* f, float* y, int n, float t) {
  for (int i = 0; i < n; i++) {
    const float xi = x[i];
    y[i] = ((xi > 0.0f ? xi : 0.0f) - xi * t) + f[i];
  }
}

/*
 * dx[i] for the outer gradient dy, s = sigmoid(−|x|): tfjs's chain rule through that expression, its three terms
 * summed as the tape reaches x (through abs, then the multiply by t, then relu):
 * ((−(dy·s))·step(x, −1) + (−dy)·t) + dy·step(x).
 */
__attribute__((export_name("bce_logits_grad"))) void bce_logits_grad(const float* x, const float* s, const float* dy,
                                                                     float* dx, int n, float t) {
  for (int i = 0; i < n; i++) {
    const int positive = x[i] > 0.0f;
    const float g = dy[i];
    const float through_abs = (-(g * s[i])) * (positive ? 1.0f : -1.0f);
    const float through_mul = (-g) * t;
    dx[i] = (through_abs + through_mul) + g * (positive ? 1.0f : 0.0f);
  }
}
