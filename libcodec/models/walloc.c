/* The wavelet-ae (WaLLoC) model graph: see walloc.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/internal.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/wae.h"
#include "libcodec/models/walloc.h"

const WallocConfig walloc_image_config = {
    .channels = 3, .levels = 3, .latent = 64, .hidden = 96, .blocks = 2, .qualities = WALLOC_QUALITIES,
};

const WallocConfig walloc_image_hp_config = {
    .channels = 3, .levels = 3, .latent = 64, .hidden = 96, .blocks = 2, .qualities = WALLOC_HP_QUALITIES,
    .hyper_n = 64, .hyper_m = 32,
};

const WallocConfig walloc_image_cb_config = {
    .channels = 3, .levels = 3, .latent = 64, .hidden = 96, .blocks = 2, .qualities = WALLOC_HP_QUALITIES,
    .hyper_n = 64, .hyper_m = 32, .ctx_n = 64,
};

const WallocConfig walloc_image_cs_config = {
    .channels = 3, .levels = 3, .latent = 64, .hidden = 96, .blocks = 2, .qualities = WALLOC_HP_QUALITIES,
    .hyper_n = 64, .hyper_m = 32, .ctx_n = 64, .ctx_slices = 4,
};

/* CompressAI's lambdas for bmshj2018 (MSE), preceded for the hyperprior
 * models by two lower ones (about 0.15 and 0.2 bpp on Kodak). */
const float walloc_lambdas[WALLOC_QUALITIES] = { 0.0018f, 0.0035f, 0.0067f, 0.0130f,
                                                 0.0250f, 0.0483f, 0.0932f, 0.1800f };
const float walloc_hp_lambdas[WALLOC_HP_QUALITIES] = { 0.0004f, 0.0009f, 0.0018f, 0.0035f, 0.0067f,
                                                       0.0130f, 0.0250f, 0.0483f, 0.0932f, 0.1800f };

/* Leaky ReLU slope of the hyperprior networks (exact in qnn's Q8). */
#define HYPER_SLOPE 0.125f

/* A network's last layer at 0, so that the model it joins starts as the
 * model without it (LCC_ENOMEM if building it failed: l is NULL). */
static lcc_status start_at_zero(LccLayer *const l)
{
    if (!l)
        return LCC_ENOMEM;
    lcc_param_fill(l->w, 0);
    lcc_param_fill(l->b, 0);
    return LCC_OK;
}

static lcc_status hyper_init(WallocNet *const m)
{
    const int L = m->cfg.latent, N = m->cfg.hyper_n, M = m->cfg.hyper_m;
    LccSeq *const a = m->ha = lcc_net_seq(&m->net, "ha.");
    LccSeq *const s = m->hs = lcc_net_seq(&m->net, "hs.");
    const int ok = a && s && lcc_seq_conv2d(a, L, N, 3, 3, 1, 1, 1) && lcc_seq_act(a, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE) &&
                   lcc_seq_conv2d(a, N, N, 5, 5, 2, 2, 1) && lcc_seq_act(a, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE) &&
                   lcc_seq_conv2d(a, N, M, 5, 5, 2, 2, 1) && lcc_seq_convt2d(s, M, N, 5, 2, 2, 1) &&
                   lcc_seq_act(s, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE) && lcc_seq_convt2d(s, N, N, 5, 2, 2, 1) &&
                   lcc_seq_act(s, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE);
    LccLayer *const last = ok ? lcc_seq_conv2d(s, N, 2 * L, 3, 3, 1, 1, 1) : NULL;
    if (!last)
        return LCC_ENOMEM;
    /* start near mu = 0, sigma = 1 */
    for (size_t i = 0; i < last->w->size; i++)
        last->w->w[i] *= 0.1f;
    lcc_param_fill(last->b, 0);
    if (!m->cfg.ctx_n)
        return LCC_OK;
    const int C = m->cfg.ctx_n, S = m->cfg.ctx_slices;
    LccSeq *const x = m->cx = lcc_net_seq(&m->net, "cx.");
    const int okx = x && lcc_seq_conv2d(x, S + L, C, 5, 5, 1, 2, 1) && lcc_seq_act(x, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE) &&
                    lcc_seq_conv2d(x, C, C, 1, 1, 1, 0, 1) && lcc_seq_act(x, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE);
    /* no context at first: the model starts as its hyperprior model */
    return start_at_zero(okx ? lcc_seq_conv2d(x, C, 2 * L, 1, 1, 1, 0, 1) : NULL);
}

