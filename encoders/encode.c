/* lcc_encode: picks the profile's encoder. */
#include <stdlib.h>
#include <string.h>

#include "encoders/encoders.h"
#include "libcodec/io/io.h"

typedef struct EncoderEntry {
    const char *name;
    LccModality modality;
    LccEncodeFn encode;
} EncoderEntry;

/* Best profile of each modality first: it is the default. */
static const EncoderEntry encoders[] = {
    { "wavelet-ae", LCC_MODALITY_IMAGE, lcc_walloc_encode },
    { "stored", LCC_MODALITY_IMAGE, lcc_stored_encode },
    { "wavelet-ae", LCC_MODALITY_AUDIO, lcc_walloc_encode },
    { "stored", LCC_MODALITY_AUDIO, lcc_stored_encode },
    { "stored", LCC_MODALITY_VIDEO, lcc_stored_encode },
    { "pc", LCC_MODALITY_IMAGE, lcc_pc_encode },
    { "pc", LCC_MODALITY_VIDEO, lcc_pc_encode },
};

void lcc_default_encode_params(LccEncodeParams *const p)
{
    memset(p, 0, sizeof(*p));
    p->quality = -1;
}

static lcc_status encode(LccContext *const c, const LccMedia *const m, const LccEncodeParams *const params,
                         uint8_t **const out, size_t *const out_size)
{
    if (!m || !out || !out_size)
        return lcc_error(c, LCC_EINVAL, "lcc_encode: NULL argument");
    *out = NULL;
    *out_size = 0;
    LccEncodeParams p;
    if (params)
        p = *params;
    else
        lcc_default_encode_params(&p);
    lcc_status err = lcc_media_check(m, lcc_limits(c));
    if (err)
        return lcc_error(c, err, "input %s geometry is %s", lcc_modality_name(m->modality),
                         err == LCC_ERANGE ? "beyond the limits" : "invalid");

    const EncoderEntry *e = NULL;
    for (size_t i = 0; i < sizeof(encoders) / sizeof(encoders[0]) && !e; i++)
        if (encoders[i].modality == m->modality && (!p.profile || !strcmp(p.profile, encoders[i].name)))
            e = &encoders[i];
    if (!e)
        return lcc_error(c, LCC_EINVAL, "profile '%s' cannot encode %s", p.profile, lcc_modality_name(m->modality));
    const LccProfileInfo *const info = lcc_profile_find(e->name, m->modality);
    if (!info)
        return lcc_error(c, LCC_EINTERNAL, "profile '%s' has an encoder but no table entry", e->name);

    int q = p.quality < 0 ? info->default_quality : p.quality;
    if (p.target_bpp > 0 || p.target_kbps > 0) {
        /* Pick the quality whose rate comes closest to the target. */
        const double target = p.target_bpp > 0 ? p.target_bpp : p.target_kbps;
        double best = -1;
        for (int i = 0; i < info->num_qualities; i++) {
            LccBuf b = { 0 };
            err = e->encode(c, m, info->qualities[i], &b);
            if (!err) {
                double rate;
                if (m->modality == LCC_MODALITY_AUDIO)
                    rate = (double)b.size * 8 * m->audio.sample_rate / (double)m->audio.frames / 1000.0;
                else if (m->modality == LCC_MODALITY_IMAGE)
                    rate = (double)b.size * 8 / ((double)m->image.width * m->image.height);
                else
                    rate = (double)b.size * 8 / ((double)m->video.width * m->video.height * m->video.frames);
                const double d = rate > target ? rate - target : target - rate;
                if (best < 0 || d < best) {
                    best = d;
                    q = info->qualities[i];
                }
            }
            lcc_buf_free(&b);
            if (err)
                return err;
        }
    }
    int valid = 0;
    for (int i = 0; i < info->num_qualities; i++)
        valid |= info->qualities[i] == q;
    if (!valid)
        return lcc_error(c, LCC_EINVAL, "profile '%s' has no quality %d", e->name, q);

    LccBuf b = { 0 };
    err = e->encode(c, m, q, &b);
    if (err) {
        lcc_buf_free(&b);
        return err;
    }
    *out = b.data;
    *out_size = b.size;
    return LCC_OK;
}

