/* rANS encoder (buffered, coded backwards at finish) and the out-of-line
 * parts of the decoder. See rans.h for the design and SPEC.md §4. */
#include <stdlib.h>
#include <string.h>

#include "entropy/rans.h"

#define OP_PREC_SHIFT 26

void lcc_rans_enc_init(LccRansEnc *e)
{
    memset(e, 0, sizeof(*e));
}

void lcc_rans_enc_free(LccRansEnc *e)
{
    if (!e)
        return;
    free(e->ops);
    memset(e, 0, sizeof(*e));
}

static void push_op(LccRansEnc *e, uint32_t start, uint32_t freq, unsigned prec)
{
    if (e->error)
        return;
    if (e->n == e->cap) {
        const size_t cap = e->cap ? e->cap * 2 : 4096;
        if (cap > SIZE_MAX / (2 * sizeof(uint32_t))) {
            e->error = LCC_ENOMEM;
            return;
        }
        uint32_t *ops = realloc(e->ops, cap * 2 * sizeof(uint32_t));
        if (!ops) {
            e->error = LCC_ENOMEM;
            return;
        }
        e->ops = ops;
        e->cap = cap;
    }
    e->ops[2 * e->n] = start;
    e->ops[2 * e->n + 1] = freq | (uint32_t)prec << OP_PREC_SHIFT;
    e->n++;
}

void lcc_rans_enc_put_bits(LccRansEnc *e, uint32_t v, unsigned nbits)
{
    if (nbits < 1 || nbits > LCC_RANS_MAX_BYPASS) {
        if (!e->error)
            e->error = LCC_EINVAL;
        return;
    }
    push_op(e, v & ((1u << nbits) - 1), 1, nbits);
}

static void put_escape_payload(LccRansEnc *e, uint64_t d)
{
    const uint64_t m = d + 1;
    unsigned k = 0;
    while (m >> (k + 1))
        k++;
    lcc_rans_enc_put_bits(e, k, LCC_RANS_ESCAPE_KBITS);
    uint64_t r = m - (1ull << k);
    while (k) {
        const unsigned c = k < LCC_RANS_MAX_BYPASS ? k : LCC_RANS_MAX_BYPASS;
        lcc_rans_enc_put_bits(e, (uint32_t)(r & ((1u << c) - 1)), c);
        r >>= c;
        k -= c;
    }
}

void lcc_rans_enc_put(LccRansEnc *e, const LccCdf *t, int32_t v)
{
    const int64_t lo = t->offset, hi = (int64_t)t->offset + t->nsym - 2;
    if (v >= lo && v <= hi) {
        const uint32_t s = (uint32_t)(v - lo);
        push_op(e, t->cdf[s], t->cdf[s + 1] - t->cdf[s], t->precision);
        return;
    }
    const uint32_t s = t->nsym - 1;
    push_op(e, t->cdf[s], t->cdf[s + 1] - t->cdf[s], t->precision);
    put_escape_payload(e, lcc_rans_escape_distance(v, lo, hi));
}

void lcc_rans_enc_put_cdf(LccRansEnc *e, const uint32_t *cdf, uint32_t nsym, unsigned precision,
                          uint32_t s)
{
    if (s >= nsym || precision < 1 || precision > LCC_CDF_MAX_PRECISION || cdf[s + 1] <= cdf[s] ||
        cdf[s + 1] > (1u << precision)) {
        if (!e->error)
            e->error = LCC_EINVAL;
        return;
    }
    push_op(e, cdf[s], cdf[s + 1] - cdf[s], precision);
}

void lcc_rans_enc_put_array(LccRansEnc *e, const LccCdf *t, const int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lcc_rans_enc_put(e, t, v[i]);
}

void lcc_rans_enc_put_indexed(LccRansEnc *e, const LccCdfBank *bank, const uint16_t *idx,
                              const int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (idx[i] >= bank->count) {
            if (!e->error)
                e->error = LCC_EINVAL;
            return;
        }
        lcc_rans_enc_put(e, &bank->t[idx[i]], v[i]);
    }
}

lcc_status lcc_rans_enc_finish(LccRansEnc *e, LccBuf *out)
{
    lcc_status st = e->error;
    if (st || !e->n)
        goto done;
    /* one word at most per op (precision <= 24 < 32), plus the states */
    if (e->n > (SIZE_MAX - 16) / 4) {
        st = LCC_ENOMEM;
        goto done;
    }
    const size_t cap = 16 + 4 * e->n;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        st = LCC_ENOMEM;
        goto done;
    }
    uint8_t *ptr = buf + cap;
    uint64_t x[2] = {LCC_RANS_L, LCC_RANS_L};
    for (size_t i = e->n; i-- > 0;) {
        uint64_t *const xp = &x[i & 1];
        const uint32_t start = e->ops[2 * i];
        const uint32_t freq = e->ops[2 * i + 1] & ((1u << OP_PREC_SHIFT) - 1);
        const unsigned prec = e->ops[2 * i + 1] >> OP_PREC_SHIFT;
        const uint64_t xmax = ((LCC_RANS_L >> prec) << 32) * freq;
        uint64_t v = *xp;
        if (v >= xmax) {
            ptr -= 4;
            lcc_wl32(ptr, (uint32_t)v);
            v >>= 32;
        }
        *xp = ((v / freq) << prec) + v % freq + start;
    }
    ptr -= 8;
    lcc_wl64(ptr, x[1]);
    ptr -= 8;
    lcc_wl64(ptr, x[0]);
    /* only certain symbols and nothing emitted: the canonical stream is empty */
    if (ptr + 16 == buf + cap && x[0] == LCC_RANS_L && x[1] == LCC_RANS_L)
        ptr += 16;
    lcc_buf_append(out, ptr, (size_t)(buf + cap - ptr));
    free(buf);
    if (out->failed)
        st = LCC_ENOMEM;