/* The nonlinear analysis an (walloc.h), its last layer at 0. */
static lcc_status analysis_init(WallocNet *const m)
{
    const int K = m->bands, E = m->cfg.ana_n, L = m->cfg.latent;
    LccSeq *const a = m->an = lcc_net_seq(&m->net, "an.");
    const int ok = a && lcc_seq_conv2d(a, K, E, 1, 1, 1, 0, 1) && lcc_seq_act(a, LCC_LAYER_GELU, 0) &&
                   lcc_seq_conv2d(a, E, E, 3, 3, 1, 1, 1) && lcc_seq_act(a, LCC_LAYER_GELU, 0) &&
                   lcc_seq_conv2d(a, E, E, 3, 3, 1, 1, 1) && lcc_seq_act(a, LCC_LAYER_GELU, 0);
    return start_at_zero(ok ? lcc_seq_conv2d(a, E, L, 1, 1, 1, 0, 1) : NULL);
}

/* The post-filter pf (walloc.h), its last layer at 0. */
static lcc_status post_init(WallocNet *const m)
{
    const int C = m->cfg.channels, F = m->cfg.post_n;
    LccSeq *const a = m->pf = lcc_net_seq(&m->net, "pf.");
    const int ok = a && lcc_seq_conv2d(a, C, F, 3, 3, 1, 1, 1) && lcc_seq_act(a, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE) &&
                   lcc_seq_conv2d(a, F, F, 3, 3, 1, 1, 1) && lcc_seq_act(a, LCC_LAYER_LEAKY_RELU, HYPER_SLOPE);
    return start_at_zero(ok ? lcc_seq_conv2d(a, F, C, 3, 3, 1, 1, 1) : NULL);
}

lcc_status walloc_init(WallocNet *const m, const WallocConfig *const cfg, const uint64_t seed)
{
    memset(m, 0, sizeof(*m));
    if (cfg->channels < 1 || cfg->levels < 0 || cfg->levels > 4 || cfg->latent < 1 || cfg->hidden < 1 ||
        cfg->blocks < 0 || cfg->qualities < 1 || cfg->qualities > WALLOC_MAX_QUALITIES || cfg->prior_params < 0 ||
        cfg->hyper_n < 0 || cfg->hyper_m < 0 || (cfg->hyper_n > 0) != (cfg->hyper_m > 0) || cfg->ctx_n < 0 ||
        (cfg->ctx_n > 0 && !cfg->hyper_m) || cfg->ctx_slices < 0 || (cfg->ctx_slices > 0 && !cfg->ctx_n) ||
        (cfg->ctx_slices > 0 && (cfg->ctx_slices > 64 || cfg->latent % cfg->ctx_slices)) || cfg->ana_n < 0 ||
        cfg->post_n < 0)
        return LCC_EINVAL;
    m->cfg = *cfg;
    m->bands = cfg->channels << (2 * cfg->levels);
    lcc_status err = lcc_net_init(&m->net, seed);
    if (err)
        return err;
    const int K = m->bands, L = cfg->latent, H = cfg->hidden, Q = cfg->qualities;
    const int PC = cfg->hyper_m ? cfg->hyper_m : L; /* channels of the factorized priors */
    LccParams *const P = &m->net.params;
    m->ana_w = lcc_params_add(P, "ana.w", 2, (const int[]){ L, K }, 1);
    m->ana_b = lcc_params_add(P, "ana.b", 1, (const int[]){ L }, 0);
    m->syn_w = lcc_params_add(P, "syn.w", 2, (const int[]){ K, L }, 1);
    m->syn_b = lcc_params_add(P, "syn.b", 1, (const int[]){ K }, 0);
    m->loggain = lcc_params_add(P, "gain.log", 2, (const int[]){ Q, L }, 0);
    m->ilog = lcc_params_add(P, "gain.ilog", 2, (const int[]){ Q, L }, 0);
    int ok = m->ana_w && m->ana_b && m->syn_w && m->syn_b && m->loggain && m->ilog;
    for (int q = 0; q < Q && ok && cfg->prior_params; q++) {
        char name[32];
        snprintf(name, sizeof(name), "prior.%d", q);
        ok = (m->prior[q] = lcc_params_add(P, name, 2, (const int[]){ PC, cfg->prior_params }, 0)) != NULL;
    }
    /* D: 1x1 to the hidden width, residual 3x3 blocks, 1x1 to the bands. */
    LccSeq *const d = m->net.root;
    ok = ok && lcc_seq_conv2d(d, L, H, 1, 1, 1, 0, 1) && lcc_seq_act(d, LCC_LAYER_GELU, 0);
    for (int b = 0; b < cfg->blocks && ok; b++) {
        LccSeq *const r = lcc_seq_residual(d);
        ok = r && lcc_seq_conv2d(r, H, H, 3, 3, 1, 1, 1) && lcc_seq_act(r, LCC_LAYER_GELU, 0) &&
             lcc_seq_conv2d(r, H, H, 3, 3, 1, 1, 1);
    }
    LccLayer *const last = ok ? lcc_seq_conv2d(d, H, K, 1, 1, 1, 0, 1) : NULL;
    if (!last || (cfg->hyper_m && hyper_init(m)) || (cfg->ana_n && analysis_init(m)) ||
        (cfg->post_n && post_init(m))) {
        walloc_free(m);
        return LCC_ENOMEM;
    }
    /* D starts as zero so the model starts as the linear codec (S, A). */
    lcc_param_fill(last->w, 0);
    lcc_param_fill(last->b, 0);
    /* A and S: random orthogonal-ish starting point; trainers may replace
     * them (PCA). */
    lcc_param_uniform(m->ana_w, &m->net.rng, sqrtf(3.0f / (float)K));
    for (int k = 0; k < K; k++)
        for (int l = 0; l < L; l++)
            m->syn_w->w[(size_t)k * L + l] = m->ana_w->w[(size_t)l * K + k];
    return LCC_OK;
}

