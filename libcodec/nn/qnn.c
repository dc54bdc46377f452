/* Integer inference (see qnn.h). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
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

static void layer_out(const LccQLayer *const l, const int H, const int W, int *const Ho, int *const Wo)
{
    if (l->transposed) {
        *Ho = (H - 1) * l->sh - 2 * l->ph + l->kh + l->oph;
        *Wo = (W - 1) * l->sw - 2 * l->pw + l->kw + l->opw;
    } else {
        *Ho = out_size(H, l->kh, l->sh, l->ph);
        *Wo = out_size(W, l->kw, l->sw, l->pw);
    }
}

/* Scratch bytes layer_acc needs for an H x W input. */
static size_t scratch_bytes(const LccQLayer *const l, const int H, const int W, const int Ho, const int Wo)
{
    if (l->transposed)
        return (size_t)l->cout * l->kh * l->kw * H * W * sizeof(int32_t) + 64;
    return (size_t)l->cin * l->kh * l->kw * Ho * Wo * sizeof(int16_t) + 64;
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

static void add_bias(const LccQLayer *const l, int32_t *const acc, const int P)
{
    for (int o = 0; o < l->cout; o++) {
        int32_t *const a = acc + (size_t)o * P;
        const uint32_t b = (uint32_t)l->bias[o];
        for (int p = 0; p < P; p++)
            a[p] = (int32_t)((uint32_t)a[p] + b);
    }
}

/* int32 accumulators of layer l for one image: acc[cout][Ho*Wo]. scratch:
 * scratch_bytes(). Additions wrap modulo 2^32 (unsigned arithmetic). */
static lcc_status layer_acc(LccNn *const nn, const LccQLayer *const l, const int16_t *const x, const int H,
                            const int W, const int Ho, const int Wo, void *const scratch, int32_t *const acc)
{
    const int P = Ho * Wo;
    if (l->transposed) {
        const int kk = l->kh * l->kw, Pin = H * W;
        int32_t *const col = scratch;
        if (lcc_qgemm(&nn->gemm, l->cout * kk, Pin, l->cin, l->w, l->cin, x, Pin, col, Pin))
            return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
        memset(acc, 0, sizeof(int32_t) * (size_t)l->cout * P);
        for (int o = 0; o < l->cout; o++)
            for (int ki = 0; ki < l->kh; ki++)
                for (int kj = 0; kj < l->kw; kj++) {
                    const int32_t *const cr = col + ((size_t)o * kk + (size_t)ki * l->kw + kj) * Pin;
                    uint32_t *const ao = (uint32_t *)(void *)(acc + (size_t)o * P);
                    for (int y = 0; y < H; y++) {
                        const int oy = y * l->sh - l->ph + ki;
                        if (oy < 0 || oy >= Ho)
                            continue;
                        for (int xx = 0; xx < W; xx++) {
                            const int ox = xx * l->sw - l->pw + kj;
                            if (ox >= 0 && ox < Wo)
                                ao[(size_t)oy * Wo + ox] += (uint32_t)cr[(size_t)y * W + xx];
                        }
                    }
                }
    } else {
        const int K = l->cin * l->kh * l->kw;
        const int direct = l->kh == 1 && l->kw == 1 && l->sh == 1 && l->sw == 1 && !l->ph && !l->pw;
        int16_t *const col = scratch;
        if (!direct)
            im2col16(x, l->cin, H, W, l, Ho, Wo, col);
        if (lcc_qgemm(&nn->gemm, l->cout, P, K, l->w, K, direct ? x : col, P, acc, P))
            return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    }
    add_bias(l, acc, P);
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
        if ((f->type != LCC_LAYER_CONV2D && f->type != LCC_LAYER_CONVT2D) || f->groups != 1) {
            err = lcc_error(nn->ctx, LCC_ENOTSUP, "qnn: layer %d (type %d) cannot be quantized", i, (int)f->type);
            break;
        }
        LccQLayer *const l = &q->l[q->n++];
        l->cin = f->cin, l->cout = f->cout, l->kh = f->kh, l->kw = f->kw;
        l->sh = f->sh, l->sw = f->sw, l->ph = f->ph, l->pw = f->pw;
        l->transposed = f->type == LCC_LAYER_CONVT2D;
        l->oph = f->oph, l->opw = f->opw;
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
        if (f->type != LCC_LAYER_CONV2D && f->type != LCC_LAYER_CONVT2D)
            continue;
        LccQLayer *const l = &q->l[fi++];
        const int K = l->cin * l->kh * l->kw;
        if (l->cout > 65536) {
            err = lcc_error(nn->ctx, LCC_ENOTSUP, "qnn: too many channels");
            break;
        }
        /* weights: int8 per output channel; a transposed convolution's
         * float weights are [cin][cout][kh][kw], stored as [cout*kh*kw][cin] */
        const int kk = l->kh * l->kw;
        for (int o = 0; o < l->cout; o++) {
            double m = 0;
            for (int k = 0; k < K; k++) {
                const size_t src = l->transposed ? ((size_t)(k / kk) * l->cout + o) * kk + k % kk : (size_t)o * K + k;
                m = fmax(m, fabs((double)f->w->w[src]));
            }
            sw[o] = m > 0 ? m / 127.0 : 1.0;
            for (int k = 0; k < K; k++) {
                /* k = input channel * kk + tap */
                const int ci = k / kk, t = k % kk;
                const size_t src = l->transposed ? ((size_t)ci * l->cout + o) * kk + t : (size_t)o * K + k;
                const size_t dst = l->transposed ? ((size_t)o * kk + t) * l->cin + ci : (size_t)o * K + k;
                l->w[dst] = (int16_t)lrint((double)f->w->w[src] / sw[o]);
            }
            const double bq = floor((double)f->b->w[o] * ldexp(1.0, fin) / sw[o] + 0.5);
            l->bias[o] = (int32_t)fmax(-2147483648.0, fmin(2147483647.0, bq));
        }
        l->fin = fin;
        int Ho, Wo;
        layer_out(l, H, W, &Ho, &Wo);
        if (Ho <= 0 || Wo <= 0) {
            err = lcc_error(nn->ctx, LCC_EINVAL, "qnn: calibration input too small for layer %d", fi - 1);
            break;
        }
        const size_t P = (size_t)Ho * Wo;
        void *const col = malloc(scratch_bytes(l, H, W, Ho, Wo));
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
        int Ho, Wo;
        layer_out(l, h, w, &Ho, &Wo);
        if (Ho <= 0 || Wo <= 0 || (int64_t)Ho * Wo > ((int64_t)1 << 28))
            return lcc_error(nn->ctx, LCC_EINVAL, "qnn: input %dx%d does not fit layer %d", w, h, i);
        const size_t P = (size_t)Ho * Wo;
        void *const col = lcc_arena_alloc(&nn->arena, scratch_bytes(l, h, w, Ho, Wo));
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

lcc_status lcc_qnet_forward_at(LccNn *const nn, const LccQNet *const q, const int16_t *const x, const int h,
                               const int w, const int32_t *const pos, const int np, int16_t **const out)
{
    return lcc_qnet_forward_at_cin(nn, q, x, q->n ? q->l[0].cin : 0, h, w, pos, np, out);
}

lcc_status lcc_qnet_forward_at_cin(LccNn *const nn, const LccQNet *const q, const int16_t *const x, const int cin,
                                   const int h, const int w, const int32_t *const pos, const int np,
                                   int16_t **const out)
{
    if (!q->n || h <= 0 || w <= 0 || np <= 0 || (int64_t)h * w > ((int64_t)1 << 28) || cin < 1 ||
        cin > q->l[0].cin)
        return lcc_error(nn->ctx, LCC_EINVAL, "qnn: empty network or input");
    for (int i = 0; i < q->n; i++) {
        const LccQLayer *const l = &q->l[i];
        const int same = !l->transposed && l->sh == 1 && l->sw == 1 && (l->kh & 1) && (l->kw & 1) &&
                         l->ph == l->kh / 2 && l->pw == l->kw / 2 && (i == 0 || (l->kh == 1 && l->kw == 1));
        if (!same)
            return lcc_error(nn->ctx, LCC_EINVAL, "qnn: layer %d does not allow evaluation at positions", i);
    }
    for (int k = 0; k < np; k++)
        if (pos[k] < 0 || pos[k] >= h * w)
            return lcc_error(nn->ctx, LCC_EINVAL, "qnn: position %d outside the %dx%d input", pos[k], w, h);
    /* in chunks of positions (each output column depends on its position
     * only), so the scratch stays small for large inputs */
    enum { CHUNK = 2048 };
    const LccQLayer *const l0 = &q->l[0];
    const int K = cin * l0->kh * l0->kw, ldw = l0->cin * l0->kh * l0->kw, cn = np < CHUNK ? np : CHUNK;
    int widest = 0;
    for (int i = 0; i < q->n; i++)
        widest = q->l[i].cout > widest ? q->l[i].cout : widest;
    const int cout = q->l[q->n - 1].cout;
    int16_t *const col = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * (size_t)K * cn + 64);
    int32_t *const acc = lcc_arena_alloc(&nn->arena, sizeof(int32_t) * (size_t)widest * cn);
    int16_t *const ya = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * (size_t)widest * cn);
    int16_t *const yb = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * (size_t)widest * cn);
    int16_t *const res = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * (size_t)cout * np);
    if (!col || !acc || !ya || !yb || !res)
        return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
    for (int k0 = 0; k0 < np; k0 += CHUNK) {
        const int n = np - k0 < CHUNK ? np - k0 : CHUNK;
        const int32_t *const pk = pos + k0;
        /* the first layer: its im2col columns at the positions only */
        int16_t *dst = col;
        for (int c = 0; c < cin; c++)
            for (int ki = 0; ki < l0->kh; ki++)
                for (int kj = 0; kj < l0->kw; kj++, dst += n) {
                    const int16_t *const xc = x + (size_t)c * h * w;
                    for (int k = 0; k < n; k++) {
                        const int iy = pk[k] / w - l0->ph + ki, ix = pk[k] % w - l0->pw + kj;
                        dst[k] = iy >= 0 && iy < h && ix >= 0 && ix < w ? xc[(size_t)iy * w + ix] : 0;
                    }
                }
        if (lcc_qgemm(&nn->gemm, l0->cout, n, K, l0->w, ldw, col, n, acc, n))
            return lcc_error(nn->ctx, LCC_ENOMEM, "qnn: out of memory");
        add_bias(l0, acc, n);
        requantize(l0, acc, n, ya);
        /* the 1x1 layers on the n columns */
        int16_t *y = ya;
        for (int i = 1; i < q->n; i++) {
            const LccQLayer *const l = &q->l[i];
            int16_t *const yi = y == ya ? yb : ya;
            const lcc_status err = layer_acc(nn, l, y, 1, n, 1, n, NULL, acc);
            if (err)
                return err;
            requantize(l, acc, n, yi);
            y = yi;
        }
        for (int o = 0; o < cout; o++)
            memcpy(res + (size_t)o * np + k0, y + (size_t)o * n, sizeof(int16_t) * (size_t)n);
    }
    *out = res;
    return LCC_OK;
}

