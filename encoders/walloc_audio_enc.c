/* wavelet-ae audio encoder (SPEC.md §3.3): every channel through the mono
 * model (1D wavelet packet, linear analysis with the quality's gains,
 * rounding), factorized-prior rANS, one independent chunk per segment of
 * a few seconds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/encoders.h"
#include "entropy/entropy.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc_audio.h"
#include "wavelet/wavelet.h"

lcc_status lcc_walloc_audio_encode_stream(LccContext *const c, const LccAudio *const a, const int quality,
                                          const LccAudioReadFn read, void *const user, LccBuf *const out)
{
    if (a->sample_rate != 44100 && a->sample_rate != 48000)
        return lcc_error(c, LCC_ENOTSUP,
                         "wavelet-ae audio: %u Hz is not supported (44100 or 48000 Hz; resample first, e.g. "
                         "ffmpeg -i IN -ar 48000 OUT.wav, or use --profile stored)",
                         a->sample_rate);
    if (a->bit_depth < 8 || a->bit_depth > 32 || !a->frames || !a->channels)
        return lcc_error(c, LCC_EINVAL, "wavelet-ae audio: invalid geometry");
    uint8_t *file = NULL;
    size_t file_size = 0;
    WaudioNet net;
    LccNn nn;
    int nn_ready = 0;
    LccCdfBank bank = { 0 };
    float *x = NULL;
    void *ws = NULL;
    int32_t *sym = NULL, *win = NULL;
    uint64_t wstart = 0, wend = 0;   /* win holds the frames [wstart, wend) */
    memset(&net, 0, sizeof(net));
    const int C = (int)a->channels;
    const uint32_t overlap = WAUDIO_OVERLAP;

    lcc_status err = lcc_model_load_name(c, WAUDIO_MODEL_FILE, &file, &file_size);
    uint8_t id[32];
    const uint8_t *cdf[WAUDIO_MAX_QUALITIES];
    size_t cdf_size[WAUDIO_MAX_QUALITIES];
    if (!err)
        err = waudio_load(c, &net, file, file_size, id, cdf, cdf_size);
    if (!err && (quality < 1 || quality > net.cfg.qualities))
        err = lcc_error(c, LCC_EINVAL, "wavelet-ae audio: quality %d is not in 1..%d", quality, net.cfg.qualities);
    size_t used;
    if (!err && !(err = lcc_cdf_bank_read(&bank, cdf[quality - 1], cdf_size[quality - 1], &used, c)) &&
        bank.count < (uint32_t)net.cfg.latent)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: entropy table of quality %d too small", quality);
    const uint32_t segment = err ? 0 : (uint32_t)WAUDIO_SEGMENT_FRAMES << net.cfg.levels;
    const size_t maxn = (size_t)segment + 2 * overlap;   /* >= any chunk */
    const WaveletSpec full = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, net.cfg.levels, C, (int)maxn, 1 };
    if (!err && wavelet_check(&full))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio: unsupported model configuration");
    if (!err) {
        const size_t T = (size_t)wavelet_band_size((int)maxn, net.cfg.levels);
        x = malloc(sizeof(float) * maxn * (size_t)C);
        ws = malloc(wavelet_workspace_bytes(&full));
        sym = malloc(sizeof(int32_t) * (size_t)net.cfg.latent * T * (size_t)C);
        win = malloc(sizeof(int32_t) * maxn * (size_t)C);
        if (!x || !ws || !sym || !win)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae audio: out of memory");
    }
    if (!err && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    if (!err) {
        LccHeader h = { .profile_id = LCC_PROFILE_WAVELET_AE, .quality = (uint8_t)quality };
        h.geometry.modality = LCC_MODALITY_AUDIO;
        h.geometry.audio = *a;
        memcpy(h.model_id, id, LCC_MODEL_ID_BYTES);
        h.geometry.audio.data = NULL;
        lcc_container_begin(out, &h);
        /* version 2 (a stereo mode per chunk) for 2 channels; mono and
         * multichannel streams stay version 1 */
        uint8_t params[12] = { C == 2 ? 2 : 1, (uint8_t)net.cfg.levels, 0, 0 };
        for (int i = 0; i < 4; i++) {
            params[4 + i] = (uint8_t)(segment >> (8 * i));
            params[8 + i] = (uint8_t)(overlap >> (8 * i));
        }
        lcc_container_chunk(out, "WAEA", params, sizeof(params));
    }
    const uint64_t nchunks = err ? 0 : waudio_chunk_count(a->frames, segment, overlap);
    const float scale = 1.0f / (float)(1u << (a->bit_depth - 1));
    for (uint64_t k = 0; k < nchunks && !err; k++) {
        uint64_t s0, s1;
        waudio_chunk_range(a->frames, segment, overlap, k, &s0, &s1);
        const int n = (int)(s1 - s0);
        /* slide the window to [s0, min(s1, frames)) */
        const uint64_t want = s1 < a->frames ? s1 : a->frames;
        if (s0 > wstart) {
            const uint64_t keep = wend > s0 ? wend - s0 : 0;
            memmove(win, win + (wend - keep - wstart) * (uint64_t)C, sizeof(int32_t) * keep * (uint64_t)C);
            wstart = s0;
            wend = s0 + keep;
        }
        if (want > wend) {
            if ((err = read(user, win + (wend - wstart) * (uint64_t)C, want - wend)))
                break;
            wend = want;
        }
        for (int ch = 0; ch < C; ch++)
            for (int i = 0; i < n; i++) {
                const uint64_t t = s0 + (uint64_t)i;
                x[(size_t)ch * n + i] = t < wend ? (float)win[(t - wstart) * (uint64_t)C + (uint64_t)ch] * scale : 0.0f;
            }
        const int mode = C == 2 ? waudio_stereo_mode(x, n) : 0;
        if (mode)
            waudio_mid_side(x, n);
        const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, net.cfg.levels, C, n, 1 };
        const int T = wavelet_band_size(n, net.cfg.levels);
        lcc_nn_reset(&nn);
        LccTensor X = lcc_nn_tensor(&nn, C, net.bands, 1, T), y;
        if (!X.d) {
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae audio: out of memory");
            break;
        }
        if (wavelet_forward(&spec, x, X.d, ws)) {
            err = lcc_error(c, LCC_EINTERNAL, "wavelet-ae audio: transform failed");
            break;
        }
        if ((err = waudio_analysis(&nn, &net, &X, quality - 1, &y)))
            break;
        const size_t ny = lcc_tensor_size(&y);
        for (size_t i = 0; i < ny; i++)
            sym[i] = waudio_symbol(y.d[i]);
        LccRansEnc enc;
        lcc_rans_enc_init(&enc);
        lcc_entropy_encode_planes(&enc, &bank, sym, (size_t)C, (size_t)net.cfg.latent, (size_t)T);
        const size_t start = lcc_container_chunk_open(out, "ACHK");
        lcc_buf_u32(out, (uint32_t)k);
        if (C == 2)
            lcc_buf_append(out, &(uint8_t){ (uint8_t)mode }, 1);
        err = lcc_rans_enc_finish(&enc, out);
        lcc_container_chunk_close(out, start);
        lcc_rans_enc_free(&enc);
        if (err)
            err = lcc_error(c, err, "wavelet-ae audio: entropy coding failed");
    }
    if (!err) {
        lcc_container_end(out);
        if (out->failed)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae audio: out of memory");
    }
    lcc_cdf_bank_free(&bank);
    if (nn_ready)
        lcc_nn_uninit(&nn);
    waudio_free(&net);
    free(file);
    free(x);
    free(ws);
    free(sym);
    free(win);
    return err;
}

typedef struct MemReader {
    const LccAudio *a;
    uint64_t pos;
} MemReader;

static lcc_status mem_read(void *const user, int32_t *const dst, const uint64_t frames)
{
    MemReader *const r = user;
    const uint64_t ch = r->a->channels;
    memcpy(dst, r->a->data + r->pos * ch, sizeof(int32_t) * frames * ch);
    r->pos += frames;
    return LCC_OK;
}

lcc_status lcc_walloc_audio_encode(LccContext *const c, const LccMedia *const m, const int quality, LccBuf *const out)
{
    MemReader r = { &m->audio, 0 };
    return lcc_walloc_audio_encode_stream(c, &m->audio, quality, mem_read, &r, out);
}
