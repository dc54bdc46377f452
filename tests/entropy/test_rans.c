/* rANS coder and CDF tables: round trips over millions of symbols from
 * random and adversarial tables (probability-1 symbols, tiny tails,
 * escapes of extreme values, empty streams, single symbols, every
 * precision), mixed op kinds, bulk vs per-symbol decoding, truncation,
 * budgets, bank serialization, and coding efficiency against the ideal
 * code length on 10^6 i.i.d. symbols. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"
#include "test.h"

static uint64_t seed;

static double urand(void)
{
    return (double)(test_rand(&seed) >> 11) * (1.0 / 9007199254740992.0);
}

/* A random table of one of several adversarial kinds. */
static int random_table(LccCdf *t, int kind)
{
    unsigned prec = 1 + (unsigned)(test_rand(&seed) % LCC_CDF_MAX_PRECISION);
    uint32_t maxsym = prec >= 12 ? 3000 : (1u << prec);
    uint32_t nreg = (uint32_t)(test_rand(&seed) % maxsym);   /* nreg + 1 <= 2^prec */
    if (nreg + 1 > (1u << prec))
        nreg = (1u << prec) - 1;
    int32_t offset = (int32_t)(test_rand(&seed) % 2001) - 1000;
    if (kind == 5) {                      /* extreme offsets */
        offset = test_rand(&seed) & 1 || nreg == 0 ? INT32_MIN : (int32_t)((int64_t)INT32_MAX - nreg + 1);
    }
    uint64_t *w = malloc((nreg + 1) * sizeof(*w));
    uint64_t esc = 0;
    for (uint32_t k = 0; k < nreg; k++) {
        switch (kind) {
        case 0: w[k] = test_rand(&seed) >> 20; break;                       /* random */
        case 1: w[k] = k == nreg / 2 ? 1ull << 40 : 0; break;               /* probability ~1 */
        case 2: w[k] = (uint64_t)(1e12 * exp(-0.5 * (k - nreg / 2.0) * (k - nreg / 2.0) / 4.0)); break;
        case 3: w[k] = test_rand(&seed) & 1 ? test_rand(&seed) : 0; break;  /* huge and zero */
        case 4: w[k] = 1; break;                                            /* uniform */
        default: w[k] = test_rand(&seed) >> (test_rand(&seed) % 64); break;
        }
    }
    esc = kind == 1 ? 0 : test_rand(&seed) >> 40;
    lcc_status st = lcc_cdf_from_weights(t, w, nreg, esc, offset, prec);
    free(w);
    return st;
}

/* Draw a value: mostly from the table's own distribution, sometimes an
 * escape with a nearby or extreme value. */
static int32_t draw(const LccCdf *t)
{
    const uint32_t slot = (uint32_t)(test_rand(&seed) & ((1u << t->precision) - 1));
    uint32_t s = 0;
    while (t->cdf[s + 1] <= slot)
        s++;
    if (s + 1 < t->nsym && test_rand(&seed) % 64)
        return (int32_t)((int64_t)t->offset + s);
    switch (test_rand(&seed) % 5) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return (int32_t)test_rand(&seed);
    default: {
        int64_t v = test_rand(&seed) & 1 ? (int64_t)t->offset - 1 - (int64_t)(test_rand(&seed) % 70000)
                                         : (int64_t)t->offset + t->nsym - 1 + (int64_t)(test_rand(&seed) % 70000);
        return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
    }
    }
}

typedef struct Op {
    uint8_t kind;     /* 0 table value, 1 raw cdf symbol, 2 bits */
    uint8_t table;
    uint8_t nbits;
    int32_t v;
} Op;

