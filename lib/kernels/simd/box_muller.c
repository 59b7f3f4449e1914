/*
 * Box–Muller on two f64 lanes, to the bit of lib/rng.ts's JavaScript loop:
 *
 *   u1 = 1 − a/2³², u2 = b/2³² (a, b: two 32-bit words of the run's stream)
 *   r  = sqrt(−2·log(u1));  out = (float)(r·cos(2π·u2)), (float)(r·sin(2π·u2))
 *
 * V8 (Deno 2.9, V8 15) computes Math.log, Math.cos and Math.sin correctly
 * rounded. This module computes them in plain doubles instead, within a
 * relative error of LOG_ETA and TRIG_ETA of V8's values: bounds measured on
 * every input the noise can give them (each function takes one 32-bit word:
 * tests/exhaustive/box_muller.ts, run it again on a new Deno). From those, a
 * normal's double is within OUT_EPS of the JavaScript loop's relatively (the
 * loop's −2· is exact; its sqrt and its product round once each, as ours do),
 * so where the interval y·(1 ± OUT_EPS) rounds to one float32, that float32 is
 * the loop's. Where it does not (one pair in ~2 million: 25 in 50 million)
 * the pair is listed in `unsure` and the caller computes it with Math.*.
 * log works on f·r − 1 for a tabulated r ≈ 1/f (exact, as u1 has 32
 * significant bits); sin and cos reduce by π/2 in three parts (exact to the
 * last subtraction's rounding) and evaluate fdlibm's kernel polynomials.
 * The tables come from box_muller_tables.py. Built with -ffp-contract=off:
 * nothing is fused.
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

/*
 * The claimed bounds on |ours/V8's − 1| over every word (0 where V8's is 0, which ours then is too); the exhaustive
 * check measures the true maxima and fails if a claim is short. OUT_EPS covers a normal: half of log's (through the
 * square root) plus the angle's, four roundings on each side, and slack for the rounding of y·(1 ± OUT_EPS) itself.
 */
#define LOG_ETA 0x1p-49
#define TRIG_ETA 0x1p-49
#define OUT_EPS (2 * (LOG_ETA / 2 + TRIG_ETA + 8 * 0x1p-53))
__attribute__((export_name("log_eta"))) double log_eta(void) { return LOG_ETA; }
__attribute__((export_name("trig_eta"))) double trig_eta(void) { return TRIG_ETA; }

/* OUT_EPS, or wider for the tests (more pairs left to the caller, to check that path). */
static double out_eps = OUT_EPS;
__attribute__((export_name("widen_doubt"))) void widen_doubt(double eps) { out_eps = eps > OUT_EPS ? eps : OUT_EPS; }

typedef v128_t d2; /* two f64 lanes, or two i64 lanes of bits */

static inline d2 num(double x) { return wasm_f64x2_splat(x); }
static inline d2 raw(uint64_t b) { return wasm_i64x2_splat((int64_t)b); }
static inline d2 add(d2 a, d2 b) { return wasm_f64x2_add(a, b); }
static inline d2 sub(d2 a, d2 b) { return wasm_f64x2_sub(a, b); }
static inline d2 mul(d2 a, d2 b) { return wasm_f64x2_mul(a, b); }
static inline d2 neg_if(d2 x, d2 mask) { return wasm_v128_xor(x, wasm_v128_and(mask, raw(0x8000000000000000ull))); }

/* Two table rows' entry `k` as lanes. */
#define ROWS(table, i0, i1, k) wasm_i64x2_make((int64_t)(table)[i0][k], (int64_t)(table)[i1][k])

/* log(u1) for u1 in [2⁻³², 1] with at most 32 significant bits (exactly 0 at 1). */
static inline d2 log_u(d2 u1) {
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
  d2 q = num(-1.0 / 8);
  q = add(num(1.0 / 7), mul(t, q));
  q = add(num(-1.0 / 6), mul(t, q));
  q = add(num(1.0 / 5), mul(t, q));
  q = add(num(-1.0 / 4), mul(t, q));
  q = add(num(1.0 / 3), mul(t, q));
  const d2 tail = mul(mul(t, t), sub(mul(t, q), num(0.5))); /* log1p(t) − t */
  const d2 head = add(mul(ed, raw(LN2_HI)), t_hi);           /* e·LN2_HI is exact */
  return add(head, add(t, add(tail, add(mul(ed, raw(LN2_LO)), t_lo))));
}

