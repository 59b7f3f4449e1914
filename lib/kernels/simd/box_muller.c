/*
 * Box–Muller on two f64 lanes, to the bit of lib/rng.ts's JavaScript loop:
 *
 *   u1 = 1 − a/2³², u2 = b/2³² (a, b: two 32-bit words of the run's stream)
 *   r  = sqrt(−2·log(u1));  out = (float)(r·cos(2π·u2)), (float)(r·sin(2π·u2))
 *
 * V8 (Deno 2.9, V8 15) computes Math.log, Math.cos and Math.sin correctly
 * rounded (LLVM's libc), so these are computed as double-doubles (a value and
 * its rounding error, within about 2⁻⁶⁴ of the true value relatively) and
 * rounded; where the error bound straddles a rounding boundary (4 pairs in a
 * thousand) the pair is listed in `unsure` and the caller computes it with
 * Math.* itself. tests/exhaustive/box_muller.ts checks every input the noise
 * can give against Math.* (run it again on a new Deno). log works on f·r − 1 for a tabulated r ≈ 1/f
 * (exact, as u1 has 32 significant bits); sin and cos reduce by π/2 in three
 * parts and then by i/128 from a table. The tables come from
 * box_muller_tables.py. Built with -ffp-contract=off: nothing is fused.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#include "box_muller_tables.h"

#define CHUNK 4096 /* pairs per call */

static uint32_t words[2 * CHUNK + 4];  /* a, b per pair (+ one pad pair) */
static float normals[2 * CHUNK + 4];   /* r·cos, r·sin per pair */
static uint32_t unsure[CHUNK + 2];     /* pairs the caller computes itself */
static double checked[2 * CHUNK];      /* log_words' and sincos_words' values, for the checks */

__attribute__((export_name("words_ptr"))) uint32_t* words_ptr(void) { return words; }
__attribute__((export_name("normals_ptr"))) float* normals_ptr(void) { return normals; }
__attribute__((export_name("unsure_ptr"))) uint32_t* unsure_ptr(void) { return unsure; }
__attribute__((export_name("checked_ptr"))) double* checked_ptr(void) { return checked; }
__attribute__((export_name("chunk_pairs"))) int chunk_pairs(void) { return CHUNK; }

typedef v128_t d2; /* two f64 lanes, or two i64 lanes of bits */

static inline d2 num(double x) { return wasm_f64x2_splat(x); }
static inline d2 raw(uint64_t b) { return wasm_i64x2_splat((int64_t)b); }
static inline d2 add(d2 a, d2 b) { return wasm_f64x2_add(a, b); }
static inline d2 sub(d2 a, d2 b) { return wasm_f64x2_sub(a, b); }
static inline d2 mul(d2 a, d2 b) { return wasm_f64x2_mul(a, b); }
static inline d2 neg_if(d2 x, d2 mask) { return wasm_v128_xor(x, wasm_v128_and(mask, raw(0x8000000000000000ull))); }

/* A double-double: hi + lo, |lo| ≤ ulp(hi)/2. */
struct dd {
  d2 hi, lo;
};

/* a + b exactly, as a rounded sum and its error (Knuth). */
static inline struct dd two_sum(d2 a, d2 b) {
  const d2 s = add(a, b), bb = sub(s, a);
  return (struct dd){s, add(sub(a, sub(s, bb)), sub(b, bb))};
}

/* a + b exactly when |a| ≥ |b| (Dekker). */
static inline struct dd fast_two_sum(d2 a, d2 b) {
  const d2 s = add(a, b);
  return (struct dd){s, sub(b, sub(s, a))};
}

/* The leading 26 significant bits of x (so a product of two such is exact). */
static inline d2 top26(d2 x) { return wasm_v128_and(x, raw(0xfffffffff8000000ull)); }

/* Two table rows' entry `k` as lanes. */
#define ROWS(table, i0, i1, k) wasm_i64x2_make((int64_t)(table)[i0][k], (int64_t)(table)[i1][k])

/*
 * hi + lo rounded to a double, and a mask of the lanes where the error bound
 * (|hi|·rel + abs) leaves the rounding in doubt.
 */
