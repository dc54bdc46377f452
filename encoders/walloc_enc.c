/* wavelet-ae image encoder (SPEC.md §3.2): wavelet packet, linear
 * analysis with the quality's gains, rounding, rANS with the model's
 * factorized prior (syntax 1), mean-scale hyperprior (syntax 2) or
 * hyperprior and checkerboard context (syntax 3). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/encoders.h"
#include "encoders/walloc_refine.h"
#include "entropy/entropy.h"
#include "entropy/gaussian.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc.h"
#include "libcodec/rawpack.h"
#include "wavelet/wavelet.h"

/* The planes the model codes (R, G, B; gray is replicated), as floats in
 * [-1/2, 1/2]. */
static void to_planes(const LccImage *const im, float *const x)
{
    const size_t px = (size_t)im->width * im->height;
    const float scale = 1.0f / (float)((1u << im->bit_depth) - 1);
    for (int ch = 0; ch < 3; ch++) {
        const unsigned src = im->channels >= 3 ? (unsigned)ch : 0;
        for (size_t i = 0; i < px; i++)
            x[ch * px + i] = (float)im->data[i * im->channels + src] * scale - 0.5f;
    }
}

/* Symbols: round half away from zero, kept within +-10^6 (escapes). */
static void round_clamp(const float *const v, const size_t n, int32_t *const sym)
{
    for (size_t i = 0; i < n; i++) {
        const float r = roundf(v[i]);
        sym[i] = (int32_t)(r > 1e6f ? 1e6f : r < -1e6f ? -1e6f : r);
    }
}

/* The latent's symbols with their table indexes: in memory order, or
 * pass by pass (context models: walloc_pass_positions). */
static lcc_status encode_latents(LccRansEnc *const enc, const LccCdfBank *const gbank, const uint16_t *const index,
                                 const int32_t *const sym, const WallocConfig *const cfg, const int h, const int w)
{
    const size_t n = (size_t)cfg->latent * h * w;
    if (walloc_passes(cfg) == 1) {
        const LccEntropyParams ep = { gbank, index, NULL, n };
        lcc_entropy_encode(enc, &ep, sym);
        return LCC_OK;
    }
    size_t *const pos = malloc(sizeof(size_t) * n);
    uint16_t *const pi = malloc(sizeof(uint16_t) * n);
    int32_t *const ps = malloc(sizeof(int32_t) * n);
    for (int pass = 0; pass < walloc_passes(cfg) && pos && pi && ps; pass++) {
        const size_t k = walloc_pass_positions(cfg, h, w, pass, pos);
        for (size_t i = 0; i < k; i++) {
            pi[i] = index[pos[i]];
            ps[i] = sym[pos[i]];
        }
        const LccEntropyParams ep = { gbank, pi, NULL, k };
        lcc_entropy_encode(enc, &ep, ps);
    }
    const lcc_status err = pos && pi && ps ? LCC_OK : LCC_ENOMEM;
    free(pos);
    free(pi);
    free(ps);
    return err;
}

/* The weights of rate-distortion rounding (walloc_refine.h) at quality
 * index q of a model trained with the hyperprior models' lambdas (returns
 * 0 for others: they round to nearest): the distortion of a symbol's unit error
 * in channel l, estimated through the linear synthesis S alone (D and the
 * wavelet's near-orthonormal inverse left out), times WALLOC_RDOQ_BETA. */
static int rdoq_weights(const WallocNet *const net, const int q, float *const kw)
{
    const int L = net->cfg.latent, K = net->bands;
    if (net->cfg.qualities != WALLOC_HP_QUALITIES || L > 1024)
        return 0;
    const double lambda = WALLOC_RDOQ_BETA * walloc_hp_lambdas[q] * 255.0 * 255.0 / 3.0;
    for (int l = 0; l < L; l++) {
        const double g = exp(net->ilog->w[(size_t)q * L + l]);
        double e = 0;
        for (int k = 0; k < K; k++)
            e += (double)net->syn_w->w[(size_t)k * L + l] * net->syn_w->w[(size_t)k * L + l];
        kw[l] = (float)(lambda * e * g * g);
    }
    return 1;
}

