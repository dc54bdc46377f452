/* Geometry checks, allocation and comparison of LccMedia. */
#include <stdlib.h>
#include <string.h>

#include "libcodec/internal.h"

const char *lcc_modality_name(const LccModality m)
{
    switch (m) {
    case LCC_MODALITY_IMAGE: return "image";
    case LCC_MODALITY_AUDIO: return "audio";
    case LCC_MODALITY_VIDEO: return "video";
    default: return "none";
    }
}

void lcc_video_chroma_size(const LccVideo *const v, uint32_t *const cw, uint32_t *const ch)
{
    switch (v->chroma) {
    case LCC_CHROMA_420: *cw = (v->width + 1) / 2; *ch = (v->height + 1) / 2; break;
    case LCC_CHROMA_422: *cw = (v->width + 1) / 2; *ch = v->height; break;
    case LCC_CHROMA_444: *cw = v->width; *ch = v->height; break;
    default: *cw = 0; *ch = 0; break;
    }
}

uint64_t lcc_video_frame_samples(const LccVideo *const v)
{
    uint32_t cw, ch;
    lcc_video_chroma_size(v, &cw, &ch);
    return (uint64_t)v->width * v->height + 2 * (uint64_t)cw * ch;
}

uint64_t lcc_media_samples(const LccMedia *const m)
{
    switch (m->modality) {
    case LCC_MODALITY_IMAGE:
        return (uint64_t)m->image.width * m->image.height * m->image.channels;
    case LCC_MODALITY_AUDIO:
        return m->audio.frames * m->audio.channels;
    case LCC_MODALITY_VIDEO:
        return lcc_video_frame_samples(&m->video) * m->video.frames;
    default:
        return 0;
    }
}

static lcc_status check_plane(const LccLimits *const l, const uint64_t w, const uint64_t h)
{
    if (!w || !h)
        return LCC_EINVAL;
    if (w > l->max_dimension || h > l->max_dimension || w * h > l->max_pixels)
        return LCC_ERANGE;
    return LCC_OK;
}

lcc_status lcc_media_check(const LccMedia *const m, const LccLimits *limits)
{
    LccLimits l = limits ? *limits : (LccLimits){ 0 };
    lcc_limits_resolve(&l);
    lcc_status err;
    uint64_t total;
    switch (m->modality) {
    case LCC_MODALITY_IMAGE: {
        const LccImage *const im = &m->image;
        if (im->channels < 1 || im->channels > 4 || im->bit_depth < 1 || im->bit_depth > 16)
            return LCC_EINVAL;
        if ((err = check_plane(&l, im->width, im->height)))
            return err;
        total = (uint64_t)im->width * im->height * im->channels;
        break;
    }
    case LCC_MODALITY_AUDIO: {
        const LccAudio *const a = &m->audio;
        if (a->channels < 1 || a->bit_depth < 8 || a->bit_depth > 32 || !a->sample_rate)
            return LCC_EINVAL;
        if (a->channels > LCC_MAX_AUDIO_CHANNELS || a->sample_rate > 1000000)
            return LCC_ERANGE;
        if (!a->frames)
            return LCC_EINVAL;
        if (lcc_mul_overflow(a->frames, a->channels, &total))
            return LCC_ERANGE;
        break;
    }
    case LCC_MODALITY_VIDEO: {
        const LccVideo *const v = &m->video;
        if (v->bit_depth < 8 || v->bit_depth > 16 || (unsigned)v->chroma > LCC_CHROMA_444 || !v->frames)
            return LCC_EINVAL;
        if ((err = check_plane(&l, v->width, v->height)))
            return err;
        if (v->frames > l.max_frames)
            return LCC_ERANGE;
        if (lcc_mul_overflow(lcc_video_frame_samples(v), v->frames, &total))
            return LCC_ERANGE;
        break;
    }
    default:
        return LCC_EINVAL;
    }
    return total > l.max_samples ? LCC_ERANGE : LCC_OK;
}

lcc_status lcc_media_alloc(LccMedia *const m, const LccLimits *const limits)
{
    const lcc_status err = lcc_media_check(m, limits);
    if (err)
        return err;
    const uint64_t n = lcc_media_samples(m);
    void *data;
    if (m->modality == LCC_MODALITY_AUDIO) {
        if (n > SIZE_MAX / sizeof(int32_t))
            return LCC_ERANGE;
        data = calloc((size_t)n, sizeof(int32_t));
        m->audio.data = data;
    } else {
        if (n > SIZE_MAX / sizeof(uint16_t))
            return LCC_ERANGE;
        data = calloc((size_t)n, sizeof(uint16_t));
        if (m->modality == LCC_MODALITY_IMAGE)
            m->image.data = data;
        else
            m->video.data = data;
    }
    return data ? LCC_OK : LCC_ENOMEM;
}

void lcc_media_free(LccMedia *const m)
{
    if (!m)
        return;
    free(m->image.data);
    free(m->audio.data);
    free(m->video.data);
    memset(m, 0, sizeof(*m));
}

int lcc_media_equal(const LccMedia *const a, const LccMedia *const b)
{
    if (a->modality != b->modality)
        return 0;
    const uint64_t n = lcc_media_samples(a);
    switch (a->modality) {
    case LCC_MODALITY_IMAGE: {
        const LccImage *const x = &a->image, *const y = &b->image;
        return x->width == y->width && x->height == y->height && x->channels == y->channels &&
               x->bit_depth == y->bit_depth && !memcmp(x->data, y->data, n * sizeof(uint16_t));
    }
    case LCC_MODALITY_AUDIO: {
        const LccAudio *const x = &a->audio, *const y = &b->audio;
        return x->channels == y->channels && x->sample_rate == y->sample_rate && x->frames == y->frames &&
               x->bit_depth == y->bit_depth && !memcmp(x->data, y->data, n * sizeof(int32_t));
    }
    case LCC_MODALITY_VIDEO: {
        const LccVideo *const x = &a->video, *const y = &b->video;
        return x->width == y->width && x->height == y->height && x->frames == y->frames &&
               x->bit_depth == y->bit_depth && x->chroma == y->chroma && x->fps_num == y->fps_num &&
               x->fps_den == y->fps_den && !memcmp(x->data, y->data, n * sizeof(uint16_t));
    }
    default:
        return 1;
    }
}