static inline d2 rounded(struct dd v, double rel, double abs, d2* doubt) {
  const d2 eps = add(mul(wasm_f64x2_abs(v.hi), num(rel)), num(abs));
  const d2 up = add(v.hi, add(v.lo, eps)), down = add(v.hi, sub(v.lo, eps));
  *doubt = wasm_v128_or(*doubt, wasm_f64x2_ne(up, down));
  return up;
}

/* log(u1) for u1 in [2⁻³², 1] with at most 32 significant bits, as a double-double. */
static inline struct dd log_dd(d2 u1) {
  const d2 mant = wasm_v128_and(u1, raw(0x000fffffffffffffull));
  /* f in [√2/2, √2): the mantissa, halved when it is at least √2's. */
  const d2 halve = wasm_i64x2_ge(mant, raw(0x0006a09e667f3bcdull));
  const d2 f = wasm_v128_or(mant, wasm_v128_bitselect(raw(0x3fe0000000000000ull), raw(0x3ff0000000000000ull), halve));
  const d2 e = wasm_i64x2_sub(wasm_i64x2_sub(wasm_u64x2_shr(u1, 52), raw(1023)), halve);
  const d2 ed = sub(wasm_i64x2_add(e, raw(0x4338000000000000ull)), num(6755399441055744.0));
  const d2 idx = wasm_i64x2_add(wasm_u64x2_shr(mant, 52 - LOG_BITS), wasm_v128_and(halve, raw(1 << LOG_BITS)));
  const int i0 = (int)wasm_i64x2_extract_lane(idx, 0), i1 = (int)wasm_i64x2_extract_lane(idx, 1);
  const d2 r = ROWS(LOG_TABLE, i0, i1, 0), t_hi = ROWS(LOG_TABLE, i0, i1, 1), t_lo = ROWS(LOG_TABLE, i0, i1, 2);
  /* log u1 = e·ln2 − log r + log1p(t), t = f·r − 1 exactly (|t| < 2⁻⁹) */
  const d2 t = sub(mul(f, r), num(1.0));
  const d2 t1 = top26(t), t2 = sub(t, t1);
  const d2 half_sq = mul(num(0.5), mul(t1, t1));                          /* exact */
  const d2 half_sq_rest = add(mul(t1, t2), mul(num(0.5), mul(t2, t2)));  /* t²/2 − half_sq */
  d2 q = num(-1.0 / 8);
  q = add(num(1.0 / 7), mul(t, q));
  q = add(num(-1.0 / 6), mul(t, q));
  q = add(num(1.0 / 5), mul(t, q));
  q = add(num(-1.0 / 4), mul(t, q));
  q = add(num(1.0 / 3), mul(t, q));
  const d2 cubic = mul(mul(mul(t, t), t), q); /* log1p(t) − t + t²/2 */
  const struct dd s1 = two_sum(mul(ed, raw(LN2_HI)), t_hi);
  const struct dd s2 = two_sum(s1.hi, t);
  const struct dd s3 = two_sum(s2.hi, wasm_f64x2_neg(half_sq));
  const d2 small = add(sub(add(mul(ed, raw(LN2_LO)), t_lo), half_sq_rest), cubic);
  return fast_two_sum(s3.hi, add(add(add(s1.lo, s2.lo), s3.lo), small));
}

