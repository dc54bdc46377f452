/* Integer CDF tables: construction, validation, lookup tables, serialization. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/rans.h"

void lcc_cdf_free(LccCdf *t)
{
    if (!t)
        return;
    free(t->cdf);
    free(t->lut);
    memset(t, 0, sizeof(*t));
}

/* Lookup resolution: 2^10 buckets, more for large alphabets (up to 2^13)
 * so that a bucket rarely spans several symbols; never more than 2^P. */
static unsigned lut_bits_for(uint32_t nsym, unsigned precision)
{
    unsigned b = 1;
    while (b < 32 && (nsym >> b))
        b++;
    b += 1;
    b = b < LCC_CDF_LUT_BITS ? LCC_CDF_LUT_BITS : b > LCC_CDF_LUT_BITS_MAX ? LCC_CDF_LUT_BITS_MAX : b;
    return b < precision ? b : precision;
}

/* Fill t->lut from t->cdf. */
static void build_lut(LccCdf *t)
{
    const unsigned lut_bits = lut_bits_for(t->nsym, t->precision);
    const uint32_t nb = 1u << lut_bits;
    t->lut_shift = (uint8_t)(t->precision - lut_bits);
    uint32_t s = 0;
    for (uint32_t j = 0; j < nb; j++) {
        const uint32_t slot = j << t->lut_shift;
        while (t->cdf[s + 1] <= slot)
            s++;
        t->lut[j] = (uint16_t)s;
    }
}

static lcc_status alloc_table(LccCdf *t, uint32_t nsym, unsigned precision)
{
    memset(t, 0, sizeof(*t));
    const unsigned lut_bits = lut_bits_for(nsym, precision);
    t->cdf = malloc(((size_t)nsym + 1) * sizeof(*t->cdf));
    t->lut = malloc(((size_t)1 << lut_bits) * sizeof(*t->lut));
    if (!t->cdf || !t->lut) {
        lcc_cdf_free(t);
        return LCC_ENOMEM;
    }
    t->nsym = nsym;
    t->precision = (uint8_t)precision;
    return 0;
}

static int check_shape(uint32_t nsym, int32_t offset, unsigned precision)
{
    if (precision < 1 || precision > LCC_CDF_MAX_PRECISION)
        return 0;
    if (nsym < 1 || nsym > LCC_CDF_MAX_SYMBOLS || nsym > (1u << precision))
        return 0;
    /* largest regular value offset + nsym - 2 must fit in int32 */
    if ((int64_t)offset + (int64_t)nsym - 2 > INT32_MAX)
        return 0;
    return 1;
}

lcc_status lcc_cdf_from_weights(LccCdf *t, const uint64_t *w, uint32_t nreg, uint64_t escape_w,
                                int32_t offset, unsigned precision)
{
    if (nreg >= LCC_CDF_MAX_SYMBOLS || !check_shape(nreg + 1, offset, precision))
        return LCC_EINVAL;
    const uint32_t nsym = nreg + 1;
    /* Scale the weights so that their sum fits in 39 bits: with
     * 2^P - nsym < 2^24 every product below fits in 63 bits. The sum is
     * accumulated with saturation-free shifting: find the shift first. */
    unsigned shift = 0;
    for (;;) {
        uint64_t sum = escape_w >> shift;
        int big = sum >= (1ull << 39);
        for (uint32_t k = 0; k < nreg && !big; k++) {
            sum += w[k] >> shift;
            big = sum >= (1ull << 39);
        }
        if (!big)
            break;
        shift++;
    }
    uint64_t total = escape_w >> shift;
    for (uint32_t k = 0; k < nreg; k++)
        total += w[k] >> shift;
    lcc_status st = alloc_table(t, nsym, precision);
    if (st)
        return st;
    t->offset = offset;
    const uint64_t avail = (1ull << precision) - nsym;
    uint64_t cum = 0;
    for (uint32_t k = 0; k < nsym; k++) {
        /* all-zero weights: uniform over the symbols */
        t->cdf[k] = (uint32_t)(k + (total ? cum * avail / total : (uint64_t)k * avail / nsym));
        cum += k < nreg ? w[k] >> shift : escape_w >> shift;
    }
    t->cdf[nsym] = 1u << precision;
    build_lut(t);
    return 0;
}

lcc_status lcc_cdf_from_cdf(LccCdf *t, const uint32_t *cdf, uint32_t nsym, int32_t offset,
                            unsigned precision)
{
    if (!check_shape(nsym, offset, precision))
        return LCC_EBADMSG;
    if (cdf[0] != 0 || cdf[nsym] != (1u << precision))
        return LCC_EBADMSG;
    for (uint32_t k = 0; k < nsym; k++)
        if (cdf[k + 1] <= cdf[k])
            return LCC_EBADMSG;
    lcc_status st = alloc_table(t, nsym, precision);
    if (st)
        return st;
    t->offset = offset;
    memcpy(t->cdf, cdf, ((size_t)nsym + 1) * sizeof(*cdf));
    build_lut(t);
    return 0;
}

double lcc_cdf_cost_bits(const LccCdf *t, int32_t v)
{
    const int64_t lo = t->offset, hi = (int64_t)t->offset + t->nsym - 2;
    const double p = ldexp(1.0, -(int)t->precision);
    if (v >= lo && v <= hi) {
        const uint32_t s = (uint32_t)(v - lo);
        return -log2((t->cdf[s + 1] - t->cdf[s]) * p);
    }
    const uint32_t e = t->nsym - 1;
    const uint64_t d = lcc_rans_escape_distance(v, lo, hi);
    unsigned k = 0;
    while ((d + 1) >> (k + 1))
        k++;
    return -log2((t->cdf[e + 1] - t->cdf[e]) * p) + LCC_RANS_ESCAPE_KBITS + k;
}

