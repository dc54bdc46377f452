/* Models-to-coder glue (entropy.h). */
#include <math.h>

#include "entropy/entropy.h"
#include "entropy/gaussian.h"

void lcc_entropy_encode(LccRansEnc *e, const LccEntropyParams *p, const int32_t *sym)
{
    if (!p->offset) {
        lcc_rans_enc_put_indexed(e, p->bank, p->index, sym, p->count);
        return;
    }
    for (size_t i = 0; i < p->count; i++) {
        const int64_t v = (int64_t)sym[i] - p->offset[i];
        if (p->index[i] >= p->bank->count || v < INT32_MIN || v > INT32_MAX) {
            if (!e->error)
                e->error = LCC_EINVAL;
            return;
        }
        lcc_rans_enc_put(e, &p->bank->t[p->index[i]], (int32_t)v);
    }
}

void lcc_entropy_decode(LccRansDec *d, const LccEntropyParams *p, int32_t *sym)
{
    lcc_rans_dec_get_indexed(d, p->bank, p->index, sym, p->count);
    if (!p->offset)
        return;
    for (size_t i = 0; i < p->count; i++) {
        const int64_t v = (int64_t)sym[i] + p->offset[i];
        if (v < INT32_MIN || v > INT32_MAX) {
            d->error = 1;
            sym[i] = 0;
        } else {
            sym[i] = (int32_t)v;
        }
    }
}

void lcc_entropy_encode_planes(LccRansEnc *e, const LccCdfBank *bank, const int32_t *sym, size_t batch,
                               size_t channels, size_t spatial)
{
    if (channels > bank->count) {
        if (!e->error)
            e->error = LCC_EINVAL;
        return;
    }
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            lcc_rans_enc_put_array(e, &bank->t[c], sym + (n * channels + c) * spatial, spatial);
}

void lcc_entropy_decode_planes(LccRansDec *d, const LccCdfBank *bank, int32_t *sym, size_t batch,
                               size_t channels, size_t spatial)
{
    if (channels > bank->count) {
        d->error = 1;
        for (size_t i = 0; i < batch * channels * spatial; i++)
            sym[i] = 0;
        return;
    }
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < channels; c++)
            lcc_rans_dec_get_array(d, &bank->t[c], sym + (n * channels + c) * spatial, spatial);
}

void lcc_entropy_scale_indexes(const uint32_t *s_q16, size_t n, uint16_t *idx)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint16_t)lcc_scale_index_q16(s_q16[i]);
}

double lcc_entropy_cost_bits(const LccEntropyParams *p, const int32_t *sym)
{
    double bits = 0;
    for (size_t i = 0; i < p->count; i++) {
        const int64_t v = (int64_t)sym[i] - (p->offset ? p->offset[i] : 0);
        if (p->index[i] >= p->bank->count || v < INT32_MIN || v > INT32_MAX)
            return HUGE_VAL;
        bits += lcc_cdf_cost_bits(&p->bank->t[p->index[i]], (int32_t)v);
    }
    return bits;
}