/* ---- *.lccw ---------------------------------------------------------------- */

#define QNET_MAX_LAYERS 256
#define QNET_MAX_CHANNELS 4096

void lcc_qnet_write(LccwWriter *const w, const char *const prefix, const LccQNet *const q)
{
    const int32_t head[2] = { q->n, q->fin };
    const uint32_t d2[1] = { 2 }, d16[1] = { 16 };
    char name[LCC_PARAM_NAME];
    snprintf(name, sizeof(name), "%sqnet", prefix);
    lcc_lccw_add(w, name, LCCW_I32, 1, d2, head);
    int8_t *w8 = NULL;
    for (int i = 0; i < q->n; i++) {
        const LccQLayer *const l = &q->l[i];
        const int32_t g[16] = { l->cin, l->cout, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw,
                                l->shift, l->act, l->slope_q8, l->fin, l->fout, l->transposed, l->oph, l->opw };
        const uint32_t K = (uint32_t)(l->cin * l->kh * l->kw), kk = (uint32_t)(l->kh * l->kw);
        const uint32_t dw[2] = { l->transposed ? (uint32_t)l->cout * kk : (uint32_t)l->cout,
                                 l->transposed ? (uint32_t)l->cin : K },
                       dc[1] = { (uint32_t)l->cout };
        snprintf(name, sizeof(name), "%sq%d.geom", prefix, i);
        lcc_lccw_add(w, name, LCCW_I32, 1, d16, g);
        free(w8);
        w8 = malloc((size_t)l->cout * K);
        if (!w8) {
            w->rec.failed = 1;
            break;
        }
        for (size_t k = 0; k < (size_t)l->cout * K; k++)
            w8[k] = (int8_t)l->w[k];
        snprintf(name, sizeof(name), "%sq%d.w", prefix, i);
        lcc_lccw_add(w, name, LCCW_I8, 2, dw, w8);
        snprintf(name, sizeof(name), "%sq%d.bias", prefix, i);
        lcc_lccw_add(w, name, LCCW_I32, 1, dc, l->bias);
        snprintf(name, sizeof(name), "%sq%d.mult", prefix, i);
        lcc_lccw_add(w, name, LCCW_I32, 1, dc, l->mult);
    }
    free(w8);
}

