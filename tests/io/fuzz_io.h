/* Shared body of the io fuzz targets: parse the input with one reader under
 * small limits (so a hostile header cannot make the target allocate much)
 * and check the invariants of what comes back. */
#ifndef LCC_TESTS_FUZZ_IO_H
#define LCC_TESTS_FUZZ_IO_H

#include <stdint.h>
#include <stdlib.h>

#include "libcodec/io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LeakSanitizer hook: libsndfile 1.2.0 leaks libvorbis' codec setup
 * (allocated in vorbis_info_init) when it fails to open a damaged Ogg
 * Vorbis stream. That is not our leak and not fixable from here. */
__attribute__((visibility("default"), used)) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:vorbis_info_init\n";
}

typedef lcc_status (*FuzzReader)(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);

/* Abort if m breaks the LccMedia contract (geometry, sample ranges). */
static inline void fuzz_io_check_media(const LccMedia *const m)
{
    if (lcc_media_check(m, NULL) || !lcc_media_samples(m))
        abort();
    const uint64_t n = lcc_media_samples(m);
    switch (m->modality) {
    case LCC_MODALITY_IMAGE:
        for (uint64_t i = 0; i < n; i++)
            if (m->image.data[i] >> m->image.bit_depth)
                abort();
        break;
    case LCC_MODALITY_VIDEO:
        for (uint64_t i = 0; i < n; i++)
            if (m->video.data[i] >> m->video.bit_depth)
                abort();
        break;
    case LCC_MODALITY_AUDIO: {
        const int64_t lo = -((int64_t)1 << (m->audio.bit_depth - 1)), hi = -lo - 1;
        for (uint64_t i = 0; i < n; i++)
            if (m->audio.data[i] < lo || m->audio.data[i] > hi)
                abort();
        break;
    }
    default:
        abort();
    }
}

static inline int fuzz_io_run(const FuzzReader read, const uint8_t *const data, const size_t size,
                              const uint64_t max_pixels)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.limits.max_pixels = max_pixels;
    s.limits.max_dimension = 1 << 14;
    s.limits.max_frames = 64;
    s.limits.max_samples = 1 << 23;
    s.threads = 1;
    LccContext *c;
    if (lcc_open(&c, &s))
        return 0;
    LccMedia m = { 0 };
    const lcc_status err = read(c, data, size, &m);
    if (!err)
        fuzz_io_check_media(&m);
    else if (m.image.data || m.audio.data || m.video.data || !lcc_last_error(c)[0])
        abort(); /* a failure leaves *out empty and says why */
    lcc_media_free(&m);
    lcc_close(&c);
    return 0;
}

#endif /* LCC_TESTS_FUZZ_IO_H */
