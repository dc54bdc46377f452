/* Raw sample packing (SPEC.md §3.1). */
#include "libcodec/rawpack.h"

unsigned lcc_raw_sample_bytes(const LccMedia *const m)
{
    switch (m->modality) {
    case LCC_MODALITY_IMAGE: return m->image.bit_depth <= 8 ? 1 : 2;
    case LCC_MODALITY_VIDEO: return m->video.bit_depth <= 8 ? 1 : 2;
    case LCC_MODALITY_AUDIO: return (m->audio.bit_depth + 7) / 8;
    default: return 0;
    }
}

void lcc_raw_pack(LccBuf *const out, const LccMedia *const m, const uint64_t first, const uint64_t n)
{
    const unsigned bytes = lcc_raw_sample_bytes(m);
    uint8_t tmp[4096];
    size_t fill = 0;
    for (uint64_t i = first; i < first + n; i++) {
        uint32_t v;
        if (m->modality == LCC_MODALITY_AUDIO)
            v = (uint32_t)m->audio.data[i];
        else if (m->modality == LCC_MODALITY_IMAGE)
            v = m->image.data[i];
        else
            v = m->video.data[i];
        for (unsigned b = 0; b < bytes; b++)
            tmp[fill++] = (uint8_t)(v >> (8 * b));
        if (fill > sizeof(tmp) - 4) {
            lcc_buf_append(out, tmp, fill);
            fill = 0;
        }
    }
    lcc_buf_append(out, tmp, fill);
}

lcc_status lcc_raw_unpack(LccMedia *const m, const uint64_t first, const uint64_t n, const uint8_t *src)
{
    const unsigned bytes = lcc_raw_sample_bytes(m);
    if (m->modality == LCC_MODALITY_AUDIO) {
        const unsigned depth = m->audio.bit_depth;
        for (uint64_t i = first; i < first + n; i++, src += bytes) {
            uint32_t v = 0;
            for (unsigned b = 0; b < bytes; b++)
                v |= (uint32_t)src[b] << (8 * b);
            /* sign-extend from bytes*8 bits, then check the bit depth's range */
            const unsigned shift = 32 - 8 * bytes;
            const int64_t s = (int64_t)(int32_t)(v << shift) >> shift;
            if (s < -((int64_t)1 << (depth - 1)) || s >= ((int64_t)1 << (depth - 1)))
                return LCC_EBADMSG;
            m->audio.data[i] = (int32_t)s;
        }
        return LCC_OK;
    }
    const unsigned depth = m->modality == LCC_MODALITY_IMAGE ? m->image.bit_depth : m->video.bit_depth;
    uint16_t *const dst = m->modality == LCC_MODALITY_IMAGE ? m->image.data : m->video.data;
    const uint32_t max = (1u << depth) - 1;
    for (uint64_t i = first; i < first + n; i++, src += bytes) {
        const uint32_t v = bytes == 1 ? src[0] : lcc_rl16(src);
        if (v > max)
            return LCC_EBADMSG;
        dst[i] = (uint16_t)v;
    }
    return LCC_OK;
}