done:
    e->n = 0;
    e->error = 0;
    return st;
}

/* ---- decoder ---------------------------------------------------------- */

lcc_status lcc_rans_dec_init(LccRansDec *d, const uint8_t *buf, size_t n, uint64_t max_symbols)
{
    d->x[0] = d->x[1] = LCC_RANS_L;
    d->k = 0;
    d->p = buf;
    d->end = buf + n;
    d->budget = max_symbols;
    d->error = 0;
    if (n == 0)
        return 0;
    if (n < 16 || (n - 16) % 4) {
        d->error = 1;
        d->p = d->end;
        return LCC_EBADMSG;
    }
    const uint64_t x0 = lcc_rl64(buf), x1 = lcc_rl64(buf + 8);
    d->p = buf + 16;
    /* states in [L, 2^63); (L, L) without words is written as an empty stream */
    if (x0 < LCC_RANS_L || x1 < LCC_RANS_L || (x0 >> 63) || (x1 >> 63) ||
        (n == 16 && x0 == LCC_RANS_L && x1 == LCC_RANS_L)) {
        d->error = 1;
        return LCC_EBADMSG;
    }
    d->x[0] = x0;
    d->x[1] = x1;
    return 0;
}

lcc_status lcc_rans_dec_finish(const LccRansDec *d)
{
    if (d->error || d->p != d->end || d->x[0] != LCC_RANS_L || d->x[1] != LCC_RANS_L)
        return LCC_EBADMSG;
    return 0;
}

/* A bypass chunk without budget accounting (escape payloads). */
static uint32_t get_bits_raw(LccRansDec *d, unsigned nbits)
{
    uint64_t *const xp = &d->x[d->k];
    d->k ^= 1;
    uint64_t x = *xp;
    const uint32_t v = (uint32_t)x & ((1u << nbits) - 1);
    x >>= nbits;
    if (x < LCC_RANS_L)
        x = x << 32 | lcc_rans_dec_word(d);
    *xp = x;
    return v;
}

uint32_t lcc_rans_dec_get_bits(LccRansDec *d, unsigned nbits)
{
    if (!d->budget || nbits < 1 || nbits > LCC_RANS_MAX_BYPASS) {
        d->error = 1;
        return 0;
    }
    d->budget--;
    return get_bits_raw(d, nbits);
}

int32_t lcc_rans_dec_escape(LccRansDec *d, const LccCdf *t)
{
    unsigned k = get_bits_raw(d, LCC_RANS_ESCAPE_KBITS);
    if (k > LCC_RANS_ESCAPE_KMAX) {
        d->error = 1;
        return 0;
    }
    uint64_t r = 0;
    unsigned got = 0;
    while (got < k) {
        const unsigned c = k - got < LCC_RANS_MAX_BYPASS ? k - got : LCC_RANS_MAX_BYPASS;
        r |= (uint64_t)get_bits_raw(d, c) << got;
        got += c;
    }
    const uint64_t dist = (1ull << k) + r - 1;
    const int64_t lo = t->offset, hi = (int64_t)t->offset + t->nsym - 2;
    /* dist < 2^34, so these do not overflow int64 */
    const int64_t v = (dist & 1) ? lo - 1 - (int64_t)(dist >> 1) : hi + 1 + (int64_t)(dist >> 1);
    if (v < INT32_MIN || v > INT32_MAX) {
        d->error = 1;
        return 0;
    }
    return (int32_t)v;
}

uint32_t lcc_rans_dec_get_cdf(LccRansDec *d, const uint32_t *cdf, uint32_t nsym, unsigned precision)
{
    if (!d->budget || precision < 1 || precision > LCC_CDF_MAX_PRECISION || nsym < 1) {
        d->error = 1;
        return 0;
    }
    d->budget--;
    uint64_t *const xp = &d->x[d->k];
    d->k ^= 1;
    uint64_t x = *xp;
    const uint32_t slot = (uint32_t)x & ((1u << precision) - 1);
    /* largest s < nsym with cdf[s] <= slot */
    uint32_t lo = 0, hi = nsym - 1;
    while (lo < hi) {
        const uint32_t mid = lo + (hi - lo + 1) / 2;
        if (cdf[mid] <= slot)
            lo = mid;
        else
            hi = mid - 1;
    }
    const uint32_t start = cdf[lo], freq = cdf[lo + 1] - start;
    if (freq == 0 || slot - start >= freq) {  /* caller's CDF is not increasing */
        d->error = 1;
        return 0;
    }
    x = (uint64_t)freq * (x >> precision) + slot - start;
    if (x < LCC_RANS_L)
        x = x << 32 | lcc_rans_dec_word(d);
    *xp = x;
    return lo;
}