/* sin and cos of x in [0, 2π), each as a double-double. */
static inline void sincos_dd(d2 x, struct dd* sin_x, struct dd* cos_x) {
  /* r = x − n·π/2, |r| ≤ π/4 (+ rounding) */
  const d2 n = wasm_f64x2_floor(add(mul(x, raw(INV_PIO2)), num(0.5)));
  const struct dd r1 = two_sum(sub(x, mul(n, raw(PIO2_1))), wasm_f64x2_neg(mul(n, raw(PIO2_2))));
  const struct dd r = fast_two_sum(r1.hi, sub(r1.lo, mul(n, raw(PIO2_3))));
  /* r = i/128 + b, |b| ≤ 1/256 */
  const d2 i = wasm_f64x2_floor(add(mul(r.hi, num(SINCOS_STEPS)), num(0.5)));
  const d2 b_hi = sub(r.hi, mul(i, num(1.0 / SINCOS_STEPS))), b_lo = r.lo;
  const d2 ii = wasm_i64x2_sub(add(i, num(6755399441055744.0 + SINCOS_REACH)), raw(0x4338000000000000ull));
  const int i0 = (int)wasm_i64x2_extract_lane(ii, 0), i1 = (int)wasm_i64x2_extract_lane(ii, 1);
  const d2 s_hi = ROWS(SINCOS_TABLE, i0, i1, 0), s_lo = ROWS(SINCOS_TABLE, i0, i1, 1);
  const d2 c_hi = ROWS(SINCOS_TABLE, i0, i1, 2), c_lo = ROWS(SINCOS_TABLE, i0, i1, 3);
  const d2 b1 = top26(b_hi), b2 = sub(b_hi, b1);
  const d2 bb = add(mul(b_hi, b_hi), mul(num(2.0), mul(b_hi, b_lo)));
  d2 cm = num(-1.0 / 720);
  cm = add(num(1.0 / 24), mul(bb, cm));
  cm = add(num(-0.5), mul(bb, cm));
  cm = mul(bb, cm); /* cos b − 1 */
  d2 sm = num(-1.0 / 5040);
  sm = add(num(1.0 / 120), mul(bb, sm));
  sm = add(num(-1.0 / 6), mul(bb, sm));
  sm = mul(mul(b_hi, bb), sm); /* sin b − b */
  /* S and C to 53 bits, for the small terms */
  const d2 s53 = add(s_hi, s_lo), c53 = add(c_hi, c_lo);
  /* sin(a + b) = S + C·b + S·(cos b − 1) + C·(sin b − b) */
  const struct dd s = two_sum(s_hi, mul(c_hi, b1));
  const d2 s_rest = add(add(add(add(mul(c_hi, b2), mul(c_hi, b_lo)), add(mul(c_lo, b_hi), s_lo)), mul(s53, cm)),
                        mul(c53, sm));
  const struct dd sin_r = fast_two_sum(s.hi, add(s.lo, s_rest));
  /* cos(a + b) = C − S·b + C·(cos b − 1) − S·(sin b − b) */
  const struct dd c = two_sum(c_hi, wasm_f64x2_neg(mul(s_hi, b1)));
  const d2 c_rest = sub(add(sub(c_lo, add(add(mul(s_hi, b2), mul(s_hi, b_lo)), mul(s_lo, b_hi))), mul(c53, cm)),
                        mul(s53, sm));
  const struct dd cos_r = fast_two_sum(c.hi, add(c.lo, c_rest));
  /* quadrant n mod 4: sin x = sin r, cos r, −sin r, −cos r; cos x = cos r, −sin r, −cos r, sin r */
  const d2 q = wasm_v128_and(add(n, num(4503599627370496.0)), raw(3));
  const d2 swap = wasm_i64x2_eq(wasm_v128_and(q, raw(1)), raw(1));
  const d2 neg_sin = wasm_i64x2_eq(wasm_v128_and(q, raw(2)), raw(2));
  const d2 neg_cos = wasm_i64x2_eq(wasm_v128_and(wasm_i64x2_add(q, raw(1)), raw(2)), raw(2));
  sin_x->hi = neg_if(wasm_v128_bitselect(cos_r.hi, sin_r.hi, swap), neg_sin);
  sin_x->lo = neg_if(wasm_v128_bitselect(cos_r.lo, sin_r.lo, swap), neg_sin);
  cos_x->hi = neg_if(wasm_v128_bitselect(sin_r.hi, cos_r.hi, swap), neg_cos);
  cos_x->lo = neg_if(wasm_v128_bitselect(sin_r.lo, cos_r.lo, swap), neg_cos);
}

/* u1 = 1 − a/2³² and x = 2π·b/2³² as JavaScript computes them, from two words each in lanes 0 and 1. */
static inline d2 uniform_u1(v128_t a) { return sub(num(1.0), mul(wasm_f64x2_convert_low_u32x4(a), num(0x1p-32))); }
static inline d2 angle(v128_t b) { return mul(num(2 * 3.141592653589793), mul(wasm_f64x2_convert_low_u32x4(b), num(0x1p-32))); }

