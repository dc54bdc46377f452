/* wavelet-ae audio decoder (SPEC.md §3.3): per chunk, rANS-decoded latents
 * of every channel, the model's synthesis, inverse 1D wavelet packet, and a
 * linear cross-fade with the previous chunk. Chunks are independent: a
 * chunk that is missing, fails its CRC or whose entropy stream does not decode is
 * concealed (silence over its segment) and the others decode as usual. The
 * symbols are integer and bit-exact; the reconstruction is float. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoders.h"
#include "entropy/entropy.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc_audio.h"
#include "wavelet/wavelet.h"

/* Decode chunk k into y (C planes of n samples); 0 on success. Version 2
 * streams of 2 channels carry a stereo mode byte after the chunk index. */
static lcc_status decode_chunk(LccNn *const nn, WaudioNet *const net, const LccCdfBank *const bank, const int q,
                               const LccChunk *const ck, const int C, const int n, const int version,
                               int32_t *const sym, float *const y, void *const ws)
{
    const int T = wavelet_band_size(n, net->cfg.levels);
    const size_t nsym = (size_t)C * net->cfg.latent * T;
    const uint32_t head = version == 2 && C == 2 ? 5 : 4;
    const int mode = head == 5 && ck->size >= 5 ? ck->data[4] : 0;
    if (ck->size < head || mode > 1)
        return LCC_EBADMSG;
    LccRansDec d;
    /* every symbol is one op, an escape at most 1 + 1 + 3 more */
    lcc_status err = lcc_rans_dec_init(&d, ck->data + head, ck->size - head, 5 * (uint64_t)nsym);
    if (err)
        return err;
    lcc_entropy_decode_planes(&d, bank, sym, (size_t)C, (size_t)net->cfg.latent, (size_t)T);
    if ((err = lcc_rans_dec_finish(&d)))
        return err;
    lcc_nn_reset(nn);
    LccTensor yq = lcc_nn_tensor(nn, C, net->cfg.latent, 1, T), Xh;
    if (!yq.d)
        return LCC_ENOMEM;
    for (size_t i = 0; i < nsym; i++)
        yq.d[i] = (float)sym[i];
    if ((err = waudio_synthesis(nn, net, &yq, q - 1, &Xh, 0)))
        return err;
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, net->cfg.levels, C, n, 1 };
    if (wavelet_inverse(&spec, Xh.d, y, ws))
        return LCC_EINTERNAL;
    if (mode) /* mid/side back to left/right */
        waudio_mid_side(y, n);
    return LCC_OK;
}

