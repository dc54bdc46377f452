/* Integer inference (see qnn.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/nn/qnn.h"

#define ACT_LIMIT 16383         /* calibration target: half the int16 range */
#define MAX_FRAC 14

static int16_t clamp16(const int64_t v)
{
    return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

static int out_size(const int in, const int k, const int s, const int p)
{
    const int span = in + 2 * p - k;
    return span < 0 ? 0 : span / s + 1;
}

static void im2col16(const int16_t *const x, const int C, const int H, const int W, const LccQLayer *const l,
                     const int Ho, const int Wo, int16_t *col)
{
    for (int c = 0; c < C; c++)
        for (int ki = 0; ki < l->kh; ki++)
            for (int kj = 0; kj < l->kw; kj++) {
                const int16_t *const xc = x + (size_t)c * H * W;
                for (int oy = 0; oy < Ho; oy++) {
                    const int iy = oy * l->sh - l->ph + ki;
                    int16_t *const dst = col + (size_t)oy * Wo;
                    for (int ox = 0; ox < Wo; ox++) {
                        const int ix = ox * l->sw - l->pw + kj;
                        dst[ox] = iy >= 0 && iy < H && ix >= 0 && ix < W ? xc[(size_t)iy * W + ix] : 0;
                    }
                }
                col += (size_t)Ho * Wo;
            }
}

/* int32 accumulators of layer l for one image: acc[cout][Ho*Wo] */
static lcc_status layer_acc(LccNn *const nn, const LccQLayer *const l, const int16_t *const x, const int H,
                            const int W, const int Ho, const int Wo, int16_t *const col, int32_t *const acc)
{
    const int K = l->cin * l->kh * l->kw, P = Ho * Wo;
    const int direct = l->kh == 1 && l->kw == 1 && l->sh == 1 && l->sw == 1 && !l->ph && !l->pw;
    if (!direct)
        im2col16(x, l->cin, H, W, l, Ho, Wo, col);
    if (lcc_qgemm(&nn->gemm, l->cout, P, K, l->w, K, direct ? x : col, P, acc, P))
        return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    for (int o = 0; o < l->cout; o++) {
        int32_t *const a = acc + (size_t)o * P;
        const uint32_t b = (uint32_t)l->bias[o];
        for (int p = 0; p < P; p++)
            a[p] = (int32_t)((uint32_t)a[p] + b);
    }
    return LCC_OK;
}

/* Arithmetic right shift with rounding (half up), defined for negatives
 * without relying on the implementation: floor((v + 2^(s-1)) / 2^s). */
static int64_t round_shift(const int64_t v, const int s)
{
    const int64_t r = v + ((int64_t)1 << (s - 1));
    return r >= 0 ? r >> s : -((-r + ((int64_t)1 << s) - 1) >> s);
}

static void requantize(const LccQLayer *const l, const int32_t *const acc, const int P, int16_t *const y)
{
    for (int o = 0; o < l->cout; o++) {
        const int64_t m = l->mult[o];
        for (int p = 0; p < P; p++) {
            int64_t v = round_shift((int64_t)acc[(size_t)o * P + p] * m, l->shift);
            v = v < -((int64_t)1 << 40) ? -((int64_t)1 << 40) : v > ((int64_t)1 << 40) ? ((int64_t)1 << 40) : v;
            if (l->act == LCC_QACT_RELU && v < 0)
                v = 0;
            else if (l->act == LCC_QACT_LEAKY && v < 0)
                v = round_shift(v * l->slope_q8, 8);
            y[(size_t)o * P + p] = clamp16(v);
        }
    }
}

void lcc_qnet_free(LccQNet *const q)
{
    for (int i = 0; i < q->n; i++) {
        free(q->l[i].w);
        free(q->l[i].bias);
        free(q->l[i].mult);
    }
    free(q->l);
    memset(q, 0, sizeof(*q));
}

/* fractional bits so that maxabs * 2^f <= ACT_LIMIT */
static int frac_bits(const double maxabs)
{
    int f = MAX_FRAC;
    while (f > -8 && maxabs * ldexp(1.0, f) > ACT_LIMIT)
        f--;
    return f;
}

void lcc_qnet_quantize_input(const LccQNet *const q, const LccTensor *const x, int16_t *const out)
{
    const double s = ldexp(1.0, q->fin);
    for (size_t i = 0, n = lcc_tensor_size(x); i < n; i++)
        out[i] = clamp16((int64_t)floor((double)x->d[i] * s + 0.5));
}

lcc_status lcc_qnet_from_seq(LccNn *const nn, const LccSeq *const s, const LccTensor *const calib, LccQNet *const q)
{
    memset(q, 0, sizeof(*q));
    q->l = calloc((size_t)(s->n ? s->n : 1), sizeof(*q->l));
    if (!q->l)
        return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    lcc_status err = LCC_OK;
    for (int i = 0; i < s->n && !err; i++) {
        const LccLayer *const f = &s->l[i];
        if (f->type != LCC_LAYER_CONV2D || f->groups != 1) {
            err = lcc_error(nn->ctx, LCC_ENOTSUP, "qnn: layer %d (type %d) cannot be quantized", i, (int)f->type);
            break;
        }
        LccQLayer *const l = &q->l[q->n++];
        l->cin = f->cin, l->cout = f->cout, l->kh = f->kh, l->kw = f->kw;
        l->sh = f->sh, l->sw = f->sw, l->ph = f->ph, l->pw = f->pw;
        if (i + 1 < s->n && s->l[i + 1].type == LCC_LAYER_RELU) {
            l->act = LCC_QACT_RELU;
            i++;
        } else if (i + 1 < s->n && s->l[i + 1].type == LCC_LAYER_LEAKY_RELU) {
            l->act = LCC_QACT_LEAKY;
            l->slope_q8 = (int)lrint(s->l[i + 1].slope * 256.0f);
            i++;
        }
        const int K = l->cin * l->kh * l->kw;
        l->w = malloc(sizeof(int16_t) * (size_t)l->cout * K);
        l->bias = malloc(sizeof(int32_t) * (size_t)l->cout);
        l->mult = malloc(sizeof(int32_t) * (size_t)l->cout);
        if (!l->w || !l->bias || !l->mult)
            err = lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    }
    if (err) {
        lcc_qnet_free(q);
        return err;
    }
    /* calibrate along the integer path */
    double maxin = 0;
    for (size_t i = 0, n = lcc_tensor_size(calib); i < n; i++)
        maxin = fmax(maxin, fabs((double)calib->d[i]));
    q->fin = frac_bits(maxin);
    int N = calib->n, H = calib->h, W = calib->w;
    int16_t *x = malloc(sizeof(int16_t) * lcc_tensor_size(calib));
    double *const sw = malloc(sizeof(double) * 65536);
    if (!x || !sw) {
        free(x);
        free(sw);
        lcc_qnet_free(q);
        return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    }
    lcc_qnet_quantize_input(q, calib, x);
    int fin = q->fin, fi = 0;
    for (int i = 0; i < s->n && !err; i++) {
        const LccLayer *const f = &s->l[i];
        if (f->type != LCC_LAYER_CONV2D)
            continue;
        LccQLayer *const l = &q->l[fi++];
        const int K = l->cin * l->kh * l->kw;
        if (l->cout > 65536) {
            err = lcc_error(nn->ctx, LCC_ENOTSUP, "qnn: too many channels");
            break;
        }
        /* weights: int8 per output channel */
        for (int o = 0; o < l->cout; o++) {
            double m = 0;
            for (int k = 0; k < K; k++)
                m = fmax(m, fabs((double)f->w->w[(size_t)o * K + k]));
            sw[o] = m > 0 ? m / 127.0 : 1.0;
            for (int k = 0; k < K; k++)
                l->w[(size_t)o * K + k] = (int16_t)lrint((double)f->w->w[(size_t)o * K + k] / sw[o]);
            const double bq = floor((double)f->b->w[o] * ldexp(1.0, fin) / sw[o] + 0.5);
            l->bias[o] = (int32_t)fmax(-2147483648.0, fmin(2147483647.0, bq));
        }
        l->fin = fin;
        const int Ho = out_size(H, l->kh, l->sh, l->ph), Wo = out_size(W, l->kw, l->sw, l->pw);
        const size_t P = (size_t)Ho * Wo;
        int16_t *const col = malloc(sizeof(int16_t) * (size_t)K * P + 64);
        int32_t *const acc = malloc(sizeof(int32_t) * (size_t)l->cout * P);
        int16_t *const y = malloc(sizeof(int16_t) * (size_t)N * l->cout * P);
        if (!col || !acc || !y) {
            free(col);
            free(acc);
            free(y);
            err = lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
            break;
        }
        /* pass 1: range of the real outputs -> fout */
        double maxout = 0;
        for (int n = 0; n < N && !err; n++) {
            err = layer_acc(nn, l, x + (size_t)n * l->cin * H * W, H, W, Ho, Wo, col, acc);
            for (int o = 0; o < l->cout && !err; o++)
                for (size_t p = 0; p < P; p++)
                    maxout = fmax(maxout, fabs((double)acc[o * P + p]) * sw[o] * ldexp(1.0, -fin));
        }
        l->fout = frac_bits(maxout);
        double maxm = 0;
        for (int o = 0; o < l->cout; o++)
            maxm = fmax(maxm, sw[o] * ldexp(1.0, l->fout - fin));
        l->shift = 30;
        while (l->shift > 1 && maxm * ldexp(1.0, l->shift) >= 1073741824.0)
            l->shift--;
        while (l->shift < 62 && maxm * ldexp(1.0, l->shift + 1) < 1073741824.0)
            l->shift++;
        for (int o = 0; o < l->cout; o++)
            l->mult[o] = (int32_t)floor(sw[o] * ldexp(1.0, l->fout - fin + l->shift) + 0.5);
        /* pass 2: the integer outputs feed the next layer's calibration */
        for (int n = 0; n < N && !err; n++) {
            err = layer_acc(nn, l, x + (size_t)n * l->cin * H * W, H, W, Ho, Wo, col, acc);
            if (!err)
                requantize(l, acc, (int)P, y + (size_t)n * l->cout * P);
        }
        free(col);
        free(acc);
        free(x);
        x = y;
        H = Ho, W = Wo, fin = l->fout;
    }
    free(x);
    free(sw);
    if (err)
        lcc_qnet_free(q);
    return err;
}

lcc_status lcc_qnet_forward(LccNn *const nn, const LccQNet *const q, const int16_t *const x, const int n, int h,
                            int w, int16_t **const out, LccTensor *const shape)
{
    if (!q->n || n <= 0 || h <= 0 || w <= 0)
        return lcc_error(nn->ctx, LCC_EINVAL, "qnn: empty network or input");
    const int16_t *cur = x;
    int16_t *y = NULL;
    for (int i = 0; i < q->n; i++) {
        const LccQLayer *const l = &q->l[i];
        const int Ho = out_size(h, l->kh, l->sh, l->ph), Wo = out_size(w, l->kw, l->sw, l->pw);
        if (Ho <= 0 || Wo <= 0)
            return lcc_error(nn->ctx, LCC_EINVAL, "qnn: input %dx%d too small for layer %d", w, h, i);
        const size_t P = (size_t)Ho * Wo, K = (size_t)l->cin * l->kh * l->kw;
        int16_t *const col = lcc_arena_alloc(&nn->arena, K * P * sizeof(int16_t));
        int32_t *const acc = lcc_arena_alloc(&nn->arena, (size_t)l->cout * P * sizeof(int32_t));
        y = lcc_arena_alloc(&nn->arena, (size_t)n * l->cout * P * sizeof(int16_t));
        if (!col || !acc || !y)
            return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
        for (int b = 0; b < n; b++) {
            const lcc_status err = layer_acc(nn, l, cur + (size_t)b * l->cin * h * w, h, w, Ho, Wo, col, acc);
            if (err)
                return err;
            requantize(l, acc, (int)P, y + (size_t)b * l->cout * P);
        }
        cur = y;
        h = Ho, w = Wo;
    }
    *out = y;
    *shape = (LccTensor){ NULL, n, q->l[q->n - 1].cout, h, w };
    return LCC_OK;
}