lcc_status lcc_qnet_encode(LccContext *const c, const LccQNet *const q, LccBuf *const out, uint8_t id[32])
{
    LccwWriter w = { { 0 }, 0 };
    lcc_qnet_write(&w, "", q);
    return lcc_lccw_finish(c, &w, out, id);
}

static int32_t rd32(const LccwTensor *const t, const size_t i)
{
    return (int32_t)lcc_rl32(t->data + 4 * i);
}

lcc_status lcc_qnet_read(LccContext *const c, const LccwTensor *const t, const uint32_t count,
                         const char *const prefix, LccQNet *const q)
{
    memset(q, 0, sizeof(*q));
    lcc_status err = LCC_OK;
    const uint32_t d2[1] = { 2 }, d16[1] = { 16 };
    char name[LCC_PARAM_NAME];
    snprintf(name, sizeof(name), "%sqnet", prefix);
    const LccwTensor *const head = lcc_lccw_find(t, count, name);
    if (!head)
        return lcc_error(c, LCC_EMODEL, "qnn: missing tensor %s", name);
    if ((err = lcc_lccw_expect(c, head, LCCW_I32, 1, d2)))
        return err;
    const int32_t n = rd32(head, 0);
    q->fin = rd32(head, 1);
    if (n < 1 || n > QNET_MAX_LAYERS || q->fin < -8 || q->fin > MAX_FRAC)
        return lcc_error(c, LCC_EBADMSG, "qnn: %d layers, input fraction %d out of range", n, q->fin);
    q->l = calloc((size_t)n, sizeof(*q->l));
    if (!q->l)
        return lcc_error(c, LCC_ENOMEM, "qnn: out of memory");
    int prev_c = -1, prev_f = q->fin;
    for (int i = 0; i < n && !err; i++) {
        LccQLayer *const l = &q->l[i];
        q->n = i + 1;
        snprintf(name, sizeof(name), "%sq%d.geom", prefix, i);
        const LccwTensor *const g = lcc_lccw_find(t, count, name);
        if (!g) {
            err = lcc_error(c, LCC_EMODEL, "qnn: missing tensor %s", name);
            break;
        }
        if ((err = lcc_lccw_expect(c, g, LCCW_I32, 1, d16)))
            break;
        l->cin = rd32(g, 0), l->cout = rd32(g, 1), l->kh = rd32(g, 2), l->kw = rd32(g, 3);
        l->sh = rd32(g, 4), l->sw = rd32(g, 5), l->ph = rd32(g, 6), l->pw = rd32(g, 7);
        l->shift = rd32(g, 8), l->act = rd32(g, 9), l->slope_q8 = rd32(g, 10), l->fin = rd32(g, 11);
        l->fout = rd32(g, 12);
        l->transposed = rd32(g, 13), l->oph = rd32(g, 14), l->opw = rd32(g, 15);
        if (l->cin < 1 || l->cin > QNET_MAX_CHANNELS || l->cout < 1 || l->cout > QNET_MAX_CHANNELS ||
            l->kh < 1 || l->kh > 15 || l->kw < 1 || l->kw > 15 || l->sh < 1 || l->sh > 8 || l->sw < 1 ||
            l->sw > 8 || l->ph < 0 || l->ph >= l->kh || l->pw < 0 || l->pw >= l->kw || l->shift < 1 ||
            l->shift > 62 || l->act < 0 || l->act > LCC_QACT_LEAKY || l->slope_q8 < 0 || l->slope_q8 > 256 ||
            l->fout < -8 || l->fout > MAX_FRAC || l->transposed < 0 || l->transposed > 1 || l->oph < 0 ||
            l->oph >= l->sh || l->opw < 0 || l->opw >= l->sw || (!l->transposed && (l->oph || l->opw))) {
            err = lcc_error(c, LCC_EBADMSG, "qnn: layer %d: invalid geometry or scales", i);
            break;
        }
        if ((prev_c >= 0 && l->cin != prev_c) || l->fin != prev_f) {
            err = lcc_error(c, LCC_EBADMSG, "qnn: layer %d does not chain with the previous one", i);
            break;
        }
        prev_c = l->cout;
        prev_f = l->fout;
        const uint32_t K = (uint32_t)(l->cin * l->kh * l->kw), kk = (uint32_t)(l->kh * l->kw);
        const uint32_t dw[2] = { l->transposed ? (uint32_t)l->cout * kk : (uint32_t)l->cout,
                                 l->transposed ? (uint32_t)l->cin : K },
                       dc[1] = { (uint32_t)l->cout };
        const char *const roles[3] = { "w", "bias", "mult" };
        const LccwTensor *r[3];
        for (int k = 0; k < 3 && !err; k++) {
            snprintf(name, sizeof(name), "%sq%d.%s", prefix, i, roles[k]);
            if (!(r[k] = lcc_lccw_find(t, count, name)))
                err = lcc_error(c, LCC_EMODEL, "qnn: missing tensor %s", name);
            else
                err = lcc_lccw_expect(c, r[k], k ? LCCW_I32 : LCCW_I8, k ? 1 : 2, k ? dc : dw);
        }
        if (err)
            break;
        l->w = malloc(sizeof(int16_t) * (size_t)l->cout * K);
        l->bias = malloc(sizeof(int32_t) * (size_t)l->cout);
        l->mult = malloc(sizeof(int32_t) * (size_t)l->cout);
        if (!l->w || !l->bias || !l->mult) {
            err = lcc_error(c, LCC_ENOMEM, "qnn: out of memory");
            break;
        }
        for (size_t k = 0; k < (size_t)l->cout * K; k++) {
            l->w[k] = (int8_t)r[0]->data[k];
            if (l->w[k] == -128)
                err = lcc_error(c, LCC_EBADMSG, "qnn: %s holds -128 (weights are in [-127, 127])", r[0]->name);
        }
        for (int o = 0; o < l->cout; o++) {
            l->bias[o] = rd32(r[1], (size_t)o);
            l->mult[o] = rd32(r[2], (size_t)o);
            if (l->mult[o] < 0)
                err = lcc_error(c, LCC_EBADMSG, "qnn: %s: negative multiplier", r[2]->name);
        }
    }
    if (err)
        lcc_qnet_free(q);
    return err;
}

lcc_status lcc_qnet_decode(LccContext *const c, const uint8_t *const data, const size_t size,
                           const uint8_t *const expect_id, LccQNet *const q)
{
    memset(q, 0, sizeof(*q));
    LccwTensor *t;
    uint32_t count;
    lcc_status err = lcc_lccw_parse(c, data, size, expect_id, &t, &count, NULL);
    if (err)
        return err;
    if (!(err = lcc_qnet_read(c, t, count, "", q)) && count != 1 + 4 * (uint32_t)q->n) {
        err = lcc_error(c, LCC_EMODEL, "qnn: %u tensors for %d layers (expected %d)", count, q->n, 1 + 4 * q->n);
        lcc_qnet_free(q);
    }
    free(t);
    return err;
}