void walloc_free(WallocNet *const m)
{
    lcc_qnet_free(&m->hsq);
    lcc_qnet_free(&m->cxq);
    lcc_net_free(&m->net);
    memset(m, 0, sizeof(*m));
}

/* The model's parameters as the shared graph (wae.h) sees them. */
static WaeGraph graph(WallocNet *const m)
{
    return (WaeGraph){ m->bands, m->cfg.latent, m->cfg.qualities, m->ana_w, m->ana_b, m->syn_w, m->syn_b,
                       m->loggain, m->ilog, m->net.root, m->ys };
}

lcc_status walloc_analysis(LccNn *const nn, WallocNet *const m, const LccTensor *const X, const int q,
                           LccTensor *const y, const int training)
{
    WaeGraph g = graph(m);
    lcc_status err = wae_analysis(nn, &g, X, q, y);
    if (err || !m->an)
        return err;
    /* y += g_q * an(X) */
    LccTensor e;
    if ((err = lcc_seq_forward(nn, m->an, X, &e, training)))
        return err;
    const int L = m->cfg.latent;
    const size_t HW = (size_t)X->h * X->w;
    for (int n = 0; n < X->n; n++)
        for (int l = 0; l < L; l++) {
            const float gq = expf(m->loggain->w[(size_t)q * L + l]);
            const size_t o = ((size_t)n * L + l) * HW;
            for (size_t i = 0; i < HW; i++)
                y->d[o + i] += gq * e.d[o + i];
        }
    return LCC_OK;
}

lcc_status walloc_analysis_backward(LccNn *const nn, WallocNet *const m, const LccTensor *const X,
                                    const LccTensor *const y, const int q, const LccTensor *const dy)
{
    WaeGraph g = graph(m);
    LccTensor d0;
    const lcc_status err = wae_analysis_backward(nn, &g, X, y, q, dy, &d0);
    return err || !m->an ? err : lcc_seq_backward(nn, m->an, &d0, NULL);
}

lcc_status walloc_synthesis(LccNn *const nn, WallocNet *const m, const LccTensor *const yq, const int q,
                            LccTensor *const Xh, const int training)
{
    WaeGraph g = graph(m);
    const lcc_status err = wae_synthesis(nn, &g, yq, q, Xh, training);
    m->ys = g.ys;
    return err;
}

lcc_status walloc_synthesis_backward(LccNn *const nn, WallocNet *const m, const LccTensor *const yq, const int q,
                                     const LccTensor *const dXh, LccTensor *const dyq)
{
    WaeGraph g = graph(m);
    return wae_synthesis_backward(nn, &g, yq, q, dXh, dyq);
}

