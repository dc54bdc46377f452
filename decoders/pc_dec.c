/* `pc` decoder (SPEC.md §3, pc): the model named by the header's model id,
 * one rANS stream per block of frames, each symbol found by a binary
 * search over its integer CDF (pc_cdf_find). Blocks decode in parallel;
 * the result does not depend on the thread count. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoders/decoders.h"
#include "entropy/pc/pc.h"
#include "entropy/pc/pc_find.h"
#include "entropy/pc/pc_image.h"
#include "entropy/pc/pc_stream.h"
#include "entropy/rans.h"

typedef struct DecJob {
    const PcModel *m;
    const LccChunk **blocks;
    uint32_t nblocks, nthreads, first;
    uint32_t nframes, block_frames;
    uint16_t *data;
    int *bad;                /* [nblocks] */
} DecJob;

static int decode_block(const PcModel *const m, const LccChunk *const k, const uint32_t f0, const uint32_t f1,
                        uint16_t *const data)
{
    const uint32_t D = m->nvars;
    PcEval *const e = pc_eval_new(m);
    if (!e)
        return -1;
    LccRansDec d;
    int bad = lcc_rans_dec_init(&d, k->data, k->size, (uint64_t)(f1 - f0) * D) != 0;
    for (uint32_t fr = f0; fr < f1 && !bad; fr++) {
        uint16_t *const x = data + (size_t)fr * D;
        pc_seq_begin(e);
        for (uint32_t i = 0; i < D; i++) {
            uint32_t v;
            const uint32_t *const post = pc_seq_post(e, &v);
            const uint32_t slot = lcc_rans_dec_peek(&d, PC_PRECISION);
            uint32_t iv[2];
            const uint32_t s = pc_cdf_find(m, v, post, PC_PRECISION, slot, &iv[0], &iv[1]);
            lcc_rans_dec_get_cdf(&d, iv, 1, PC_PRECISION);
            x[v] = (uint16_t)s;
            pc_seq_observe(e, s);
        }
        bad |= d.error;
    }
    if (!bad)
        bad = lcc_rans_dec_finish(&d) != 0;
    pc_eval_free(e);
    return bad;
}

static void *dec_thread(void *const opaque)
{
    const DecJob *const j = opaque;
    for (uint32_t b = j->first; b < j->nblocks; b += j->nthreads) {
        const uint32_t f0 = b * j->block_frames;
        const uint32_t f1 = j->nframes - f0 < j->block_frames ? j->nframes : f0 + j->block_frames;
        j->bad[b] = decode_block(j->m, j->blocks[b], f0, f1, j->data);
    }
    return NULL;
}

/* One plane of scheme 3 (SPEC.md §3.7): k holds the weight wq (one byte,
 * 0..16) and then the rANS stream; each symbol is found by a binary search
 * over the mixed CDF. 0 or -1 (damaged). */
