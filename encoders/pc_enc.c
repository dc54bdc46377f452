/* `pc` encoder: lossless coding of 8-bit gray images with a hidden Chow-Liu
 * tree (entropy/pc) and the rANS coder (SPEC.md §3, pc).
 *
 * Input: an 8-bit CHROMA_400 video (an IDX file of N images, or any gray
 * video) or one 8-bit gray image, whose frame size matches an installed
 * pc model. With several such models, the one that codes the first frames
 * smallest is used. Frames are coded in blocks of PC_BLOCK_FRAMES, each
 * block an independent rANS stream in its own PCRS chunk, so blocks code in
 * parallel and the output does not depend on the thread count. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encoders/encoders.h"
#include "entropy/pc/pc.h"
#include "entropy/pc/pc_find.h"
#include "entropy/pc/pc_image.h"
#include "entropy/pc/pc_stream.h"
#include "entropy/rans.h"

#define PC_MAX_CANDIDATES 8
/* Side of the window that picks among several context models (above). */
#define PC_PROBE_SIDE 256u
#define PC_PROBE_FRAMES 32

typedef struct Frames {
    const uint16_t *data;
    uint32_t n, w, h;
} Frames;

typedef struct EncJob {
    const PcModel *m;
    const Frames *f;
    uint32_t nblocks, nthreads;
    LccBuf *out;             /* [nblocks] rANS streams */
    lcc_status *err;         /* [nblocks] */
    uint32_t first;          /* this thread's first block */
} EncJob;

static lcc_status code_block(const PcModel *const m, const Frames *const f, const uint32_t b, LccBuf *const out)
{
    const uint32_t D = m->nvars;
    const uint32_t f0 = b * PC_BLOCK_FRAMES;
    const uint32_t f1 = f->n - f0 < PC_BLOCK_FRAMES ? f->n : f0 + PC_BLOCK_FRAMES;
    PcEval *const e = pc_eval_new(m);
    if (!e)
        return LCC_ENOMEM;
    LccRansEnc enc;
    lcc_rans_enc_init(&enc);
    for (uint32_t fr = f0; fr < f1; fr++) {
        const uint16_t *const x = f->data + (size_t)fr * D;
        pc_seq_begin(e);
        for (uint32_t i = 0; i < D; i++) {
            uint32_t v;
            const uint32_t *const post = pc_seq_post(e, &v);
            const uint32_t iv[2] = { pc_cdf_at(m, v, post, PC_PRECISION, x[v]),
                                     pc_cdf_at(m, v, post, PC_PRECISION, x[v] + 1u) };
            lcc_rans_enc_put_cdf(&enc, iv, 1, PC_PRECISION, 0);
            pc_seq_observe(e, x[v]);
        }
    }
    const lcc_status err = lcc_rans_enc_finish(&enc, out);
    lcc_rans_enc_free(&enc);
    pc_eval_free(e);
    return err;
}

static void *enc_thread(void *const opaque)
{
    const EncJob *const j = opaque;
    for (uint32_t b = j->first; b < j->nblocks; b += j->nthreads)
        j->err[b] = code_block(j->m, j->f, b, &j->out[b]);
    return NULL;
}

static uint32_t thread_count(LccContext *const c, const uint32_t work)
{
    long n = c && c->settings.threads > 0 ? c->settings.threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > 64)
        n = 64;
    return (uint32_t)n < work ? (uint32_t)n : work;
}

/* Bits the model spends on the first frames (model choice only). */
static double probe_bits(const PcModel *const m, const Frames *const f)
{
    PcEval *const e = pc_eval_new(m);
    uint16_t *const x = malloc(m->nvars * sizeof(*x));
    double bits = 1e300;
    if (e && x) {
        bits = 0;
        const uint32_t n = f->n < PC_PROBE_FRAMES ? f->n : PC_PROBE_FRAMES;
        for (uint32_t i = 0; i < n; i++) {
            memcpy(x, f->data + (size_t)i * m->nvars, m->nvars * sizeof(*x));
            bits += pc_code_bits(e, x, PC_PRECISION);
        }
    }
    free(x);
    pc_eval_free(e);
    return bits;
}

/* The stream scheme of a context model: from its number of variables. */
static unsigned context_scheme(const PcModel *const m)
{
    return m->nvars == PC_CTX3_VARS   ? PC_SCHEME_CONTEXT3
           : m->nvars == PC_CTX2_VARS ? PC_SCHEME_CONTEXT2
                                      : PC_SCHEME_CONTEXT;
}

