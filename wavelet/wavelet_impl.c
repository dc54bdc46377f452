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

/* ---- 2D full packet, float: two passes ----
 * A J-level 2D full packet transform factorizes into the J-level 1D packet
 * transform of every row followed by the J-level 1D packet transform of
 * every column (operators on different axes commute, and every level
 * splits every band). So the padded plane A (pw x ph) goes through two
 * cache-friendly passes instead of 2 J: all J levels on VL rows at a time
 * (transposed into a buffer of pw samples x VL lanes), then all J levels
 * on VL columns at a time (ph samples x VL lanes), each lifting step
 * vectorized across the lanes. The levels are done in place: level j
 * (0-based) lifts every subsequence of stride 2^j (whole-sample symmetric
 * extension on each, as cols_op does), so sample i ends up in band
 * bitrev_J(i mod 2^J) at index i >> J; the row pass stores the rows in
 * band order, the column pass scatters into the coefficient layout. The
 * per-sample float operations are those of cols_op, whatever VL is: every
 * ISA build gives bit-identical results. (They differ from the per-level
 * path of analysis_f/synthesis_f, which interleaves the axes level by
 * level, at the float-rounding level only.) */

#ifndef WAVELET_LANES
#define WAVELET_LANES 8
#endif
#define VL WAVELET_LANES

#if defined(__GNUC__)
/* One sample of VL lanes as a GCC vector (any alignment): the compiler
 * lowers it to the ISA's registers (two SSE ones for the C build), each
 * lane doing the scalar operations of the loops below. */
typedef float LaneVec __attribute__((vector_size(VL * sizeof(float)), aligned(4), may_alias));

static inline void lanes_axpby(float *t, const float *l, const float *r, float a, float b)
{
    LaneVec *const vt = (LaneVec *)t;
    *vt = *vt + (a * *(const LaneVec *)l + b * *(const LaneVec *)r);
}

static inline void lanes_axpy(float *y, const float *x, float a)
{
    LaneVec *const vy = (LaneVec *)y;
    *vy = *vy + a * *(const LaneVec *)x;
}

static inline void lanes_scal(float *y, float a)
{
    LaneVec *const vy = (LaneVec *)y;
    *vy = *vy * a;
}
#else
static inline void lanes_axpby(float *t, const float *l, const float *r, float a, float b)
{
    for (int k = 0; k < VL; k++)
        t[k] += a * l[k] + b * r[k];
}

static inline void lanes_axpy(float *y, const float *x, float a)
{
    for (int k = 0; k < VL; k++)
        y[k] += a * x[k];
}

static inline void lanes_scal(float *y, float a)
{
    for (int k = 0; k < VL; k++)
        y[k] *= a;
}
#endif

/* step_cols / scale_cols on n samples of VL lanes, sample i at x + i * st
 * (the same operations in the same order; the boundary samples, whose
 * mirrored neighbour is inside, are peeled off the loop). */
static void lanes_step(float *x, ptrdiff_t st, int n, int p, float a, float b, int transpose)
{
    int i = p;
    if (i == 0) {   /* x[-1] = x[1] */
        if (!transpose) {
            lanes_axpby(x, x + st, x + (1 < n ? 1 : n - 2) * st, a, b);
        } else {
            lanes_axpy(x + st, x, a);
            lanes_axpy(x + (1 < n ? 1 : n - 2) * st, x, b);
        }
        i = 2;
    }
    for (; i + 1 < n; i += 2) {
        float *t = x + i * st;
        if (!transpose) {
            lanes_axpby(t, t - st, t + st, a, b);
        } else {
            lanes_axpy(t - st, t, a);
            lanes_axpy(t + st, t, b);
        }
    }
    if (i < n) {   /* i = n - 1: x[n] = x[n - 2] */
        float *t = x + i * st;
        if (!transpose) {
            lanes_axpby(t, t - st, x + (n - 2) * st, a, b);
        } else {
            lanes_axpy(t - st, t, a);
            lanes_axpy(x + (n - 2) * st, t, b);
        }
    }
}

