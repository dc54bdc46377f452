/* rANS entropy coder over integer CDF tables (cdf.h).
 *
 * Design note
 * -----------
 * Why rANS and not a range coder. Both code to within a fraction of a
 * percent of the ideal size at 16-bit precision. rANS decodes with one
 * multiply, a mask and a shift per symbol and no division, and two
 * interleaved states give the CPU two independent dependency chains: that
 * is what reaches > 50 M symbols/s on one core. Its cost is that the
 * encoder must run in reverse (LIFO): this encoder therefore buffers the
 * symbols (8 bytes each) and codes them backwards in finish(). All our
 * models know every symbol's parameters on the encoder side before coding
 * (they run the decoder's context model anyway), so LIFO costs nothing
 * but memory. The decoder stays strictly sequential and causal: a context
 * model may decode a symbol, compute the next symbol's table from it, and
 * decode on.
 *
 * State and I/O. Two 64-bit states, x0 and x1, in [L, 2^63) with
 * L = 2^31; renormalization moves 32-bit little-endian words. Symbol
 * number i of the stream (counting every coded op: table symbols, raw
 * CDF symbols and bypass chunks) uses state i & 1.
 *
 * Precision. Each table has its own precision P in 1..24 (16 by default):
 * frequencies are integers >= 1 summing to 2^P. Bypass chunks are ops of
 * precision n (1..16) with frequency 1.
 *
 * Escape. The last symbol of every table is an escape. A value v outside
 * the table's regular range [lo, hi] is coded as the escape symbol, then
 * d = 2(lo-1-v)+1 (v < lo) or 2(v-hi-1) (v > hi), as m = d + 1 = 2^k + r:
 * k in a 6-bit bypass chunk (k <= 33), then r's k bits in chunks of 16
 * bits, least significant chunk first. So every int32 value is encodable
 * with every table, and each value has exactly one encoding.
 *
 * Byte layout of a stream: x0 (u64 LE), x1 (u64 LE), then the 32-bit
 * words in the order the decoder reads them. A stream whose encoding would
 * be just the two states at L (no symbols, or only certain ones) is
 * written empty (0 bytes), and a 16-byte stream of two L states is
 * rejected, so each op sequence has exactly one stream. Otherwise the
 * length is 16 + 4m. At the end of a valid stream both states are back at
 * L and every byte was read (checked by lcc_rans_dec_finish). Decoding
 * never floats, never reads past the end, and stops (error flag, zero
 * results) after a caller-set symbol budget. The normative text is
 * conformance/SPEC.md §4.
 *
 * Symbol search. Each table carries a lookup of 2^10..2^13 buckets (more
 * for large alphabets) giving the first candidate symbol of a slot; a
 * short linear search finishes. Bulk decoders (array, indexed) keep both
 * states and the word pointer in registers and alternate them in a pair
 * loop; escapes leave the loop and come back.
 *
 * Layers (STYLE 13): words come from a bounded pointer with a sticky error
 * flag; the coder knows only words and CDFs; which table codes which
 * symbol is the models' business (entropy.h). The per-symbol decode
 * primitives are static inline (STYLE 12: no function pointers in the
 * hot path).
 */
#ifndef LCC_ENTROPY_RANS_H
#define LCC_ENTROPY_RANS_H

#include <stddef.h>
#include <stdint.h>

#include "entropy/cdf.h"
#include "libcodec/internal.h"

#define LCC_RANS_L (1ull << 31)
#define LCC_RANS_ESCAPE_KBITS 6
#define LCC_RANS_ESCAPE_KMAX 33
#define LCC_RANS_MAX_BYPASS 16

/* ---- encoder ---------------------------------------------------------- */

typedef struct LccRansEnc {
    uint32_t *ops;      /* 2 words per op: start, freq | precision << 26 */
    size_t n, cap;      /* ops buffered */
    lcc_status error;   /* sticky: first error (LCC_ENOMEM, LCC_EINVAL) */
} LccRansEnc;

void lcc_rans_enc_init(LccRansEnc *e);
void lcc_rans_enc_free(LccRansEnc *e);
/* Code value v with table t (escape if outside its regular range). */
void lcc_rans_enc_put(LccRansEnc *e, const LccCdf *t, int32_t v);
/* Code symbol s of an explicit CDF (nsym + 1 entries, increasing, cdf[0] = 0,
 * cdf[nsym] = 2^precision; no escape). s >= nsym or a zero frequency: LCC_EINVAL. */
void lcc_rans_enc_put_cdf(LccRansEnc *e, const uint32_t *cdf, uint32_t nsym, unsigned precision,
                          uint32_t s);
