/* Layers: forward and backward. Convolutions go through im2col (skipped
 * for 1x1 stride-1 kernels) and the engine's SGEMM; everything else is
 * element-wise or a small permutation. Backward overwrites dx and
 * accumulates into parameter gradients. */
#include <math.h>
#include <string.h>

#include "libcodec/nn/nn.h"

#define OOM(nn) lcc_error((nn)->ctx, LCC_ENOMEM, "nn: out of memory")

static int conv_out(const int in, const int k, const int s, const int p)
{
    const int span = in + 2 * p - k;
    return span < 0 ? 0 : span / s + 1;
}

lcc_status lcc_layer_shape(const LccLayer *const l, const LccTensor *const x, LccTensor *const y)
{
    *y = *x;
    y->d = NULL;
    switch (l->type) {
    case LCC_LAYER_CONV2D:
        if (x->c != l->cin)
            return LCC_EINVAL;
        y->c = l->cout;
        y->h = conv_out(x->h, l->kh, l->sh, l->ph);
        y->w = conv_out(x->w, l->kw, l->sw, l->pw);
        return y->h > 0 && y->w > 0 ? LCC_OK : LCC_EINVAL;
    case LCC_LAYER_CONVT2D:
        if (x->c != l->cin)
            return LCC_EINVAL;
        y->c = l->cout;
        y->h = (x->h - 1) * l->sh - 2 * l->ph + l->kh + l->oph;
        y->w = (x->w - 1) * l->sw - 2 * l->pw + l->kw + l->opw;
        return y->h > 0 && y->w > 0 ? LCC_OK : LCC_EINVAL;
    case LCC_LAYER_LINEAR:
        if ((int64_t)x->c * x->h * x->w != l->cin)
            return LCC_EINVAL;
        y->c = l->cout;
        y->h = y->w = 1;
        return LCC_OK;
    case LCC_LAYER_GDN:
    case LCC_LAYER_IGDN:
    case LCC_LAYER_SPATIAL_ATTENTION:
        return x->c == l->cin ? LCC_OK : LCC_EINVAL;
    case LCC_LAYER_PIXEL_SHUFFLE:
        if (x->c % (l->factor * l->factor))
            return LCC_EINVAL;
        y->c = x->c / (l->factor * l->factor);
        y->h = x->h * l->factor;
        y->w = x->w * l->factor;
        return LCC_OK;
    case LCC_LAYER_PIXEL_UNSHUFFLE:
        if (x->h % l->factor || x->w % l->factor)
            return LCC_EINVAL;
        y->c = x->c * l->factor * l->factor;
        y->h = x->h / l->factor;
        y->w = x->w / l->factor;
        return LCC_OK;
    case LCC_LAYER_UPSAMPLE:
        y->h = x->h * l->factor;
        y->w = x->w * l->factor;
        return LCC_OK;
    case LCC_LAYER_RESIDUAL:
    case LCC_LAYER_ATTENTION: {
        /* the body must keep the shape: checked by walking it */
        LccTensor t = *x;
        LccSeq *const seqs[2] = { l->body, l->mask };
        for (int s = 0; s < 2; s++) {
            if (!seqs[s])
                continue;
            t = *x;
            for (int i = 0; i < seqs[s]->n; i++) {
                LccTensor u;
                if (lcc_layer_shape(&seqs[s]->l[i], &t, &u))
                    return LCC_EINVAL;
                t = u;
            }
            if (t.c != x->c || t.h != x->h || t.w != x->w)
                return LCC_EINVAL;
        }
        return LCC_OK;
    }
    default:
        return LCC_OK;  /* element-wise */
    }
}

/* ---- im2col / col2im ----------------------------------------------------
 * Over a band of output rows [oy0, oy1), split across the pool by input
 * channel: every task writes its own rows of col (im2col) or its own
 * channel planes of x (col2im), so the result does not depend on the
 * thread count. */

typedef struct ConvGeom {
    int c, h, w;            /* image (conv input) channels of the group, size */
    int kh, kw, sh, sw, ph, pw;
    int ho, wo;             /* conv output size */
    int oy0, oy1;           /* band of output rows */
} ConvGeom;

typedef struct ColJob {
    const ConvGeom *g;
    const float *x;
    float *xw;
    float *col;
    const float *ccol;
    int per;                /* channels per task */
} ColJob;

static void im2col_task(void *const arg, const int task, const int thread)
{
    const ColJob *const j = arg;
    const ConvGeom *const g = j->g;
    const int bw = (g->oy1 - g->oy0) * g->wo;
    const int c1 = (task + 1) * j->per < g->c ? (task + 1) * j->per : g->c;
    for (int c = task * j->per; c < c1; c++) {
        const float *const xc = j->x + (size_t)c * g->h * g->w;
        float *col = j->col + (size_t)c * g->kh * g->kw * bw;
        for (int ki = 0; ki < g->kh; ki++)
            for (int kj = 0; kj < g->kw; kj++) {
                for (int oy = g->oy0; oy < g->oy1; oy++) {
                    const int iy = oy * g->sh - g->ph + ki;
                    float *const dst = col + (size_t)(oy - g->oy0) * g->wo;
                    if (iy < 0 || iy >= g->h) {
                        memset(dst, 0, (size_t)g->wo * sizeof(float));
                        continue;
                    }
                    const float *const row = xc + (size_t)iy * g->w;
                    if (g->sw == 1) {
                        const int off = kj - g->pw;
                        int ox = 0;
                        for (; ox < g->wo && ox + off < 0; ox++)
                            dst[ox] = 0.0f;
                        int end = g->w - off < g->wo ? g->w - off : g->wo;
                        if (end > ox)
                            memcpy(dst + ox, row + ox + off, (size_t)(end - ox) * sizeof(float));
                        else
                            end = ox;
                        for (ox = end; ox < g->wo; ox++)
                            dst[ox] = 0.0f;
                        continue;
                    }
                    for (int ox = 0; ox < g->wo; ox++) {
                        const int ix = ox * g->sw - g->pw + kj;
                        dst[ox] = ix >= 0 && ix < g->w ? row[ix] : 0.0f;
                    }
                }
                col += bw;
            }
    }
    (void)thread;
}

/* Range of output columns ox whose input column ox * s + off lies in
 * [0, w). */
static void valid_cols(const int wo, const int w, const int s, const int off, int *const o0, int *const o1)
{
    int a = off >= 0 ? 0 : (-off + s - 1) / s;
    int b = w - 1 - off < 0 ? 0 : (w - 1 - off) / s + 1;
    if (b > wo)
        b = wo;
    *o0 = a < b ? a : b;
    *o1 = b;
}

