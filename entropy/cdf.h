/* Integer CDF tables: the only thing the rANS coder (rans.h) knows about
 * probabilities. A table codes integer values; its last symbol is an
 * escape, so every int32 value is encodable with every table (values
 * outside the table's support go through the escape, see rans.h).
 *
 * Construction is integer-only (lcc_cdf_from_weights: cumulative rounding
 * of integer weights), so a second decoder reproduces a table bit-exactly
 * from the same weights; tables that come from floats (the factorized
 * prior) are built once at export time and shipped as data
 * (lcc_cdf_bank_write/read). Normative text: conformance/SPEC.md §4. */
#ifndef LCC_ENTROPY_CDF_H
#define LCC_ENTROPY_CDF_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/internal.h"

#define LCC_CDF_MAX_PRECISION 24
#define LCC_CDF_DEFAULT_PRECISION 16
#define LCC_CDF_MAX_SYMBOLS 65536u     /* per table, escape included */
#define LCC_CDF_LUT_BITS 10            /* decode lookup: 2^10 buckets at least, */
#define LCC_CDF_LUT_BITS_MAX 13        /* up to 2^13 for large alphabets */
#define LCC_CDF_MAX_TABLES 65536u      /* per bank */

typedef struct LccCdf {
    uint32_t *cdf;      /* nsym + 1 entries: cdf[0] = 0 < cdf[1] < ... < cdf[nsym] = 2^precision */
    uint16_t *lut;      /* 2^(precision - lut_shift) entries: lut[j] = max s with cdf[s] <= j << lut_shift */
    uint32_t nsym;      /* regular symbols + 1; symbol nsym - 1 is the escape */
    int32_t offset;     /* value of symbol 0; regular values are offset .. offset + nsym - 2 */
    uint8_t precision;  /* P, 1..24 */
    uint8_t lut_shift;  /* P - (lookup bits, see cdf.c lut_bits_for) */
} LccCdf;

/* Build t from integer weights: w[0..nreg-1] for the values offset ..
 * offset + nreg - 1, then escape_w for the escape (zero weights are fine:
 * every symbol gets a frequency >= 1). Requires nreg + 1 <= 2^precision,
 * nreg + 1 <= LCC_CDF_MAX_SYMBOLS, offset + nreg - 1 <= INT32_MAX.
 * Procedure (SPEC §4.3): shift the weights right until their sum fits in
 * 39 bits, then cdf[k] = k + floor(C_k * (2^P - nsym) / W) with C_k the
 * prefix sums. On success t owns new memory (lcc_cdf_free). */
lcc_status lcc_cdf_from_weights(LccCdf *t, const uint64_t *w, uint32_t nreg, uint64_t escape_w,
                                int32_t offset, unsigned precision);

/* Build t from an explicit CDF (nsym + 1 entries, escape last), checking
 * every invariant: LCC_EBADMSG if violated. */
lcc_status lcc_cdf_from_cdf(LccCdf *t, const uint32_t *cdf, uint32_t nsym, int32_t offset,
                            unsigned precision);

void lcc_cdf_free(LccCdf *t);

/* Ideal code length in bits of value v under t (escape: the escape
 * symbol plus its bypass bits, exactly as rans.h codes it). */
double lcc_cdf_cost_bits(const LccCdf *t, int32_t v);

/* A bank of tables, e.g. one per channel (factorized prior) or one per
 * scale (Gaussian conditional). Models give per-symbol table indexes. */
typedef struct LccCdfBank {
    uint32_t count;
    LccCdf *t;
} LccCdfBank;

lcc_status lcc_cdf_bank_alloc(LccCdfBank *b, uint32_t count);
void lcc_cdf_bank_free(LccCdfBank *b);   /* accepts a zeroed or freed bank */

/* Serialization (SPEC §4.6): shipped as data inside model files. */
void lcc_cdf_bank_write(const LccCdfBank *b, LccBuf *out);
/* Parse one bank from p[0..n); *used gets the bytes consumed. Every size
 * is checked against the bytes present before allocating; LCC_EBADMSG on
 * any violation (message recorded on c, which may be NULL). */
lcc_status lcc_cdf_bank_read(LccCdfBank *b, const uint8_t *p, size_t n, size_t *used, LccContext *c);
/* FNV-1a 64 of the serialization: a golden value for conformance tests. */
uint64_t lcc_cdf_bank_hash(const LccCdfBank *b);

#endif /* LCC_ENTROPY_CDF_H */
