/* Fuzz target: encode -> decode round trips of every profile on media made
 * from the input bytes.
 *
 *   byte 0   profile: 0 stored, 1 pc, 2 wavelet-ae (mod 3)
 *   byte 1   stored: modality (image, audio, video); others: image
 *   byte 2   width - 1 (mod 48), byte 3 height - 1 (mod 48)
 *   byte 4   channels / chroma, byte 5 bit depth, byte 6 quality
 *   rest     the samples, repeated as needed (masked to the bit depth)
 *
 * stored and pc are lossless: the decode must equal the input. wavelet-ae
 * is lossy: the decode must have the input's geometry, carry alpha
 * unchanged, decode the same stream to the same samples a second time, and
 * its latents must be readable. Any encoder failure other than "not
 * supported for this input" is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lcc/lcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 7

static uint32_t next_sample(const uint8_t *const data, const size_t size, size_t *const pos)
{
    if (size <= HDR)
        return (uint32_t)(*pos)++ * 2654435761u >> 13;
    const size_t n = size - HDR;
    const uint32_t v = (uint32_t)data[HDR + *pos % n] | (uint32_t)data[HDR + (*pos + 1) % n] << 8 |
                       (uint32_t)data[HDR + (*pos + 2) % n] << 16 | (uint32_t)data[HDR + (*pos + 3) % n] << 24;
    *pos += 1;
    return v;
}

/* Build the media described by the input; 0 on success. */
static int make_media(const uint8_t *const data, const size_t size, const int profile, LccMedia *const m)
{
    const uint8_t h1 = data[1], w = data[2], h = data[3], ch = data[4], bd = data[5];
    const LccModality mod = profile ? LCC_MODALITY_IMAGE : (LccModality)(1 + h1 % 3);
    memset(m, 0, sizeof(*m));
    m->modality = mod;
    if (mod == LCC_MODALITY_IMAGE) {
        m->image.width = 1 + w % 48u;
        m->image.height = 1 + h % 48u;
        if (profile == 1) {          /* pc: 8-bit gray or RGB */
            m->image.channels = ch % 8u == 1 ? 1 : 3;   /* gray scans every pc model: rarely */
            m->image.bit_depth = 8;
        } else if (profile == 2) {   /* wavelet-ae: 8-bit, 1..4 channels */
            m->image.channels = 1 + ch % 4u;
            m->image.bit_depth = 8;
        } else {
            m->image.channels = 1 + ch % 4u;
            m->image.bit_depth = 1 + bd % 16u;
        }
    } else if (mod == LCC_MODALITY_AUDIO) {
        m->audio.channels = 1 + ch % 8u;
        m->audio.sample_rate = 8000 + 100u * bd;
        m->audio.frames = 1 + (uint64_t)w * h % 3000u;
        m->audio.bit_depth = 8 + bd % 25u;
    } else {
        m->video.width = 1 + w % 24u;
        m->video.height = 1 + h % 24u;
        m->video.frames = 1 + h1 / 3 % 4u;
        m->video.chroma = (LccChroma)(ch % 4u);
        m->video.bit_depth = 8 + bd % 9u;
        m->video.fps_num = ch & 4 ? 25 : 0;
        m->video.fps_den = ch & 4 ? 1 : 0;
    }
    if (lcc_media_alloc(m, NULL))
        return 1;
    const uint64_t n = lcc_media_samples(m);
    size_t pos = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint32_t v = next_sample(data, size, &pos);
        if (mod == LCC_MODALITY_IMAGE)
            m->image.data[i] = (uint16_t)(v & ((1u << m->image.bit_depth) - 1));
        else if (mod == LCC_MODALITY_VIDEO)
            m->video.data[i] = (uint16_t)(v & ((1u << m->video.bit_depth) - 1));
        else {
            const unsigned b = m->audio.bit_depth;
            const int64_t x = (int64_t)(v & (b == 32 ? 0xFFFFFFFFu : (1u << b) - 1)) - ((int64_t)1 << (b - 1));
            m->audio.data[i] = (int32_t)x;
        }
    }
    return 0;
}

static const char *const profiles[] = { "stored", "pc", "wavelet-ae" };

int LLVMFuzzerTestOneInput(const uint8_t *const data, const size_t size)
{
    if (size < HDR)
        return 0;
    const int profile = data[0] % 3;
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = 1;
#ifdef FUZZ_MODEL_DIR
    s.model_dir = FUZZ_MODEL_DIR;
#endif
    LccContext *c;
    if (lcc_open(&c, &s))
        return 0;
    LccMedia in, out = { 0 }, again = { 0 };
    if (make_media(data, size, profile, &in)) {
        lcc_close(&c);
        return 0;
    }
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = profiles[profile];
    if (profile == 2)
        p.quality = 1 + data[6] % 8;
    uint8_t *buf = NULL;
    size_t n = 0;
    const lcc_status err = lcc_encode(c, &in, &p, &buf, &n);
    if (err == LCC_EMODEL || err == LCC_ENOTSUP)
        goto end;                      /* model not installed / decoder-only build */
    if (err)
        abort();
    if (lcc_decode(c, buf, n, &out))
        abort();
    if (profile < 2) {
        if (!lcc_media_equal(&in, &out))
            abort();
    } else {
        const LccImage *const a = &in.image, *const b = &out.image;
        if (out.modality != LCC_MODALITY_IMAGE || a->width != b->width || a->height != b->height ||
            a->channels != b->channels || a->bit_depth != b->bit_depth)
            abort();
        if (a->channels == 2 || a->channels == 4)
            for (size_t i = 0; i < (size_t)a->width * a->height; i++)
                if (a->data[i * a->channels + a->channels - 1] != b->data[i * a->channels + a->channels - 1])
                    abort();
        if (lcc_decode(c, buf, n, &again) || !lcc_media_equal(&out, &again))
            abort();
        int32_t *lat = NULL;
        uint32_t shape[3];
        if (lcc_decode_latents(c, buf, n, &lat, shape))
            abort();
        free(lat);
    }
end:
    free(buf);
    lcc_media_free(&again);
    lcc_media_free(&out);
    lcc_media_free(&in);
    lcc_close(&c);
    return 0;
}