static int decode_plane3(const PcModel *const model, PcEval *const e, PcBlend *const bl, PcAdapt *const ad,
                         uint8_t *const planes, uint8_t *const res, const uint32_t w, const uint32_t h,
                         const unsigned pi, const unsigned nc, const LccChunk *const k)
{
    static const unsigned order[3] = { 1, 0, 2 };
    const size_t np = (size_t)w * h;
    const unsigned ch = nc == 3 ? order[pi] : 0, kind = nc == 3 ? pi : 0;
    uint8_t *const p = planes + ch * np;
    const uint8_t *const g = kind ? planes + np : NULL;   /* planes + np: G, decoded first */
    uint8_t *const r = res + (size_t)pi * np;
    if (k->size < 1 || k->data[0] > PC_MIX_MAXW)
        return -1;
    const unsigned wq = k->data[0];
    LccRansDec d;
    if (lcc_rans_dec_init(&d, k->data + 1, k->size - 1, np))
        return -1;
    pc_adapt_reset(ad);
    uint16_t v[PC_CTX3_VARS];
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + x;
            const int pred = pc_blend_predict(bl, p, g, kind == 2 ? planes : NULL, x, y);
            pc_context3(v, r, kind ? res : NULL, kind == 2 ? res + np : NULL, p, g, w, x, y, kind, pred, bl->energy,
                        bl->spread);
            v[0] = 0;
            const uint32_t *const post = pc_root_post(e, v);
            const unsigned c = pc_mix_bucket(v[10]);
            const uint32_t tot = ad->tot[c];
            const uint32_t slot = lcc_rans_dec_peek(&d, PC_PRECISION);
            /* The largest s with F(s) <= slot (F(0) = 0 <= slot < F(256) = 2^24). */
            unsigned lo = 0, hi = 256;
            uint32_t flo = 0, fhi = 1u << PC_PRECISION;
            while (hi - lo > 1) {
                const unsigned mid = (lo + hi) / 2;
                const uint32_t fm = pc_mix_cdf(pc_cdf_at(model, 0, post, PC_PRECISION, mid), pc_adapt_cum(ad, c, mid),
                                               tot, wq, mid);
                if (fm <= slot) {
                    lo = mid;
                    flo = fm;
                } else {
                    hi = mid;
                    fhi = fm;
                }
            }
            const uint32_t iv[2] = { flo, fhi };
            lcc_rans_dec_get_cdf(&d, iv, 1, PC_PRECISION);
            r[i] = (uint8_t)lo;
            p[i] = (uint8_t)((pred + (int)lo - 128) & 255);
            pc_adapt_add(ad, c, lo);
            pc_blend_update(bl, x, y, p[i]);
        }
        if (d.error)
            return -1;
    }
    return lcc_rans_dec_finish(&d) ? -1 : 0;
}

/* Natural images (schemes 1 to 3): planes G, R, B (or gray), one stream each. */
static lcc_status decode_context(LccContext *const c, const LccContainer *const ct, const PcModel *const model,
                                 const unsigned scheme, LccMedia *const out)
{
    LccMedia m = ct->header.geometry;
    const uint32_t w = m.image.width, h = m.image.height, nc = m.image.channels;
    const size_t np = (size_t)w * h;
    static const unsigned order[3] = { 1, 0, 2 };
    lcc_status err = lcc_media_alloc(&m, lcc_limits(c));
    if (err)
        return lcc_error(c, err, "pc: cannot allocate a %u x %u image", w, h);
    uint8_t *const planes = malloc(np * 3);
    uint8_t *const res = malloc(np * 3);
    int16_t *const gerr = malloc(np * sizeof(*gerr));
    PcEval *const e = pc_eval_new(model);
    PcBlend bl = { 0 };
    PcAdapt *const ad = scheme == PC_SCHEME_CONTEXT3 ? malloc(sizeof(*ad)) : NULL;
    if (!planes || !res || !gerr || !e || (scheme == PC_SCHEME_CONTEXT3 && (!ad || pc_blend_init(&bl, w, h)))) {
        err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
        goto done;
    }
    const LccChunk *k = lcc_container_find(ct, PC_CHUNK_BLOCK);
    for (uint32_t pi = 0; pi < nc; pi++, k = lcc_container_next(ct, k)) {
        if (scheme == PC_SCHEME_CONTEXT3) {
            if (decode_plane3(model, e, &bl, ad, planes, res, w, h, pi, nc, k)) {
                err = lcc_error(c, LCC_EBADMSG, "pc: plane %u is damaged (bad mixing weight or rANS stream)", pi);
                goto done;
            }
            lcc_progress(c, (double)(pi + 1) / nc);
            continue;
        }
        const unsigned ch = nc == 3 ? order[pi] : 0, kind = nc == 3 ? pi : 0;
        uint8_t *const p = planes + ch * np;
        const uint8_t *const g = kind ? planes + np : NULL;   /* planes + np: G, decoded first */
        uint8_t *const r = res + (size_t)pi * np;
        LccRansDec d;
        int bad = lcc_rans_dec_init(&d, k->data, k->size, np) != 0;
        uint16_t v[PC_CTX2_VARS];
        for (uint32_t y = 0; y < h && !bad; y++) {
            for (uint32_t x = 0; x < w; x++) {
                const size_t i = (size_t)y * w + x;
                const int pred = pc_predict12(p, g, gerr, w, x, y, kind, scheme == PC_SCHEME_CONTEXT2);
                if (scheme == PC_SCHEME_CONTEXT2)
                    pc_context2(v, r, kind ? res : NULL, kind == 2 ? res + np : NULL, p, g, w, x, y, kind, pred);
                else
                    pc_context(v, r, kind ? res : NULL, w, x, y, kind);
                v[0] = 0;
                const uint32_t *const post = pc_root_post(e, v);
                const uint32_t slot = lcc_rans_dec_peek(&d, PC_PRECISION);
                uint32_t iv[2];
                const uint32_t sym = pc_cdf_find(model, 0, post, PC_PRECISION, slot, &iv[0], &iv[1]);
                lcc_rans_dec_get_cdf(&d, iv, 1, PC_PRECISION);
                r[i] = (uint8_t)sym;
                p[i] = (uint8_t)((pred + (int)sym - 128) & 255);
                if (kind == 0)
                    gerr[i] = (int16_t)(p[i] - pred);
            }
            bad |= d.error;
        }
        if (bad || lcc_rans_dec_finish(&d)) {
            err = lcc_error(c, LCC_EBADMSG, "pc: plane %u is damaged (rANS stream does not decode)", pi);
            goto done;
        }
        lcc_progress(c, (double)(pi + 1) / nc);
    }
    for (size_t i = 0; i < np; i++)
        for (uint32_t q = 0; q < nc; q++)
            m.image.data[i * nc + q] = planes[q * np + i];
done:
    pc_blend_free(&bl);
    free(ad);
    pc_eval_free(e);
    free(planes);
    free(res);
    free(gerr);
    if (err)
        lcc_media_free(&m);
    else
        *out = m;
    return err;
}