/* Random mixed op streams with several tables; decode per symbol. */
static void test_mixed_roundtrip(int streams, size_t *total)
{
    for (int it = 0; it < streams; it++) {
        LccCdf tabs[4];
        for (int i = 0; i < 4; i++)
            CHECK(random_table(&tabs[i], (int)(test_rand(&seed) % 6)) == 0);
        size_t n = (size_t)(test_rand(&seed) % 20000);
        if (it % 17 == 0)
            n = it % 2;   /* empty stream, single symbol */
        Op *ops = malloc((n + 1) * sizeof(*ops));
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        for (size_t i = 0; i < n; i++) {
            Op *o = &ops[i];
            o->kind = test_rand(&seed) % 8 == 0 ? 1 + (uint8_t)(test_rand(&seed) & 1) : 0;
            o->table = (uint8_t)(test_rand(&seed) & 3);
            const LccCdf *t = &tabs[o->table];
            if (o->kind == 0) {
                o->v = draw(t);
                lcc_rans_enc_put(&e, t, o->v);
            } else if (o->kind == 1) {
                o->v = (int32_t)(test_rand(&seed) % t->nsym);
                lcc_rans_enc_put_cdf(&e, t->cdf, t->nsym, t->precision, (uint32_t)o->v);
            } else {
                o->nbits = 1 + (uint8_t)(test_rand(&seed) % 16);
                o->v = (int32_t)(test_rand(&seed) & ((1u << o->nbits) - 1));
                lcc_rans_enc_put_bits(&e, (uint32_t)o->v, o->nbits);
            }
        }
        LccBuf buf = {0};
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        if (n == 0)
            CHECK(buf.size == 0);
        LccRansDec d;
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, n) == 0);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            const Op *o = &ops[i];
            const LccCdf *t = &tabs[o->table];
            int32_t v;
            if (o->kind == 0)
                v = lcc_rans_dec_get(&d, t);
            else if (o->kind == 1)
                v = (int32_t)lcc_rans_dec_get_cdf(&d, t->cdf, t->nsym, t->precision);
            else
                v = (int32_t)lcc_rans_dec_get_bits(&d, o->nbits);
            bad += v != o->v;
        }
        CHECK_MSG(bad == 0, "stream %d: %zu of %zu symbols differ", it, bad, n);
        CHECK(lcc_rans_dec_finish(&d) == 0);
        /* the budget is a hard bound */
        if (n) {
            LccRansDec d2;
            CHECK(lcc_rans_dec_init(&d2, buf.data, buf.size, n - 1) == 0);
            for (size_t i = 0; i < n; i++)
                (void)lcc_rans_dec_get_bits(&d2, 1);
            CHECK(d2.error);
        }
        /* a truncated stream never decodes cleanly */
        if (buf.size >= 4) {
            const size_t cut = buf.size - 4 * (1 + test_rand(&seed) % (buf.size / 4));
            LccRansDec d3;
            lcc_rans_dec_init(&d3, buf.data, cut, n);
            for (size_t i = 0; i < n; i++) {
                const Op *o = &ops[i];
                const LccCdf *t = &tabs[o->table];
                if (o->kind == 0)
                    (void)lcc_rans_dec_get(&d3, t);
                else if (o->kind == 1)
                    (void)lcc_rans_dec_get_cdf(&d3, t->cdf, t->nsym, t->precision);
                else
                    (void)lcc_rans_dec_get_bits(&d3, o->nbits);
            }
            CHECK(lcc_rans_dec_finish(&d3) != 0);
            CHECK(d3.p <= d3.end);
        }
        *total += n;
        lcc_buf_free(&buf);
        lcc_rans_enc_free(&e);
        free(ops);
        for (int i = 0; i < 4; i++)
            lcc_cdf_free(&tabs[i]);
    }
}

/* Bulk decoders (array, indexed) against the encoder, escapes included. */
static void test_bulk(size_t *total)
{
    for (int it = 0; it < 40; it++) {
        LccCdfBank bank;
        CHECK(lcc_cdf_bank_alloc(&bank, 8) == 0);
        for (uint32_t i = 0; i < bank.count; i++)
            CHECK(random_table(&bank.t[i], (int)(test_rand(&seed) % 6)) == 0);
        const size_t n = 1 + (size_t)(test_rand(&seed) % 50000);
        int32_t *v = malloc(n * sizeof(*v)), *out = malloc(n * sizeof(*out));
        uint16_t *idx = malloc(n * sizeof(*idx));
        const int indexed = it & 1;
        const uint32_t pre = (uint32_t)(test_rand(&seed) % 3);   /* per-symbol ops first: parity */
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        for (uint32_t i = 0; i < pre; i++)
            lcc_rans_enc_put_bits(&e, i, 3);
        for (size_t i = 0; i < n; i++) {
            idx[i] = indexed ? (uint16_t)(test_rand(&seed) % bank.count) : 0;
            v[i] = draw(&bank.t[idx[i]]);
        }
        if (indexed)
            lcc_rans_enc_put_indexed(&e, &bank, idx, v, n);
        else
            lcc_rans_enc_put_array(&e, &bank.t[0], v, n);
        lcc_rans_enc_put_bits(&e, 5, 3);
        LccBuf buf = {0};
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        LccRansDec d;
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, n + pre + 1) == 0);
        for (uint32_t i = 0; i < pre; i++)
            CHECK(lcc_rans_dec_get_bits(&d, 3) == i);
        if (indexed)
            lcc_rans_dec_get_indexed(&d, &bank, idx, out, n);
        else
            lcc_rans_dec_get_array(&d, &bank.t[0], out, n);
        CHECK(memcmp(v, out, n * sizeof(*v)) == 0);
        CHECK(lcc_rans_dec_get_bits(&d, 3) == 5);
        CHECK(lcc_rans_dec_finish(&d) == 0);
        *total += n;
        lcc_buf_free(&buf);
        lcc_rans_enc_free(&e);
        free(v);
        free(out);
        free(idx);
        lcc_cdf_bank_free(&bank);
    }
}

