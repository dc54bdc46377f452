/* wavelet-ae image decoder (SPEC.md §3.2): rANS-decoded latents, the
 * model's synthesis, inverse wavelet packet. The symbols are integer and
 * bit-exact; the reconstruction is float (DESIGN.md §5: tolerance tier). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoders.h"
#include "entropy/entropy.h"
#include "entropy/gaussian.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc.h"
#include "libcodec/rawpack.h"
#include "wavelet/wavelet.h"

/* The model of the stream, its quality's table bank and the decoded
 * latent y^ (L x mh x mw; syntax 1: the symbols, syntax 2 and 3: mu + symbols):
 * what decoding and latent export share. */
typedef struct Latent {
    WallocModel *model;
    WallocNet *net; /* model->net, or all zero */
    WallocNet none;
    LccCdfBank bank;
    const LccCdfBank *gbank;
    int32_t *sym, *zsym, *scale;
    float *yhat;
    uint16_t *index;
    int mh, mw;
} Latent;

static void latent_free(Latent *const t)
{
    lcc_cdf_bank_free(&t->bank);
    walloc_model_release(t->model);
    free(t->sym);
    free(t->zsym);
    free(t->scale);
    free(t->yhat);
    free(t->index);
    memset(t, 0, sizeof(*t));
}

/* Syntaxes 3 and 4, pass by pass: the means and table indexes of a
 * pass's positions from the symbols decoded before it (t->yhat holds the
 * means, t->scale hs's ln sigma at frac fractional bits), then its
 * symbols. Syntax 3: the anchors, then the others from the anchors'
 * residuals; syntax 4: the anchors slice by slice, then the others, cx
 * seeing what was decoded so far. */
static lcc_status decode_passes(LccContext *const c, LccNn *const nn, LccRansDec *const d, Latent *const t, int frac)
{
    const WallocConfig *const cfg = &t->net->cfg;
    const size_t n = (size_t)cfg->latent * t->mh * t->mw;
    const int slices = cfg->ctx_slices > 0;
    size_t *const pos = malloc(sizeof(size_t) * n);
    uint16_t *const pi = malloc(sizeof(uint16_t) * n);
    int32_t *const ps = malloc(sizeof(int32_t) * n);
    float *const yhat = slices ? malloc(sizeof(float) * n * 2) : NULL, *const mu_hs = yhat ? yhat + n : NULL;
    lcc_status err = pos && pi && ps && (!slices || yhat) ? LCC_OK : lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    if (!err && slices) {
        memcpy(mu_hs, t->yhat, sizeof(float) * n);
        err = walloc_context_begin(t->net, t->scale, n, &frac);
    }
    for (int pass = 0; pass < walloc_passes(cfg) && !err && !d->error; pass++) {
        const size_t k = walloc_pass_positions(cfg, t->mh, t->mw, pass, pos);
        lcc_nn_reset(nn); /* each pass's scratch only */
        if (slices)
            err = walloc_context_pass(nn, t->net, yhat, mu_hs, t->mh, t->mw, pass, t->yhat, t->scale, frac);
        else if (pass == 1)
            err = walloc_context_params(nn, t->net, t->sym, t->mh, t->mw, t->yhat, t->scale, &frac);
        if (err) {
            err = lcc_error(c, err, "wavelet-ae: context network failed");
            break;
        }
        for (size_t i = 0; i < k; i++)
            ps[i] = t->scale[pos[i]];
        lcc_log_scale_indexes(ps, k, (unsigned)frac, pi);
        const LccEntropyParams ep = { t->gbank, pi, NULL, k };
        lcc_entropy_decode(d, &ep, ps);
        for (size_t i = 0; i < k; i++) {
            t->sym[pos[i]] = ps[i];
            if (slices)
                lcc_meanscale_dequantize(&ps[i], &t->yhat[pos[i]], 1, &yhat[pos[i]]);
        }
    }
    free(pos);
    free(pi);
    free(ps);
    free(yhat);
    return err;
}

