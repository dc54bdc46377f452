/* `stored` decoder: raw samples in SAMP chunks (SPEC.md §3.1). */
#include <string.h>

#include "decoders/decoders.h"
#include "libcodec/rawpack.h"

lcc_status lcc_stored_decode(LccContext *const c, const LccContainer *const ct, LccMedia *const out)
{
    LccMedia m = ct->header.geometry;
    const uint64_t total = lcc_media_samples(&m);
    const unsigned bytes = lcc_raw_sample_bytes(&m);
    if (ct->header.quality != 0)
        return lcc_error(c, LCC_EBADMSG, "stored: quality must be 0, not %u", ct->header.quality);

    /* Check the chunk sizes add up before allocating anything. */
    uint64_t have = 0;
    for (const LccChunk *k = lcc_container_find(ct, "SAMP"); k; k = lcc_container_next(ct, k)) {
        if (k->size % bytes)
            return lcc_error(c, LCC_EBADMSG, "stored: SAMP chunk of %u bytes is not a whole number of samples",
                             k->size);
        have += k->size / bytes;
        if (have > total)
            return lcc_error(c, LCC_EBADMSG, "stored: more samples than the header's geometry holds");
    }
    if (have != total)
        return lcc_error(c, LCC_EBADMSG, "stored: %llu of %llu samples present (truncated?)",
                         (unsigned long long)have, (unsigned long long)total);

    lcc_status err = lcc_media_alloc(&m, lcc_limits(c));
    if (err)
        return lcc_error(c, err, "stored: cannot allocate the %s", lcc_modality_name(m.modality));
    uint64_t pos = 0;
    for (const LccChunk *k = lcc_container_find(ct, "SAMP"); k; k = lcc_container_next(ct, k)) {
        const uint64_t n = k->size / bytes;
        if ((err = lcc_raw_unpack(&m, pos, n, k->data))) {
            lcc_media_free(&m);
            return lcc_error(c, err, "stored: sample value out of range for the bit depth");
        }
        pos += n;
        lcc_progress(c, (double)pos / (double)total);
    }
    *out = m;
    return LCC_OK;
}