/* sin and cos of x in [0, 2π) (exactly 0 and 1 at 0). */
static inline void sincos_x(d2 x, d2* sin_x, d2* cos_x) {
  /* r = x − n·π/2, |r| ≤ π/4 (+ rounding): x − n·P1 and its − n·P2 are exact where r is small */
  const d2 n = wasm_f64x2_floor(add(mul(x, raw(INV_PIO2)), num(0.5)));
  const d2 r = sub(sub(sub(x, mul(n, raw(PIO2_1))), mul(n, raw(PIO2_2))), mul(n, raw(PIO2_3)));
  const d2 z = mul(r, r);
  /* fdlibm's __kernel_sin and __kernel_cos (without their tail terms) on |r| ≤ π/4 */
  d2 sp = num(1.58969099521155010221e-10);
  sp = add(num(-2.50507602534068634195e-08), mul(z, sp));
  sp = add(num(2.75573137070700676789e-06), mul(z, sp));
  sp = add(num(-1.98412698298579493134e-04), mul(z, sp));
  sp = add(num(8.33333333332248946124e-03), mul(z, sp));
  const d2 sin_r = add(r, mul(mul(z, r), add(num(-1.66666666666666324348e-01), mul(z, sp))));
  d2 cp = num(-1.13596475577881948265e-11);
  cp = add(num(2.08757232129817482790e-09), mul(z, cp));
  cp = add(num(-2.75573143513906633035e-07), mul(z, cp));
  cp = add(num(2.48015872894767294178e-05), mul(z, cp));
  cp = add(num(-1.38888888888741095749e-03), mul(z, cp));
  cp = add(num(4.16666666666666019037e-02), mul(z, cp));
  const d2 cos_r = sub(num(1.0), sub(mul(num(0.5), z), mul(mul(z, z), cp)));
  /* quadrant n mod 4: sin x = sin r, cos r, −sin r, −cos r; cos x = cos r, −sin r, −cos r, sin r */
  const d2 q = wasm_v128_and(add(n, num(4503599627370496.0)), raw(3));
  const d2 swap = wasm_i64x2_eq(wasm_v128_and(q, raw(1)), raw(1));
  const d2 neg_sin = wasm_i64x2_eq(wasm_v128_and(q, raw(2)), raw(2));
  const d2 neg_cos = wasm_i64x2_eq(wasm_v128_and(wasm_i64x2_add(q, raw(1)), raw(2)), raw(2));
  *sin_x = neg_if(wasm_v128_bitselect(cos_r, sin_r, swap), neg_sin);
  *cos_x = neg_if(wasm_v128_bitselect(sin_r, cos_r, swap), neg_cos);
}

/* u1 = 1 − a/2³² and x = 2π·b/2³² as JavaScript computes them, from two words each in lanes 0 and 1. */
static inline d2 uniform_u1(v128_t a) { return sub(num(1.0), mul(wasm_f64x2_convert_low_u32x4(a), num(0x1p-32))); }
static inline d2 angle(v128_t b) { return mul(num(2 * 3.141592653589793), mul(wasm_f64x2_convert_low_u32x4(b), num(0x1p-32))); }

/*
 * A normal's double `y` demoted to float32 (in lanes 0 and 1), and a mask of the lanes where the interval
 * y·(1 ± eps) holds a float32 rounding boundary: there the loop's float32 could be the other one.
 */
static inline v128_t to_float(d2 y, d2 up_by, d2 down_by, d2* doubt) {
  const v128_t f = wasm_f32x4_demote_f64x2_zero(y);
  const v128_t up = wasm_f32x4_demote_f64x2_zero(mul(y, up_by));
  const v128_t down = wasm_f32x4_demote_f64x2_zero(mul(y, down_by));
  const v128_t differ = wasm_v128_or(wasm_i32x4_ne(f, up), wasm_i32x4_ne(f, down));
  *doubt = wasm_v128_or(*doubt, wasm_i32x4_shuffle(differ, differ, 0, 0, 1, 1));
  return f;
}

/*
 * The normals of `pairs` pairs of words (a, b) in `words` into `normals`;
 * returns how many pairs were left in doubt, their indices in `unsure`.
 */
__attribute__((export_name("box_muller"))) int box_muller(int pairs) {
  int doubtful = 0;
  const d2 up_by = num(1.0 + out_eps), down_by = num(1.0 - out_eps);
  if (pairs & 1) words[2 * pairs] = words[2 * pairs + 1] = 0;
  for (int p = 0; p < pairs; p += 2) {
    const v128_t w = wasm_v128_load(words + 2 * p);
    d2 sin_x, cos_x, doubt = wasm_i64x2_splat(0);
    const d2 radius = wasm_f64x2_sqrt(mul(num(-2.0), log_u(uniform_u1(wasm_i32x4_shuffle(w, w, 0, 2, 0, 2)))));
    sincos_x(angle(wasm_i32x4_shuffle(w, w, 1, 3, 1, 3)), &sin_x, &cos_x);
    const v128_t cf = to_float(mul(radius, cos_x), up_by, down_by, &doubt);
    const v128_t sf = to_float(mul(radius, sin_x), up_by, down_by, &doubt);
    wasm_v128_store(normals + 2 * p, wasm_i32x4_shuffle(cf, sf, 0, 4, 1, 5));
    if (wasm_v128_any_true(doubt)) {
      if (wasm_i64x2_extract_lane(doubt, 0)) unsure[doubtful++] = (uint32_t)p;
      if (wasm_i64x2_extract_lane(doubt, 1) && p + 1 < pairs) unsure[doubtful++] = (uint32_t)(p + 1);
    }
  }
  return doubtful;
}

/* checked[k] = log(1 − (first + k)/2³²) for k < n ≤ 2·CHUNK, words taken mod 2³². */
__attribute__((export_name("log_words"))) void log_words(uint32_t first, int n) {
  for (int k = 0; k < n; k += 2) {
    wasm_v128_store(checked + k, log_u(uniform_u1(wasm_u32x4_make(first + k, first + k + 1, 0, 0))));
  }
}

/* checked[2k], checked[2k + 1] = sin, cos of 2π·(first + k)/2³² for k < n ≤ CHUNK. */
__attribute__((export_name("sincos_words"))) void sincos_words(uint32_t first, int n) {
  for (int k = 0; k < n; k += 2) {
    d2 s, c;
    sincos_x(angle(wasm_u32x4_make(first + k, first + k + 1, 0, 0)), &s, &c);
    wasm_v128_store(checked + 2 * k, wasm_i64x2_shuffle(s, c, 0, 2));
    wasm_v128_store(checked + 2 * k + 2, wasm_i64x2_shuffle(s, c, 1, 3));
  }
}