lcc_status walloc_post(LccNn *const nn, WallocNet *const m, LccTensor *const x, const int training)
{
    if (!m->pf)
        return LCC_OK;
    if (x->c != m->cfg.channels)
        return LCC_EINVAL;
    /* training: pf's backward reads its input, which x then no longer is */
    const size_t n = lcc_tensor_size(x);
    LccTensor in = *x, r;
    if (training) {
        in = lcc_nn_tensor(nn, x->n, x->c, x->h, x->w);
        if (!in.d)
            return LCC_ENOMEM;
        memcpy(in.d, x->d, sizeof(float) * n);
    }
    const lcc_status err = lcc_seq_forward(nn, m->pf, &in, &r, training);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++)
        x->d[i] += r.d[i];
    return LCC_OK;
}

/* Rows of context pf needs on each side of an output row: three 3x3
 * convolutions. */
#define POST_HALO 3

lcc_status walloc_post_image(LccNn *const nn, WallocNet *const m, float *const x, const int w, const int h,
                             int rows)
{
    if (!m->pf)
        return LCC_OK;
    const int C = m->cfg.channels;
    rows = rows > 0 ? rows : 32;
    const size_t plane = (size_t)w * h;
    float *const out = malloc(sizeof(float) * plane * (size_t)C);
    if (!out)
        return LCC_ENOMEM;
    lcc_status err = LCC_OK;
    for (int r0 = 0; r0 < h && !err; r0 += rows) {
        /* output rows r0..r1-1 from input rows a..b-1: the rows of zero
         * padding of every layer are then those of the whole image, or
         * rows whose results no output row reads */
        const int r1 = r0 + rows < h ? r0 + rows : h;
        const int a = r0 - POST_HALO > 0 ? r0 - POST_HALO : 0, b = r1 + POST_HALO < h ? r1 + POST_HALO : h;
        lcc_nn_reset(nn);
        LccTensor in = lcc_nn_tensor(nn, 1, C, b - a, w), r;
        if (!in.d) {
            err = LCC_ENOMEM;
            break;
        }
        for (int c = 0; c < C; c++)
            memcpy(in.d + (size_t)c * (b - a) * w, x + c * plane + (size_t)a * w, sizeof(float) * (size_t)(b - a) * w);
        if ((err = lcc_seq_forward(nn, m->pf, &in, &r, 0)))
            break;
        for (int c = 0; c < C; c++) {
            const float *const src = x + c * plane + (size_t)r0 * w;
            const float *const add = r.d + ((size_t)c * (b - a) + (size_t)(r0 - a)) * w;
            float *const dst = out + c * plane + (size_t)r0 * w;
            for (size_t i = 0; i < (size_t)(r1 - r0) * w; i++)
                dst[i] = src[i] + add[i];
        }
    }
    lcc_nn_reset(nn);
    if (!err)
        memcpy(x, out, sizeof(float) * plane * (size_t)C);
    free(out);
    return err;
}

lcc_status walloc_post_backward(LccNn *const nn, WallocNet *const m, LccTensor *const dx)
{
    if (!m->pf)
        return LCC_OK;
    LccTensor din;
    const lcc_status err = lcc_seq_backward(nn, m->pf, dx, &din);
    if (err)
        return err;
    const size_t n = lcc_tensor_size(dx);
    for (size_t i = 0; i < n; i++)
        dx->d[i] += din.d[i];
    return LCC_OK;
}

lcc_status walloc_hyper_analysis(LccNn *const nn, WallocNet *const m, const LccTensor *const y, LccTensor *const z,
                                 const int training)
{
    if (!m->ha || y->n < 1 || y->c != m->cfg.latent || y->h < 1 || y->w < 1 || !y->d)
        return LCC_EINVAL;
    return lcc_seq_forward(nn, m->ha, y, z, training);
}

/* Integers v as a network's input: v * 2^fin, saturated (integers only);
 * NULL if the arena is full. */
static int16_t *integer_input(LccNn *const nn, const LccQNet *const q, const int32_t *const v, const size_t n)
{
    int16_t *const x = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * n);
    for (size_t i = 0; x && i < n; i++) {
        const int64_t s = q->fin >= 0 ? (int64_t)v[i] * ((int64_t)1 << q->fin) : (int64_t)v[i] >> -q->fin;
        x[i] = (int16_t)(s > INT16_MAX ? INT16_MAX : s < INT16_MIN ? INT16_MIN : s);
    }
    return x;
}

