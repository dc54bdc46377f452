/* Fuzz target: the rANS decoder and the CDF bank parser on arbitrary bytes.
 * Must never crash, read out of bounds or hang; the symbol budget bounds
 * the work. Input layout:
 *   byte 0     mode: bit 0 set = bytes 4.. start with a CDF bank to parse;
 *              else bit 1 set = the 64-table Gaussian scale bank (built
 *              once) with per-symbol indexes; else a table is built from
 *              bytes 1..3 and the next weights
 *   byte 1..3  precision, regular symbol count, op-mix seed
 *   then       (bank or weights) and the rANS stream (the rest).
 * Every decoded stream is also re-encoded when it decoded cleanly, and the
 * re-encoding must give back the same bytes (decoding is a bijection). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/gaussian.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 4096

typedef struct Rec {
    uint8_t kind, nbits;
    uint16_t table;
    int32_t v;
} Rec;

static void run_stream(const LccCdfBank *bank, const uint8_t *s, size_t n, uint32_t mix)
{
    LccRansDec d;
    Rec *rec = malloc(MAX_OPS * sizeof(*rec));
    int32_t *arr = malloc(64 * sizeof(*arr));
    uint16_t idx[64];
    if (!rec || !arr)
        goto out;
    (void)lcc_rans_dec_init(&d, s, n, MAX_OPS);
    size_t nrec = 0;
    while (nrec + 64 <= MAX_OPS && !d.error) {
        mix = mix * 1103515245u + 12345u;
        const unsigned op = (mix >> 16) % 8;
        const uint16_t ti = (uint16_t)((mix >> 8) % bank->count);
        const LccCdf *t = &bank->t[ti];
        if (op < 4) {
            rec[nrec++] = (Rec){0, 0, ti, lcc_rans_dec_get(&d, t)};
        } else if (op == 4) {
            rec[nrec++] = (Rec){1, 0, ti, (int32_t)lcc_rans_dec_get_cdf(&d, t->cdf, t->nsym, t->precision)};
        } else if (op == 5) {
            const uint8_t nb = (uint8_t)(1 + (mix >> 4) % 16);
            rec[nrec++] = (Rec){2, nb, 0, (int32_t)lcc_rans_dec_get_bits(&d, nb)};
        } else {
            const size_t k = 1 + (mix >> 3) % 64;
            for (size_t i = 0; i < k; i++)
                idx[i] = (uint16_t)((ti + i) % bank->count);
            if (op == 6)
                lcc_rans_dec_get_array(&d, t, arr, k);
            else
                lcc_rans_dec_get_indexed(&d, bank, idx, arr, k);
            for (size_t i = 0; i < k; i++)
                rec[nrec++] = (Rec){0, 0, op == 6 ? ti : idx[i], arr[i]};
        }
        if (d.p == d.end && d.x[0] == LCC_RANS_L && d.x[1] == LCC_RANS_L)
            break;
    }
    if (d.p > d.end)
        abort();
#ifdef FUZZ_VERBOSE
    fprintf(stderr, "%zu ops, %s\n", nrec, lcc_rans_dec_finish(&d) ? "error" : "clean");
#endif
    if (lcc_rans_dec_finish(&d) == 0) {
        /* a clean decode re-encodes to the same bytes */
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        for (size_t i = 0; i < nrec; i++) {
            const LccCdf *t = &bank->t[rec[i].table];
            if (rec[i].kind == 0)
                lcc_rans_enc_put(&e, t, rec[i].v);
            else if (rec[i].kind == 1)
                lcc_rans_enc_put_cdf(&e, t->cdf, t->nsym, t->precision, (uint32_t)rec[i].v);
            else
                lcc_rans_enc_put_bits(&e, (uint32_t)rec[i].v, rec[i].nbits);
        }
        LccBuf buf = {0};
        if (lcc_rans_enc_finish(&e, &buf) == 0 && (buf.size != n || (n && memcmp(buf.data, s, n))))
            abort();
        lcc_buf_free(&buf);
        lcc_rans_enc_free(&e);
    }
out:
    free(rec);
    free(arr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    const unsigned prec = 1 + data[1] % LCC_CDF_MAX_PRECISION;
    const uint32_t mix = data[3];
    LccCdfBank bank = {0};
    size_t pos = 4;
    if (!(data[0] & 1) && (data[0] & 2)) {
        static LccCdfBank gauss;   /* built once per process */
        if (!gauss.count && lcc_scale_bank_build(&gauss, LCC_DIST_GAUSSIAN, 16))
            abort();
        run_stream(&gauss, data + pos, size - pos, mix);
        return 0;
    }
    if (data[0] & 1) {
        size_t used = 0;
        if (lcc_cdf_bank_read(&bank, data + pos, size - pos, &used, NULL) || !bank.count) {
            lcc_cdf_bank_free(&bank);
            return 0;
        }
        pos += used;
    } else {
        uint32_t nreg = data[2];
        if (nreg + 1 > (1u << prec))
            nreg = (1u << prec) - 1;
        uint64_t w[256];
        for (uint32_t k = 0; k < nreg; k++)
            w[k] = pos < size ? data[pos++] : 0;
        if (lcc_cdf_bank_alloc(&bank, 1) ||
            lcc_cdf_from_weights(&bank.t[0], w, nreg, data[0] >> 1, (int32_t)data[2] - 128, prec)) {
            lcc_cdf_bank_free(&bank);
            return 0;
        }
    }
    run_stream(&bank, data + pos, size - pos, mix);
    lcc_cdf_bank_free(&bank);
    return 0;
}