/* x += col2im(col) */
static void col2im_task(void *const arg, const int task, const int thread)
{
    const ColJob *const j = arg;
    const ConvGeom *const g = j->g;
    const int bw = (g->oy1 - g->oy0) * g->wo;
    const int c1 = (task + 1) * j->per < g->c ? (task + 1) * j->per : g->c;
    for (int c = task * j->per; c < c1; c++) {
        float *const xc = j->xw + (size_t)c * g->h * g->w;
        const float *col = j->ccol + (size_t)c * g->kh * g->kw * bw;
        for (int ki = 0; ki < g->kh; ki++)
            for (int kj = 0; kj < g->kw; kj++) {
                const int off = kj - g->pw;
                int o0, o1;
                valid_cols(g->wo, g->w, g->sw, off, &o0, &o1);
                for (int oy = g->oy0; oy < g->oy1; oy++) {
                    const int iy = oy * g->sh - g->ph + ki;
                    if (iy < 0 || iy >= g->h)
                        continue;
                    const float *const src = col + (size_t)(oy - g->oy0) * g->wo;
                    float *const row = xc + (size_t)iy * g->w;
                    if (o1 <= o0)
                        continue;
                    if (g->sw == 1) {
                        /* no pointer outside the row is ever formed */
                        float *const r = row + o0 + off;
                        const float *const sp = src + o0;
                        for (int i = 0; i < o1 - o0; i++)
                            r[i] += sp[i];
                    } else {
                        for (int ox = o0; ox < o1; ox++)
                            row[ox * g->sw + off] += src[ox];
                    }
                }
                col += bw;
            }
    }
    (void)thread;
}

static void run_cols(LccNn *const nn, const ConvGeom *const g, ColJob *const j, const LccTaskFn fn)
{
    const int threads = lcc_pool_threads(nn->pool);
    const int ntasks = g->c < 4 * threads ? g->c : 4 * threads;
    j->g = g;
    j->per = (g->c + ntasks - 1) / ntasks;
    lcc_pool_run(threads > 1 && (size_t)g->c * g->kh * g->kw * (g->oy1 - g->oy0) * g->wo > 16384 ? nn->pool : NULL,
                 (g->c + j->per - 1) / j->per, fn, j);
}

static void im2col(LccNn *const nn, const ConvGeom *const g, const float *const x, float *const col)
{
    ColJob j = { .x = x, .col = col };
    run_cols(nn, g, &j, im2col_task);
}

static void col2im(LccNn *const nn, const ConvGeom *const g, const float *const col, float *const x)
{
    ColJob j = { .xw = x, .ccol = col };
    run_cols(nn, g, &j, col2im_task);
}

/* Output rows per band: enough pixels for an efficient GEMM, few enough
 * for the column buffer to stay in cache. */
static int band_rows(const int K, const int ho, const int wo)
{
    int target = (1 << 21) / (K > 0 ? 4 * K : 4);
    if (target < 512)
        target = 512;
    int rows = target / (wo > 0 ? wo : 1);
    if (rows < 1)
        rows = 1;
    return rows > ho ? ho : rows;
}

/* Implicit im2col: the GEMM packs its B panels straight from the image, so
 * the forward convolution needs no column buffer (dsp/gemm.h LccPackB).
 * Row p of B is (channel, ki, kj); column j is output pixel (oy, ox). The
 * per-row constants are computed once per convolution. */
typedef struct ImplicitRow {
    const float *plane;     /* channel plane of the input */
    int ki, off;            /* kernel row; input column = ox * sw + off */
    int o0, o1;             /* output columns whose input column is inside */
} ImplicitRow;

typedef struct ImplicitB {
    const ImplicitRow *rows;
    ConvGeom g;
} ImplicitB;

static void implicit_rows(const ConvGeom *const g, const float *const x, ImplicitRow *const r)
{
    for (int c = 0, p = 0; c < g->c; c++)
        for (int ki = 0; ki < g->kh; ki++)
            for (int kj = 0; kj < g->kw; kj++, p++) {
                r[p].plane = x + (size_t)c * g->h * g->w;
                r[p].ki = ki;
                r[p].off = kj - g->pw;
                valid_cols(g->wo, g->w, g->sw, r[p].off, &r[p].o0, &r[p].o1);
            }
}

static void pack_im2col(const void *const ctx, float *dst, const int p0, const int kc, const int col0, const int w,
                        const int nr)
{
    const ImplicitB *const b = ctx;
    const ConvGeom *const g = &b->g;
    const int sw = g->sw;
    const int oy_start = col0 / g->wo, ox_start = col0 % g->wo;
    for (int p = p0; p < p0 + kc; p++, dst += nr) {
        const ImplicitRow *const r = &b->rows[p];
        int q = 0, oy = oy_start, ox = ox_start;
        while (q < w) {
            /* a run of columns within output row oy */
            const int run = w - q < g->wo - ox ? w - q : g->wo - ox;
            const int iy = oy * g->sh - g->ph + r->ki;
            if (iy < 0 || iy >= g->h) {
                for (int i = 0; i < run; i++)
                    dst[q + i] = 0.0f;
            } else {
                const float *const row = r->plane + (size_t)iy * g->w;
                /* zeros, then the valid columns, then zeros */
                const int a = r->o0 > ox ? (r->o0 < ox + run ? r->o0 : ox + run) : ox;
                const int e = r->o1 < ox + run ? (r->o1 > a ? r->o1 : a) : ox + run;
                float *const d = dst + q;
                int i = 0;
                for (; i < a - ox; i++)
                    d[i] = 0.0f;
                if (sw == 1) {
                    const float *const src = row + a + r->off;
                    for (int t = 0; t < e - a; t++)
                        d[i + t] = src[t];
                    i += e - a;
                } else {
                    for (; i < e - ox; i++)
                        d[i] = row[(ox + i) * sw + r->off];
                }
                for (; i < run; i++)
                    d[i] = 0.0f;
            }
            q += run;
            ox = 0;
            oy++;
        }
        for (; q < nr; q++)
            dst[q] = 0.0f;
    }
}

static int is_pointwise(const LccLayer *const l)
{
    return l->kh == 1 && l->kw == 1 && l->sh == 1 && l->sw == 1 && l->ph == 0 && l->pw == 0;
}

/* ---- convolution ------------------------------------------------------------ */

/* Depthwise (one input and one output channel per group): direct loops,
 * split across the pool by channel. */
typedef struct DwJob {
    const LccLayer *l;
    const LccTensor *x, *y, *dy;
    LccTensor *dx;
    int backward, per;
} DwJob;