lcc_status walloc_hyper_params(LccNn *const nn, const WallocNet *const m, const int32_t *const zq, const int zh,
                               const int zw, const int h, const int w, float *const mu, int32_t *const logscale,
                               int *const frac)
{
    const int L = m->cfg.latent, M = m->cfg.hyper_m;
    const LccQNet *const q = &m->hsq;
    if (!q->n || zh < 1 || zw < 1 || h < 1 || w < 1 || h > WALLOC_HYPER_DOWN * zh || w > WALLOC_HYPER_DOWN * zw)
        return LCC_EINVAL;
    int16_t *const x = integer_input(nn, q, zq, (size_t)M * zh * zw);
    if (!x)
        return LCC_ENOMEM;
    int16_t *p;
    LccTensor shape;
    const lcc_status err = lcc_qnet_forward(nn, q, x, 1, zh, zw, &p, &shape);
    if (err)
        return err;
    if (shape.c != 2 * L || shape.h < h || shape.w < w)
        return LCC_EINVAL;
    const int f = q->l[q->n - 1].fout;
    const float unit = ldexpf(1.0f, -f);
    *frac = f > 0 ? f : 0;
    for (int l = 0; l < L; l++)
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                const size_t o = ((size_t)l * h + i) * w + j;
                const int16_t vm = p[((size_t)l * shape.h + i) * shape.w + j];
                const int16_t vs = p[((size_t)(L + l) * shape.h + i) * shape.w + j];
                mu[o] = (float)vm * unit;
                logscale[o] = f >= 0 ? vs : vs * (1 << -f);
            }
    return LCC_OK;
}

lcc_status walloc_context_params(LccNn *const nn, const WallocNet *const m, const int32_t *const r, const int h,
                                 const int w, float *const mu, int32_t *const logscale, int *const frac)
{
    const int L = m->cfg.latent;
    const LccQNet *const q = &m->cxq;
    if (!q->n || h < 1 || w < 1 || *frac < 0 || *frac > WALLOC_MAX_FRAC)
        return LCC_EINVAL;
    const size_t plane = (size_t)h * w, n = (size_t)L * plane;
    int32_t *const ra = lcc_arena_alloc(&nn->arena, sizeof(int32_t) * n);
    int32_t *const pos = lcc_arena_alloc(&nn->arena, sizeof(int32_t) * (plane / 2 + 1));
    if (!ra || !pos)
        return LCC_ENOMEM;
    for (size_t o = 0; o < n; o++)
        ra[o] = walloc_is_anchor_at(o, plane, w) ? r[o] : 0;
    int np = 0;   /* the non-anchor positions: the only outputs used */
    for (size_t o = 0; o < plane; o++)
        if (!walloc_is_anchor_at(o, plane, w))
            pos[np++] = (int32_t)o;
    const int f = q->l[q->n - 1].fout;
    if (f > WALLOC_MAX_FRAC || q->l[q->n - 1].cout != 2 * L)
        return LCC_EINVAL;
    const lcc_status e0 = walloc_context_begin(m, logscale, n, frac);
    if (e0)
        return e0;
    const int F = *frac;
    if (!np)   /* a 1x1 latent: anchors only */
        return LCC_OK;
    int16_t *const x = integer_input(nn, q, ra, n);
    if (!x)
        return LCC_ENOMEM;
    int16_t *p;
    const lcc_status err = lcc_qnet_forward_at(nn, q, x, h, w, pos, np, &p);
    if (err)
        return err;
    /* ln sigma at F fractional bits: |terms| < 2^30, so the sums fit in
     * int32; mu += v * 2^-f (binary32: an exact product, one rounding) */
    const float unit = ldexpf(1.0f, -f);
    for (int l = 0; l < L; l++)
        for (int k = 0; k < np; k++) {
            const size_t o = (size_t)l * plane + (size_t)pos[k];
            logscale[o] += p[(size_t)(L + l) * np + k] * (1 << (F - f));
            mu[o] += (float)p[(size_t)l * np + k] * unit;
        }
    return LCC_OK;
}

size_t walloc_pass_positions(const WallocConfig *const cfg, const int h, const int w, const int pass,
                             size_t *const pos)
{
    const int S = cfg->ctx_slices ? cfg->ctx_slices : 1, per = cfg->latent / S, l0 = pass % S * per;
    size_t k = 0;
    for (int l = l0; l < l0 + per; l++)
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                if (walloc_is_anchor(i, j) == (pass < S))
                    pos[k++] = ((size_t)l * h + i) * w + j;
    return k;
}