/* log2(f) in Q16 for f >= 1 (within 0.005 of the exact value): the
 * encoder's estimate of a symbol's cost, used only to choose the mixing
 * weight, which the stream then carries. */
static uint64_t log2_q16(const uint32_t f)
{
    unsigned b = 31;
    while (!(f >> b))
        b--;
    const uint64_t x = ((uint64_t)f << (31 - b) & 0x7fffffffu) >> 15;   /* mantissa, Q16 */
    return ((uint64_t)b << 16) + x + ((((x * (65536 - x)) >> 16) * 22713) >> 16);
}

/* One plane of scheme 3: every pixel's circuit CDF bounds and count-model
 * state first, then the weight wq (0..16) that codes the plane smallest,
 * then the ops. The stream is the byte wq followed by the rANS stream. */
static lcc_status encode_plane3(const PcModel *const model, PcEval *const e, PcBlend *const bl, PcAdapt *const ad,
                                const uint8_t *const planes, uint8_t *const res, const uint32_t w, const uint32_t h,
                                const unsigned pi, const unsigned nc, LccBuf *const out)
{
    static const unsigned order[3] = { 1, 0, 2 };
    const size_t np = (size_t)w * h;
    const unsigned ch = nc == 3 ? order[pi] : 0, kind = nc == 3 ? pi : 0;
    const uint8_t *const p = planes + ch * np;
    const uint8_t *const g = kind ? planes + np : NULL;   /* planes + np: G, coded first */
    uint8_t *const r = res + (size_t)pi * np;
    uint32_t *const q = malloc(np * 5 * sizeof(*q));   /* per pixel: Fpc(s), Fpc(s+1), cum(s), cum(s+1), tot */
    if (!q)
        return LCC_ENOMEM;
    pc_adapt_reset(ad);
    uint16_t v[PC_CTX3_VARS];
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const size_t i = (size_t)y * w + x;
            const int pred = pc_blend_predict(bl, p, g, kind == 2 ? planes : NULL, x, y);
            const uint32_t sym = (uint32_t)(p[i] - pred + 128) & 255;
            pc_context3(v, r, kind ? res : NULL, kind == 2 ? res + np : NULL, p, g, w, x, y, kind, pred, bl->energy,
                        bl->spread);
            v[0] = 0;
            const uint32_t *const post = pc_root_post(e, v);
            const unsigned c = pc_mix_bucket(v[10]);
            uint32_t *const qi = q + i * 5;
            qi[0] = pc_cdf_at(model, 0, post, PC_PRECISION, sym);
            qi[1] = pc_cdf_at(model, 0, post, PC_PRECISION, sym + 1);
            qi[2] = pc_adapt_cum(ad, c, sym);
            qi[3] = qi[2] + ad->f[c][sym];
            qi[4] = ad->tot[c];
            pc_adapt_add(ad, c, sym);
            r[i] = (uint8_t)sym;
            pc_blend_update(bl, x, y, p[i]);
        }
    uint64_t best = 0;
    unsigned wq = 0;
    for (unsigned k = 0; k <= PC_MIX_MAXW; k++) {
        uint64_t sum = 0;   /* sum of log2 of the frequencies: larger is better */
        for (size_t i = 0; i < np; i++) {
            const uint32_t *const qi = q + i * 5, sym = r[i];
            sum += log2_q16(pc_mix_cdf(qi[1], qi[3], qi[4], k, sym + 1) - pc_mix_cdf(qi[0], qi[2], qi[4], k, sym));
        }
        if (k == 0 || sum > best) {
            best = sum;
            wq = k;
        }
    }
    LccRansEnc enc;
    lcc_rans_enc_init(&enc);
    for (size_t i = 0; i < np; i++) {
        const uint32_t *const qi = q + i * 5, sym = r[i];
        const uint32_t iv[2] = { pc_mix_cdf(qi[0], qi[2], qi[4], wq, sym),
                                 pc_mix_cdf(qi[1], qi[3], qi[4], wq, sym + 1) };
        lcc_rans_enc_put_cdf(&enc, iv, 1, PC_PRECISION, 0);
    }
    free(q);
    LccBuf body = { 0 };
    lcc_status err = lcc_rans_enc_finish(&enc, &body);
    lcc_rans_enc_free(&enc);
    if (!err) {
        const uint8_t wb = (uint8_t)wq;
        lcc_buf_append(out, &wb, 1);
        lcc_buf_append(out, body.data, body.size);
        if (out->failed)
            err = LCC_ENOMEM;
    }
    lcc_buf_free(&body);
    return err;
}

