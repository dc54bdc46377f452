/* Fuzz target: the container parser and every decoder, on arbitrary bytes.
 * Limits keep a hostile header from asking for much memory. */
#include <stdint.h>
#include <stdlib.h>

#include "lcc/lcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    LccStreamInfo info;
    if (!lcc_stream_info(c, data, size, &info)) {
        LccMedia m = { 0 };
        if (!lcc_decode(c, data, size, &m)) {
            /* A decoded stream re-encodes to a stream that decodes to the same media. */
            uint8_t *buf;
            size_t n;
            LccMedia again = { 0 };
            if (!lcc_encode(c, &m, NULL, &buf, &n)) {
                if (lcc_decode(c, buf, n, &again) || !lcc_media_equal(&m, &again))
                    abort();
                lcc_media_free(&again);
                free(buf);
            }
        }
        lcc_media_free(&m);
    }
    lcc_close(&c);
    return 0;
}