static void dw_task(void *const arg, const int task, const int thread)
{
    const DwJob *const j = arg;
    const LccLayer *const l = j->l;
    const LccTensor *const x = j->x;
    const int C = l->cin, H = x->h, W = x->w, Ho = j->y->h, Wo = j->y->w, KK = l->kh * l->kw;
    const int c1 = (task + 1) * j->per < C ? (task + 1) * j->per : C;
    for (int c = task * j->per; c < c1; c++) {
        const float *const wc = l->w->w + (size_t)c * KK;
        double db = 0;
        for (int n = 0; n < x->n; n++) {
            const float *const xc = x->d + ((size_t)n * C + c) * H * W;
            if (!j->backward) {
                float *const yc = j->y->d + ((size_t)n * C + c) * Ho * Wo;
                for (int oy = 0; oy < Ho; oy++)
                    for (int ox = 0; ox < Wo; ox++) {
                        float s = l->b ? l->b->w[c] : 0.0f;
                        for (int ki = 0; ki < l->kh; ki++) {
                            const int iy = oy * l->sh - l->ph + ki;
                            if (iy < 0 || iy >= H)
                                continue;
                            for (int kj = 0; kj < l->kw; kj++) {
                                const int ix = ox * l->sw - l->pw + kj;
                                if (ix >= 0 && ix < W)
                                    s += wc[ki * l->kw + kj] * xc[(size_t)iy * W + ix];
                            }
                        }
                        yc[(size_t)oy * Wo + ox] = s;
                    }
                continue;
            }
            const float *const gc = j->dy->d + ((size_t)n * C + c) * Ho * Wo;
            float *const dxc = j->dx ? j->dx->d + ((size_t)n * C + c) * H * W : NULL;
            float *const gw = l->w->g + (size_t)c * KK;
            if (dxc)
                memset(dxc, 0, (size_t)H * W * sizeof(float));
            for (int oy = 0; oy < Ho; oy++)
                for (int ox = 0; ox < Wo; ox++) {
                    const float g = gc[(size_t)oy * Wo + ox];
                    db += g;
                    for (int ki = 0; ki < l->kh; ki++) {
                        const int iy = oy * l->sh - l->ph + ki;
                        if (iy < 0 || iy >= H)
                            continue;
                        for (int kj = 0; kj < l->kw; kj++) {
                            const int ix = ox * l->sw - l->pw + kj;
                            if (ix < 0 || ix >= W)
                                continue;
                            gw[ki * l->kw + kj] += g * xc[(size_t)iy * W + ix];
                            if (dxc)
                                dxc[(size_t)iy * W + ix] += g * wc[ki * l->kw + kj];
                        }
                    }
                }
        }
        if (j->backward && l->b)
            l->b->g[c] += (float)db;
    }
    (void)thread;
}

static void depthwise(LccNn *const nn, const LccLayer *const l, const LccTensor *const x, const LccTensor *const y,
                      const LccTensor *const dy, LccTensor *const dx, const int backward)
{
    DwJob j = { l, x, y, dy, dx, backward, 1 };
    const int threads = lcc_pool_threads(nn->pool);
    const int ntasks = l->cin < 4 * threads ? l->cin : 4 * threads;
    j.per = (l->cin + ntasks - 1) / ntasks;
    lcc_pool_run(nn->pool, (l->cin + j.per - 1) / j.per, dw_task, &j);
}

static int is_depthwise(const LccLayer *const l)
{
    return l->groups > 1 && l->groups == l->cin && l->groups == l->cout;
}

/* 3x3 convolutions of few channels (K = 9 cin <= one GEMM slice), stride
 * 1, zero padding 1: direct (dsp/gemm.h conv3), from a zero-padded copy of
 * the input, rows split across the pool; the GEMM would pack 9 values per
 * input value. The forward pass uses the CPU's kernel when it has one (the
 * same bits as the GEMM); the backward pass computes the data gradient the
 * same way on every CPU (the C kernel if no other), as a convolution of
 * the padded output gradient with the flipped, transposed weights. */
typedef struct Conv3Job {
    conv3_kernel_fn kernel;
    const float *pad, *wt, *bias; /* padded planes (h + 2) x (w + 2); weights; bias or NULL */
    float *y;
    int cin, cout, h, w, per;
} Conv3Job;

static void conv3_task(void *const arg, const int task, const int thread)
{
    const Conv3Job *const j = arg;
    const ptrdiff_t ldr = j->w + 2, lds = (ptrdiff_t)(j->h + 2) * ldr, P = (ptrdiff_t)j->h * j->w;
    const int r1 = (task + 1) * j->per < j->h ? (task + 1) * j->per : j->h;
    for (int r = task * j->per; r < r1; r++)
        j->kernel(j->cout, j->w, j->cin, j->wt, 9 * j->cin, j->bias, j->pad + r * ldr, ldr, lds,
                  j->y + (ptrdiff_t)r * j->w, P);
    (void)thread;
}

/* a 3x3, stride 1, padding 1 convolution whose input has cin channels
 * that one GEMM slice covers */
static int conv3_shape(const LccLayer *const l, const int cin)
{
    return l->groups == 1 && l->kh == 3 && l->kw == 3 && l->sh == 1 && l->sw == 1 && l->ph == 1 && l->pw == 1 &&
           9 * cin <= LCC_SGEMM_KC;
}

/* y (n images of cout planes h x w) = the conv3 of x (n images of cin
 * planes) with weights w [cout][9 cin] (+ bias). */
static lcc_status conv3_run(LccNn *const nn, const conv3_kernel_fn kernel, const float *const x, const int n,
                            const int cin, const int cout, const int H, const int W, const float *const w,
                            const float *const bias, float *const y)
{
    const size_t ldr = (size_t)W + 2, lds = (size_t)(H + 2) * ldr;
    float *const pad = lcc_arena_alloc(&nn->arena, sizeof(float) * lds * (size_t)cin);
    if (!pad)
        return OOM(nn);
    memset(pad, 0, sizeof(float) * lds * (size_t)cin);
    const int threads = lcc_pool_threads(nn->pool), ntasks = H < 4 * threads ? H : 4 * threads;
    Conv3Job j = { kernel, pad, w, bias, NULL, cin, cout, H, W, (H + ntasks - 1) / ntasks };
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < cin; c++)
            for (int r = 0; r < H; r++)
                memcpy(pad + c * lds + (r + 1) * ldr + 1, x + (((size_t)i * cin + c) * H + r) * W, sizeof(float) * W);
        j.y = y + (size_t)i * cout * H * W;
        lcc_pool_run(nn->pool, (H + j.per - 1) / j.per, conv3_task, &j);
    }
    return LCC_OK;
}

/* The data gradient of a conv3-shaped layer: dx = conv3(dy, w') with
 * w'[c][o][ki][kj] = w[o][c][2 - ki][2 - kj]. */
static lcc_status conv3_backward_data(LccNn *const nn, const LccLayer *const l, const LccTensor *const dy,
                                      LccTensor *const dx)
{
    const int ci = l->cin, co = l->cout;
    float *const wt = lcc_arena_alloc(&nn->arena, sizeof(float) * 9 * (size_t)ci * co);
    if (!wt)
        return OOM(nn);
    for (int c = 0; c < ci; c++)
        for (int o = 0; o < co; o++)
            for (int k = 0; k < 9; k++)
                wt[((size_t)c * co + o) * 9 + k] = l->w->w[((size_t)o * ci + c) * 9 + 8 - k];
    const conv3_kernel_fn kernel = nn->gemm.dsp.conv3 ? nn->gemm.dsp.conv3 : lcc_conv3_kernel_c;
    return conv3_run(nn, kernel, dy->d, dy->n, co, ci, dy->h, dy->w, wt, NULL, dx->d);
}

