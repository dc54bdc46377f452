/* wavelet-ae image decoder (SPEC.md §3.2): rANS-decoded latents, the
 * model's synthesis, inverse wavelet packet. The symbols are integer and
 * bit-exact; the reconstruction is float (DESIGN.md §5: tolerance tier). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoders.h"
#include "entropy/entropy.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc.h"
#include "libcodec/rawpack.h"
#include "wavelet/wavelet.h"

lcc_status lcc_walloc_decode(LccContext *const c, const LccContainer *const ct, LccMedia *const out)
{
    const LccHeader *const h = &ct->header;
    LccMedia m = h->geometry;
    const LccImage g = m.image;
    const int q = h->quality;
    const LccChunk *const info = lcc_container_find(ct, "WAEI");
    const LccChunk *const latn = lcc_container_find(ct, "LATN");
    const LccChunk *const alph = lcc_container_find(ct, "ALPH");
    const int has_alpha = g.channels == 2 || g.channels == 4;
    if (!info || info->size != 4 || info->data[0] != 1 || info->data[1] != g.channels || info->data[2] ||
        info->data[3])
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: missing or invalid WAEI chunk");
    if (!latn)
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: missing LATN chunk");
    if (has_alpha != (alph != NULL) ||
        (alph && alph->size != (uint64_t)g.width * g.height * lcc_raw_sample_bytes(&m)))
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae: alpha chunk missing, unexpected or of the wrong size");

    uint8_t *file = NULL;
    size_t file_size = 0;
    WallocNet net;
    LccNn nn;
    int nn_ready = 0;
    LccCdfBank bank = { 0 };
    float *X = NULL, *x = NULL;
    void *ws = NULL;
    int32_t *sym = NULL;
    memset(&net, 0, sizeof(net));
    lcc_status err = lcc_model_load_id(c, h->model_id, &file, &file_size);
    uint8_t id[32];
    const uint8_t *cdf[WALLOC_MAX_QUALITIES];
    size_t cdf_size[WALLOC_MAX_QUALITIES];
    if (!err)
        err = walloc_load(c, &net, file, file_size, id, cdf, cdf_size);
    if (!err && memcmp(id, h->model_id, LCC_MODEL_ID_BYTES))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae: the installed model does not match the stream's model id");
    if (!err && (q < 1 || q > net.cfg.qualities))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae: quality %d is not in 1..%d", q, net.cfg.qualities);
    size_t used;
    if (!err && !(err = lcc_cdf_bank_read(&bank, cdf[q - 1], cdf_size[q - 1], &used, c)) &&
        bank.count < (uint32_t)net.cfg.latent)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae model: entropy table of quality %d too small", q);
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, net.cfg.levels, 3, (int)g.width,
                               (int)g.height };
    int K = 0, mh = 0, mw = 0;
    if (!err && (net.cfg.channels != 3 || wavelet_check(&spec)))
        err = lcc_error(c, LCC_ERANGE, "wavelet-ae: a %ux%u image does not fit the model", g.width, g.height);
    size_t nsym = 0;
    if (!err) {
        wavelet_coef_shape(&spec, &K, &mh, &mw);
        nsym = (size_t)net.cfg.latent * mh * mw;
        X = malloc(sizeof(float) * wavelet_coef_count(&spec));
        x = malloc(sizeof(float) * wavelet_signal_count(&spec));
        ws = malloc(wavelet_workspace_bytes(&spec));
        sym = malloc(sizeof(int32_t) * nsym);
        if (!X || !x || !ws || !sym)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
    }
    if (!err) {
        LccRansDec d;
        /* every symbol is one op, an escape at most 1 + 1 + 3 more */
        err = lcc_rans_dec_init(&d, latn->data, latn->size, 5 * (uint64_t)nsym);
        if (!err) {
            lcc_entropy_decode_planes(&d, &bank, sym, 1, (size_t)net.cfg.latent, (size_t)mh * mw);
            err = lcc_rans_dec_finish(&d);
        }
        if (err)
            err = lcc_error(c, LCC_EBADMSG, "wavelet-ae: latent stream damaged");
    }
    if (!err && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    LccTensor Xh;
    if (!err) {
        LccTensor yq = lcc_nn_tensor(&nn, 1, net.cfg.latent, mh, mw);
        if (!yq.d)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae: out of memory");
        for (size_t i = 0; !err && i < nsym; i++)
            yq.d[i] = (float)sym[i];
        if (!err && (err = walloc_synthesis(&nn, &net, &yq, q - 1, &Xh, 0)))
            err = lcc_error(c, err, "wavelet-ae: synthesis failed");
    }
    if (!err && wavelet_inverse(&spec, Xh.d, x, ws))
        err = lcc_error(c, LCC_EINTERNAL, "wavelet-ae: inverse transform failed");
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
    lcc_cdf_bank_free(&bank);
    if (nn_ready)
        lcc_nn_uninit(&nn);
    walloc_free(&net);
    free(file);
    free(X);
    free(x);
    free(ws);
    free(sym);
    return err;
}