/* Natural images: planes G, R, B (or gray), each one rANS stream. */
static lcc_status encode_context(LccContext *const c, const LccMedia *const m, const PcModel *const model,
                                 LccBuf *const out)
{
    const uint32_t w = m->image.width, h = m->image.height, nc = m->image.channels;
    const size_t np = (size_t)w * h;
    static const unsigned order[3] = { 1, 0, 2 };
    const unsigned scheme = context_scheme(model);
    uint8_t *const planes = malloc(np * 3);
    uint8_t *const res = malloc(np * 3);
    int16_t *const gerr = malloc(np * sizeof(*gerr));
    LccBuf streams[3] = { { 0 } };
    PcEval *const e = pc_eval_new(model);
    PcBlend bl = { 0 };
    PcAdapt *const ad = scheme == PC_SCHEME_CONTEXT3 ? malloc(sizeof(*ad)) : NULL;
    lcc_status err = LCC_OK;
    if (!planes || !res || !gerr || !e || (scheme == PC_SCHEME_CONTEXT3 && (!ad || pc_blend_init(&bl, w, h)))) {
        err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
        goto done;
    }
    for (size_t i = 0; i < np; i++)
        for (uint32_t k = 0; k < nc; k++)
            planes[k * np + i] = (uint8_t)m->image.data[i * nc + k];
    for (uint32_t pi = 0; pi < nc; pi++) {
        if (scheme == PC_SCHEME_CONTEXT3) {
            err = encode_plane3(model, e, &bl, ad, planes, res, w, h, pi, nc, &streams[pi]);
            if (err) {
                err = lcc_error(c, err, "pc: coding plane %u failed", pi);
                goto done;
            }
            lcc_progress(c, (double)(pi + 1) / nc);
            continue;
        }
        const unsigned ch = nc == 3 ? order[pi] : 0, kind = nc == 3 ? pi : 0;
        const uint8_t *const p = planes + ch * np;
        const uint8_t *const g = kind ? planes + np : NULL;   /* planes + np: G, coded first */
        uint8_t *const r = res + (size_t)pi * np;
        LccRansEnc enc;
        lcc_rans_enc_init(&enc);
        uint16_t v[PC_CTX2_VARS];
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                const size_t i = (size_t)y * w + x;
                const int pred = pc_predict12(p, g, gerr, w, x, y, kind, scheme == PC_SCHEME_CONTEXT2);
                if (kind == 0)
                    gerr[i] = (int16_t)(p[i] - pred);
                const uint32_t sym = (uint32_t)(p[i] - pred + 128) & 255;
                if (scheme == PC_SCHEME_CONTEXT2)
                    pc_context2(v, r, kind ? res : NULL, kind == 2 ? res + np : NULL, p, g, w, x, y, kind, pred);
                else
                    pc_context(v, r, kind ? res : NULL, w, x, y, kind);
                v[0] = 0;
                const uint32_t *const post = pc_root_post(e, v);
                const uint32_t iv[2] = { pc_cdf_at(model, 0, post, PC_PRECISION, sym),
                                         pc_cdf_at(model, 0, post, PC_PRECISION, sym + 1) };
                lcc_rans_enc_put_cdf(&enc, iv, 1, PC_PRECISION, 0);
                r[i] = (uint8_t)sym;
            }
        err = lcc_rans_enc_finish(&enc, &streams[pi]);
        lcc_rans_enc_free(&enc);
        if (err) {
            err = lcc_error(c, err, "pc: coding plane %u failed", pi);
            goto done;
        }
        lcc_progress(c, (double)(pi + 1) / nc);
    }
    {
        LccHeader hh = { .profile_id = LCC_PROFILE_PC, .quality = 0, .geometry = *m };
        hh.geometry.image.data = NULL;
        memcpy(hh.model_id, model->sha256, 8);
        lcc_container_begin(out, &hh);
        uint8_t hd[PC_HEADER_BYTES];
        pc_stream_header_write(hd, scheme, 1);
        lcc_container_chunk(out, PC_CHUNK_HEADER, hd, sizeof(hd));
        for (uint32_t pi = 0; pi < nc; pi++)
            lcc_container_chunk(out, PC_CHUNK_BLOCK, streams[pi].data, streams[pi].size);
        lcc_container_end(out);
        if (out->failed)
            err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
    }
done:
    for (int k = 0; k < 3; k++)
        lcc_buf_free(&streams[k]);
    pc_blend_free(&bl);
    free(ad);
    pc_eval_free(e);
    free(planes);
    free(res);
    free(gerr);
    return err;
}