static void test_edges(void)
{
    /* empty stream: 0 bytes, finishes cleanly; decoding from it fails */
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    LccBuf buf = {0};
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    CHECK(buf.size == 0);
    LccRansDec d;
    CHECK(lcc_rans_dec_init(&d, buf.data, 0, 10) == 0);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    LccCdf t;
    const uint64_t w[3] = {1, 2, 1};
    CHECK(lcc_cdf_from_weights(&t, w, 3, 0, -1, 16) == 0);
    (void)lcc_rans_dec_get(&d, &t);
    CHECK(lcc_rans_dec_finish(&d) != 0);

    /* bad lengths and states */
    uint8_t junk[20] = {0};
    CHECK(lcc_rans_dec_init(&d, junk, 15, 1) != 0);
    CHECK(lcc_rans_dec_init(&d, junk, 18, 1) != 0);
    CHECK(lcc_rans_dec_init(&d, junk, 16, 1) != 0);   /* states 0 < L */
    memset(junk, 0xff, sizeof(junk));
    CHECK(lcc_rans_dec_init(&d, junk, 20, 1) != 0);   /* states >= 2^63 */

    /* a single symbol */
    lcc_rans_enc_put(&e, &t, 1);
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, 1) == 0);
    CHECK(lcc_rans_dec_get(&d, &t) == 1);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    lcc_buf_free(&buf);

    /* every int32 escape with a table of one regular value at the extremes */
    const int32_t vals[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX};
    const int32_t offs[] = {INT32_MIN, 0, INT32_MAX};
    for (int o = 0; o < 3; o++) {
        LccCdf t1;
        const uint64_t w1 = 7;
        CHECK(lcc_cdf_from_weights(&t1, &w1, offs[o] == INT32_MAX ? 0 : 1, 1, offs[o], 16) == 0);
        for (int i = 0; i < 7; i++)
            lcc_rans_enc_put(&e, &t1, vals[i]);
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, 7) == 0);
        for (int i = 0; i < 7; i++)
            CHECK(lcc_rans_dec_get(&d, &t1) == vals[i]);
        CHECK(lcc_rans_dec_finish(&d) == 0);
        lcc_buf_free(&buf);
        lcc_cdf_free(&t1);
    }

    /* a probability-1 symbol costs almost nothing: 10^5 of them */
    LccCdf one;
    const uint64_t w1 = 1;
    CHECK(lcc_cdf_from_weights(&one, &w1, 1, 0, 42, 16) == 0);
    for (int i = 0; i < 100000; i++)
        lcc_rans_enc_put(&e, &one, 42);
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    CHECK_MSG(buf.size <= 16 + 8, "10^5 certain symbols took %zu bytes", buf.size);
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, 100000) == 0);
    int bad = 0;
    for (int i = 0; i < 100000; i++)
        bad += lcc_rans_dec_get(&d, &one) != 42;
    CHECK(bad == 0);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    lcc_buf_free(&buf);
    lcc_cdf_free(&one);

    /* invalid encoder arguments are sticky errors */
    lcc_rans_enc_put_bits(&e, 0, 17);
    lcc_rans_enc_put(&e, &t, 0);
    CHECK(lcc_rans_enc_finish(&e, &buf) == LCC_EINVAL);
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);   /* reset */
    lcc_rans_enc_put_cdf(&e, t.cdf, t.nsym, t.precision, t.nsym);
    CHECK(lcc_rans_enc_finish(&e, &buf) == LCC_EINVAL);
    lcc_buf_free(&buf);

    /* an out-of-range table index decodes nothing and flags the decoder */
    {
        LccCdfBank one_bank = {1, &t};
        const uint16_t bad_idx[2] = {0, 5};
        int32_t outv[2] = {7, 7};
        const int32_t vals2[2] = {1, 2};
        lcc_rans_enc_put_indexed(&e, &one_bank, bad_idx, vals2, 1);
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, 10) == 0);
        lcc_rans_dec_get_indexed(&d, &one_bank, bad_idx, outv, 2);
        CHECK(d.error && outv[0] == 0 && outv[1] == 0);
        lcc_rans_enc_put_indexed(&e, &one_bank, bad_idx, vals2, 2);
        CHECK(lcc_rans_enc_finish(&e, &buf) == LCC_EINVAL);
        lcc_buf_free(&buf);
    }

    /* invalid table shapes */
    LccCdf bad_t;
    CHECK(lcc_cdf_from_weights(&bad_t, w, 3, 0, 0, 1) != 0);        /* 4 symbols > 2^1 */
    CHECK(lcc_cdf_from_weights(&bad_t, w, 3, 0, 0, 25) != 0);
    CHECK(lcc_cdf_from_weights(&bad_t, w, 3, 0, INT32_MAX - 1, 16) != 0);
    const uint32_t c_bad[3] = {0, 5, 5};
    CHECK(lcc_cdf_from_cdf(&bad_t, c_bad, 2, 0, 16) != 0);
    lcc_cdf_free(&t);
    lcc_rans_enc_free(&e);
}