static lcc_status conv_forward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                               LccTensor *const y)
{
    if (is_depthwise(l)) {
        depthwise(nn, l, x, y, NULL, NULL, 0);
        return LCC_OK;
    }
    if (nn->gemm.dsp.conv3 && conv3_shape(l, l->cin))
        return conv3_run(nn, nn->gemm.dsp.conv3, x->d, x->n, l->cin, l->cout, x->h, x->w, l->w->w,
                         l->b ? l->b->w : NULL, y->d);
    const int G = l->groups, cig = l->cin / G, cog = l->cout / G;
    const ConvGeom g = { cig, x->h, x->w, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw, y->h, y->w, 0, y->h };
    const int P = y->h * y->w, K = cig * l->kh * l->kw;
    const int direct = is_pointwise(l);
    ImplicitRow *const rows = direct ? NULL : lcc_arena_alloc(&nn->arena, sizeof(ImplicitRow) * (size_t)K);
    if (!direct && !rows)
        return OOM(nn);
    for (int n = 0; n < x->n; n++)
        for (int gi = 0; gi < G; gi++) {
            const float *const xg = x->d + ((size_t)n * l->cin + (size_t)gi * cig) * x->h * x->w;
            float *const yg = y->d + ((size_t)n * l->cout + (size_t)gi * cog) * P;
            const float *const wg = l->w->w + (size_t)gi * cog * K;
            if (!direct)
                implicit_rows(&g, xg, rows);
            const ImplicitB ib = { rows, g };
            if (direct ? lcc_sgemm(&nn->gemm, 0, 0, cog, P, K, 1.0f, wg, K, xg, P, 0.0f, yg, P)
                       : lcc_sgemm_packb(&nn->gemm, 0, cog, P, K, 1.0f, wg, K, pack_im2col, &ib, 0.0f, yg, P))
                return OOM(nn);
            if (l->b)
                for (int o = 0; o < cog; o++) {
                    const float bias = l->b->w[gi * cog + o];
                    float *const yo = yg + (size_t)o * P;
                    for (int p = 0; p < P; p++)
                        yo[p] += bias;
                }
        }
    return LCC_OK;
}

static lcc_status conv_backward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                const LccTensor *const dy, LccTensor *const dx)
{
    if (is_depthwise(l)) {
        depthwise(nn, l, x, dy, dy, dx, 1);
        return LCC_OK;
    }
    const int G = l->groups, cig = l->cin / G, cog = l->cout / G;
    ConvGeom g = { cig, x->h, x->w, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw, dy->h, dy->w, 0, dy->h };
    const int P = dy->h * dy->w, K = cig * l->kh * l->kw;
    const int direct = is_pointwise(l);
    const int rows = direct ? dy->h : band_rows(K, dy->h, dy->w);
    /* the data gradient of a conv3-shaped layer: first, directly */
    const int dx3 = dx && conv3_shape(l, l->cout);
    lcc_status err = dx3 ? conv3_backward_data(nn, l, dy, dx) : LCC_OK;
    if (err)
        return err;
    float *const col = direct ? NULL : lcc_arena_alloc(&nn->arena, sizeof(float) * (size_t)K * rows * dy->w);
    float *const dcol = direct || dx3 ? NULL : lcc_arena_alloc(&nn->arena, sizeof(float) * (size_t)K * rows * dy->w);
    if (!direct && (!col || (!dx3 && !dcol)))
        return OOM(nn);
    if (dx && !dx3)
        memset(dx->d, 0, lcc_tensor_size(dx) * sizeof(float));
    for (int n = 0; n < x->n; n++)
        for (int gi = 0; gi < G; gi++) {
            const float *const xg = x->d + ((size_t)n * l->cin + (size_t)gi * cig) * x->h * x->w;
            const float *const dyg = dy->d + ((size_t)n * l->cout + (size_t)gi * cog) * P;
            const float *const wg = l->w->w + (size_t)gi * cog * K;
            float *const dxg = dx && !dx3 ? dx->d + ((size_t)n * l->cin + (size_t)gi * cig) * x->h * x->w : NULL;
            for (g.oy0 = 0; g.oy0 < dy->h; g.oy0 += rows) {
                g.oy1 = g.oy0 + rows < dy->h ? g.oy0 + rows : dy->h;
                const int off = g.oy0 * dy->w, bw = (g.oy1 - g.oy0) * dy->w;
                if (!direct)
                    im2col(nn, &g, xg, col);
                if (lcc_sgemm(&nn->gemm, 0, 1, cog, K, bw, 1.0f, dyg + off, P, direct ? xg + off : col,
                              direct ? P : bw, 1.0f, l->w->g + (size_t)gi * cog * K, K))
                    return OOM(nn);
                if (!dxg)
                    continue;
                if (lcc_sgemm(&nn->gemm, 1, 0, K, bw, cog, 1.0f, wg, K, dyg + off, P, 0.0f,
                              direct ? dxg + off : dcol, direct ? P : bw))
                    return OOM(nn);
                if (!direct)
                    col2im(nn, &g, dcol, dxg);
            }
            if (l->b)
                for (int o = 0; o < cog; o++) {
                    const float *const d = dyg + (size_t)o * P;
                    double s = 0;
                    for (int p = 0; p < P; p++)
                        s += d[p];
                    l->b->g[gi * cog + o] += (float)s;
                }
        }
    return LCC_OK;
}

/* Transposed convolution = the data gradient of a convolution whose input
 * is y and output is x. Weights [cin][cout/groups][kh][kw]. */
static lcc_status convt_forward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                LccTensor *const y)
{
    const int G = l->groups, cig = l->cin / G, cog = l->cout / G;
    const ConvGeom g = { cog, y->h, y->w, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw, x->h, x->w, 0, x->h };
    const int P = x->h * x->w, K = cog * l->kh * l->kw, Py = y->h * y->w;
    float *const col = lcc_arena_floats(&nn->arena, (size_t)K * P);
    if (!col)
        return OOM(nn);
    memset(y->d, 0, lcc_tensor_size(y) * sizeof(float));
    for (int n = 0; n < x->n; n++)
        for (int gi = 0; gi < G; gi++) {
            const float *const xg = x->d + ((size_t)n * l->cin + (size_t)gi * cig) * P;
            float *const yg = y->d + ((size_t)n * l->cout + (size_t)gi * cog) * Py;
            if (lcc_sgemm(&nn->gemm, 1, 0, K, P, cig, 1.0f, l->w->w + (size_t)gi * cig * K, K, xg, P, 0.0f,
                          col, P))
                return OOM(nn);
            col2im(nn, &g, col, yg);
            if (l->b)
                for (int o = 0; o < cog; o++) {
                    const float bias = l->b->w[gi * cog + o];
                    float *const yo = yg + (size_t)o * Py;
                    for (int p = 0; p < Py; p++)
                        yo[p] += bias;
                }
        }
    return LCC_OK;
}