lcc_status lcc_pc_decode(LccContext *const c, const LccContainer *const ct, LccMedia *const out)
{
    LccMedia m = ct->header.geometry;
    uint32_t nframes, w, h;
    if (m.modality == LCC_MODALITY_VIDEO) {
        if (m.video.chroma != LCC_CHROMA_400 || m.video.bit_depth != 8)
            return lcc_error(c, LCC_EBADMSG, "pc: stream geometry is not 8-bit gray video");
        nframes = m.video.frames;
        w = m.video.width;
        h = m.video.height;
    } else if (m.modality == LCC_MODALITY_IMAGE) {
        if ((m.image.channels != 1 && m.image.channels != 3) || m.image.bit_depth != 8)
            return lcc_error(c, LCC_EBADMSG, "pc: stream geometry is not an 8-bit gray or RGB image");
        nframes = 1;
        w = m.image.width;
        h = m.image.height;
    } else {
        return lcc_error(c, LCC_EBADMSG, "pc: stream modality %s", lcc_modality_name(m.modality));
    }
    if (ct->header.quality != 0)
        return lcc_error(c, LCC_EBADMSG, "pc: quality must be 0, not %u", ct->header.quality);
    const LccChunk *const hd = lcc_container_find(ct, PC_CHUNK_HEADER);
    if (!hd || hd->size != PC_HEADER_BYTES || lcc_container_next(ct, hd))
        return lcc_error(c, LCC_EBADMSG, "pc: missing, repeated or malformed %s chunk", PC_CHUNK_HEADER);
    if (hd->data[0] < 1 || hd->data[0] > PC_STREAM_VERSION)
        return lcc_error(c, LCC_ENOTSUP, "pc: stream version %u (this build reads 1 to %u)", hd->data[0],
                         PC_STREAM_VERSION);
    const uint32_t block_frames = lcc_rl32(hd->data + 4);
    const unsigned scheme = hd->data[2];
    /* Scheme 2 exists from version 2 on, scheme 3 from version 3 on;
     * schemes 0 and 1 in every version. */
    if ((scheme == PC_SCHEME_CONTEXT2 && hd->data[0] < 2) || (scheme == PC_SCHEME_CONTEXT3 && hd->data[0] < 3))
        return lcc_error(c, LCC_EBADMSG, "pc: scheme %u in a version-%u stream", scheme, hd->data[0]);
    const int context = scheme == PC_SCHEME_CONTEXT || scheme == PC_SCHEME_CONTEXT2 || scheme == PC_SCHEME_CONTEXT3;
    const uint32_t ctx_vars = scheme == PC_SCHEME_CONTEXT3   ? PC_CTX3_VARS
                              : scheme == PC_SCHEME_CONTEXT2 ? PC_CTX2_VARS
                                                             : PC_CTX_VARS;
    if (hd->data[1] != PC_PRECISION || (scheme != PC_SCHEME_TREE && !context) || hd->data[3] != 0 ||
        !block_frames || block_frames > PC_MAX_BLOCK_FRAMES || (context && block_frames != 1) ||
        (context && m.modality != LCC_MODALITY_IMAGE))
        return lcc_error(c, LCC_EBADMSG, "pc: bad %s fields (precision %u, scheme %u, block %u)", PC_CHUNK_HEADER,
                         hd->data[1], scheme, block_frames);
    if (!context && m.modality == LCC_MODALITY_IMAGE && m.image.channels != 1)
        return lcc_error(c, LCC_EBADMSG, "pc: a tree-order stream of a %u-channel image", m.image.channels);
    const uint32_t nblocks = context ? m.image.channels : (uint32_t)(((uint64_t)nframes + block_frames - 1) / block_frames);
    uint32_t have = 0;
    for (const LccChunk *k = lcc_container_find(ct, PC_CHUNK_BLOCK); k; k = lcc_container_next(ct, k))
        have++;
    if (have != nblocks)
        return lcc_error(c, LCC_EBADMSG, "pc: %u %s chunks, the geometry needs %u", have, PC_CHUNK_BLOCK, nblocks);

    PcModel model;
    lcc_status err = pc_model_find_id(c, ct->header.model_id, &model);
    if (err)
        return err;
    if (context) {
        if (model.width || model.height || model.nvars != ctx_vars || model.root != 0 || model.nsyms != 256)
            err = lcc_error(c, LCC_EBADMSG, "pc: model %s is not a scheme-%u context model for natural images",
                            model.name, scheme);
        else
            err = decode_context(c, ct, &model, scheme, out);
        pc_model_free(&model);
        return err;
    }
    if (model.width != w || model.height != h || model.nsyms != 256) {
        err = lcc_error(c, LCC_EBADMSG, "pc: model %s is for %u x %u images, the stream holds %u x %u",
                        model.name, model.width, model.height, w, h);
        pc_model_free(&model);
        return err;
    }
    const LccChunk **const blocks = malloc(nblocks * sizeof(*blocks));
    int *const bad = calloc(nblocks, sizeof(*bad));
    if (!blocks || !bad) {
        err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
        goto done;
    }
    {
        uint32_t i = 0;
        for (const LccChunk *k = lcc_container_find(ct, PC_CHUNK_BLOCK); k; k = lcc_container_next(ct, k))
            blocks[i++] = k;
    }
    err = lcc_media_alloc(&m, lcc_limits(c));
    if (err) {
        err = lcc_error(c, err, "pc: cannot allocate %u images of %u x %u", nframes, w, h);
        goto done;
    }
    {
        uint16_t *const data = m.modality == LCC_MODALITY_VIDEO ? m.video.data : m.image.data;
        long nt = c && c->settings.threads > 0 ? c->settings.threads : sysconf(_SC_NPROCESSORS_ONLN);
        if (nt < 1)
            nt = 1;
        if (nt > 64)
            nt = 64;
        if ((uint32_t)nt > nblocks)
            nt = nblocks;
        DecJob jobs[64];
        pthread_t th[64];
        int running[64] = { 0 };
        for (long t = 0; t < nt; t++) {
            jobs[t] = (DecJob){ &model, blocks, nblocks, (uint32_t)nt, (uint32_t)t, nframes, block_frames, data, bad };
            running[t] = t > 0 && !pthread_create(&th[t], NULL, dec_thread, &jobs[t]);
        }
        dec_thread(&jobs[0]);
        for (long t = 1; t < nt; t++) {
            if (running[t])
                pthread_join(th[t], NULL);
            else
                dec_thread(&jobs[t]);
        }
    }
    for (uint32_t b = 0; b < nblocks; b++)
        if (bad[b]) {
            err = lcc_error(c, LCC_EBADMSG, "pc: block %u is damaged (rANS stream does not decode)", b);
            lcc_media_free(&m);
            goto done;
        }
    *out = m;
done:
    free(blocks);
    free(bad);
    pc_model_free(&model);
    return err;
}