lcc_status lcc_encode(LccContext *const c, const LccMedia *const m, const LccEncodeParams *const params,
                      uint8_t **const out, size_t *const out_size)
{
    /* the model choice and the refinement reach the profile's encoder
     * through the context */
    lcc_warn(c, "%s", "");
    if (c) {
        c->encode_model = params ? params->model : NULL;
        c->encode_refine = params && params->refine > 0 ? params->refine : 0;
        c->encode_no_rdoq = params ? params->no_rdoq : 0;
    }
    const lcc_status err = encode(c, m, params, out, out_size);
    if (c) {
        c->encode_model = NULL;
        c->encode_refine = 0;
        c->encode_no_rdoq = 0;
    }
    return err;
}

typedef struct FileReader {
    LccContext *c;
    LccAudioSource *src;
} FileReader;

static lcc_status file_read(void *const user, int32_t *const dst, const uint64_t frames)
{
    FileReader *const r = user;
    return lcc_io_audio_source_read(r->c, r->src, dst, frames);
}

/* One streamed encode of in_path at quality q into b. */
static lcc_status encode_file_once(LccContext *const c, const char *const in_path, const int q, LccBuf *const b,
                                   LccAudio *const g)
{
    FileReader r = { c, NULL };
    lcc_status err = lcc_io_audio_source_open(c, in_path, g, &r.src);
    if (err)
        return err;
    LccMedia m = { .modality = LCC_MODALITY_AUDIO, .audio = *g };
    LccLimits lim = *lcc_limits(c);
    lim.max_samples = UINT64_MAX;   /* nothing is held: the length is not a memory risk */
    if ((err = lcc_media_check(&m, &lim)))
        err = lcc_error(c, err, "%s: invalid audio geometry", in_path);
    if (!err)
        err = lcc_walloc_audio_encode_stream(c, g, q, file_read, &r, b);
    lcc_io_audio_source_close(&r.src);
    return err;
}

lcc_status lcc_encode_audio_file(LccContext *const c, const char *const in_path, const LccEncodeParams *const params,
                                 uint8_t **const out, size_t *const out_size)
{
    if (!in_path || !out || !out_size)
        return lcc_error(c, LCC_EINVAL, "lcc_encode_audio_file: NULL argument");
    *out = NULL;
    *out_size = 0;
    LccEncodeParams p;
    if (params)
        p = *params;
    else
        lcc_default_encode_params(&p);
    if ((p.profile && strcmp(p.profile, "wavelet-ae")) || p.target_bpp > 0)
        return LCC_EFORMAT;
    const LccProfileInfo *const info = lcc_profile_find("wavelet-ae", LCC_MODALITY_AUDIO);
    if (!info)
        return LCC_EFORMAT;
    int q = p.quality < 0 ? info->default_quality : p.quality;
    LccAudio g;
    lcc_status err;
    if (p.target_kbps > 0) {
        double best = -1;
        for (int i = 0; i < info->num_qualities; i++) {
            LccBuf b = { 0 };
            err = encode_file_once(c, in_path, info->qualities[i], &b, &g);
            if (!err) {
                const double rate = (double)b.size * 8 * g.sample_rate / (double)g.frames / 1000.0;
                const double d = rate > p.target_kbps ? rate - p.target_kbps : p.target_kbps - rate;
                if (best < 0 || d < best) {
                    best = d;
                    q = info->qualities[i];
                }
            }
            lcc_buf_free(&b);
            if (err)
                return err;
        }
    }
    int valid = 0;
    for (int i = 0; i < info->num_qualities; i++)
        valid |= info->qualities[i] == q;
    if (!valid) {
        /* only an error if the file is audio (other media go elsewhere) */
        LccAudioSource *src = NULL;
        if ((err = lcc_io_audio_source_open(c, in_path, &g, &src)))
            return err;
        lcc_io_audio_source_close(&src);
        return lcc_error(c, LCC_EINVAL, "profile 'wavelet-ae' has no quality %d for audio", q);
    }
    LccBuf b = { 0 };
    if ((err = encode_file_once(c, in_path, q, &b, &g))) {
        lcc_buf_free(&b);
        return err;
    }
    *out = b.data;
    *out_size = b.size;
    return LCC_OK;
}
