/* The transform kernels and tree drivers, built once per ISA: wavelet.c
 * includes this file with WAVELET_ISA c, x86/wavelet_avx2.c with avx2 (and
 * -mavx2 -ffp-contract=off, so that the vectorised loops do the same IEEE
 * operations in the same order: the results are bit-identical).
 * Everything is static except ISA_FN(wavelet_run_f) and ISA_FN(wavelet_run_i). */
#include <stdint.h>
#include <string.h>

#include "wavelet/wavelet.h"
#include "wavelet/wavelet_isa.h"

#ifndef WAVELET_ISA
#error "define WAVELET_ISA before including wavelet_impl.c"
#endif
#define ISA_FN2(n, isa) n##_##isa
#define ISA_FN1(n, isa) ISA_FN2(n, isa)
#define ISA_FN(n) ISA_FN1(n, WAVELET_ISA)

enum { OP_FWD = WAVELET_OP_FWD, OP_INV = WAVELET_OP_INV, OP_FWD_T = WAVELET_OP_FWD_T, OP_INV_T = WAVELET_OP_INV_T };

/* A lifting scheme on an interleaved line: step k adds
 * a * x[i-1] + b * x[i+1] to every x[i] with i % 2 == parity; then the even
 * (low) samples are scaled by klo and the odd (high) ones by khi. */
typedef struct LiftStep {
    int parity;
    float a, b;
} LiftStep;

typedef struct Lift {
    int nsteps;
    LiftStep step[4];
    float klo, khi, rklo, rkhi;   /* rk = 1 / k */
} Lift;

#define SQRT2 1.41421356237309504880f
#define RSQRT2 0.70710678118654752440f
/* CDF 9/7 lifting factorization (Daubechies & Sweldens 1998; JPEG 2000). */
#define CDF97_ALPHA (-1.586134342059924f)
#define CDF97_BETA (-0.052980118572961f)
#define CDF97_GAMMA 0.882911075530934f
#define CDF97_DELTA 0.443506852043971f
#define CDF97_ZETA 1.149604398860241f   /* sqrt2 / (low DC gain after the steps, 1.2301741) */

static const Lift lift_haar = {
    2, { { 1, -1.0f, 0.0f }, { 0, 0.0f, 0.5f } }, SQRT2, RSQRT2, RSQRT2, SQRT2,
};
static const Lift lift_cdf97 = {
    4,
    { { 1, CDF97_ALPHA, CDF97_ALPHA }, { 0, CDF97_BETA, CDF97_BETA },
      { 1, CDF97_GAMMA, CDF97_GAMMA }, { 0, CDF97_DELTA, CDF97_DELTA } },
    CDF97_ZETA, 1.0f / CDF97_ZETA, 1.0f / CDF97_ZETA, CDF97_ZETA,
};
static const Lift lift_legall53 = {
    2, { { 1, -0.5f, -0.5f }, { 0, 0.25f, 0.25f } }, SQRT2, RSQRT2, RSQRT2, SQRT2,
};

/* Whole-sample symmetric extension of index i (any integer) into [0, n). */
static inline int sym_ext(int i, int n)
{
    if (n == 1)
        return 0;
    const int p = 2 * (n - 1);
    i %= p;
    if (i < 0)
        i += p;
    return i < n ? i : p - i;
}


/* ---- float lines, deinterleaved ----
 * A line of n >= 2 samples is held as lo = its even samples (nl = ceil(n/2))
 * and hi = its odd samples (nh = floor(n/2)). A lifting step of parity 1
 * updates hi from lo, one of parity 0 updates lo from hi:
 *   t[i] += a * src[c(i + o)] + b * src[c(i + o + 1)]
 * with o = 0 (parity 1) or -1 (parity 0) and c() clamping to [0, ns): on the
 * deinterleaved line, whole-sample symmetric extension is exactly that
 * clamp (x[-1] = x[1] = hi[0]; x[n] = x[n-2]). */