/* v * scale (a power of 2: exact) rounded half away from zero, saturated
 * to int16. */
static int16_t fixed16(const float v, const float scale)
{
    const float t = roundf(v * scale);
    return (int16_t)(t > INT16_MAX ? INT16_MAX : t < INT16_MIN ? INT16_MIN : t);
}

/* cx's output precision, checked by the loader: 0..WALLOC_MAX_FRAC. */
static int context_frac(const WallocNet *const m)
{
    return m->cxq.l[m->cxq.n - 1].fout;
}

lcc_status walloc_context_begin(const WallocNet *const m, int32_t *const logscale, const size_t n, int *const frac)
{
    const int f0 = *frac, f = m->cxq.n ? context_frac(m) : -1;
    if (f < 0 || f0 < 0 || f0 > WALLOC_MAX_FRAC)
        return LCC_EINVAL;
    const int F = f0 > f ? f0 : f;
    for (size_t o = 0; o < n; o++)
        logscale[o] *= 1 << (F - f0);
    *frac = F;
    return LCC_OK;
}

lcc_status walloc_context_pass(LccNn *const nn, const WallocNet *const m, const float *const yhat,
                               const float *const mu_hs, const int h, const int w, const int pass, float *const mu,
                               int32_t *const logscale, const int frac)
{
    const WallocConfig *const cfg = &m->cfg;
    const int L = cfg->latent, S = cfg->ctx_slices, per = S ? L / S : 0, slice = pass % (S ? S : 1);
    const LccQNet *const q = &m->cxq;
    const int f = q->n ? context_frac(m) : -1;
    if (!S || !q->n || q->l[0].cin != S + L || pass < 0 || pass >= 2 * S || h < 1 || w < 1 || frac < f ||
        frac > WALLOC_MAX_FRAC)
        return LCC_EINVAL;
    const size_t plane = (size_t)h * w;
    /* the input: masks, then e = yhat - mu_hs where known, at the
     * network's input precision; the anchor passes leave out the slices
     * not coded yet (all 0) */
    const int cin = pass < S ? S + pass * per : S + L;
    int16_t *const x = lcc_arena_alloc(&nn->arena, sizeof(int16_t) * (size_t)cin * plane);
    int32_t *const pos = lcc_arena_alloc(&nn->arena, sizeof(int32_t) * (plane + 1));
    if (!x || !pos)
        return LCC_ENOMEM;
    const float scale = ldexpf(1.0f, q->fin);
    const int16_t one = fixed16(1.0f, scale);
    for (int c = 0; c < cin; c++) {
        const int k = c < S ? c : (c - S) / per;
        const int known[2] = { walloc_slice_known(cfg, pass, k, 0), walloc_slice_known(cfg, pass, k, 1) };
        int16_t *const xc = x + (size_t)c * plane;
        const size_t o0 = c < S ? 0 : (size_t)(c - S) * plane;
        for (size_t o = 0; o < plane; o++)
            xc[o] = !known[walloc_is_anchor_at(o, plane, w)] ? 0
                    : c < S                                 ? one
                                                            : fixed16(yhat[o0 + o] - mu_hs[o0 + o], scale);
    }
    int np = 0;
    for (size_t o = 0; o < plane; o++)
        if (walloc_is_anchor_at(o, plane, w) == (pass < S))
            pos[np++] = (int32_t)o;
    if (!np)   /* a 1x1 latent has no second half */
        return LCC_OK;
    int16_t *p;
    const lcc_status err = lcc_qnet_forward_at_cin(nn, q, x, cin, h, w, pos, np, &p);
    if (err)
        return err;
    const float unit = ldexpf(1.0f, -f);
    for (int l = slice * per; l < (slice + 1) * per; l++)
        for (int k = 0; k < np; k++) {
            const size_t o = (size_t)l * plane + (size_t)pos[k];
            logscale[o] += p[(size_t)(L + l) * np + k] * (1 << (frac - f));
            mu[o] += (float)p[(size_t)l * np + k] * unit;
        }
    return LCC_OK;
}

static void config_fields(const WallocConfig *const cfg, int32_t f[WALLOC_CONFIG_FIELDS])
{
    f[0] = cfg->channels;
    f[1] = cfg->levels;
    f[2] = cfg->latent;
    f[3] = cfg->hidden;
    f[4] = cfg->blocks;
    f[5] = cfg->qualities;
    f[6] = cfg->prior_params;
    f[7] = cfg->hyper_n;
    f[8] = cfg->hyper_m;
    f[9] = cfg->ctx_n;
    f[10] = cfg->ctx_slices;
    f[11] = cfg->ana_n;
    f[12] = cfg->post_n;
}