static void test_quantizer(void)
{
    /* frequencies follow the weights to within one count */
    const uint64_t w[5] = {1000, 3000, 0, 6000, 1};
    LccCdf t;
    CHECK(lcc_cdf_from_weights(&t, w, 4, w[4], 0, 16) == 0);
    const double avail = 65536 - 5, tot = 10001;
    for (uint32_t s = 0; s < 5; s++) {
        const double f = t.cdf[s + 1] - t.cdf[s];
        CHECK(f >= 1);
        CHECK(fabs(f - 1 - w[s] * avail / tot) < 1.0);
    }
    CHECK(t.cdf[5] == 65536);
    /* the lookup table finds every slot's symbol */
    int bad = 0;
    for (uint32_t slot = 0; slot < 65536; slot++) {
        uint32_t s = t.lut[slot >> t.lut_shift];
        while (t.cdf[s + 1] <= slot)
            s++;
        bad += !(t.cdf[s] <= slot && slot < t.cdf[s + 1]);
        bad += t.lut[slot >> t.lut_shift] > s;
    }
    CHECK(bad == 0);
    /* huge weights (sum > 2^64 would overflow) are scaled, not wrapped */
    const uint64_t big[3] = {UINT64_MAX, UINT64_MAX, UINT64_MAX / 2};
    LccCdf tb;
    CHECK(lcc_cdf_from_weights(&tb, big, 3, 0, 0, 16) == 0);
    CHECK(fabs((tb.cdf[1] - tb.cdf[0]) / 65536.0 - 0.4) < 0.001);
    CHECK(fabs((tb.cdf[3] - tb.cdf[2]) / 65536.0 - 0.2) < 0.001);
    lcc_cdf_free(&tb);
    lcc_cdf_free(&t);
}

static void test_bank_io(void)
{
    LccCdfBank b, r;
    CHECK(lcc_cdf_bank_alloc(&b, 12) == 0);
    for (uint32_t i = 0; i < b.count; i++)
        CHECK(random_table(&b.t[i], (int)(i % 6)) == 0);
    LccBuf buf = {0};
    lcc_cdf_bank_write(&b, &buf);
    size_t used = 0;
    CHECK(lcc_cdf_bank_read(&r, buf.data, buf.size, &used, NULL) == 0);
    CHECK(used == buf.size);
    CHECK(r.count == b.count);
    CHECK(lcc_cdf_bank_hash(&r) == lcc_cdf_bank_hash(&b));
    for (uint32_t i = 0; i < b.count && r.count == b.count; i++) {
        CHECK(r.t[i].nsym == b.t[i].nsym && r.t[i].offset == b.t[i].offset);
        CHECK(memcmp(r.t[i].cdf, b.t[i].cdf, (b.t[i].nsym + 1) * 4) == 0);
        CHECK(memcmp(r.t[i].lut, b.t[i].lut, (size_t)2 << (b.t[i].precision - b.t[i].lut_shift)) == 0);
    }
    lcc_cdf_bank_free(&r);
    /* every truncation and some corruptions are rejected cleanly */
    int accepted = 0;
    for (size_t cut = 0; cut < buf.size; cut += 1 + cut / 16) {
        accepted += lcc_cdf_bank_read(&r, buf.data, cut, &used, NULL) == 0;
        lcc_cdf_bank_free(&r);
    }
    CHECK(accepted == 0);
    for (int i = 0; i < 200; i++) {
        const size_t pos = (size_t)(test_rand(&seed) % buf.size);
        const uint8_t old = buf.data[pos];
        buf.data[pos] ^= (uint8_t)(1 + test_rand(&seed) % 255);
        if (lcc_cdf_bank_read(&r, buf.data, buf.size, &used, NULL) == 0) {
            /* a corrupted frequency pair can still sum right: must be valid */
            for (uint32_t t = 0; t < r.count; t++)
                CHECK(r.t[t].cdf[r.t[t].nsym] == 1u << r.t[t].precision);
        }
        lcc_cdf_bank_free(&r);
        buf.data[pos] = old;
    }
    lcc_buf_free(&buf);
    lcc_cdf_bank_free(&b);
}