static lcc_status convt_backward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                 const LccTensor *const dy, LccTensor *const dx)
{
    const int G = l->groups, cig = l->cin / G, cog = l->cout / G;
    const ConvGeom g = { cog, dy->h, dy->w, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw, x->h, x->w, 0, x->h };
    const int P = x->h * x->w, K = cog * l->kh * l->kw, Py = dy->h * dy->w;
    float *const dcol = lcc_arena_floats(&nn->arena, (size_t)K * P);
    if (!dcol)
        return OOM(nn);
    for (int n = 0; n < x->n; n++)
        for (int gi = 0; gi < G; gi++) {
            const float *const xg = x->d + ((size_t)n * l->cin + (size_t)gi * cig) * P;
            const float *const dyg = dy->d + ((size_t)n * l->cout + (size_t)gi * cog) * Py;
            const float *const wg = l->w->w + (size_t)gi * cig * K;
            im2col(nn, &g, dyg, dcol);
            if (lcc_sgemm(&nn->gemm, 0, 1, cig, K, P, 1.0f, xg, P, dcol, P, 1.0f, l->w->g + (size_t)gi * cig * K, K))
                return OOM(nn);
            if (l->b)
                for (int o = 0; o < cog; o++) {
                    const float *const d = dyg + (size_t)o * Py;
                    double s = 0;
                    for (int p = 0; p < Py; p++)
                        s += d[p];
                    l->b->g[gi * cog + o] += (float)s;
                }
            if (dx && lcc_sgemm(&nn->gemm, 0, 0, cig, P, K, 1.0f, wg, K, dcol, P, 0.0f,
                                dx->d + ((size_t)n * l->cin + (size_t)gi * cig) * P, P))
                return OOM(nn);
        }
    return LCC_OK;
}

/* ---- linear --------------------------------------------------------------------- */

static lcc_status linear_forward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                 LccTensor *const y)
{
    const int N = x->n, K = l->cin, O = l->cout;
    if (lcc_sgemm(&nn->gemm, 0, 1, N, O, K, 1.0f, x->d, K, l->w->w, K, 0.0f, y->d, O))
        return OOM(nn);
    if (l->b)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                y->d[(size_t)n * O + o] += l->b->w[o];
    return LCC_OK;
}

static lcc_status linear_backward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                  const LccTensor *const dy, LccTensor *const dx)
{
    const int N = x->n, K = l->cin, O = l->cout;
    if (lcc_sgemm(&nn->gemm, 1, 0, O, K, N, 1.0f, dy->d, O, x->d, K, 1.0f, l->w->g, K))
        return OOM(nn);
    if (l->b)
        for (int o = 0; o < O; o++) {
            double s = 0;
            for (int n = 0; n < N; n++)
                s += dy->d[(size_t)n * O + o];
            l->b->g[o] += (float)s;
        }
    if (dx && lcc_sgemm(&nn->gemm, 0, 0, N, K, O, 1.0f, dy->d, O, l->w->w, K, 0.0f, dx->d, K))
        return OOM(nn);
    return LCC_OK;
}

/* ---- GDN / IGDN --------------------------------------------------------------------
 * y_i = x_i * norm_i^p, norm_i = beta_i + sum_j gamma_ij x_j^2, p = -1/2
 * (GDN) or +1/2 (IGDN). Non-negativity by reparametrisation:
 * beta = beta_raw^2 + 1e-6, gamma = gamma_raw^2. */

#define GDN_PEDESTAL 1e-6f

static lcc_status gdn_norm(LccNn *const nn, const LccLayer *const l, const float *const xn, const int P,
                           float *const x2, float *const geff, float *const norm)
{
    const int C = l->cin;
    for (size_t i = 0; i < (size_t)C * P; i++)
        x2[i] = xn[i] * xn[i];
    for (int i = 0; i < C * C; i++)
        geff[i] = l->gamma->w[i] * l->gamma->w[i];
    if (lcc_sgemm(&nn->gemm, 0, 0, C, P, C, 1.0f, geff, C, x2, P, 0.0f, norm, P))
        return OOM(nn);
    for (int c = 0; c < C; c++) {
        const float b = l->beta->w[c] * l->beta->w[c] + GDN_PEDESTAL;
        float *const nc = norm + (size_t)c * P;
        for (int p = 0; p < P; p++)
            nc[p] += b;
    }
    return LCC_OK;
}

static lcc_status gdn_forward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                              LccTensor *const y)
{
    const int C = l->cin, P = x->h * x->w;
    float *const x2 = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const norm = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const geff = lcc_arena_floats(&nn->arena, (size_t)C * C);
    if (!x2 || !norm || !geff)
        return OOM(nn);
    const int inverse = l->type == LCC_LAYER_IGDN;
    for (int n = 0; n < x->n; n++) {
        const float *const xn = x->d + (size_t)n * C * P;
        float *const yn = y->d + (size_t)n * C * P;
        lcc_status err = gdn_norm(nn, l, xn, P, x2, geff, norm);
        if (err)
            return err;
        for (size_t i = 0; i < (size_t)C * P; i++)
            yn[i] = inverse ? xn[i] * sqrtf(norm[i]) : xn[i] / sqrtf(norm[i]);
    }
    return LCC_OK;
}

static lcc_status gdn_backward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                               const LccTensor *const dy, LccTensor *const dx)
{
    const int C = l->cin, P = x->h * x->w;
    float *const x2 = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const norm = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const u = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const gtu = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const geff = lcc_arena_floats(&nn->arena, (size_t)C * C);
    float *const dgeff = lcc_arena_floats(&nn->arena, (size_t)C * C);
    if (!x2 || !norm || !u || !gtu || !geff || !dgeff)
        return OOM(nn);
    const int inverse = l->type == LCC_LAYER_IGDN;
    for (int n = 0; n < x->n; n++) {
        const float *const xn = x->d + (size_t)n * C * P;
        const float *const gn = dy->d + (size_t)n * C * P;
        lcc_status err = gdn_norm(nn, l, xn, P, x2, geff, norm);
        if (err)
            return err;
        /* u = dL/dnorm = g x p norm^(p-1) */
        for (size_t i = 0; i < (size_t)C * P; i++) {
            const float s = sqrtf(norm[i]);
            u[i] = inverse ? gn[i] * xn[i] * 0.5f / s : -0.5f * gn[i] * xn[i] / (norm[i] * s);
        }
        if (lcc_sgemm(&nn->gemm, 0, 1, C, C, P, 1.0f, u, P, x2, P, 1.0f, dgeff, C))
            return OOM(nn);
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int p = 0; p < P; p++)
                s += u[(size_t)c * P + p];
            l->beta->g[c] += (float)(s * 2.0 * l->beta->w[c]);
        }
        if (!dx)
            continue;
        if (lcc_sgemm(&nn->gemm, 1, 0, C, P, C, 1.0f, geff, C, u, P, 0.0f, gtu, P))
            return OOM(nn);
        float *const dxn = dx->d + (size_t)n * C * P;
        for (size_t i = 0; i < (size_t)C * P; i++) {
            const float s = sqrtf(norm[i]);
            dxn[i] = (inverse ? gn[i] * s : gn[i] / s) + 2.0f * xn[i] * gtu[i];
        }
    }
    for (int i = 0; i < C * C; i++)
        l->gamma->g[i] += 2.0f * l->gamma->w[i] * dgeff[i];
    return LCC_OK;
}

