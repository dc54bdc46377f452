/* Fuzz target: the model-file loaders the decoders use, on arbitrary bytes.
 *  - as a wavelet-ae weight file (*.lccw: walloc_load, then every entropy
 *    bank it names through lcc_cdf_bank_read, as decoders/walloc_dec.c does);
 *  - as a pc weight file (LCCPCW1: pc_model_parse).
 * Each input runs as given and again with its checksums repaired (the
 * .lccw model id, header CRC and trailing sha256; the pc trailing CRC-32),
 * so that mutations reach the record parsers behind the checks. None may
 * crash, leak, read out of bounds or allocate without bound. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/pc/pc.h"
#include "libcodec/models/walloc.h"
#include "libcodec/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LCCW_HEAD 48          /* bytes before the records (nn.h) */
#define LCCW_TAIL 32          /* trailing sha256 */

static void run(LccContext *const c, const uint8_t *const data, const size_t size)
{
    WallocNet m;
    uint8_t id[32];
    const uint8_t *cdf[WALLOC_MAX_QUALITIES];
    size_t cdf_size[WALLOC_MAX_QUALITIES];
    if (walloc_load(c, &m, data, size, id, cdf, cdf_size) == LCC_OK) {
        for (int q = 0; q < m.cfg.qualities; q++) {
            LccCdfBank b = { 0 };
            size_t used;
            (void)lcc_cdf_bank_read(&b, cdf[q], cdf_size[q], &used, c);
            lcc_cdf_bank_free(&b);
        }
        walloc_free(&m);
    }
    lcc_clear_error(c);

    PcModel pm;
    char err[128];
    if (pc_model_parse(&pm, data, size, err, sizeof(err)) == 0)
        pc_model_free(&pm);
}

int LLVMFuzzerTestOneInput(const uint8_t *const data, const size_t size)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = 1;
    LccContext *c;
    if (lcc_open(&c, &s))
        return 0;
    run(c, data, size);
    if (size >= 8 && size <= (1u << 24)) {
        uint8_t *const d = malloc(size);
        if (d) {
            memcpy(d, data, size);
            if (size >= LCCW_HEAD + LCCW_TAIL) {
                lcc_sha256(d + LCCW_HEAD, size - LCCW_HEAD - LCCW_TAIL, d + 12);
                lcc_wl32(d + 44, lcc_crc32(0, d, 44));
                lcc_sha256(d, size - LCCW_TAIL, d + size - LCCW_TAIL);
                run(c, d, size);
                memcpy(d, data, size);
            }
            lcc_wl32(d + size - 4, lcc_crc32(0, d, size - 4));
            run(c, d, size);
            free(d);
        }
    }
    lcc_close(&c);
    return 0;
}
