/* The wavelet-ae (WaLLoC) audio model graph: see walloc_audio.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/models/wae.h"
#include "libcodec/models/walloc_audio.h"

const WaudioConfig waudio_default_config = {
    .levels = 8, .latent = 256, .hidden = 96, .blocks = 2, .qualities = WAUDIO_QUALITIES,
};

lcc_status waudio_init(WaudioNet *const m, const WaudioConfig *const cfg, const uint64_t seed)
{
    memset(m, 0, sizeof(*m));
    if (cfg->levels < 1 || cfg->levels > 10 || cfg->latent < 1 || cfg->hidden < 1 ||
        cfg->blocks < 0 || cfg->qualities < 1 || cfg->qualities > WAUDIO_MAX_QUALITIES || cfg->prior_params < 0)
        return LCC_EINVAL;
    m->cfg = *cfg;
    m->bands = 1 << cfg->levels;
    lcc_status err = lcc_net_init(&m->net, seed);
    if (err)
        return err;
    const int K = m->bands, L = cfg->latent, H = cfg->hidden, Q = cfg->qualities;
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
        ok = (m->prior[q] = lcc_params_add(P, name, 2, (const int[]){ L, cfg->prior_params }, 0)) != NULL;
    }
    /* D: 1x1 to the hidden width, residual blocks (k = 3 along time), 1x1 to the bands. */
    LccSeq *const d = m->net.root;
    ok = ok && lcc_seq_conv1d(d, L, H, 1, 1, 0, 1) && lcc_seq_act(d, LCC_LAYER_GELU, 0);
    for (int b = 0; b < cfg->blocks && ok; b++) {
        LccSeq *const r = lcc_seq_residual(d);
        ok = r && lcc_seq_conv1d(r, H, H, 3, 1, 1, 1) && lcc_seq_act(r, LCC_LAYER_GELU, 0) &&
             lcc_seq_conv1d(r, H, H, 3, 1, 1, 1);
    }
    LccLayer *const last = ok ? lcc_seq_conv1d(d, H, K, 1, 1, 0, 1) : NULL;
    if (!last) {
        waudio_free(m);
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

void waudio_free(WaudioNet *const m)
{
    lcc_net_free(&m->net);
    memset(m, 0, sizeof(*m));
}

/* The model's parameters as the shared graph (wae.h) sees them. */
static WaeGraph graph(WaudioNet *const m)
{
    return (WaeGraph){ m->bands, m->cfg.latent, m->cfg.qualities, m->ana_w, m->ana_b, m->syn_w, m->syn_b,
                       m->loggain, m->ilog, m->net.root, m->ys };
}

lcc_status waudio_analysis(LccNn *const nn, WaudioNet *const m, const LccTensor *const X, const int q, LccTensor *const y)
{
    WaeGraph g = graph(m);
    return wae_analysis(nn, &g, X, q, y);
}

lcc_status waudio_analysis_backward(LccNn *const nn, WaudioNet *const m, const LccTensor *const X,
                                    const LccTensor *const y, const int q, const LccTensor *const dy)
{
    WaeGraph g = graph(m);
    return wae_analysis_backward(nn, &g, X, y, q, dy, NULL);
}

lcc_status waudio_synthesis(LccNn *const nn, WaudioNet *const m, const LccTensor *const yq, const int q,
                            LccTensor *const Xh, const int training)
{
    WaeGraph g = graph(m);
    const lcc_status err = wae_synthesis(nn, &g, yq, q, Xh, training);
    m->ys = g.ys;
    return err;
}

lcc_status waudio_synthesis_backward(LccNn *const nn, WaudioNet *const m, const LccTensor *const yq, const int q,
                                     const LccTensor *const dXh, LccTensor *const dyq)
{
    WaeGraph g = graph(m);
    return wae_synthesis_backward(nn, &g, yq, q, dXh, dyq);
}

static void config_fields(const WaudioConfig *const cfg, int32_t f[WAUDIO_CONFIG_FIELDS])
{
    f[0] = cfg->levels;
    f[1] = cfg->latent;
    f[2] = cfg->hidden;
    f[3] = cfg->blocks;
    f[4] = cfg->qualities;
    f[5] = cfg->prior_params;
}

void waudio_write(const WaudioNet *const m, LccwWriter *const w)
{
    int32_t f[WAUDIO_CONFIG_FIELDS];
    config_fields(&m->cfg, f);
    lcc_lccw_add(w, "config", LCCW_I32, 1, (const uint32_t[]){ WAUDIO_CONFIG_FIELDS }, f);
    const LccParams *const s = &m->net.params;
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        uint32_t dims[4];
        for (int d = 0; d < p->ndim; d++)
            dims[d] = (uint32_t)p->shape[d];
        lcc_lccw_add(w, p->name, LCCW_F32, p->ndim, dims, p->w);
    }
}

lcc_status waudio_load(LccContext *const c, WaudioNet *const m, const uint8_t *const data, const size_t size,
                       uint8_t id[32], const uint8_t **const cdf, size_t *const cdf_size)
{
    memset(m, 0, sizeof(*m));
    LccwTensor *t = NULL;
    uint32_t n = 0;
    lcc_status err = lcc_lccw_parse(c, data, size, NULL, &t, &n, id);
    if (err)
        return err;
    const LccwTensor *const ct = lcc_lccw_find(t, n, "config");
    if (!ct || (err = lcc_lccw_expect(c, ct, LCCW_I32, 1, (const uint32_t[]){ WAUDIO_CONFIG_FIELDS }))) {
        free(t);
        return err ? err : lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: no config tensor");
    }
    int32_t f[WAUDIO_CONFIG_FIELDS];
    for (int i = 0; i < WAUDIO_CONFIG_FIELDS; i++)
        f[i] = (int32_t)lcc_rl32(ct->data + 4 * i);
    const WaudioConfig cfg = { f[0], f[1], f[2], f[3], f[4], f[5] };
    if (cfg.latent > 1024 || cfg.hidden > 1024 || cfg.blocks > 16 ||
        cfg.prior_params > 4096 || (err = waudio_init(m, &cfg, 0))) {
        free(t);
        return lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: unsupported configuration");
    }
    const LccParams *const s = &m->net.params;
    for (int i = 0; i < s->n && !err; i++) {
        LccParam *const p = s->p[i];
        const LccwTensor *const pt = lcc_lccw_find(t, n, p->name);
        uint32_t dims[4];
        for (int d = 0; d < p->ndim; d++)
            dims[d] = (uint32_t)p->shape[d];
        if (!pt)
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: tensor %s missing", p->name);
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
            err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: entropy table %s missing", name);
        } else {
            cdf[q] = bt->data;
            cdf_size[q] = (size_t)bt->bytes;
        }
    }
    free(t);
    if (err)
        waudio_free(m);
    return err;
}

int waudio_stereo_mode(const float *const x, const int n)
{
    double em = 0, es = 0;
    for (int i = 0; i < n; i++) {
        const double m = (double)x[i] + x[n + i], s = (double)x[i] - x[n + i];
        em += m * m;
        es += s * s;
    }
    return em > 0 && es < 0.05 * em;
}

void waudio_mid_side(float *const x, const int n)
{
    for (int i = 0; i < n; i++) {
        const float a = x[i], b = x[n + i];
        x[i] = (a + b) * WAUDIO_SQRT_HALF;
        x[n + i] = (a - b) * WAUDIO_SQRT_HALF;
    }
}