static void lanes_scale(float *x, ptrdiff_t st, int n, float klo, float khi)
{
    for (int i = 0; i < n; i += 2) {
        lanes_scal(x + i * st, klo);
        lanes_scal(x + (i + 1) * st, khi);   /* n is even */
    }
}

/* OP_FWD (the steps, then the scaling) or OP_INV (the scaling, then the
 * steps reversed and negated) in one sweep instead of one per step, for a
 * lifting whose step parities alternate (all of ours): at sweep position
 * q, step k lifts sample 2q + p0 - k, whose neighbours step k - 1 has
 * already lifted and step k + 1 has not yet read. Every sample gets the
 * same operations on the same operands as in the step-by-step order, so
 * the results are identical; only the memory traffic changes. */
/* cols_op with v = VL on an even number n >= 2 of samples. */
static void lanes_op(const Lift *L, float *x, ptrdiff_t st, int n, int mode)
{
    const int K = L->nsteps;
    switch (mode) {
    case OP_FWD:
        for (int k = 0; k < K; k++)
            lanes_step(x, st, n, L->step[k].parity, L->step[k].a, L->step[k].b, 0);
        lanes_scale(x, st, n, L->klo, L->khi);
        break;
    case OP_INV:
        lanes_scale(x, st, n, L->rklo, L->rkhi);
        for (int k = K - 1; k >= 0; k--)
            lanes_step(x, st, n, L->step[k].parity, -L->step[k].a, -L->step[k].b, 0);
        break;
    case OP_FWD_T:
        lanes_scale(x, st, n, L->klo, L->khi);
        for (int k = K - 1; k >= 0; k--)
            lanes_step(x, st, n, L->step[k].parity, L->step[k].a, L->step[k].b, 1);
        break;
    default: /* OP_INV_T */
        for (int k = 0; k < K; k++)
            lanes_step(x, st, n, L->step[k].parity, -L->step[k].a, -L->step[k].b, 1);
        lanes_scale(x, st, n, L->rklo, L->rkhi);
        break;
    }
}

/* All J levels in place on n = m 2^J samples of VL lanes, sample i at
 * b + i * ss: levels 0..J-1 for analysis modes, J-1..0 for synthesis modes. */
static void lanes_packet(const Lift *L, float *b, ptrdiff_t ss, int n, int J, int mode)
{
    const int analysis = mode == OP_FWD || mode == OP_INV_T;
    for (int jj = 0; jj < J; jj++) {
        const int j = analysis ? jj : J - 1 - jj, s = 1 << j;
        for (int r = 0; r < s; r++)
            lanes_op(L, b + r * ss, s * ss, n >> j, mode);
    }
}

static int bitrev(int i, int J)
{
    int r = 0;
    for (int j = 0; j < J; j++)
        r |= ((i >> j) & 1) << (J - 1 - j);
    return r;
}

static size_t spread2(int i)   /* bit k of i -> bit 2k */
{
    size_t r = 0;
    for (int k = 0; i >> k; k++)
        r |= (size_t)((i >> k) & 1) << (2 * k);
    return r;
}

typedef struct Packet2 {
    int J, mw, mh, pw, ph;
    /* A: the plane between the passes, column-strip major: column c of row
     * y at A[(c / VL) * ph * VL + y * VL + c % VL], so that a strip of VL
     * columns is the contiguous ph x VL block the column pass lifts in
     * place. B: a natural plane (forward adjoint). buf: the row buffer. */
    float *A, *B, *buf;
    size_t *pcol;     /* pw: row sample i -> column of A in band order */
    size_t *coloff;   /* pw: column of A (band order) -> offset in the coefficient plane */
    size_t *rowoff;   /* ph: column sample i -> offset in the coefficient plane */
} Packet2;

static inline float *a_at(const Packet2 *P, int y, int c)
{
    return P->A + (size_t)(c / VL) * P->ph * VL + (size_t)y * VL + c % VL;
}