/* Parameters that weight files carry on the integer path instead. */
static int is_integer_param(const char *const name)
{
    return !strncmp(name, "hs.", 3) || !strncmp(name, "cx.", 3);
}

void walloc_write(const WallocNet *const m, const LccQNet *const hsq, const LccQNet *const cxq, LccwWriter *const w)
{
    int32_t f[WALLOC_CONFIG_FIELDS];
    config_fields(&m->cfg, f);
    /* older models keep their shorter configs (7 fields: factorized, 9:
     * hyperprior, 10: checkerboard, 11: channel slices, 12: nonlinear
     * analysis), so their files
     * and ids stay the same */
    const uint32_t nf = m->cfg.post_n       ? WALLOC_CONFIG_FIELDS
                        : m->cfg.ana_n      ? 12
                        : m->cfg.ctx_slices ? 11
                        : m->cfg.ctx_n      ? 10
                        : m->cfg.hyper_m    ? 9
                                            : 7;
    lcc_lccw_add(w, "config", LCCW_I32, 1, &nf, f);
    if (m->cfg.hyper_m)
        lcc_qnet_write(w, "hsq.", hsq);
    if (m->cfg.ctx_n)
        lcc_qnet_write(w, "cxq.", cxq);
    const LccParams *const s = &m->net.params;
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        if (is_integer_param(p->name))
            continue;
        uint32_t dims[4];
        for (int d = 0; d < p->ndim; d++)
            dims[d] = (uint32_t)p->shape[d];
        lcc_lccw_add(w, p->name, LCCW_F32, p->ndim, dims, p->w);
    }
}

/* Floats of the largest parameters a configuration implies (analysis,
 * synthesis, decoder blocks, hyperprior): a file must hold at least these,
 * so a small file cannot make the loader allocate much before it finds
 * its tensors missing. */
static uint64_t expected_floats(const WallocConfig *const cfg)
{
    const uint64_t K = (uint64_t)cfg->channels << (2 * cfg->levels), L = (uint64_t)cfg->latent;
    const uint64_t H = (uint64_t)cfg->hidden, N = (uint64_t)cfg->hyper_n, M = (uint64_t)cfg->hyper_m;
    const uint64_t C = (uint64_t)cfg->ctx_n, E = (uint64_t)cfg->ana_n, F = (uint64_t)cfg->post_n;
    return 2 * K * L + L * H + H * K + (uint64_t)cfg->blocks * 18 * H * H + L * N * 9 + N * N * 25 + N * M * 25 +
           ((L + (uint64_t)cfg->ctx_slices) * C * 25 + C * C + C * 2 * L) / 4 + /* cx: int8 */
           K * E + 18 * E * E + E * L + 18 * (uint64_t)cfg->channels * F + 9 * F * F;
}