static lcc_status latent_decode(LccContext *const c, const LccContainer *const ct, Latent *const t)
{
    const LccHeader *const h = &ct->header;
    const LccImage g = h->geometry.image;
    const int q = h->quality;
    const LccChunk *const info = lcc_container_find(ct, "WAEI");
    const LccChunk *const latn = lcc_container_find(ct, "LATN");
    memset(t, 0, sizeof(*t));
    t->net = &t->none;
    if (!info || info->size != 4 || info->data[0] < 1 || info->data[0] > 4 || info->data[1] != g.channels ||
        info->data[2] || info->data[3])
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: missing or invalid WAEI chunk");
    if (!latn)
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: missing LATN chunk");
    lcc_status err = walloc_model_open(c, NULL, h->model_id, &t->model);
    if (!err)
        t->net = &t->model->net;
    if (!err && (q < 1 || q > t->net->cfg.qualities))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae: quality %d is not in 1..%d", q, t->net->cfg.qualities);
    const int hyper = !err && t->net->cfg.hyper_m > 0, PC = hyper ? t->net->cfg.hyper_m : t->net->cfg.latent;
    const int checker = hyper && t->net->cfg.ctx_n > 0;
    if (!err && info->data[0] != walloc_syntax(&t->net->cfg))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae: syntax %d does not match the model's entropy model",
                        info->data[0]);
    size_t used;
    if (!err && !(err = lcc_cdf_bank_read(&t->bank, t->model->cdf[q - 1], t->model->cdf_size[q - 1], &used, c)) &&
        t->bank.count < (uint32_t)PC)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: entropy table of quality %d too small", q);
    if (!err && hyper && !(t->gbank = lcc_gaussian_bank()))
        err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: cannot build the Gaussian tables");
    if (!err && (t->net->cfg.channels != 3 || t->net->cfg.levels > 8))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae: unsupported model configuration");
    size_t nsym = 0, nz = 0;
    int zh = 0, zw = 0;
    if (!err) {
        t->mh = wavelet_band_size((int)g.height, t->net->cfg.levels);
        t->mw = wavelet_band_size((int)g.width, t->net->cfg.levels);
        nsym = (size_t)t->net->cfg.latent * t->mh * t->mw;
        zh = (t->mh + WALLOC_HYPER_DOWN - 1) / WALLOC_HYPER_DOWN;
        zw = (t->mw + WALLOC_HYPER_DOWN - 1) / WALLOC_HYPER_DOWN;
        nz = hyper ? (size_t)t->net->cfg.hyper_m * zh * zw : 0;
        t->sym = calloc(nsym, sizeof(int32_t)); /* all set even if decoding stops early */
        t->yhat = malloc(sizeof(float) * nsym);
        if (hyper) {
            t->zsym = malloc(sizeof(int32_t) * nz);
            t->scale = malloc(sizeof(int32_t) * nsym);
            t->index = malloc(sizeof(uint16_t) * nsym);
        }
        if (!t->sym || !t->yhat || (hyper && (!t->zsym || !t->scale || !t->index)))
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    }
    LccNn nn;
    int nn_ready = 0;
    if (!err && hyper && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    if (!err) {
        LccRansDec d;
        /* every symbol is one op, an escape at most 1 + 1 + 3 more */
        err = lcc_rans_dec_init(&d, latn->data, latn->size, 5 * (uint64_t)(nsym + nz));
        if (!err && hyper) {
            /* z^, then y's means and scale indexes from the integer hs,
             * then y^ - mu */
            lcc_entropy_decode_planes(&d, &t->bank, t->zsym, 1, (size_t)t->net->cfg.hyper_m, (size_t)zh * zw);
            int frac = 0;
            if (!d.error) {
                const lcc_status e2 = walloc_hyper_params(&nn, t->net, t->zsym, zh, zw, t->mh, t->mw, t->yhat,
                                                          t->scale, &frac);
                if (e2)
                    err = lcc_error(c, e2, "wavelet-ae: hyper-synthesis failed");
            }
            if (!err && checker) {
                err = decode_passes(c, &nn, &d, t, frac);
            } else if (!err) {
                lcc_log_scale_indexes(t->scale, nsym, (unsigned)frac, t->index);
                const LccEntropyParams ep = { t->gbank, t->index, NULL, nsym };
                lcc_entropy_decode(&d, &ep, t->sym);
            }
            for (size_t i = 0; !err && i < nsym; i++)
                t->yhat[i] += (float)t->sym[i];
        } else if (!err) {
            lcc_entropy_decode_planes(&d, &t->bank, t->sym, 1, (size_t)t->net->cfg.latent, (size_t)t->mh * t->mw);
            for (size_t i = 0; i < nsym; i++)
                t->yhat[i] = (float)t->sym[i];
        }
        if (err == LCC_EBADMSG || (!err && lcc_rans_dec_finish(&d)))
            err = lcc_error(c, LCC_EBADMSG, "wavelet-ae: latent stream damaged");
    }
    if (nn_ready)
        lcc_nn_uninit(&nn);
    if (err)
        latent_free(t);
    return err;
}

