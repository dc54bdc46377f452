/* Fuzz target: the wavelet-ae audio decoder behind the container checks.
 * Each input is taken as an .lcc stream whose header is forced to
 * "wavelet-ae, audio, the installed audio model" (so that mutations do not
 * stop at an unknown profile or model id), with every CRC recomputed and
 * the geometry capped; the decoder must return an error or audio of the
 * header's geometry, never crash, hang or allocate without bound. Seeds:
 * corpus/walloc_audio (tests/fuzz/make_corpus_walloc_audio.sh). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/container.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc_audio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t model_id[LCC_MODEL_ID_BYTES];
static int have_model = -1;

static void repair_crcs(uint8_t *const p, const size_t size)
{
    lcc_wl32(p + LCC_HEADER_SIZE - 4, lcc_crc32(0, p, LCC_HEADER_SIZE - 4));
    size_t pos = LCC_HEADER_SIZE;
    while (size - pos >= LCC_CHUNK_OVERHEAD) {
        const uint32_t len = lcc_rl32(p + pos + 4);
        if (len > size - pos - LCC_CHUNK_OVERHEAD)
            break;
        lcc_wl32(p + pos + 8 + len, lcc_crc32(lcc_crc32(0, p + pos, 4), p + pos + 8, len));
        pos += LCC_CHUNK_OVERHEAD + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.limits.max_samples = 1 << 21;
    s.threads = 1;
    LccContext *c;
    if (lcc_open(&c, &s))
        return 0;
    if (have_model < 0) {
        uint8_t *file = NULL;
        size_t n = 0;
        have_model = !lcc_model_load_name(c, WAUDIO_MODEL_FILE, &file, &n) && n >= 20;
        if (have_model)
            memcpy(model_id, file + 12, LCC_MODEL_ID_BYTES);
        free(file);
    }
    if (size >= LCC_HEADER_SIZE && size < (1u << 24)) {
        uint8_t *const p = malloc(size);
        if (p) {
            memcpy(p, data, size);
            p[10] = LCC_MODALITY_AUDIO;
            p[11] = LCC_PROFILE_WAVELET_AE;
            if (have_model)
                memcpy(p + 12, model_id, LCC_MODEL_ID_BYTES);
            repair_crcs(p, size);
            LccMedia m = { 0 };
            if (!lcc_decode(c, p, size, &m)) {
                LccContainer ct;
                if (lcc_container_parse(c, p, size, &ct) || m.modality != LCC_MODALITY_AUDIO ||
                    m.audio.frames != ct.header.geometry.audio.frames ||
                    m.audio.channels != ct.header.geometry.audio.channels)
                    abort();
                lcc_container_free(&ct);
            }
            lcc_media_free(&m);
            free(p);
        }
    }
    lcc_close(&c);
    return 0;
}
