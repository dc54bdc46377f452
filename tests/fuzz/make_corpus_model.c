/* Writes seeds for fuzz_model: tiny but complete wavelet-ae weight files
 * (every tensor walloc_load expects, one entropy bank per quality), small
 * enough that mutations reach every record: with the linear analysis and
 * with the nonlinear one (12 config fields) and with a post-filter (13).
 * Usage: make_corpus_model DIR */
#include <stdio.h>
#include <stdlib.h>

#include "entropy/cdf.h"
#include "libcodec/models/walloc.h"

static int write_model(const char *const dir, const char *const file, const WallocConfig cfg)
{
    WallocNet m;
    if (walloc_init(&m, &cfg, 1))
        return 1;
    LccwWriter w = { { 0 }, 0 };
    walloc_write(&m, NULL, NULL, &w);
    for (int q = 0; q < cfg.qualities; q++) {
        LccCdfBank bank = { 0 };
        LccBuf b = { 0 };
        if (lcc_cdf_bank_alloc(&bank, (uint32_t)cfg.latent))
            return 1;
        for (int l = 0; l < cfg.latent; l++) {
            const uint64_t wt[5] = { 1, 4 + (uint64_t)q, 9, 4, 1 };
            if (lcc_cdf_from_weights(&bank.t[l], wt, 5, 1, -2, 12))
                return 1;
        }
        lcc_cdf_bank_write(&bank, &b);
        char name[32];
        snprintf(name, sizeof(name), "cdf.%d", q);
        lcc_lccw_add(&w, name, LCCW_I8, 1, (const uint32_t[]){ (uint32_t)b.size }, b.data);
        lcc_buf_free(&b);
        lcc_cdf_bank_free(&bank);
    }
    LccBuf out = { 0 };
    uint8_t id[32];
    if (lcc_lccw_finish(NULL, &w, &out, id))
        return 1;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *const f = fopen(path, "wb");
    if (!f || fwrite(out.data, 1, out.size, f) != out.size || fclose(f))
        return 1;
    printf("%s: %zu bytes\n", path, out.size);
    lcc_buf_free(&out);
    walloc_free(&m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 1;
    }
    return write_model(argv[1], "walloc-tiny.lccw", (WallocConfig){ 3, 1, 2, 2, 1, 2, 0 }) ||
           write_model(argv[1], "walloc-tiny-an.lccw", (WallocConfig){ 3, 1, 2, 2, 1, 2, 0, .ana_n = 2 }) ||
           write_model(argv[1], "walloc-tiny-pf.lccw", (WallocConfig){ 3, 1, 2, 2, 1, 2, 0, .post_n = 2 });
}