lcc_status lcc_walloc_encode(LccContext *const c, const LccMedia *const m, const int quality, LccBuf *const out)
{
    if (m->modality == LCC_MODALITY_AUDIO)
        return lcc_walloc_audio_encode(c, m, quality, out); /* encoders/walloc_audio_enc.c */
    const LccImage *const im = &m->image;
    WallocModel *wm = NULL;
    WallocNet none, *net = &none;
    LccNn nn;
    int nn_ready = 0;
    LccCdfBank bank = { 0 };
    const LccCdfBank *gbank = NULL;
    LccRansEnc enc;
    lcc_rans_enc_init(&enc);
    float *x = NULL, *X = NULL, *yv = NULL;
    void *ws = NULL;
    int32_t *sym = NULL, *zsym = NULL, *scale = NULL;
    float *mu = NULL;
    uint16_t *index = NULL;
    memset(&none, 0, sizeof(none));

    /* the first installed of the channel-slice, checkerboard (newest
     * first), hyperprior and factorized models */
    const char *const chosen = c ? c->encode_model : NULL;
    static const char *const defaults[] = { WALLOC_IMAGE_CS_MODEL_FILE,  WALLOC_IMAGE_CB4_MODEL_FILE,
                                            WALLOC_IMAGE_CB3_MODEL_FILE, WALLOC_IMAGE_CB2_MODEL_FILE,
                                            WALLOC_IMAGE_CB_MODEL_FILE,  WALLOC_IMAGE_HP_MODEL_FILE,
                                            WALLOC_IMAGE_MODEL_FILE };
    const int ndefaults = (int)(sizeof(defaults) / sizeof(defaults[0]));
    lcc_status err = walloc_model_open(c, chosen ? chosen : defaults[0], NULL, &wm);
    for (int k = 1; k < ndefaults && err == LCC_EMODEL && !chosen; k++) {
        lcc_clear_error(c);
        err = walloc_model_open(c, defaults[k], NULL, &wm);
    }
    if (!err)
        net = &wm->net;
    if (!err && (quality < 1 || quality > net->cfg.qualities))
        err = lcc_error(c, LCC_EINVAL, "wavelet-ae: quality %d is not in 1..%d", quality, net->cfg.qualities);
    size_t used;
    const int hyper = net->cfg.hyper_m > 0, PC = hyper ? net->cfg.hyper_m : net->cfg.latent;
    if (!err && !(err = lcc_cdf_bank_read(&bank, wm->cdf[quality - 1], wm->cdf_size[quality - 1], &used, c)) &&
        bank.count < (uint32_t)PC)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: entropy table of quality %d too small", quality);
    if (!err && hyper && !(gbank = lcc_gaussian_bank()))
        err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: cannot build the Gaussian tables");
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, net->cfg.levels, 3, (int)im->width,
                               (int)im->height };
    int K = 0, mh = 0, mw = 0;
    if (!err && (net->cfg.channels != 3 || wavelet_check(&spec)))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model does not fit a %ux%u image", im->width, im->height);
    if (!err) {
        wavelet_coef_shape(&spec, &K, &mh, &mw);
        x = malloc(sizeof(float) * wavelet_signal_count(&spec));
        X = malloc(sizeof(float) * wavelet_coef_count(&spec));
        ws = malloc(wavelet_workspace_bytes(&spec));
        const size_t ny = (size_t)net->cfg.latent * mh * mw;
        sym = malloc(sizeof(int32_t) * ny);
        yv = malloc(sizeof(float) * ny);
        if (hyper) {
            const size_t nz = (size_t)net->cfg.hyper_m * ((mh + WALLOC_HYPER_DOWN - 1) / WALLOC_HYPER_DOWN) *
                              ((mw + WALLOC_HYPER_DOWN - 1) / WALLOC_HYPER_DOWN);
            zsym = malloc(sizeof(int32_t) * nz);
            scale = malloc(sizeof(int32_t) * ny);
            mu = malloc(sizeof(float) * ny);
            index = malloc(sizeof(uint16_t) * ny);
        }
        if (!x || !X || !ws || !sym || !yv || (hyper && (!zsym || !scale || !mu || !index)))
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    }
    if (!err && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    LccTensor y;
    if (!err) {
        to_planes(im, x);
        if (wavelet_forward(&spec, x, X, ws))
            err = lcc_error(c, LCC_EINTERNAL, "wavelet-ae: transform failed");
    }
    if (!err) {
        const LccTensor Xt = { X, 1, K, mh, mw };
        err = walloc_analysis(&nn, net, &Xt, quality - 1, &y, 0);
    }
    if (!err && hyper) {
        /* z^ = round(ha(y)), then mean and scale of every latent from the
         * integer hs, exactly as the decoder computes them */
        LccTensor z;
        if (!(err = walloc_hyper_analysis(&nn, net, &y, &z, 0))) {
            round_clamp(z.d, lcc_tensor_size(&z), zsym);
            int frac;
            err = walloc_hyper_params(&nn, net, zsym, z.h, z.w, mh, mw, mu, scale, &frac);
            const size_t ny = lcc_tensor_size(&y);
            const int zc = z.c, zh = z.h, zw = z.w;
            memcpy(yv, y.d, sizeof(float) * ny); /* y outlives the arena */
            const int refine = c ? c->encode_refine : 0;
            float kw[1024];
            WallocRdo rdo = { 0 };
            const int rdoq = !(c && c->encode_no_rdoq) && rdoq_weights(net, quality - 1, kw);
            if (!err && rdoq)
                err = walloc_rdo_init(&rdo, gbank, kw);
            if (!err && refine > 0) {
                const WallocRefine r = { net, &nn, &spec, ws, x, quality - 1, walloc_hp_lambdas[quality - 1], 0.02f,
                                         mh, mw, mu, scale, frac, gbank, rdoq ? &rdo : NULL };
                if (net->cfg.qualities != WALLOC_HP_QUALITIES)
                    err = lcc_error(c, LCC_EINVAL, "wavelet-ae: --refine needs a model with %d quality levels",
                                    WALLOC_HP_QUALITIES);
                else
                    err = walloc_refine(&r, yv, refine, NULL);
            }
            if (!err)
                err = walloc_code_latent(&nn, net, yv, mh, mw, mu, scale, &frac, sym, index, rdoq ? &rdo : NULL);
            walloc_rdo_free(&rdo);
            if (!err) {
                lcc_entropy_encode_planes(&enc, &bank, zsym, 1, (size_t)zc, (size_t)zh * zw);
                err = encode_latents(&enc, gbank, index, sym, &net->cfg, mh, mw);
            }
        }
        if (err)
            err = lcc_error(c, err, "wavelet-ae: hyperprior failed");
    } else if (!err) {
        round_clamp(y.d, lcc_tensor_size(&y), sym);
        lcc_entropy_encode_planes(&enc, &bank, sym, 1, (size_t)net->cfg.latent, (size_t)mh * mw);
    }
    if (!err) {
        LccHeader h = { .profile_id = LCC_PROFILE_WAVELET_AE, .quality = (uint8_t)quality, .geometry = *m };
        memcpy(h.model_id, wm->id, LCC_MODEL_ID_BYTES);
        h.geometry.image.data = NULL;
        lcc_container_begin(out, &h);
        const uint8_t params[4] = { (uint8_t)walloc_syntax(&net->cfg), (uint8_t)im->channels, 0, 0 };
        lcc_container_chunk(out, "WAEI", params, sizeof(params));
        const size_t start = lcc_container_chunk_open(out, "LATN");
        err = lcc_rans_enc_finish(&enc, out);
        lcc_container_chunk_close(out, start);
        if (err)
            err = lcc_error(c, err, "wavelet-ae: entropy coding failed");
    }
    if (!err && (im->channels == 2 || im->channels == 4)) {
        /* alpha: stored losslessly as raw samples (SPEC.md §3.2) */
        LccMedia a = { .modality = LCC_MODALITY_IMAGE };
        a.image = (LccImage){ im->width, im->height, 1, im->bit_depth, NULL };
        if ((err = lcc_media_alloc(&a, NULL))) {
            err = lcc_error(c, err, "wavelet-ae: out of memory");
        } else {
            const size_t px = (size_t)im->width * im->height;
            for (size_t i = 0; i < px; i++)
                a.image.data[i] = im->data[i * im->channels + im->channels - 1];
            const size_t start = lcc_container_chunk_open(out, "ALPH");
            lcc_raw_pack(out, &a, 0, px);
            lcc_container_chunk_close(out, start);
            lcc_media_free(&a);
        }
    }
    if (!err) {
        lcc_container_end(out);
        if (out->failed)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    }
    lcc_rans_enc_free(&enc);
    lcc_cdf_bank_free(&bank);
    if (nn_ready)
        lcc_nn_uninit(&nn);
    walloc_model_release(wm);
    free(x);
    free(X);
    free(ws);
    free(sym);
    free(yv);
    free(zsym);
    free(scale);
    free(mu);
    free(index);
    return err;
}