static inline int clampi(int i, int n)
{
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

static void dstep_f(float *restrict t, int nt, float *restrict src, int ns, int o, float a, float b, int transpose)
{
    int i0 = -o, i1 = ns - 1 - o;   /* [i0, i1): both taps inside */
    i0 = i0 < nt ? i0 : nt;
    i1 = i1 < nt ? i1 : nt;
    i1 = i1 > i0 ? i1 : i0;
    for (int i = 0; i < nt; i++) {
        if (i == i0) {
            i = i1;
            if (i >= nt)
                break;
        }
        const int l = clampi(i + o, ns), r = clampi(i + o + 1, ns);
        if (!transpose) {
            t[i] += a * src[l] + b * src[r];
        } else {
            src[l] += a * t[i];
            src[r] += b * t[i];
        }
    }
    float *const s0 = src + o, *const s1 = src + o + 1;
    if (!transpose) {
        for (int i = i0; i < i1; i++)
            t[i] += a * s0[i] + b * s1[i];
    } else {
        for (int i = i0; i < i1; i++)
            s0[i] += a * t[i];
        for (int i = i0; i < i1; i++)
            s1[i] += b * t[i];
    }
}

static void dscale_f(float *x, int n, float k)
{
    for (int i = 0; i < n; i++)
        x[i] *= k;
}

static void dstep_k(const LiftStep *st, float *lo, int nl, float *hi, int nh, float sign, int transpose)
{
    if (st->parity)
        dstep_f(hi, nh, lo, nl, 0, sign * st->a, sign * st->b, transpose);
    else
        dstep_f(lo, nl, hi, nh, -1, sign * st->a, sign * st->b, transpose);
}

static void dline_f(const Lift *L, float *lo, int nl, float *hi, int nh, int mode)
{
    const int K = L->nsteps;
    switch (mode) {
    case OP_FWD:
        for (int k = 0; k < K; k++)
            dstep_k(&L->step[k], lo, nl, hi, nh, 1.0f, 0);
        dscale_f(lo, nl, L->klo);
        dscale_f(hi, nh, L->khi);
        break;
    case OP_INV:
        dscale_f(lo, nl, L->rklo);
        dscale_f(hi, nh, L->rkhi);
        for (int k = K - 1; k >= 0; k--)
            dstep_k(&L->step[k], lo, nl, hi, nh, -1.0f, 0);
        break;
    case OP_FWD_T:
        dscale_f(lo, nl, L->klo);
        dscale_f(hi, nh, L->khi);
        for (int k = K - 1; k >= 0; k--)
            dstep_k(&L->step[k], lo, nl, hi, nh, 1.0f, 1);
        break;
    default: /* OP_INV_T */
        for (int k = 0; k < K; k++)
            dstep_k(&L->step[k], lo, nl, hi, nh, -1.0f, 1);
        dscale_f(lo, nl, L->rklo);
        dscale_f(hi, nh, L->rkhi);
        break;
    }
}

/* ---- float columns: n rows of v lanes, row stride st ---- */

static void axpby(float *restrict t, const float *restrict l, const float *restrict r, int v, float a, float b)
{
    for (int k = 0; k < v; k++)
        t[k] += a * l[k] + b * r[k];
}

static void axpy(float *restrict y, const float *restrict x, int v, float a)
{
    for (int k = 0; k < v; k++)
        y[k] += a * x[k];
}

static void scal(float *y, int v, float a)
{
    for (int k = 0; k < v; k++)
        y[k] *= a;
}

static void step_cols(float *x, ptrdiff_t st, int n, int v, int p, float a, float b, int transpose)
{
    for (int i = p; i < n; i += 2) {
        float *t = x + i * st;
        float *l = x + (i == 0 ? 1 : i - 1) * st;
        float *r = x + (i + 1 < n ? i + 1 : n - 2) * st;
        if (!transpose) {
            axpby(t, l, r, v, a, b);
        } else {
            axpy(l, t, v, a);
            axpy(r, t, v, b);
        }
    }
}

static void scale_cols(float *x, ptrdiff_t st, int n, int v, float klo, float khi)
{
    for (int i = 0; i < n; i++)
        scal(x + i * st, v, i & 1 ? khi : klo);
}

static void cols_op(const Lift *L, float *x, ptrdiff_t st, int n, int v, int mode)
{
    if (n < 2)
        return;
    const int K = L->nsteps;
    switch (mode) {
    case OP_FWD:
        for (int k = 0; k < K; k++)
            step_cols(x, st, n, v, L->step[k].parity, L->step[k].a, L->step[k].b, 0);
        scale_cols(x, st, n, v, L->klo, L->khi);
        break;
    case OP_INV:
        scale_cols(x, st, n, v, L->rklo, L->rkhi);
        for (int k = K - 1; k >= 0; k--)
            step_cols(x, st, n, v, L->step[k].parity, -L->step[k].a, -L->step[k].b, 0);
        break;
    case OP_FWD_T:
        scale_cols(x, st, n, v, L->klo, L->khi);
        for (int k = K - 1; k >= 0; k--)
            step_cols(x, st, n, v, L->step[k].parity, L->step[k].a, L->step[k].b, 1);
        break;
    default: /* OP_INV_T */
        for (int k = 0; k < K; k++)
            step_cols(x, st, n, v, L->step[k].parity, -L->step[k].a, -L->step[k].b, 1);
        scale_cols(x, st, n, v, L->rklo, L->rkhi);
        break;
    }
}

static void cols_f(const Lift *L, float *p, ptrdiff_t st, int w, int h, int mode)
{
    cols_op(L, p, st, h, w, mode);
}

/* ---- integer 5/3 ----
 * floor((l + r + add) / 2^sh) is computed with >> on int32, an arithmetic
 * shift with every compiler we build with (GCC, Clang, MSVC); the sum fits
 * in int32 within the range documented in wavelet.h. */

static void dstep_i(int32_t *restrict t, int nt, const int32_t *restrict src, int ns, int o, int sign, int add,
                    int sh)
{
    int i0 = -o, i1 = ns - 1 - o;
    i0 = i0 < nt ? i0 : nt;
    i1 = i1 < nt ? i1 : nt;
    i1 = i1 > i0 ? i1 : i0;
    for (int i = 0; i < nt; i++) {
        if (i == i0) {
            i = i1;
            if (i >= nt)
                break;
        }
        const int32_t v = (src[clampi(i + o, ns)] + src[clampi(i + o + 1, ns)] + add) >> sh;
        t[i] += sign > 0 ? v : -v;
    }
    const int32_t *const s0 = src + o, *const s1 = src + o + 1;
    if (sign > 0)
        for (int i = i0; i < i1; i++)
            t[i] += (s0[i] + s1[i] + add) >> sh;
    else
        for (int i = i0; i < i1; i++)
            t[i] -= (s0[i] + s1[i] + add) >> sh;
}

static void dline_i(const Lift *L, int32_t *lo, int nl, int32_t *hi, int nh, int mode)
{
    (void)L;
    if (mode == OP_FWD) {
        dstep_i(hi, nh, lo, nl, 0, -1, 0, 1);
        dstep_i(lo, nl, hi, nh, -1, 1, 2, 2);
    } else {
        dstep_i(lo, nl, hi, nh, -1, -1, 2, 2);
        dstep_i(hi, nh, lo, nl, 0, 1, 0, 1);
    }
}

static void istep_cols(int32_t *x, ptrdiff_t st, int n, int v, int p, int sign, int add, int sh)
{
    for (int i = p; i < n; i += 2) {
        int32_t *restrict t = x + i * st;
        const int32_t *l = x + (i == 0 ? 1 : i - 1) * st;
        const int32_t *r = x + (i + 1 < n ? i + 1 : n - 2) * st;
        if (sign > 0)
            for (int k = 0; k < v; k++)
                t[k] += (l[k] + r[k] + add) >> sh;
        else
            for (int k = 0; k < v; k++)
                t[k] -= (l[k] + r[k] + add) >> sh;
    }
}

static void cols_i(const Lift *L, int32_t *p, ptrdiff_t st, int w, int h, int mode)
{
    (void)L;
    if (h < 2)
        return;
    if (mode == OP_FWD) {
        istep_cols(p, st, h, w, 1, -1, 0, 1);
        istep_cols(p, st, h, w, 0, 1, 2, 2);
    } else {
        istep_cols(p, st, h, w, 0, -1, 2, 2);
        istep_cols(p, st, h, w, 1, 1, 0, 1);
    }
}

/* ---- tree drivers ---- */

#define T float
#define FN(x) x##_f
#include "wavelet/wavelet_tmpl.c"
#undef T
#undef FN

#define T int32_t
#define FN(x) x##_i
#include "wavelet/wavelet_tmpl.c"
#undef T
#undef FN

/* ---- entry points of this ISA (arguments checked by wavelet.c) ---- */

void ISA_FN(wavelet_run_f)(const WaveletSpec *s, const float *in, float *out, void *ws, int op)
{
    const Lift *L = s->kind == WAVELET_HAAR ? &lift_haar : s->kind == WAVELET_CDF97 ? &lift_cdf97 : &lift_legall53;
    if (op == OP_FWD || op == OP_INV_T)
        analysis_f(L, s, in, out, ws, op);
    else
        synthesis_f(L, s, in, out, ws, op);
}

void ISA_FN(wavelet_run_i)(const WaveletSpec *s, const int32_t *in, int32_t *out, void *ws, int op)
{
    if (op == OP_FWD)
        analysis_i(NULL, s, in, out, ws, op);
    else
        synthesis_i(NULL, s, in, out, ws, op);
}
