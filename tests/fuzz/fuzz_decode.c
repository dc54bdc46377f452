/* Fuzz target: the container parser and every decoder, on arbitrary bytes.
 * Each input is decoded twice: as it is, and with its header and chunk
 * CRCs recomputed, so that mutations reach the profile decoders behind the
 * CRC checks. Limits keep a hostile header from asking for much memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(LccContext *const c, const uint8_t *const data, const size_t size)
{
    LccStreamInfo info;
    if (lcc_stream_info(c, data, size, &info))
        return;
    LccMedia m = { 0 };
    if (!lcc_decode(c, data, size, &m)) {
        /* A decoded stream stored again decodes to the same media. */
        uint8_t *buf;
        size_t n;
        LccMedia again = { 0 };
        LccEncodeParams p;
        lcc_default_encode_params(&p);
        p.profile = "stored";
        if (!lcc_encode(c, &m, &p, &buf, &n)) {
            if (lcc_decode(c, buf, n, &again) || !lcc_media_equal(&m, &again))
                abort();
            lcc_media_free(&again);
            free(buf);
        }
    }
    lcc_media_free(&m);
}

/* Recompute the header CRC and the CRC of every chunk that fits. */
static void repair_crcs(uint8_t *const p, const size_t size)
{
    if (size < LCC_HEADER_SIZE)
        return;
    lcc_wl32(p + LCC_HEADER_SIZE - 4, lcc_crc32(0, p, LCC_HEADER_SIZE - 4));
    size_t pos = LCC_HEADER_SIZE;
    while (size - pos >= LCC_CHUNK_OVERHEAD) {
        const uint32_t len = lcc_rl32(p + pos + 4);
        if (len > size - pos - LCC_CHUNK_OVERHEAD)
            break;
        const uint32_t crc = lcc_crc32(lcc_crc32(0, p + pos, 4), p + pos + 8, len);
        lcc_wl32(p + pos + 8 + len, crc);
        pos += LCC_CHUNK_OVERHEAD + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.limits.max_pixels = 1 << 20;
    s.limits.max_samples = 1 << 22;
    s.limits.max_frames = 64;
    s.threads = 1;
    LccContext *c;
    if (lcc_open(&c, &s))
        return 0;
    decode(c, data, size);
    uint8_t *const copy = malloc(size ? size : 1);
    if (copy) {
        memcpy(copy, data, size);
        repair_crcs(copy, size);
        decode(c, copy, size);
        free(copy);
    }
    lcc_close(&c);
    return 0;
}