/* ---- element-wise ----------------------------------------------------------------------- */

static float gelu(const float x)
{
    return 0.5f * x * (1.0f + erff(x * 0.70710678f));
}

static float gelu_grad(const float x)
{
    return 0.5f * (1.0f + erff(x * 0.70710678f)) + x * 0.39894228f * expf(-0.5f * x * x);
}

static float round_half_up(const float x)
{
    return floorf(x + 0.5f);
}

static void elementwise_forward(const LccLayer *const l, const LccTensor *const x, LccTensor *const y,
                                const int training)
{
    const size_t n = lcc_tensor_size(x);
    const float *const a = x->d;
    float *const b = y->d;
    switch (l->type) {
    case LCC_LAYER_RELU:
        for (size_t i = 0; i < n; i++)
            b[i] = a[i] > 0.0f ? a[i] : 0.0f;
        break;
    case LCC_LAYER_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            b[i] = a[i] > 0.0f ? a[i] : l->slope * a[i];
        break;
    case LCC_LAYER_GELU:
        for (size_t i = 0; i < n; i++)
            b[i] = gelu(a[i]);
        break;
    case LCC_LAYER_SINE:
        for (size_t i = 0; i < n; i++)
            b[i] = sinf(l->w0 * a[i]);
        break;
    case LCC_LAYER_SIGMOID:
        for (size_t i = 0; i < n; i++)
            b[i] = 1.0f / (1.0f + expf(-a[i]));
        break;
    case LCC_LAYER_NOISE:
        if (training)
            for (size_t i = 0; i < n; i++)
                b[i] = a[i] + lcc_rng_uniform(l->noise) - 0.5f;
        else
            for (size_t i = 0; i < n; i++)
                b[i] = round_half_up(a[i]);
        break;
    case LCC_LAYER_ROUND_STE:
        for (size_t i = 0; i < n; i++)
            b[i] = round_half_up(a[i]);
        break;
    default:
        break;
    }
}

static void elementwise_backward(const LccLayer *const l, const LccTensor *const x, const LccTensor *const y,
                                 const LccTensor *const dy, LccTensor *const dx)
{
    const size_t n = lcc_tensor_size(x);
    const float *const a = x->d, *const o = y->d, *const g = dy->d;
    float *const d = dx->d;
    switch (l->type) {
    case LCC_LAYER_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] > 0.0f ? g[i] : 0.0f;
        break;
    case LCC_LAYER_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] > 0.0f ? g[i] : l->slope * g[i];
        break;
    case LCC_LAYER_GELU:
        for (size_t i = 0; i < n; i++)
            d[i] = g[i] * gelu_grad(a[i]);
        break;
    case LCC_LAYER_SINE:
        for (size_t i = 0; i < n; i++)
            d[i] = g[i] * l->w0 * cosf(l->w0 * a[i]);
        break;
    case LCC_LAYER_SIGMOID:
        for (size_t i = 0; i < n; i++)
            d[i] = g[i] * o[i] * (1.0f - o[i]);
        break;
    case LCC_LAYER_NOISE:
    case LCC_LAYER_ROUND_STE:
        memcpy(d, g, n * sizeof(float));
        break;
    default:
        break;
    }
}

/* ---- permutations and resampling ---------------------------------------------------------- */

/* shuffle: big [N][C][H*r][W*r] <-> small [N][C*r*r][H][W];
 * to_big = 1 copies small -> big. */
static void shuffle(const int r, const LccTensor *const small, const LccTensor *const big, const int to_big)
{
    const int C = big->c, H = small->h, W = small->w;
    for (int n = 0; n < big->n; n++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++) {
                    const float *const sp = small->d + (((size_t)n * C + c) * r * r + (size_t)i * r + j) * H * W;
                    float *const bp = big->d + ((size_t)n * C + c) * H * r * W * r;
                    for (int h = 0; h < H; h++)
                        for (int w = 0; w < W; w++) {
                            float *const bv = bp + ((size_t)h * r + i) * W * r + (size_t)w * r + j;
                            float *const sv = (float *)sp + (size_t)h * W + w;
                            if (to_big)
                                *bv = *sv;
                            else
                                *sv = *bv;
                        }
                }
}

/* Bilinear source taps of output coordinate o for scale r (half-pixel
 * centres, edge clamped). */
static void bilinear_taps(const int o, const int r, const int in, int *const i0, int *const i1, float *const f)
{
    float s = ((float)o + 0.5f) / (float)r - 0.5f;
    if (s < 0.0f)
        s = 0.0f;
    int a = (int)s;
    if (a > in - 1)
        a = in - 1;
    *i0 = a;
    *i1 = a + 1 < in ? a + 1 : in - 1;
    *f = s - (float)a;
    if (*i1 == *i0)
        *f = 0.0f;
}

static void upsample(const int r, const LccTensor *const x, const LccTensor *const y, const int backward)
{
    const int H = x->h, W = x->w, Ho = y->h, Wo = y->w;
    for (size_t nc = 0; nc < (size_t)x->n * x->c; nc++) {
        float *const xp = x->d + nc * H * W;
        float *const yp = y->d + nc * Ho * Wo;
        if (backward)
            memset(xp, 0, (size_t)H * W * sizeof(float));
        for (int oy = 0; oy < Ho; oy++) {
            int y0, y1;
            float fy;
            bilinear_taps(oy, r, H, &y0, &y1, &fy);
            for (int ox = 0; ox < Wo; ox++) {
                int x0, x1;
                float fx;
                bilinear_taps(ox, r, W, &x0, &x1, &fx);
                const float w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
                if (!backward) {
                    yp[(size_t)oy * Wo + ox] = w00 * xp[y0 * W + x0] + w01 * xp[y0 * W + x1] +
                                               w10 * xp[y1 * W + x0] + w11 * xp[y1 * W + x1];
                } else {
                    const float g = yp[(size_t)oy * Wo + ox];
                    xp[y0 * W + x0] += w00 * g;
                    xp[y0 * W + x1] += w01 * g;
                    xp[y1 * W + x0] += w10 * g;
                    xp[y1 * W + x1] += w11 * g;
                }
            }
        }
    }
}

/* ---- blocks ------------------------------------------------------------------------------ */

static lcc_status attention_forward(LccNn *const nn, LccLayer *const l, const LccTensor *const x,
                                    LccTensor *const y, const int training)
{
    LccTensor t, m;
    lcc_status err = lcc_seq_forward(nn, l->body, x, &t, training);
    if (!err)
        err = lcc_seq_forward(nn, l->mask, x, &m, training);
    if (err)
        return err;
    const size_t n = lcc_tensor_size(x);
    for (size_t i = 0; i < n; i++)
        y->d[i] = x->d[i] + t.d[i] / (1.0f + expf(-m.d[i]));
    return LCC_OK;
}