lcc_status lcc_walloc_audio_decode_stream(LccContext *const c, const LccContainer *const ct,
                                          const LccAudioWriteFn write, void *const user)
{
    const LccHeader *const h = &ct->header;
    const LccAudio g = h->geometry.audio;
    const int q = h->quality;
    const LccChunk *const info = lcc_container_find(ct, "WAEA");
    if (!info || info->size != 12 || info->data[0] < 1 || info->data[0] > 2 || info->data[2] || info->data[3])
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae audio: missing or invalid WAEA chunk");
    const int version = info->data[0], levels = info->data[1];
    const uint32_t segment = lcc_rl32(info->data + 4), overlap = lcc_rl32(info->data + 8);
    if (g.bit_depth < 8 || g.bit_depth > 32 || !g.channels || !g.frames)
        return lcc_error(c, LCC_EBADMSG, "wavelet-ae audio: invalid geometry");
    uint8_t *file = NULL;
    size_t file_size = 0;
    WaudioNet net;
    memset(&net, 0, sizeof(net));
    LccCdfBank bank = { 0 };
    LccNn nn;
    int nn_ready = 0;
    float *y = NULL, *prev = NULL;
    int32_t *pcm = NULL;
    void *ws = NULL;
    int32_t *sym = NULL;
    const int C = (int)g.channels;
    lcc_status err = lcc_model_load_id(c, h->model_id, &file, &file_size);
    uint8_t id[32];
    const uint8_t *cdf[WAUDIO_MAX_QUALITIES];
    size_t cdf_size[WAUDIO_MAX_QUALITIES];
    if (!err)
        err = waudio_load(c, &net, file, file_size, id, cdf, cdf_size);
    if (!err && memcmp(id, h->model_id, LCC_MODEL_ID_BYTES))
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio: the installed model does not match the stream's model id");
    if (!err && (q < 1 || q > net.cfg.qualities))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae audio: quality %d is not in 1..%d", q, net.cfg.qualities);
    if (!err && (levels != net.cfg.levels || !segment || segment > WAUDIO_MAX_SEGMENT ||
                 segment % (1u << levels) || overlap > segment / 2 || 2 * overlap > WAUDIO_TAIL))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae audio: invalid framing (segment %u, overlap %u)", segment,
                        overlap);
    size_t used;
    if (!err && !(err = lcc_cdf_bank_read(&bank, cdf[q - 1], cdf_size[q - 1], &used, c)) &&
        bank.count < (uint32_t)net.cfg.latent)
        err = lcc_error(c, LCC_EMODEL, "wavelet-ae audio model: entropy table of quality %d too small", q);
    const size_t maxn = (size_t)segment + 2 * overlap;
    const WaveletSpec full = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, levels, C, (int)maxn, 1 };
    if (!err && wavelet_check(&full))
        err = lcc_error(c, LCC_EBADMSG, "wavelet-ae audio: invalid framing");
    const uint64_t nchunks = err ? 0 : waudio_chunk_count(g.frames, segment, overlap);
    if (!err) {
        LccMedia m = h->geometry;
        if ((err = lcc_media_check(&m, lcc_limits(c))))
            err = lcc_error(c, err, "wavelet-ae audio: geometry beyond the limits");
    }
    if (!err) {
        const size_t T = (size_t)wavelet_band_size((int)maxn, levels);
        y = malloc(sizeof(float) * maxn * (size_t)C);
        prev = calloc((size_t)overlap * 2 * (size_t)C + 1, sizeof(float));
        ws = malloc(wavelet_workspace_bytes(&full));
        sym = malloc(sizeof(int32_t) * (size_t)net.cfg.latent * T * (size_t)C);
        pcm = malloc(sizeof(int32_t) * maxn * (size_t)C);
        if (!y || !prev || !ws || !sym || !pcm)
            err = lcc_error(c, LCC_ENOMEM, "wavelet-ae audio: out of memory");
    }
    if (!err && !(err = lcc_nn_init(&nn, c, c ? c->settings.threads : 0, lcc_cpu_flags())))
        nn_ready = 1;
    /* Chunks in stream order; they must come in increasing index order
     * (missing ones are concealed). */
    const LccChunk *ck = err ? NULL : lcc_container_find(ct, "ACHK");
    const double fs = (double)(1u << (g.bit_depth - 1));
    const double lo = -fs, hi = fs - 1;
    for (uint64_t k = 0; k < nchunks && !err; k++) {
        uint64_t s0, s1;
        waudio_chunk_range(g.frames, segment, overlap, k, &s0, &s1);
        const int n = (int)(s1 - s0);
        while (ck && (ck->damaged || ck->size < 4 || lcc_rl32(ck->data) < k))
            ck = lcc_container_next(ct, ck);   /* damaged, out of order or duplicate: skipped */
        int ok = 0;
        if (ck && lcc_rl32(ck->data) == k) {
            const lcc_status e = decode_chunk(&nn, &net, &bank, q, ck, C, n, version, sym, y, ws);
            if (e == LCC_ENOMEM || e == LCC_EINTERNAL)
                err = lcc_error(c, e, "wavelet-ae audio: decoding chunk %llu failed", (unsigned long long)k);
            ok = !e;
            ck = lcc_container_next(ct, ck);
        }
        if (err)
            break;
        if (!ok)
            memset(y, 0, sizeof(float) * (size_t)n * C);   /* concealment: silence */
        /* [s0, f1): shared with the previous chunk; [f1, w1): this chunk
         * alone; [w1, s1): shared with the next one (kept in prev). */
        const uint64_t f1 = k ? s0 + 2 * (uint64_t)overlap : s0;
        const uint64_t w1 = k + 1 < nchunks ? (k + 1) * segment - overlap : g.frames;
        const uint64_t e1 = w1 < g.frames ? w1 : g.frames;   /* this chunk gives [s0, e1) */
        for (int ch = 0; ch < C; ch++) {
            const float *const yc = y + (size_t)ch * n;
            for (uint64_t t = s0; t < e1; t++) {
                double v = yc[t - s0];
                if (t < f1) {
                    const double w = ((double)(t - s0) + 0.5) / (2.0 * overlap);
                    v = w * v + (1 - w) * prev[(size_t)ch * 2 * overlap + (t - s0)];
                }
                v = floor(v * fs + 0.5);
                pcm[(t - s0) * (uint64_t)C + (uint64_t)ch] = (int32_t)(v < lo ? lo : v > hi ? hi : v);
            }
            for (uint64_t t = w1; t < w1 + 2 * (uint64_t)overlap && t < s1; t++)
                prev[(size_t)ch * 2 * overlap + (t - w1)] = yc[t - s0];
        }
        if (e1 > s0 && (err = write(user, pcm, e1 - s0)))
            break;
    }
    if (nn_ready)
        lcc_nn_uninit(&nn);
    lcc_cdf_bank_free(&bank);
    waudio_free(&net);
    free(file);
    free(y);
    free(prev);
    free(pcm);
    free(ws);
    free(sym);
    return err;
}

typedef struct MemWriter {
    LccAudio *a;
    uint64_t pos;
} MemWriter;

static lcc_status mem_write(void *const user, const int32_t *const pcm, const uint64_t frames)
{
    MemWriter *const w = user;
    const uint64_t ch = w->a->channels;
    memcpy(w->a->data + w->pos * ch, pcm, sizeof(int32_t) * frames * ch);
    w->pos += frames;
    return LCC_OK;
}

lcc_status lcc_walloc_audio_decode(LccContext *const c, const LccContainer *const ct, LccMedia *const out)
{
    LccMedia m = ct->header.geometry;
    lcc_status err = lcc_media_alloc(&m, lcc_limits(c));
    if (err)
        return lcc_error(c, err, "wavelet-ae audio: cannot allocate the audio");
    MemWriter w = { &m.audio, 0 };
    if ((err = lcc_walloc_audio_decode_stream(c, ct, mem_write, &w)))
        lcc_media_free(&m);
    else
        *out = m;
    return err;
}
