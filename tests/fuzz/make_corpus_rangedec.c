/* Regenerates tests/fuzz/corpus/rangedec: inputs for fuzz_rangedec whose
 * streams are valid for the op mix the target derives from byte 3, plus
 * truncated and bit-flipped copies. Usage: make_corpus_rangedec DIR.
 * Not run by the tests. (The lf-* files beside them are a libFuzzer
 * -merge=1 minimization of a fuzzing run, kept as regression inputs.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/gaussian.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"

static uint64_t rng = 0x1234567;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void save(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* Mirror of fuzz_rangedec's op mix: encode nops random ops. */
static void encode_ops(const LccCdfBank *bank, uint32_t mix, int nops, LccBuf *out)
{
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    for (int done = 0; done < nops;) {
        mix = mix * 1103515245u + 12345u;
        const unsigned op = (mix >> 16) % 8;
        const uint16_t ti = (uint16_t)((mix >> 8) % bank->count);
        const LccCdf *t = &bank->t[ti];
        const int32_t v = (int32_t)(t->offset + (int32_t)(rnd() % (t->nsym + 2))) - 1;
        if (op < 4) {
            lcc_rans_enc_put(&e, t, v);
            done++;
        } else if (op == 4) {
            lcc_rans_enc_put_cdf(&e, t->cdf, t->nsym, t->precision, rnd() % t->nsym);
            done++;
        } else if (op == 5) {
            lcc_rans_enc_put_bits(&e, rnd(), 1 + (mix >> 4) % 16);
            done++;
        } else {
            const size_t k = 1 + (mix >> 3) % 64;
            for (size_t i = 0; i < k; i++) {
                const LccCdf *ti2 = op == 6 ? t : &bank->t[(ti + i) % bank->count];
                lcc_rans_enc_put(&e, ti2, (int32_t)(ti2->offset + (int32_t)(rnd() % ti2->nsym)));
            }
            done += (int)k;
        }
    }
    if (lcc_rans_enc_finish(&e, out)) {
        fprintf(stderr, "encode failed\n");
        exit(1);
    }
    lcc_rans_enc_free(&e);
}

static void emit(const char *dir, const char *name, LccBuf *in)
{
    char nm[256];
    save(dir, name, in->data, in->size);
    snprintf(nm, sizeof(nm), "%s-truncated", name);
    save(dir, nm, in->data, in->size - in->size / 3);
    in->data[in->size / 2] ^= 0x10;
    snprintf(nm, sizeof(nm), "%s-flipped", name);
    save(dir, nm, in->data, in->size);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 1;
    }
    /* mode 0: table from bytes 1..3 and weights */
    const uint8_t precs[3] = {15, 3, 23};   /* byte 1 = precision - 1 */
    for (int i = 0; i < 3; i++) {
        LccBuf in = {0};
        const uint8_t hdr[4] = {(uint8_t)(4 * (i + 1)), precs[i], (uint8_t)(i == 1 ? 5 : 40), (uint8_t)(7 + i)};
        lcc_buf_append(&in, hdr, 4);
        uint64_t w[256];
        uint32_t nreg = hdr[2];
        if (nreg + 1 > (1u << (hdr[1] + 1)))
            nreg = (1u << (hdr[1] + 1)) - 1;
        for (uint32_t k = 0; k < nreg; k++) {
            w[k] = rnd() & 0xff;
            lcc_buf_u8(&in, (uint8_t)w[k]);
        }
        LccCdfBank bank;
        if (lcc_cdf_bank_alloc(&bank, 1) ||
            lcc_cdf_from_weights(&bank.t[0], w, nreg, hdr[0] >> 1, (int32_t)hdr[2] - 128, hdr[1] + 1u))
            return 1;
        encode_ops(&bank, hdr[3], 300, &in);
        char name[64];
        snprintf(name, sizeof(name), "table-p%u", hdr[1] + 1u);
        emit(argv[1], name, &in);
        lcc_buf_free(&in);
        lcc_cdf_bank_free(&bank);
    }
    /* mode 1: a serialized bank of three tables */
    {
        LccBuf in = {0};
        const uint8_t hdr[4] = {1, 0, 0, 99};
        lcc_buf_append(&in, hdr, 4);
        LccCdfBank bank;
        if (lcc_cdf_bank_alloc(&bank, 3))
            return 1;
        for (uint32_t t = 0; t < 3; t++) {
            uint64_t w[64];
            for (int k = 0; k < 64; k++)
                w[k] = (uint64_t)(rnd() % 1000) * (k + 1);
            if (lcc_cdf_from_weights(&bank.t[t], w, 8 + 20 * t, 3, -(int32_t)(4 + 10 * t), t == 2 ? 20 : 16))
                return 1;
        }
        lcc_cdf_bank_write(&bank, &in);
        encode_ops(&bank, hdr[3], 400, &in);
        emit(argv[1], "bank", &in);
        lcc_buf_free(&in);
        lcc_cdf_bank_free(&bank);
    }
    /* mode 2: the Gaussian scale bank */
    {
        LccBuf in = {0};
        const uint8_t hdr[4] = {2, 0, 0, 42};
        lcc_buf_append(&in, hdr, 4);
        LccCdfBank bank;
        if (lcc_scale_bank_build(&bank, LCC_DIST_GAUSSIAN, 16))
            return 1;
        encode_ops(&bank, hdr[3], 500, &in);
        emit(argv[1], "gaussian", &in);
        lcc_buf_free(&in);
        lcc_cdf_bank_free(&bank);
    }
    const uint8_t empty[5] = {0, 15, 4, 0, 1};
    save(argv[1], "empty-stream", empty, 5);
    return 0;
}
