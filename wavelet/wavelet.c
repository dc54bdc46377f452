/* Wavelet and wavelet-packet transforms by lifting: argument checks, sizes
 * and the choice of kernels (C or AVX2, see wavelet_impl.c); see wavelet.h
 * for the conventions (scaling, extension, trees, channel order). */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/internal.h"
#include "wavelet/wavelet.h"
#include "wavelet/wavelet_isa.h"

#define WAVELET_ISA c
#include "wavelet/wavelet_impl.c"

void wavelet_run_f_ref(const WaveletSpec *s, const float *in, float *out, void *ws, int op)
{
    const Lift *L = s->kind == WAVELET_HAAR ? &lift_haar : s->kind == WAVELET_CDF97 ? &lift_cdf97 : &lift_legall53;
    if (op == OP_FWD || op == OP_INV_T)
        analysis_f(L, s, in, out, ws, op);
    else
        synthesis_f(L, s, in, out, ws, op);
}

int wavelet_band_size(int n, int levels)
{
    return (int)(((int64_t)n + ((int64_t)1 << levels) - 1) >> levels);
}

typedef void (*RunF)(const WaveletSpec *s, const float *in, float *out, void *ws, int op);
typedef void (*RunI)(const WaveletSpec *s, const int32_t *in, int32_t *out, void *ws, int op);

static RunF pick_f(void)
{
#if HAVE_SIMD && ARCH_X86_64
    if (lcc_cpu_flags() & LCC_CPU_FLAG_AVX512)
        return wavelet_run_f_avx512;
    if (lcc_cpu_flags() & LCC_CPU_FLAG_AVX2)
        return wavelet_run_f_avx2;
#endif
    return wavelet_run_f_c;
}

static RunI pick_i(void)
{
#if HAVE_SIMD && ARCH_X86_64
    if (lcc_cpu_flags() & LCC_CPU_FLAG_AVX512)
        return wavelet_run_i_avx512;
    if (lcc_cpu_flags() & LCC_CPU_FLAG_AVX2)
        return wavelet_run_i_avx2;
#endif
    return wavelet_run_i_c;
}

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
        ws = 2 * plane + pw;   /* two planes + a row (per-level path) */
        /* the two-pass 2D path: a plane in strips of WAVELET_MAX_LANES
         * columns (up to ph x WAVELET_MAX_LANES floats more), a plane,
         * max(pw, ph) x WAVELET_MAX_LANES floats, 2 pw + ph size_t index
         * tables, each 64-byte aligned */
        const uint64_t nmax = pw > ph ? pw : ph;
        if (s->dims == 2 && s->kind != WAVELET_INT53)
            ws += (nmax + ph) * WAVELET_MAX_LANES + (2 * pw + ph) * (sizeof(size_t) / 4) + 64;   /* + alignment */
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

static int float_check(const WaveletSpec *s, const void *in, const void *out, const void *ws)
{
    const int err = wavelet_check(s);
    if (err)
        return err;
    return !in || !out || !ws || s->kind == WAVELET_INT53 ? LCC_EINVAL : 0;
}

int wavelet_forward(const WaveletSpec *s, const float *x, float *X, void *ws)
{
    const int err = float_check(s, x, X, ws);
    if (!err)
        pick_f()(s, x, X, ws, WAVELET_OP_FWD);
    return err;
}

int wavelet_inverse(const WaveletSpec *s, const float *X, float *x, void *ws)
{
    const int err = float_check(s, X, x, ws);
    if (!err)
        pick_f()(s, X, x, ws, WAVELET_OP_INV);
    return err;
}

int wavelet_forward_adjoint(const WaveletSpec *s, const float *gX, float *gx, void *ws)
{
    const int err = float_check(s, gX, gx, ws);
    if (!err)
        pick_f()(s, gX, gx, ws, WAVELET_OP_FWD_T);
    return err;
}

int wavelet_inverse_adjoint(const WaveletSpec *s, const float *gx, float *gX, void *ws)
{
    const int err = float_check(s, gx, gX, ws);
    if (!err)
        pick_f()(s, gx, gX, ws, WAVELET_OP_INV_T);
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
        pick_i()(s, x, X, ws, WAVELET_OP_FWD);
    return err;
}

int wavelet_int53_inverse(const WaveletSpec *s, const int32_t *X, int32_t *x, void *ws)
{
    const int err = int_check(s, X, x, ws);
    if (!err)
        pick_i()(s, X, x, ws, WAVELET_OP_INV);
    return err;
}