static void packet2_init(Packet2 *P, const WaveletSpec *s, float *ws)
{
    const int J = s->levels;
    P->J = J;
    P->mw = wavelet_band_size(s->width, J);
    P->mh = wavelet_band_size(s->height, J);
    P->pw = P->mw << J;
    P->ph = P->mh << J;
    const size_t plane = (size_t)P->pw * P->ph, bsz = (size_t)P->mw * P->mh;
    const int nmax = P->pw > P->ph ? P->pw : P->ph;
    /* A and buf on 64-byte boundaries (the workspace has the slack) */
    const size_t astrips = (size_t)((P->pw + VL - 1) / VL) * P->ph * VL;
    P->A = (float *)(void *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    P->B = P->A + ((astrips + 15) & ~(size_t)15);
    P->buf = P->B + ((plane + 15) & ~(size_t)15);
    P->pcol = (size_t *)(void *)(P->buf + (size_t)nmax * WAVELET_MAX_LANES);
    P->coloff = P->pcol + P->pw;
    P->rowoff = P->coloff + P->pw;
    const int mask = (1 << J) - 1;
    for (int i = 0; i < P->pw; i++) {
        P->pcol[i] = (size_t)bitrev(i & mask, J) * P->mw + (size_t)(i >> J);
        P->coloff[i] = 2 * spread2(i / P->mw) * bsz + (size_t)(i % P->mw);
    }
    for (int i = 0; i < P->ph; i++)
        P->rowoff[i] = spread2(bitrev(i & mask, J)) * bsz + (size_t)(i >> J) * P->mw;
}

/* dst[j * ds + k] = src[k * ss + j] for j, k < 8 (an 8 x 8 transpose). */
#if defined(__AVX2__)
#include <immintrin.h>
static inline void transpose8(const float *src, ptrdiff_t ss, float *dst, ptrdiff_t ds)
{
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ss), r2 = _mm256_loadu_ps(src + 2 * ss),
           r3 = _mm256_loadu_ps(src + 3 * ss), r4 = _mm256_loadu_ps(src + 4 * ss),
           r5 = _mm256_loadu_ps(src + 5 * ss), r6 = _mm256_loadu_ps(src + 6 * ss),
           r7 = _mm256_loadu_ps(src + 7 * ss);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#else
static inline void transpose8(const float *src, ptrdiff_t ss, float *dst, ptrdiff_t ds)
{
    for (int j = 0; j < 8; j++)
        for (int k = 0; k < 8; k++)
            dst[j * ds + k] = src[k * ss + j];
}
#endif

/* transpose8 with the 8 source rows (p) or destination rows (q) given
 * by pointers, at column offset o. */
static inline void transpose8p(float *const sp[8], ptrdiff_t o, float *dst, ptrdiff_t ds)
{
    float t[64];
    for (int k = 0; k < 8; k++)
        memcpy(t + 8 * k, sp[k] + o, 8 * sizeof(float));
    transpose8(t, 8, dst, ds);
}

static inline void transpose8q(const float *src, ptrdiff_t ss, float *const dp[8], ptrdiff_t o)
{
    float t[64];
    transpose8(src, ss, t, 8);
    for (int k = 0; k < 8; k++)
        memcpy(dp[k] + o, t + 8 * k, 8 * sizeof(float));
}

/* Rows y0..y0+v-1 of A in band order <-> the row buffer: row sample i
 * (after the in-place levels) is column pcol[i] = bitrev(i mod 2^J) * mw +
 * (i >> J) of A. Lanes >= v of the buffer are zeroed when loading. Pure
 * data movement. */
static void rows_band(const Packet2 *P, int y0, int v, int to_buf)
{
    float *const buf = P->buf;
    const int S = 1 << P->J, m = P->mw;
    const ptrdiff_t bs = (ptrdiff_t)S * VL;
    if (to_buf && v < VL)
        memset(buf, 0, (size_t)P->pw * VL * sizeof(*buf));
    for (int r = 0; r < S; r++) {
        /* samples i = r + k S, k < m, at columns c0 + k */
        const int c0 = (int)P->pcol[r];
        const int m8 = v == VL && c0 % 8 == 0 ? m & ~7 : 0;
        for (int k = 0; k < m8; k += 8)
            for (int l0 = 0; l0 < VL; l0 += 8) {
                float *const a = a_at(P, y0 + l0, c0 + k), *const b = buf + ((ptrdiff_t)r + (ptrdiff_t)k * S) * VL + l0;
                if (to_buf)
                    transpose8(a, VL, b, bs);
                else
                    transpose8(b, bs, a, VL);
            }
        for (int k = m8; k < m; k++)
            for (int l = 0; l < v; l++) {
                float *const a = a_at(P, y0 + l, c0 + k), *const b = buf + ((ptrdiff_t)r + (ptrdiff_t)k * S) * VL + l;
                if (to_buf)
                    *b = *a;
                else
                    *a = *b;
            }
    }
}

/* Natural-order rows <-> the row buffer, with the padding (analysis) or
 * the crop (synthesis) folded in: lane l is row rp[l] (NULL: a row of
 * zeros when loading, skipped when storing), of which columns [0, w) are
 * real; when loading, columns [w, pw) are the whole-sample symmetric
 * extension (zero_ext: zeros), when storing they are dropped. */
static void rows_io(const Packet2 *P, float *const rp[VL], int w, int to_buf, int zero_ext)
{
    float *const buf = P->buf;
    const int pw = P->pw, w8 = w & ~7;
    for (int l0 = 0; l0 < VL; l0 += 8) {
        int full = 1;
        for (int l = l0; l < l0 + 8; l++)
            full &= rp[l] != NULL;
        if (full) {
            for (int i = 0; i < w8; i += 8) {
                if (to_buf)
                    transpose8p(rp + l0, i, buf + (ptrdiff_t)i * VL + l0, VL);
                else
                    transpose8q(buf + (ptrdiff_t)i * VL + l0, VL, rp + l0, i);
            }
        }
        for (int l = l0; l < l0 + 8; l++) {
            float *const r = rp[l];
            if (!to_buf) {
                if (r)
                    for (int i = full ? w8 : 0; i < w; i++)
                        r[i] = buf[(ptrdiff_t)i * VL + l];
                continue;
            }
            for (int i = r && full ? w8 : 0; i < pw; i++)
                buf[(ptrdiff_t)i * VL + l] = !r || (i >= w && zero_ext) ? 0.0f : i < w ? r[i] : r[sym_ext(i, w)];
        }
    }
}

/* The row pass. Analysis: signal rows (in, w x h, padded on the fly) ->
 * A in band order. Synthesis: A in band order -> out (w x h, cropped), or
 * -> B (pw x ph) if out is NULL. */
static void packet2_rows(const Lift *L, const Packet2 *P, const float *in, float *out, int w, int h, int mode)
{
    const int analysis = mode == OP_FWD || mode == OP_INV_T;
    float *rp[VL];
    for (int y0 = 0; y0 < P->ph; y0 += VL) {
        const int v = P->ph - y0 < VL ? P->ph - y0 : VL;
        if (analysis) {
            for (int l = 0; l < VL; l++) {
                const int y = y0 + l;
                rp[l] = y >= P->ph || (y >= h && mode == OP_INV_T) ? NULL
                                                                     : (float *)(in + (size_t)sym_ext(y, h) * w);
            }
            rows_io(P, rp, w, 1, mode == OP_INV_T);
            lanes_packet(L, P->buf, VL, P->pw, P->J, mode);
            rows_band(P, y0, v, 0);
        } else {
            rows_band(P, y0, v, 1);
            lanes_packet(L, P->buf, VL, P->pw, P->J, mode);
            for (int l = 0; l < VL; l++) {
                const int y = y0 + l;
                rp[l] = y >= P->ph ? NULL : !out ? P->B + (size_t)y * P->pw : y < h ? out + (size_t)y * w : NULL;
            }
            rows_io(P, rp, out ? w : P->pw, 0, 0);
        }
    }
}

/* The column pass: analysis A -> coefficients X, synthesis X -> A, one
 * strip of VL columns (a contiguous block of A) at a time, lifted in place
 * (the lanes past the last column are zeroed and ignored). */
static void packet2_cols(const Lift *L, const Packet2 *P, const float *Xin, float *Xout, int mode)
{
    const int analysis = mode == OP_FWD || mode == OP_INV_T;
    for (int x0 = 0; x0 < P->pw; x0 += VL) {
        const int v = P->pw - x0 < VL ? P->pw - x0 : VL;
        /* lanes contiguous in the coefficient plane (one band) */
        const int contig = v == VL && x0 / P->mw == (x0 + VL - 1) / P->mw;
        const size_t *const co = P->coloff + x0;
        float *const b0 = a_at(P, 0, x0);
        if (analysis) {
            if (v < VL)
                for (int i = 0; i < P->ph; i++)
                    memset(b0 + (size_t)i * VL + v, 0, (size_t)(VL - v) * sizeof(float));
            lanes_packet(L, b0, VL, P->ph, P->J, mode);
            for (int i = 0; i < P->ph; i++) {
                const float *b = b0 + (size_t)i * VL;
                float *d = Xout + P->rowoff[i];
                if (contig) {
                    memcpy(d + co[0], b, VL * sizeof(*b));
                } else {
                    for (int l = 0; l < v; l++)
                        d[co[l]] = b[l];
                }
            }
        } else {
            for (int i = 0; i < P->ph; i++) {
                float *b = b0 + (size_t)i * VL;
                const float *d = Xin + P->rowoff[i];
                if (contig) {
                    memcpy(b, d + co[0], VL * sizeof(*b));
                } else {
                    for (int l = 0; l < v; l++)
                        b[l] = d[co[l]];
                    for (int l = v; l < VL; l++)
                        b[l] = 0;
                }
            }
            lanes_packet(L, b0, VL, P->ph, P->J, mode);
        }
    }
}

/* 2D packet, J >= 1: OP_FWD / OP_INV_T (x signal -> X coefficients) or
 * OP_INV / OP_FWD_T (X -> x). */
static void packet2_run(const Lift *L, const WaveletSpec *s, const float *in, float *out, float *ws, int mode)
{
    Packet2 P;
    packet2_init(&P, s, ws);
    const int w = s->width, h = s->height;
    const size_t sig = (size_t)w * h, plane = (size_t)P.pw * P.ph;
    const int analysis = mode == OP_FWD || mode == OP_INV_T;
    for (int c = 0; c < s->channels; c++) {
        if (analysis) {
            packet2_rows(L, &P, in + c * sig, NULL, w, h, mode);
            packet2_cols(L, &P, NULL, out + c * plane, mode);
        } else {
            packet2_cols(L, &P, in + c * plane, NULL, mode);
            if (mode == OP_INV) {
                packet2_rows(L, &P, NULL, out + c * sig, w, h, mode);
            } else {   /* the transpose of the padding: fold */
                packet2_rows(L, &P, NULL, NULL, w, h, mode);
                unpad_f(P.B, P.pw, P.ph, out + c * sig, w, h, 1);
            }
        }
    }
}

/* ---- entry points of this ISA (arguments checked by wavelet.c) ---- */

void ISA_FN(wavelet_run_f)(const WaveletSpec *s, const float *in, float *out, void *ws, int op)
{
    const Lift *L = s->kind == WAVELET_HAAR ? &lift_haar : s->kind == WAVELET_CDF97 ? &lift_cdf97 : &lift_legall53;
    if (s->dims == 2 && s->tree == WAVELET_TREE_PACKET && s->levels > 0)
        packet2_run(L, s, in, out, ws, op);
    else if (op == OP_FWD || op == OP_INV_T)
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