lcc_status lcc_walloc_latents(LccContext *const c, const LccContainer *const ct, int32_t **const out,
                              uint32_t shape[3])
{
    Latent t;
    const lcc_status err = latent_decode(c, ct, &t);
    if (err)
        return err;
    shape[0] = (uint32_t)t.net->cfg.latent;
    shape[1] = (uint32_t)t.mh;
    shape[2] = (uint32_t)t.mw;
    /* y^ as integers: exact for syntax 1, mu + symbol rounded for syntax 2 */
    const size_t n = (size_t)shape[0] * shape[1] * shape[2];
    for (size_t i = 0; t.net->cfg.hyper_m && i < n; i++)
        t.sym[i] = (int32_t)lrintf(t.yhat[i]);
    *out = t.sym;
    t.sym = NULL;
    latent_free(&t);
    return LCC_OK;
}

lcc_status lcc_walloc_decode(LccContext *const c, const LccContainer *const ct, LccMedia *const out)
{
    if (ct->header.geometry.modality == LCC_MODALITY_AUDIO)
        return lcc_walloc_audio_decode(c, ct, out); /* decoders/walloc_audio_dec.c */
    const LccHeader *const h = &ct->header;
    LccMedia m = h->geometry;
    const LccImage g = m.image;
    const int q = h->quality;
    const LccChunk *const alph = lcc_container_find(ct, "ALPH");
    const int has_alpha = g.channels == 2 || g.channels == 4;
    if (has_alpha != (alph != NULL) ||
        (alph && alph->size != (uint64_t)g.width * g.height * lcc_raw_sample_bytes(&m)))
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: alpha chunk missing, unexpected or of the wrong size");
    Latent t;
    lcc_status err = latent_decode(c, ct, &t);
    if (err)
        return err;
    WallocNet *const net = t.net;
    LccNn nn;
    int nn_ready = 0;
    float *x = NULL;
    void *ws = NULL;
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, net->cfg.levels, 3, (int)g.width,
                               (int)g.height };
    const size_t nsym = (size_t)net->cfg.latent * t.mh * t.mw;
    if (wavelet_check(&spec))
        err = lcc_error(c, LCC_ERANGE, "wavelet-ae: a %ux%u image does not fit the model", g.width, g.height);
    if (!err) {
        x = malloc(sizeof(float) * wavelet_signal_count(&spec));
        ws = malloc(wavelet_workspace_bytes(&spec));
        if (!x || !ws)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    }
    if (!err && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    LccTensor Xh;
    if (!err) {
        LccTensor yq = lcc_nn_tensor(&nn, 1, net->cfg.latent, t.mh, t.mw);
        if (!yq.d)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
        if (!err)
            memcpy(yq.d, t.yhat, sizeof(float) * nsym);
        if (!err && (err = walloc_synthesis(&nn, net, &yq, q - 1, &Xh, 0)))
            err = lcc_error(c, err, "wavelet-ae: synthesis failed");
    }
    if (!err && wavelet_inverse(&spec, Xh.d, x, ws))
        err = lcc_error(c, LCC_EINTERNAL, "wavelet-ae: inverse transform failed");
    if (!err && (err = walloc_post_image(&nn, net, x, (int)g.width, (int)g.height, 0)))
        err = lcc_error(c, err, "wavelet-ae: post-filter failed");
    if (!err && (err = lcc_media_alloc(&m, lcc_limits(c))))
        err = lcc_error(c, err, "wavelet-ae: cannot allocate the image");
    if (!err) {
        const size_t px = (size_t)g.width * g.height;
        const float maxv = (float)((1u << g.bit_depth) - 1);
        for (size_t i = 0; i < px; i++) {
            float v[3];
            for (int ch = 0; ch < 3; ch++) {
                const float s = (x[ch * px + i] + 0.5f) * maxv;
                v[ch] = s < 0 ? 0 : s > maxv ? maxv : s;
            }
            if (g.channels <= 2) {
                m.image.data[i * g.channels] = (uint16_t)lrintf((v[0] + v[1] + v[2]) / 3.0f);
            } else {
                for (int ch = 0; ch < 3; ch++)
                    m.image.data[i * g.channels + ch] = (uint16_t)lrintf(v[ch]);
            }
        }
        if (has_alpha) {
            LccMedia a = { .modality = LCC_MODALITY_IMAGE };
            a.image = (LccImage){ g.width, g.height, 1, g.bit_depth, NULL };
            if (!(err = lcc_media_alloc(&a, NULL)) && !(err = lcc_raw_unpack(&a, 0, px, alph->data)))
                for (size_t i = 0; i < px; i++)
                    m.image.data[i * g.channels + g.channels - 1] = a.image.data[i];
            lcc_media_free(&a);
            if (err)
                err = lcc_error(c, err == LCC_ENOMEM ? err : LCC_EBADMSG, "wavelet-ae: invalid alpha chunk");
        }
    }
    if (err)
        lcc_media_free(&m);
    else
        *out = m;
    if (nn_ready)
        lcc_nn_uninit(&nn);
    latent_free(&t);
    free(x);
    free(ws);
    return err;
}
