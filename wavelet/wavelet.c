/* Wavelet and wavelet-packet transforms by lifting: see wavelet.h for the
 * conventions (scaling, extension, trees, channel order). */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "libcodec/internal.h"
#include "wavelet/wavelet.h"

enum { OP_FWD, OP_INV, OP_FWD_T, OP_INV_T };

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

int wavelet_band_size(int n, int levels)
{
    return (int)(((int64_t)n + ((int64_t)1 << levels) - 1) >> levels);
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

/* ---- sizes and checks ---- */

typedef struct Sizes {
    int coef_channels, coef_w, coef_h;
    size_t signal, coef, ws_bytes;
} Sizes;

static int sizes(const WaveletSpec *s, Sizes *z)
{
    if (!s || s->dims < 1 || s->dims > 2 || s->levels < 0 || s->levels > WAVELET_MAX_LEVELS ||
        s->channels < 1 || s->width < 1 || s->height < 1 || (s->dims == 1 && s->height != 1) ||
        (unsigned)s->kind > WAVELET_INT53 || (unsigned)s->tree > WAVELET_TREE_DYADIC)
        return LCC_EINVAL;
    if (s->width > WAVELET_MAX_DIM || s->height > WAVELET_MAX_DIM)
        return LCC_ERANGE;
    const int J = s->levels;
    uint64_t sig, plane, coef, chans, ws;
    if (lcc_mul_overflow((uint64_t)s->width, (uint64_t)s->height, &sig) ||
        lcc_mul_overflow(sig, (uint64_t)s->channels, &sig))
        return LCC_ERANGE;
    if (s->tree == WAVELET_TREE_DYADIC) {
        z->coef_channels = s->channels;
        z->coef_w = s->width;
        z->coef_h = s->height;
        coef = sig;
        ws = (uint64_t)s->width * (uint64_t)s->height + (uint64_t)s->width;   /* plane + a row */
    } else {
        const int mw = wavelet_band_size(s->width, J);
        const int mh = s->dims == 2 ? wavelet_band_size(s->height, J) : 1;
        const uint64_t pw = (uint64_t)mw << J, ph = (uint64_t)mh << (s->dims == 2 ? J : 0);
        if (pw > INT_MAX || ph > INT_MAX)
            return LCC_ERANGE;
        chans = (uint64_t)s->channels << (s->dims * J);
        if (chans > INT_MAX)
            return LCC_ERANGE;
        z->coef_channels = (int)chans;
        z->coef_w = mw;
        z->coef_h = mh;
        if (lcc_mul_overflow(pw, ph, &plane) || lcc_mul_overflow(plane, (uint64_t)s->channels, &coef))
            return LCC_ERANGE;
        ws = 2 * plane + pw;   /* two planes + a row */
    }
    if (coef > SIZE_MAX / 8 || ws > SIZE_MAX / 8 || sig > SIZE_MAX / 8)
        return LCC_ERANGE;
    z->signal = (size_t)sig;
    z->coef = (size_t)coef;
    z->ws_bytes = (size_t)ws * 4;
    return 0;
}

int wavelet_check(const WaveletSpec *s)
{
    Sizes z;
    return sizes(s, &z);
}

void wavelet_coef_shape(const WaveletSpec *s, int *channels, int *height, int *width)
{
    Sizes z = { 0 };
    sizes(s, &z);
    if (channels)
        *channels = z.coef_channels;
    if (height)
        *height = z.coef_h;
    if (width)
        *width = z.coef_w;
}

size_t wavelet_signal_count(const WaveletSpec *s)
{
    Sizes z;
    return sizes(s, &z) ? 0 : z.signal;
}

size_t wavelet_coef_count(const WaveletSpec *s)
{
    Sizes z;
    return sizes(s, &z) ? 0 : z.coef;
}

size_t wavelet_workspace_bytes(const WaveletSpec *s)
{
    Sizes z;
    return sizes(s, &z) ? 0 : z.ws_bytes ? z.ws_bytes : 4;
}

static int float_lift(const WaveletSpec *s, const void *in, const void *out, const void *ws, const Lift **L)
{
    const int err = wavelet_check(s);
    if (err)
        return err;
    if (!in || !out || !ws)
        return LCC_EINVAL;
    switch (s->kind) {
    case WAVELET_HAAR: *L = &lift_haar; return 0;
    case WAVELET_CDF97: *L = &lift_cdf97; return 0;
    case WAVELET_LEGALL53: *L = &lift_legall53; return 0;
    default: return LCC_EINVAL;
    }
}

int wavelet_forward(const WaveletSpec *s, const float *x, float *X, void *ws)
{
    const Lift *L;
    const int err = float_lift(s, x, X, ws, &L);
    if (!err)
        analysis_f(L, s, x, X, ws, OP_FWD);
    return err;
}

int wavelet_inverse(const WaveletSpec *s, const float *X, float *x, void *ws)
{
    const Lift *L;
    const int err = float_lift(s, X, x, ws, &L);
    if (!err)
        synthesis_f(L, s, X, x, ws, OP_INV);
    return err;
}

int wavelet_forward_adjoint(const WaveletSpec *s, const float *gX, float *gx, void *ws)
{
    const Lift *L;
    const int err = float_lift(s, gX, gx, ws, &L);
    if (!err)
        synthesis_f(L, s, gX, gx, ws, OP_FWD_T);
    return err;
}

int wavelet_inverse_adjoint(const WaveletSpec *s, const float *gx, float *gX, void *ws)
{
    const Lift *L;
    const int err = float_lift(s, gx, gX, ws, &L);
    if (!err)
        analysis_f(L, s, gx, gX, ws, OP_INV_T);
    return err;
}

static int int_check(const WaveletSpec *s, const void *in, const void *out, const void *ws)
{
    const int err = wavelet_check(s);
    if (err)
        return err;
    return !in || !out || !ws || s->kind != WAVELET_INT53 ? LCC_EINVAL : 0;
}

int wavelet_int53_forward(const WaveletSpec *s, const int32_t *x, int32_t *X, void *ws)
{
    const int err = int_check(s, x, X, ws);
    if (!err)
        analysis_i(NULL, s, x, X, ws, OP_FWD);
    return err;
}

int wavelet_int53_inverse(const WaveletSpec *s, const int32_t *X, int32_t *x, void *ws)
{
    const int err = int_check(s, X, x, ws);
    if (!err)
        synthesis_i(NULL, s, X, x, ws, OP_INV);
    return err;
}