/* One table step on a local state and word pointer (the bulk loops keep
 * both in registers). Returns the symbol. */
static inline uint32_t step_local(uint64_t *xp, const LccCdf *t, const uint8_t **pp, const uint8_t *end, int *err)
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
    if (x < LCC_RANS_L) {
        uint32_t w = 0;
        if (end - *pp >= 4) {
            w = lcc_rl32(*pp);
            *pp += 4;
        } else {
            *err = 1;
        }
        x = x << 32 | w;
    }
    *xp = x;
    return s;
}

void lcc_rans_dec_get_array(LccRansDec *d, const LccCdf *t, int32_t *out, size_t n)
{
    if (n > d->budget) {
        d->error = 1;
        d->budget = 0;
        memset(out, 0, n * sizeof(*out));
        return;
    }
    d->budget -= n;
    const uint32_t esc = t->nsym - 1;
    const int64_t off = t->offset;
    size_t i = 0;
    while (i < n) {
        /* x0 is the state of the next op; the pair loop alternates them */
        uint64_t x0 = d->x[d->k], x1 = d->x[d->k ^ 1];
        const uint8_t *p = d->p;
        int err = 0;
        uint32_t s = 0;
        int escaped = 0;
        for (; i + 2 <= n; i += 2) {
            s = step_local(&x0, t, &p, d->end, &err);
            if (s == esc) {
                escaped = 1;   /* next op uses x1 */
                break;
            }
            out[i] = (int32_t)(off + s);
            s = step_local(&x1, t, &p, d->end, &err);
            if (s == esc) {
                escaped = 2;   /* next op uses x0 */
                i++;
                break;
            }
            out[i + 1] = (int32_t)(off + s);
        }
        if (!escaped && i < n) {   /* odd tail */
            s = step_local(&x0, t, &p, d->end, &err);
            escaped = s == esc ? 1 : 3;
            if (s != esc)
                out[i++] = (int32_t)(off + s);
        }
        /* write back: after an even number of ops k is unchanged */
        const unsigned k0 = d->k;
        d->x[k0] = x0;
        d->x[k0 ^ 1] = x1;
        d->p = p;
        d->error |= err;
        if (escaped == 1 || escaped == 3)
            d->k = k0 ^ 1;
        if (escaped == 1 || escaped == 2) {
            out[i++] = lcc_rans_dec_escape(d, t);
        }
    }
}

void lcc_rans_dec_get_indexed(LccRansDec *d, const LccCdfBank *bank, const uint16_t *idx,
                              int32_t *out, size_t n)
{
    int bad = n > d->budget;
    for (size_t i = 0; i < n && !bad; i++)
        bad = idx[i] >= bank->count;
    if (bad) {   /* over budget, or a model bug: decode nothing */
        d->error = 1;
        d->budget = 0;
        memset(out, 0, n * sizeof(*out));
        return;
    }
    d->budget -= n;
    const LccCdf *const tabs = bank->t;
    size_t i = 0;
    while (i < n) {
        uint64_t x0 = d->x[d->k], x1 = d->x[d->k ^ 1];
        const uint8_t *p = d->p;
        int err = 0;
        int escaped = 0;
        const LccCdf *t = NULL;
        for (; i + 2 <= n; i += 2) {
            t = &tabs[idx[i]];
            uint32_t s = step_local(&x0, t, &p, d->end, &err);
            if (s == t->nsym - 1) {
                escaped = 1;
                break;
            }
            out[i] = (int32_t)((int64_t)t->offset + s);
            t = &tabs[idx[i + 1]];
            s = step_local(&x1, t, &p, d->end, &err);
            if (s == t->nsym - 1) {
                escaped = 2;
                i++;
                break;
            }
            out[i + 1] = (int32_t)((int64_t)t->offset + s);
        }
        if (!escaped && i < n) {
            t = &tabs[idx[i]];
            const uint32_t s = step_local(&x0, t, &p, d->end, &err);
            escaped = s == t->nsym - 1 ? 1 : 3;
            if (escaped == 3)
                out[i++] = (int32_t)((int64_t)t->offset + s);
        }
        const unsigned k0 = d->k;
        d->x[k0] = x0;
        d->x[k0 ^ 1] = x1;
        d->p = p;
        d->error |= err;
        if (escaped == 1 || escaped == 3)
            d->k = k0 ^ 1;
        if (escaped == 1 || escaped == 2)
            out[i++] = lcc_rans_dec_escape(d, t);
    }
}