static lcc_status attention_backward(LccNn *const nn, LccLayer *const l, const LccTensor *const dy,
                                     LccTensor *const dx)
{
    const LccTensor *const t = &l->body->act[l->body->n], *const m = &l->mask->act[l->mask->n];
    const size_t n = lcc_tensor_size(dy);
    LccTensor dt = lcc_nn_tensor(nn, dy->n, dy->c, dy->h, dy->w);
    LccTensor dm = lcc_nn_tensor(nn, dy->n, dy->c, dy->h, dy->w);
    if (!dt.d || !dm.d)
        return OOM(nn);
    for (size_t i = 0; i < n; i++) {
        const float s = 1.0f / (1.0f + expf(-m->d[i]));
        dt.d[i] = dy->d[i] * s;
        dm.d[i] = dy->d[i] * t->d[i] * s * (1.0f - s);
    }
    LccTensor dxt, dxm;
    lcc_status err = lcc_seq_backward(nn, l->body, &dt, dx ? &dxt : NULL);
    if (!err)
        err = lcc_seq_backward(nn, l->mask, &dm, dx ? &dxm : NULL);
    if (err || !dx)
        return err;
    for (size_t i = 0; i < n; i++)
        dx->d[i] = dy->d[i] + dxt.d[i] + dxm.d[i];
    return LCC_OK;
}

/* Dot-product attention over the positions of each image, one head:
 * Q = Wq x, K = Wk x (dk x P), V = Wv x (C x P), A = softmax_keys(K^T Q /
 * sqrt(dk)) (P x P, columns sum to 1), y = x + Wo (V A). */
typedef struct SpatialBufs {
    float *q, *k, *v, *a, *o;
} SpatialBufs;

static lcc_status spatial_compute(LccNn *const nn, const LccLayer *const l, const float *const xn, const int P,
                                  const SpatialBufs *const b)
{
    const int C = l->cin, D = l->dk;
    LccGemm *const g = &nn->gemm;
    if (lcc_sgemm(g, 0, 0, D, P, C, 1.0f, l->wq->w, C, xn, P, 0.0f, b->q, P) ||
        lcc_sgemm(g, 0, 0, D, P, C, 1.0f, l->wk->w, C, xn, P, 0.0f, b->k, P) ||
        lcc_sgemm(g, 0, 0, C, P, C, 1.0f, l->wv->w, C, xn, P, 0.0f, b->v, P) ||
        lcc_sgemm(g, 1, 0, P, P, D, 1.0f / sqrtf((float)D), b->k, P, b->q, P, 0.0f, b->a, P))
        return OOM(nn);
    /* softmax over keys (rows) for each query (column) */
    for (int qi = 0; qi < P; qi++) {
        float mx = -INFINITY;
        for (int ki = 0; ki < P; ki++)
            mx = fmaxf(mx, b->a[(size_t)ki * P + qi]);
        double s = 0;
        for (int ki = 0; ki < P; ki++) {
            const float e = expf(b->a[(size_t)ki * P + qi] - mx);
            b->a[(size_t)ki * P + qi] = e;
            s += e;
        }
        const float inv = (float)(1.0 / s);
        for (int ki = 0; ki < P; ki++)
            b->a[(size_t)ki * P + qi] *= inv;
    }
    if (lcc_sgemm(g, 0, 0, C, P, P, 1.0f, b->v, P, b->a, P, 0.0f, b->o, P))
        return OOM(nn);
    return LCC_OK;
}

static int spatial_bufs(LccNn *const nn, const LccLayer *const l, const int P, SpatialBufs *const b)
{
    b->q = lcc_arena_floats(&nn->arena, (size_t)l->dk * P);
    b->k = lcc_arena_floats(&nn->arena, (size_t)l->dk * P);
    b->v = lcc_arena_floats(&nn->arena, (size_t)l->cin * P);
    b->a = lcc_arena_floats(&nn->arena, (size_t)P * P);
    b->o = lcc_arena_floats(&nn->arena, (size_t)l->cin * P);
    return b->q && b->k && b->v && b->a && b->o;
}

static lcc_status spatial_forward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                  LccTensor *const y)
{
    const int C = l->cin, P = x->h * x->w;
    SpatialBufs b;
    if (!spatial_bufs(nn, l, P, &b))
        return OOM(nn);
    for (int n = 0; n < x->n; n++) {
        const float *const xn = x->d + (size_t)n * C * P;
        float *const yn = y->d + (size_t)n * C * P;
        lcc_status err = spatial_compute(nn, l, xn, P, &b);
        if (err)
            return err;
        memcpy(yn, xn, (size_t)C * P * sizeof(float));
        if (lcc_sgemm(&nn->gemm, 0, 0, C, P, C, 1.0f, l->wo->w, C, b.o, P, 1.0f, yn, P))
            return OOM(nn);
    }
    return LCC_OK;
}