lcc_status walloc_load(LccContext *const c, WallocNet *const m, const uint8_t *const data, const size_t size,
                       uint8_t id[32], const uint8_t **const cdf, size_t *const cdf_size)
{
    memset(m, 0, sizeof(*m));
    LccwTensor *t = NULL;
    uint32_t n = 0;
    lcc_status err = lcc_lccw_parse(c, data, size, NULL, &t, &n, id);
    if (err)
        return err;
    const LccwTensor *const ct = lcc_lccw_find(t, n, "config");
    const uint32_t nf = ct && ct->ndim == 1 && ct->dims[0] >= 7 && ct->dims[0] <= WALLOC_CONFIG_FIELDS &&
                                ct->dims[0] != 8 ? ct->dims[0] : WALLOC_CONFIG_FIELDS;
    if (!ct || (err = lcc_lccw_expect(c, ct, LCCW_I32, 1, &nf))) {
        free(t);
        return err ? err : lcc_error(c, LCC_EMODEL, "wavelet-ae model: no config tensor");
    }
    int32_t f[WALLOC_CONFIG_FIELDS] = { 0 };
    for (uint32_t i = 0; i < nf; i++)
        f[i] = (int32_t)lcc_rl32(ct->data + 4 * i);
    const WallocConfig cfg = { f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12] };
    if (cfg.channels < 1 || cfg.channels > 4 || cfg.latent > 1024 || cfg.hidden > 1024 || cfg.blocks > 16 ||
        cfg.prior_params > 4096 || cfg.hyper_n > 1024 || cfg.hyper_m > 1024 || cfg.ctx_n > 1024 || cfg.ana_n > 1024 ||
        cfg.post_n > 1024 ||
        cfg.levels < 0 ||
        cfg.levels > 4 ||
        (uint64_t)expected_floats(&cfg) > size / 4 || (err = walloc_init(m, &cfg, 0))) {
        free(t);
        return lcc_error(c, LCC_EMODEL, "wavelet-ae model: unsupported configuration");
    }
    if (cfg.hyper_m && !(err = lcc_qnet_read(c, t, n, "hsq.", &m->hsq))) {
        const LccQNet *const q = &m->hsq;
        if (q->l[0].cin != cfg.hyper_m || q->l[q->n - 1].cout != 2 * cfg.latent ||
            q->l[q->n - 1].fout < -8 || q->l[q->n - 1].fout > 30)
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: the integer hyper-synthesis does not fit the model");
    }
    if (!err && cfg.ctx_n && !(err = lcc_qnet_read(c, t, n, "cxq.", &m->cxq))) {
        const LccQNet *const q = &m->cxq;
        if (q->l[0].cin != cfg.ctx_slices + cfg.latent || q->l[q->n - 1].cout != 2 * cfg.latent || q->l[q->n - 1].fout < -8 ||
            q->l[q->n - 1].fout > 30)
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: the integer context network does not fit the model");
        else if (m->hsq.l[m->hsq.n - 1].fout < 0 || m->hsq.l[m->hsq.n - 1].fout > WALLOC_MAX_FRAC ||
                 q->l[q->n - 1].fout < 0 || q->l[q->n - 1].fout > WALLOC_MAX_FRAC)
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: output precision of hs or cx out of 0..%d",
                            WALLOC_MAX_FRAC);
    }
    const LccParams *const s = &m->net.params;
    for (int i = 0; i < s->n && !err; i++) {
        LccParam *const p = s->p[i];
        if (is_integer_param(p->name))
            continue;
        const LccwTensor *const pt = lcc_lccw_find(t, n, p->name);
        uint32_t dims[4];
        for (int d = 0; d < p->ndim; d++)
            dims[d] = (uint32_t)p->shape[d];
        if (!pt)
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: tensor %s missing", p->name);
        else if (!(err = lcc_lccw_expect(c, pt, LCCW_F32, p->ndim, dims)))
            for (size_t k = 0; k < p->size; k++) {
                const uint32_t u = lcc_rl32(pt->data + 4 * k);
                memcpy(&p->w[k], &u, 4);
            }
    }
    for (int q = 0; q < cfg.qualities && !err; q++) {
        char name[32];
        snprintf(name, sizeof(name), "cdf.%d", q);
        const LccwTensor *const bt = lcc_lccw_find(t, n, name);
        if (!bt || bt->type != LCCW_I8 || bt->ndim != 1) {
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: entropy table %s missing", name);
        } else {
            cdf[q] = bt->data;
            cdf_size[q] = (size_t)bt->bytes;
        }
    }
    free(t);
    if (err)
        walloc_free(m);
    return err;
}

static void model_destroy(void *const obj)
{
    WallocModel *const m = obj;
    walloc_free(&m->net);
    free(m->file);
    free(m);
}

lcc_status walloc_model_open(LccContext *const c, const char *const name, const uint8_t *const id,
                             WallocModel **const out)
{
    *out = lcc_model_cache_find(c, model_destroy, name, name ? NULL : id);
    if (*out)
        return LCC_OK;
    WallocModel *const m = calloc(1, sizeof(*m));
    if (!m)
        return lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    lcc_status err = name ? lcc_model_load_name(c, name, &m->file, &m->size)
                          : lcc_model_load_id(c, id, &m->file, &m->size);
    if (!err)
        err = walloc_load(c, &m->net, m->file, m->size, m->id, m->cdf, m->cdf_size);
    if (!err && id && memcmp(m->id, id, LCC_MODEL_ID_BYTES))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae: the installed model does not match the stream's model id");
    if (err) {
        model_destroy(m);
        return err;
    }
    m->cached = lcc_model_cache_add(c, model_destroy, name, m->id, m);
    *out = m;
    return LCC_OK;
}

void walloc_model_release(WallocModel *const m)
{
    if (m && !m->cached)
        model_destroy(m);
}