lcc_status lcc_pc_encode(LccContext *const c, const LccMedia *const m, const int quality, LccBuf *const out)
{
    if (quality != 0)
        return lcc_error(c, LCC_EINVAL, "pc: the only quality is 0 (lossless), not %d", quality);
    Frames f;
    if (m->modality == LCC_MODALITY_VIDEO) {
        if (m->video.chroma != LCC_CHROMA_400 || m->video.bit_depth != 8)
            return lcc_error(c, LCC_ENOTSUP, "pc: video must be 8-bit gray (CHROMA_400), as an IDX file is");
        f = (Frames){ m->video.data, m->video.frames, m->video.width, m->video.height };
    } else if (m->modality == LCC_MODALITY_IMAGE) {
        if ((m->image.channels != 1 && m->image.channels != 3) || m->image.bit_depth != 8)
            return lcc_error(c, LCC_ENOTSUP, "pc: images must be 8-bit gray or RGB (no alpha, no 16-bit)");
        f = (Frames){ m->image.data, 1, m->image.width, m->image.height };
        /* A model for exactly this size (gray) codes it whole; otherwise
         * the context model for natural images of any size. */
        PcModel fixed;
        if (m->image.channels != 1 || pc_model_find_size(c, f.w, f.h, &fixed, 1) != 1) {
            /* The context model: the one named by --model, else the
             * installed scheme-2 models (a scheme-1 model if there is none). */
            PcModel ctxs[PC_MAX_CANDIDATES];
            const int nctx = c->encode_model ? pc_model_find_name(c, c->encode_model, ctxs)
                                             : pc_model_find_size(c, 0, 0, ctxs, PC_MAX_CANDIDATES);
            if (nctx <= 0 && c->encode_model)
                return c->first_error ? c->first_error : LCC_EMODEL;   /* pc_model_find_name said why */
            if (nctx <= 0)
                return lcc_error(c, LCC_EMODEL, "pc: no installed context model for natural images "
                                 "(pc-*.lccw with size 0 x 0; lcc train pc --images makes one)");
            /* The models of the newest scheme installed (3, else 2, else 1);
             * with several (e.g. one for clean and one for noisy photos),
             * the image is coded with each and the smallest stream is kept
             * (the stream names its model); for an image larger than twice
             * PC_PROBE_SIDE x PC_PROBE_SIDE pixels, the central PC_PROBE_SIDE x PC_PROBE_SIDE
             * window is coded with each instead, and the whole image with
             * the model that coded the window smallest. */
            unsigned top = 0;
            for (int i = 0; i < nctx; i++)
                if (ctxs[i].nvars == PC_CTX2_VARS || ctxs[i].nvars == PC_CTX3_VARS)
                    top = context_scheme(&ctxs[i]) > top ? context_scheme(&ctxs[i]) : top;
            int pick = 0, n2 = 0;
            for (int i = 0; i < nctx; i++)
                if (top && context_scheme(&ctxs[i]) == top && n2++ == 0)
                    pick = i;
            lcc_status err = LCC_EMODEL;
            LccBuf best = { 0 };
            LccMedia win = { .modality = LCC_MODALITY_IMAGE };
            const int windowed = n2 > 1 && (uint64_t)f.w * f.h > 2ull * PC_PROBE_SIDE * PC_PROBE_SIDE;
            if (windowed) {
                const uint32_t ww = f.w < PC_PROBE_SIDE ? f.w : PC_PROBE_SIDE, wh = f.h < PC_PROBE_SIDE ? f.h : PC_PROBE_SIDE;
                const uint32_t x0 = (f.w - ww) / 2, y0 = (f.h - wh) / 2, ch = m->image.channels;
                win.image = (LccImage){ ww, wh, ch, 8, NULL };
                if (lcc_media_alloc(&win, NULL)) {
                    for (int i = 0; i < nctx; i++)
                        pc_model_free(&ctxs[i]);
                    return lcc_error(c, LCC_ENOMEM, "pc: out of memory");
                }
                for (uint32_t y = 0; y < wh; y++)
                    memcpy(win.image.data + (size_t)y * ww * ch,
                           m->image.data + ((size_t)(y0 + y) * f.w + x0) * ch, (size_t)ww * ch);
            }
            int chosen = -1;
            for (int i = 0; i < nctx; i++) {
                const PcModel *const ctx = &ctxs[i];
                if (n2 > 1 ? context_scheme(ctx) != top || ctx->nvars == PC_CTX_VARS : i != pick)
                    continue;
                if ((ctx->nvars != PC_CTX_VARS && ctx->nvars != PC_CTX2_VARS && ctx->nvars != PC_CTX3_VARS) ||
                    ctx->root != 0 || ctx->width || ctx->height) {
                    err = lcc_error(c, LCC_EMODEL,
                                    "pc: %s is not a context model (%u variables, root %u, size %u x %u; expected "
                                    "%u, %u or %u variables, root 0, size 0 x 0)",
                                    ctx->name, ctx->nvars, ctx->root, ctx->width, ctx->height, PC_CTX_VARS,
                                    PC_CTX2_VARS, PC_CTX3_VARS);
                    break;
                }
                LccBuf tmp = { 0 };
                err = encode_context(c, windowed ? &win : m, ctx, &tmp);
                if (err) {
                    lcc_buf_free(&tmp);
                    break;
                }
                if (!best.data || tmp.size < best.size) {
                    lcc_buf_free(&best);
                    best = tmp;
                    chosen = i;
                } else {
                    lcc_buf_free(&tmp);
                }
            }
            lcc_media_free(&win);
            if (!err && windowed) {
                lcc_buf_free(&best);
                err = encode_context(c, m, &ctxs[chosen], &best);
            }
            if (!err) {
                lcc_buf_append(out, best.data, best.size);
                if (out->failed)
                    err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
            }
            lcc_buf_free(&best);
            for (int i = 0; i < nctx; i++)
                pc_model_free(&ctxs[i]);
            return err;
        }
        pc_model_free(&fixed);
    } else {
        return lcc_error(c, LCC_ENOTSUP, "pc codes images, not %s", lcc_modality_name(m->modality));
    }
    PcModel cand[PC_MAX_CANDIDATES];
    const int nc = pc_model_find_size(c, f.w, f.h, cand, PC_MAX_CANDIDATES);
    if (nc <= 0)
        return lcc_error(c, LCC_EMODEL, "pc: no installed model for %u x %u gray images (lcc train pc makes one)",
                         f.w, f.h);
    int best = 0;
    if (nc > 1) {
        double bb = 0;
        for (int i = 0; i < nc; i++) {
            const double bits = probe_bits(&cand[i], &f);
            if (i == 0 || bits < bb) {
                bb = bits;
                best = i;
            }
        }
    }
    const PcModel *const model = &cand[best];
    const uint32_t nblocks = (f.n + PC_BLOCK_FRAMES - 1) / PC_BLOCK_FRAMES;
    LccBuf *const streams = calloc(nblocks, sizeof(*streams));
    lcc_status *const errs = calloc(nblocks, sizeof(*errs));
    lcc_status err = LCC_OK;
    if (!streams || !errs) {
        err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
        goto done;
    }
    {
        const uint32_t nt = thread_count(c, nblocks);
        EncJob jobs[64];
        pthread_t th[64];
        int running[64] = { 0 };
        for (uint32_t t = 0; t < nt; t++) {
            jobs[t] = (EncJob){ model, &f, nblocks, nt, streams, errs, t };
            running[t] = t > 0 && !pthread_create(&th[t], NULL, enc_thread, &jobs[t]);
        }
        enc_thread(&jobs[0]);
        for (uint32_t t = 1; t < nt; t++) {
            if (running[t])
                pthread_join(th[t], NULL);
            else
                enc_thread(&jobs[t]);   /* no thread: do its share here */
        }
    }
    for (uint32_t b = 0; b < nblocks; b++)
        if (errs[b]) {
            err = lcc_error(c, errs[b], "pc: coding block %u failed", b);
            goto done;
        }
    LccHeader h = { .profile_id = LCC_PROFILE_PC, .quality = 0, .geometry = *m };
    h.geometry.image.data = NULL;
    h.geometry.audio.data = NULL;
    h.geometry.video.data = NULL;
    memcpy(h.model_id, model->sha256, 8);
    lcc_container_begin(out, &h);
    uint8_t hd[PC_HEADER_BYTES];
    pc_stream_header_write(hd, PC_SCHEME_TREE, PC_BLOCK_FRAMES);
    lcc_container_chunk(out, PC_CHUNK_HEADER, hd, sizeof(hd));
    for (uint32_t b = 0; b < nblocks; b++)
        lcc_container_chunk(out, PC_CHUNK_BLOCK, streams[b].data, streams[b].size);
    lcc_container_end(out);
    if (out->failed)
        err = lcc_error(c, LCC_ENOMEM, "pc: out of memory");
done:
    if (streams)
        for (uint32_t b = 0; b < nblocks; b++)
            lcc_buf_free(&streams[b]);
    free(streams);
    free(errs);
    for (int i = 0; i < nc; i++)
        pc_model_free(&cand[i]);
    return err;
}
