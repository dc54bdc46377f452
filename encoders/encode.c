/* lcc_encode: picks the profile's encoder. */
#include <stdlib.h>
#include <string.h>

#include "encoders/encoders.h"

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
    /* the model choice reaches the profile's encoder through the context */
    if (c)
        c->encode_model = params ? params->model : NULL;
    const lcc_status err = encode(c, m, params, out, out_size);
    if (c)
        c->encode_model = NULL;
    return err;
}