/* Code the low nbits (1..16) of v with probability 2^-nbits each. */
void lcc_rans_enc_put_bits(LccRansEnc *e, uint32_t v, unsigned nbits);
/* Bulk forms. idx[i] < bank->count selects symbol i's table. */
void lcc_rans_enc_put_array(LccRansEnc *e, const LccCdf *t, const int32_t *v, size_t n);
void lcc_rans_enc_put_indexed(LccRansEnc *e, const LccCdfBank *bank, const uint16_t *idx,
                              const int32_t *v, size_t n);
/* Code everything buffered and append the stream to out. Returns the
 * sticky error, or LCC_ENOMEM if out failed. The encoder is reset (empty)
 * afterwards and may be reused. */
lcc_status lcc_rans_enc_finish(LccRansEnc *e, LccBuf *out);

/* ---- decoder ---------------------------------------------------------- */

typedef struct LccRansDec {
    uint64_t x[2];
    unsigned k;             /* state of the next op */
    const uint8_t *p, *end; /* next word, end of stream */
    uint64_t budget;        /* symbol calls left */
    int error;              /* sticky: bad header, read past end, budget, bad escape */
} LccRansDec;

/* Start decoding buf[0..n). At most max_symbols value/CDF/bits calls
 * succeed (bulk calls count each symbol). Returns 0, or LCC_EBADMSG if the
 * length or the initial states are invalid (the error flag is then set
 * and every call returns zeros). */
lcc_status lcc_rans_dec_init(LccRansDec *d, const uint8_t *buf, size_t n, uint64_t max_symbols);
/* 0 if no error occurred, every byte was read and both states are back at
 * L (a strong end-of-stream check), else LCC_EBADMSG. */
lcc_status lcc_rans_dec_finish(const LccRansDec *d);

int32_t lcc_rans_dec_escape(LccRansDec *d, const LccCdf *t);
uint32_t lcc_rans_dec_get_cdf(LccRansDec *d, const uint32_t *cdf, uint32_t nsym, unsigned precision);
/* The slot (low `precision` bits of the state) the next op will decode,
 * without consuming it: a model that finds the symbol by searching its
 * own CDF (probabilistic circuits) peeks, then codes the found interval
 * with lcc_rans_dec_get_cdf. */
static inline uint32_t lcc_rans_dec_peek(const LccRansDec *d, unsigned precision)
{
    return (uint32_t)(d->x[d->k] & ((1ull << precision) - 1));
}
uint32_t lcc_rans_dec_get_bits(LccRansDec *d, unsigned nbits);
void lcc_rans_dec_get_array(LccRansDec *d, const LccCdf *t, int32_t *out, size_t n);
/* An index >= bank->count (or n over the budget) sets the error flag and
 * decodes nothing (out all zero). */
void lcc_rans_dec_get_indexed(LccRansDec *d, const LccCdfBank *bank, const uint16_t *idx,
                              int32_t *out, size_t n);

/* Escape distance d of v outside [lo, hi] (lo - 1 <= hi). */
static inline uint64_t lcc_rans_escape_distance(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? (uint64_t)(lo - 1 - v) * 2 + 1 : (uint64_t)(v - hi - 1) * 2;
}

static inline uint32_t lcc_rans_dec_word(LccRansDec *d)
{
    if (d->end - d->p >= 4) {
        const uint32_t w = lcc_rl32(d->p);
        d->p += 4;
        return w;
    }
    d->error = 1;
    return 0;
}

/* One table symbol from state *x: returns the symbol index (escape
 * included), updates *x. */
static inline uint32_t lcc_rans_dec_sym(LccRansDec *d, uint64_t *xp, const LccCdf *t)
{
    uint64_t x = *xp;
    const unsigned prec = t->precision;
    const uint32_t slot = (uint32_t)x & ((1u << prec) - 1);
    uint32_t s = t->lut[slot >> t->lut_shift];
    const uint32_t *cdf = t->cdf;
    while (cdf[s + 1] <= slot)
        s++;
    const uint32_t start = cdf[s];
    x = (uint64_t)(cdf[s + 1] - start) * (x >> prec) + slot - start;
    if (x < LCC_RANS_L)
        x = x << 32 | lcc_rans_dec_word(d);
    *xp = x;
    return s;
}

#ifndef lcc_rans_dec_get
#define lcc_rans_dec_get lcc_rans_dec_get_c
#endif

/* Decode one value with table t. */
static inline int32_t lcc_rans_dec_get_c(LccRansDec *d, const LccCdf *t)
{
    if (!d->budget) {
        d->error = 1;
        return 0;
    }
    d->budget--;
    const uint32_t s = lcc_rans_dec_sym(d, &d->x[d->k], t);
    d->k ^= 1;
    if (s == t->nsym - 1)
        return lcc_rans_dec_escape(d, t);
    return (int32_t)((int64_t)t->offset + s);
}

#endif /* LCC_ENTROPY_RANS_H */
