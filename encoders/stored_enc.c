/* `stored` encoder: raw samples in SAMP chunks (SPEC.md §3.1). */
#include "encoders/encoders.h"
#include "libcodec/rawpack.h"

/* Samples per SAMP chunk: keeps every chunk far below the 4 GiB limit. */
#define STORED_CHUNK_SAMPLES (1u << 22)

lcc_status lcc_stored_encode(LccContext *const c, const LccMedia *const m, const int quality, LccBuf *const out)
{
    if (quality != 0)
        return lcc_error(c, LCC_EINVAL, "stored: the only quality is 0, not %d", quality);
    LccHeader h = { .profile_id = LCC_PROFILE_STORED, .geometry = *m };
    h.geometry.image.data = NULL;
    h.geometry.audio.data = NULL;
    h.geometry.video.data = NULL;
    lcc_container_begin(out, &h);
    const uint64_t total = lcc_media_samples(m);
    for (uint64_t pos = 0; pos < total; pos += STORED_CHUNK_SAMPLES) {
        const uint64_t n = total - pos < STORED_CHUNK_SAMPLES ? total - pos : STORED_CHUNK_SAMPLES;
        const size_t start = lcc_container_chunk_open(out, "SAMP");
        lcc_raw_pack(out, m, pos, n);
        lcc_container_chunk_close(out, start);
        lcc_progress(c, (double)(pos + n) / (double)total);
    }
    lcc_container_end(out);
    return out->failed ? lcc_error(c, LCC_ENOMEM, "stored: out of memory") : LCC_OK;
}