/* Relative and absolute error bounds of the double-doubles (their errors are below a quarter of these). */
#define LOG_REL 0x1p-64
#define TRIG_REL 0x1p-63
#define ABS_FLOOR 0x1p-110

/*
 * The normals of `pairs` pairs of words (a, b) in `words` into `normals`;
 * returns how many pairs were left in doubt, their indices in `unsure`.
 */
__attribute__((export_name("box_muller"))) int box_muller(int pairs) {
  int doubtful = 0;
  if (pairs & 1) words[2 * pairs] = words[2 * pairs + 1] = 0;
  for (int p = 0; p < pairs; p += 2) {
    const v128_t w = wasm_v128_load(words + 2 * p);
    d2 doubt = wasm_i64x2_splat(0);
    const d2 log_u1 = rounded(log_dd(uniform_u1(wasm_i32x4_shuffle(w, w, 0, 2, 0, 2))), LOG_REL, ABS_FLOOR, &doubt);
    struct dd sin_x, cos_x;
    sincos_dd(angle(wasm_i32x4_shuffle(w, w, 1, 3, 1, 3)), &sin_x, &cos_x);
    const d2 c = rounded(cos_x, TRIG_REL, ABS_FLOOR, &doubt);
    const d2 s = rounded(sin_x, TRIG_REL, ABS_FLOOR, &doubt);
    const d2 radius = wasm_f64x2_sqrt(mul(num(-2.0), log_u1));
    const v128_t cf = wasm_f32x4_demote_f64x2_zero(mul(radius, c));
    const v128_t sf = wasm_f32x4_demote_f64x2_zero(mul(radius, s));
    wasm_v128_store(normals + 2 * p, wasm_i32x4_shuffle(cf, sf, 0, 4, 1, 5));
    if (wasm_v128_any_true(doubt)) {
      if (wasm_i64x2_extract_lane(doubt, 0)) unsure[doubtful++] = (uint32_t)p;
      if (wasm_i64x2_extract_lane(doubt, 1) && p + 1 < pairs) unsure[doubtful++] = (uint32_t)(p + 1);
    }
  }
  return doubtful;
}

/* For the checks: a rounded value, or NaN where it was left in doubt. */
static inline d2 or_nan(d2 v, d2 doubt) { return wasm_v128_bitselect(num(__builtin_nan("")), v, doubt); }

/* checked[k] = log(1 − (first + k)/2³²) for k < n ≤ 2·CHUNK (NaN where in doubt), words taken mod 2³². */
__attribute__((export_name("log_words"))) void log_words(uint32_t first, int n) {
  for (int k = 0; k < n; k += 2) {
    d2 doubt = wasm_i64x2_splat(0);
    const d2 v = rounded(log_dd(uniform_u1(wasm_u32x4_make(first + k, first + k + 1, 0, 0))), LOG_REL, ABS_FLOOR, &doubt);
    wasm_v128_store(checked + k, or_nan(v, doubt));
  }
}

/* checked[2k], checked[2k + 1] = sin, cos of 2π·(first + k)/2³² for k < n ≤ CHUNK (NaN where in doubt). */
__attribute__((export_name("sincos_words"))) void sincos_words(uint32_t first, int n) {
  for (int k = 0; k < n; k += 2) {
    struct dd sin_x, cos_x;
    sincos_dd(angle(wasm_u32x4_make(first + k, first + k + 1, 0, 0)), &sin_x, &cos_x);
    d2 doubt = wasm_i64x2_splat(0);
    const d2 s = rounded(sin_x, TRIG_REL, ABS_FLOOR, &doubt);
    const d2 s_or = or_nan(s, doubt);
    doubt = wasm_i64x2_splat(0);
    const d2 c = or_nan(rounded(cos_x, TRIG_REL, ABS_FLOOR, &doubt), doubt);
    wasm_v128_store(checked + 2 * k, wasm_i64x2_shuffle(s_or, c, 0, 2));
    wasm_v128_store(checked + 2 * k + 2, wasm_i64x2_shuffle(s_or, c, 1, 3));
  }
}