static lcc_status spatial_backward(LccNn *const nn, const LccLayer *const l, const LccTensor *const x,
                                   const LccTensor *const dy, LccTensor *const dx)
{
    const int C = l->cin, D = l->dk, P = x->h * x->w;
    SpatialBufs b;
    float *const dO = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const dV = lcc_arena_floats(&nn->arena, (size_t)C * P);
    float *const dA = lcc_arena_floats(&nn->arena, (size_t)P * P);
    float *const dQ = lcc_arena_floats(&nn->arena, (size_t)D * P);
    float *const dK = lcc_arena_floats(&nn->arena, (size_t)D * P);
    if (!spatial_bufs(nn, l, P, &b) || !dO || !dV || !dA || !dQ || !dK)
        return OOM(nn);
    LccGemm *const g = &nn->gemm;
    const float sc = 1.0f / sqrtf((float)D);
    for (int n = 0; n < x->n; n++) {
        const float *const xn = x->d + (size_t)n * C * P;
        const float *const gn = dy->d + (size_t)n * C * P;
        lcc_status err = spatial_compute(nn, l, xn, P, &b);
        if (err)
            return err;
        if (lcc_sgemm(g, 0, 1, C, C, P, 1.0f, gn, P, b.o, P, 1.0f, l->wo->g, C) ||
            lcc_sgemm(g, 1, 0, C, P, C, 1.0f, l->wo->w, C, gn, P, 0.0f, dO, P) ||
            lcc_sgemm(g, 0, 1, C, P, P, 1.0f, dO, P, b.a, P, 0.0f, dV, P) ||
            lcc_sgemm(g, 1, 0, P, P, C, 1.0f, b.v, P, dO, P, 0.0f, dA, P))
            return OOM(nn);
        /* softmax backward per query column, then the 1/sqrt(dk) scale */
        for (int qi = 0; qi < P; qi++) {
            double s = 0;
            for (int ki = 0; ki < P; ki++)
                s += (double)b.a[(size_t)ki * P + qi] * dA[(size_t)ki * P + qi];
            for (int ki = 0; ki < P; ki++) {
                const size_t i = (size_t)ki * P + qi;
                dA[i] = b.a[i] * (dA[i] - (float)s) * sc;
            }
        }
        /* S = K^T Q: dQ = K dS, dK = Q dS^T */
        if (lcc_sgemm(g, 0, 0, D, P, P, 1.0f, b.k, P, dA, P, 0.0f, dQ, P) ||
            lcc_sgemm(g, 0, 1, D, P, P, 1.0f, b.q, P, dA, P, 0.0f, dK, P) ||
            lcc_sgemm(g, 0, 1, D, C, P, 1.0f, dQ, P, xn, P, 1.0f, l->wq->g, C) ||
            lcc_sgemm(g, 0, 1, D, C, P, 1.0f, dK, P, xn, P, 1.0f, l->wk->g, C) ||
            lcc_sgemm(g, 0, 1, C, C, P, 1.0f, dV, P, xn, P, 1.0f, l->wv->g, C))
            return OOM(nn);
        if (!dx)
            continue;
        float *const dxn = dx->d + (size_t)n * C * P;
        memcpy(dxn, gn, (size_t)C * P * sizeof(float));
        if (lcc_sgemm(g, 1, 0, C, P, D, 1.0f, l->wq->w, C, dQ, P, 1.0f, dxn, P) ||
            lcc_sgemm(g, 1, 0, C, P, D, 1.0f, l->wk->w, C, dK, P, 1.0f, dxn, P) ||
            lcc_sgemm(g, 1, 0, C, P, C, 1.0f, l->wv->w, C, dV, P, 1.0f, dxn, P))
            return OOM(nn);
    }
    return LCC_OK;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

lcc_status lcc_layer_forward(LccNn *const nn, LccLayer *const l, const LccTensor *const x, LccTensor *const y,
                             const int training)
{
    switch (l->type) {
    case LCC_LAYER_CONV2D: return conv_forward(nn, l, x, y);
    case LCC_LAYER_CONVT2D: return convt_forward(nn, l, x, y);
    case LCC_LAYER_LINEAR: return linear_forward(nn, l, x, y);
    case LCC_LAYER_GDN:
    case LCC_LAYER_IGDN: return gdn_forward(nn, l, x, y);
    case LCC_LAYER_PIXEL_SHUFFLE: shuffle(l->factor, x, y, 1); return LCC_OK;
    case LCC_LAYER_PIXEL_UNSHUFFLE: shuffle(l->factor, y, x, 0); return LCC_OK;
    case LCC_LAYER_UPSAMPLE: upsample(l->factor, x, y, 0); return LCC_OK;
    case LCC_LAYER_RESIDUAL: {
        LccTensor t;
        const lcc_status err = lcc_seq_forward(nn, l->body, x, &t, training);
        if (err)
            return err;
        for (size_t i = 0, n = lcc_tensor_size(x); i < n; i++)
            y->d[i] = x->d[i] + t.d[i];
        return LCC_OK;
    }
    case LCC_LAYER_ATTENTION: return attention_forward(nn, l, x, y, training);
    case LCC_LAYER_SPATIAL_ATTENTION: return spatial_forward(nn, l, x, y);
    default: elementwise_forward(l, x, y, training); return LCC_OK;
    }
}

lcc_status lcc_layer_backward(LccNn *const nn, LccLayer *const l, const LccTensor *const x,
                              const LccTensor *const y, const LccTensor *const dy, LccTensor *const dx)
{
    switch (l->type) {
    case LCC_LAYER_CONV2D: return conv_backward(nn, l, x, dy, dx);
    case LCC_LAYER_CONVT2D: return convt_backward(nn, l, x, dy, dx);
    case LCC_LAYER_LINEAR: return linear_backward(nn, l, x, dy, dx);
    case LCC_LAYER_GDN:
    case LCC_LAYER_IGDN: return gdn_backward(nn, l, x, dy, dx);
    case LCC_LAYER_SPATIAL_ATTENTION: return spatial_backward(nn, l, x, dy, dx);
    case LCC_LAYER_ATTENTION: return attention_backward(nn, l, dy, dx);
    case LCC_LAYER_RESIDUAL: {
        LccTensor dxb;
        const lcc_status err = lcc_seq_backward(nn, l->body, dy, dx ? &dxb : NULL);
        if (err || !dx)
            return err;
        for (size_t i = 0, n = lcc_tensor_size(dy); i < n; i++)
            dx->d[i] = dy->d[i] + dxb.d[i];
        return LCC_OK;
    }
    default:
        break;
    }
    if (!dx)
        return LCC_OK;
    switch (l->type) {
    case LCC_LAYER_PIXEL_SHUFFLE: shuffle(l->factor, dx, dy, 0); return LCC_OK;
    case LCC_LAYER_PIXEL_UNSHUFFLE: shuffle(l->factor, dy, dx, 1); return LCC_OK;
    case LCC_LAYER_UPSAMPLE: upsample(l->factor, dx, dy, 1); return LCC_OK;
    default: elementwise_backward(l, x, y, dy, dx); return LCC_OK;
    }
}

/* ---- free-standing ops ------------------------------------------------------------------- */

void lcc_op_add(const LccTensor *const a, const LccTensor *const b, LccTensor *const y)
{
    for (size_t i = 0, n = lcc_tensor_size(y); i < n; i++)
        y->d[i] = a->d[i] + b->d[i];
}

void lcc_op_add_backward(const LccTensor *const dy, LccTensor *const da, LccTensor *const db)
{
    for (size_t i = 0, n = lcc_tensor_size(dy); i < n; i++) {
        if (da)
            da->d[i] += dy->d[i];
        if (db)
            db->d[i] += dy->d[i];
    }
}

lcc_status lcc_op_concat(const LccTensor *const a, const LccTensor *const b, LccTensor *const y)
{
    if (a->n != b->n || a->h != b->h || a->w != b->w || y->n != a->n || y->c != a->c + b->c || y->h != a->h ||
        y->w != a->w)
        return LCC_EINVAL;
    const size_t P = (size_t)a->h * a->w, sa = (size_t)a->c * P, sb = (size_t)b->c * P;
    for (int n = 0; n < a->n; n++) {
        memcpy(y->d + n * (sa + sb), a->d + n * sa, sa * sizeof(float));
        memcpy(y->d + n * (sa + sb) + sa, b->d + n * sb, sb * sizeof(float));
    }
    return LCC_OK;
}

lcc_status lcc_op_concat_backward(const LccTensor *const dy, LccTensor *const da, LccTensor *const db)
{
    if (da->n != db->n || dy->c != da->c + db->c)
        return LCC_EINVAL;
    const size_t P = (size_t)da->h * da->w, sa = (size_t)da->c * P, sb = (size_t)db->c * P;
    for (int n = 0; n < da->n; n++) {
        memcpy(da->d + n * sa, dy->d + n * (sa + sb), sa * sizeof(float));
        memcpy(db->d + n * sb, dy->d + n * (sa + sb) + sa, sb * sizeof(float));
    }
    return LCC_OK;
}