/* 10^6 i.i.d. symbols from a known distribution p: the coded size against
 * -sum log2 q (quantized table) and -sum log2 p (true). */
static void efficiency(const char *name, const double *p, uint32_t n, unsigned prec)
{
    uint64_t *w = malloc(n * sizeof(*w));
    double *cum = malloc((n + 1) * sizeof(*cum));
    cum[0] = 0;
    for (uint32_t k = 0; k < n; k++) {
        w[k] = (uint64_t)llround(p[k] * 0x1p40);
        cum[k + 1] = cum[k] + p[k];
    }
    LccCdf t;
    CHECK(lcc_cdf_from_weights(&t, w, n, 0, 0, prec) == 0);
    const size_t count = 1000000;
    int32_t *v = malloc(count * sizeof(*v)), *out = malloc(count * sizeof(*out));
    double ideal_p = 0, ideal_q = 0;
    for (size_t i = 0; i < count; i++) {
        const double u = urand() * cum[n];
        uint32_t lo = 0, hi = n - 1;
        while (lo < hi) {
            const uint32_t mid = (lo + hi) / 2;
            if (cum[mid + 1] <= u)
                lo = mid + 1;
            else
                hi = mid;
        }
        v[i] = (int32_t)lo;
        ideal_p -= log2(p[lo] / cum[n]);
        ideal_q -= log2((t.cdf[lo + 1] - t.cdf[lo]) / (double)(1u << prec));
    }
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    lcc_rans_enc_put_array(&e, &t, v, count);
    LccBuf buf = {0};
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    LccRansDec d;
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, count) == 0);
    lcc_rans_dec_get_array(&d, &t, out, count);
    CHECK(memcmp(v, out, count * sizeof(*v)) == 0);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    const double bits = buf.size * 8.0;
    printf("efficiency %-10s P=%2u: %.0f bits coded, ideal(quantized) %.0f (%+.3f%%), "
           "ideal(true) %.0f (%+.3f%%)\n", name, prec, bits, ideal_q, 100 * (bits / ideal_q - 1), ideal_p,
           100 * (bits / ideal_p - 1));
    CHECK(bits <= ideal_q * 1.005);
    if (prec >= 16)   /* at low precision the table itself costs more (reported) */
        CHECK(bits <= ideal_p * 1.005);
    CHECK(bits >= ideal_q * 0.99);   /* nothing magic: close to the entropy */
    lcc_buf_free(&buf);
    lcc_rans_enc_free(&e);
    lcc_cdf_free(&t);
    free(v);
    free(out);
    free(w);
    free(cum);
}

static void test_efficiency(void)
{
    double p[256];
    for (int k = 0; k < 32; k++)
        p[k] = pow(0.8, k);
    efficiency("geometric", p, 32, 16);
    for (int k = 0; k < 201; k++)
        p[k] = exp(-0.5 * (k - 100) * (k - 100) / (7.3 * 7.3));
    efficiency("gaussian", p, 201, 16);
    for (int k = 0; k < 256; k++)
        p[k] = 1;
    efficiency("uniform", p, 256, 16);
    p[0] = 0.97;
    p[1] = 0.02;
    p[2] = 0.01;
    efficiency("skewed", p, 3, 16);
    for (int k = 0; k < 201; k++)
        p[k] = exp(-0.5 * (k - 100) * (k - 100) / (7.3 * 7.3));
    efficiency("gaussian", p, 201, 12);
}

int main(void)
{
    seed = test_seed();
    size_t total = 0;
    test_edges();
    test_quantizer();
    test_bank_io();
    test_mixed_roundtrip(300, &total);
    test_bulk(&total);
    printf("round trips: %zu symbols\n", total);
    CHECK(total >= 2000000);
    test_efficiency();
    return test_summary();
}