lcc_status lcc_cdf_bank_alloc(LccCdfBank *b, uint32_t count)
{
    b->count = 0;
    b->t = NULL;
    if (count > LCC_CDF_MAX_TABLES)
        return LCC_EINVAL;
    if (count) {
        b->t = calloc(count, sizeof(*b->t));
        if (!b->t)
            return LCC_ENOMEM;
    }
    b->count = count;
    return 0;
}

void lcc_cdf_bank_free(LccCdfBank *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < b->count && b->t; i++)
        lcc_cdf_free(&b->t[i]);
    free(b->t);
    b->t = NULL;
    b->count = 0;
}

/* Bank layout (SPEC §4.6): "LCDF", u32 count, then per table:
 * u8 precision, u8 0, u16 0, u32 nsym, i32 offset, then nsym frequencies
 * minus one, as u16 if precision <= 16 else u32. */
void lcc_cdf_bank_write(const LccCdfBank *b, LccBuf *out)
{
    lcc_buf_append(out, "LCDF", 4);
    lcc_buf_u32(out, b->count);
    for (uint32_t i = 0; i < b->count; i++) {
        const LccCdf *t = &b->t[i];
        lcc_buf_u8(out, t->precision);
        lcc_buf_u8(out, 0);
        lcc_buf_u16(out, 0);
        lcc_buf_u32(out, t->nsym);
        lcc_buf_u32(out, (uint32_t)t->offset);
        for (uint32_t s = 0; s < t->nsym; s++) {
            const uint32_t f = t->cdf[s + 1] - t->cdf[s] - 1;
            if (t->precision <= 16)
                lcc_buf_u16(out, (uint16_t)f);
            else
                lcc_buf_u32(out, f);
        }
    }
}

lcc_status lcc_cdf_bank_read(LccCdfBank *b, const uint8_t *p, size_t n, size_t *used, LccContext *c)
{
    LccReader r;
    lcc_reader_init(&r, p, n);
    b->count = 0;
    b->t = NULL;
    const uint8_t *magic = lcc_reader_take(&r, 4);
    if (!magic || memcmp(magic, "LCDF", 4))
        return lcc_error(c, LCC_EBADMSG, "CDF bank: bad magic");
    const uint32_t count = lcc_reader_u32(&r);
    if (r.error)
        return lcc_error(c, LCC_EBADMSG, "CDF bank: truncated header");
    if (count > LCC_CDF_MAX_TABLES || (uint64_t)count * 12 > lcc_reader_left(&r))
        return lcc_error(c, LCC_EBADMSG, "CDF bank: %u tables do not fit in %zu bytes", count,
                         lcc_reader_left(&r));
    lcc_status st = lcc_cdf_bank_alloc(b, count);
    if (st)
        return lcc_error(c, st, "CDF bank: out of memory");
    uint32_t *cdf = NULL;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned prec = lcc_reader_u8(&r);
        const unsigned z8 = lcc_reader_u8(&r);
        const unsigned z16 = lcc_reader_u16(&r);
        const uint32_t nsym = lcc_reader_u32(&r);
        const int32_t offset = (int32_t)lcc_reader_u32(&r);
        if (r.error) {
            st = lcc_error(c, LCC_EBADMSG, "CDF bank: table %u: truncated", i);
            goto fail;
        }
        if (z8 || z16 || !check_shape(nsym, offset, prec)) {
            st = lcc_error(c, LCC_EBADMSG, "CDF bank: table %u: bad shape (precision %u, %u symbols)",
                           i, prec, nsym);
            goto fail;
        }
        const size_t fsz = prec <= 16 ? 2 : 4;
        if ((uint64_t)nsym * fsz > lcc_reader_left(&r)) {
            st = lcc_error(c, LCC_EBADMSG, "CDF bank: table %u: truncated frequencies", i);
            goto fail;
        }
        cdf = malloc(((size_t)nsym + 1) * sizeof(*cdf));
        if (!cdf) {
            st = lcc_error(c, LCC_ENOMEM, "CDF bank: out of memory");
            goto fail;
        }
        uint64_t cum = 0;
        cdf[0] = 0;
        for (uint32_t s = 0; s < nsym; s++) {
            cum += (uint64_t)(fsz == 2 ? lcc_reader_u16(&r) : lcc_reader_u32(&r)) + 1;
            cdf[s + 1] = cum > UINT32_MAX ? UINT32_MAX : (uint32_t)cum;
        }
        if (cum != (1ull << prec)) {
            st = lcc_error(c, LCC_EBADMSG, "CDF bank: table %u: frequencies sum to %llu, not 2^%u", i,
                           (unsigned long long)cum, prec);
            goto fail;
        }
        st = lcc_cdf_from_cdf(&b->t[i], cdf, nsym, offset, prec);
        if (st) {
            st = lcc_error(c, st, "CDF bank: table %u: invalid", i);
            goto fail;
        }
        free(cdf);
        cdf = NULL;
    }
    if (used)
        *used = (size_t)(r.p - p);
    return 0;
fail:
    free(cdf);
    lcc_cdf_bank_free(b);
    return st;
}

uint64_t lcc_cdf_bank_hash(const LccCdfBank *b)
{
    LccBuf buf = {0};
    lcc_cdf_bank_write(b, &buf);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < buf.size; i++) {
        h ^= buf.data[i];
        h *= 0x100000001b3ull;
    }
    if (buf.failed)
        h = 0;
    lcc_buf_free(&buf);
    return h;
}
