/* wavelet-ae image encoder (SPEC.md §3.2): wavelet packet, linear
 * analysis with the quality's gains, rounding, factorized-prior rANS. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/encoders.h"
#include "entropy/entropy.h"
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

lcc_status lcc_walloc_encode(LccContext *const c, const LccMedia *const m, const int quality, LccBuf *const out)
{
    const LccImage *const im = &m->image;
    uint8_t *file = NULL;
    size_t file_size = 0;
    WallocNet net;
    LccNn nn;
    int nn_ready = 0;
    LccCdfBank bank = { 0 };
    LccRansEnc enc;
    lcc_rans_enc_init(&enc);
    float *x = NULL, *X = NULL;
    void *ws = NULL;
    int32_t *sym = NULL;
    memset(&net, 0, sizeof(net));

    lcc_status err = lcc_model_load_name(c, WALLOC_IMAGE_MODEL_FILE, &file, &file_size);
    uint8_t id[32];
    const uint8_t *cdf[WALLOC_MAX_QUALITIES];
    size_t cdf_size[WALLOC_MAX_QUALITIES];
    if (!err)
        err = walloc_load(c, &net, file, file_size, id, cdf, cdf_size);
    if (!err && (quality < 1 || quality > net.cfg.qualities))
        err = lcc_error(c, LCC_EINVAL, "wavelet-ae: quality %d is not in 1..%d", quality, net.cfg.qualities);
    size_t used;
    if (!err && !(err = lcc_cdf_bank_read(&bank, cdf[quality - 1], cdf_size[quality - 1], &used, c)) &&
        bank.count < (uint32_t)net.cfg.latent)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: entropy table of quality %d too small", quality);
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, net.cfg.levels, 3, (int)im->width,
                               (int)im->height };
    int K = 0, mh = 0, mw = 0;
    if (!err && (net.cfg.channels != 3 || wavelet_check(&spec)))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model does not fit a %ux%u image", im->width, im->height);
    if (!err) {
        wavelet_coef_shape(&spec, &K, &mh, &mw);
        x = malloc(sizeof(float) * wavelet_signal_count(&spec));
        X = malloc(sizeof(float) * wavelet_coef_count(&spec));
        ws = malloc(wavelet_workspace_bytes(&spec));
        sym = malloc(sizeof(int32_t) * (size_t)net.cfg.latent * mh * mw);
        if (!x || !X || !ws || !sym)
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
        err = walloc_analysis(&nn, &net, &Xt, quality - 1, &y);
    }
    if (!err) {
        const size_t n = lcc_tensor_size(&y);
        for (size_t i = 0; i < n; i++) {
            const float v = roundf(y.d[i]);
            sym[i] = (int32_t)(v > 1e6f ? 1e6f : v < -1e6f ? -1e6f : v);
        }
        lcc_entropy_encode_planes(&enc, &bank, sym, 1, (size_t)net.cfg.latent, (size_t)mh * mw);
        LccHeader h = { .profile_id = LCC_PROFILE_WAVELET_AE, .quality = (uint8_t)quality, .geometry = *m };
        memcpy(h.model_id, id, LCC_MODEL_ID_BYTES);
        h.geometry.image.data = NULL;
        lcc_container_begin(out, &h);
        const uint8_t params[4] = { 1, (uint8_t)im->channels, 0, 0 };
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
    walloc_free(&net);
    free(file);
    free(x);
    free(X);
    free(ws);
    free(sym);
    return err;
}
