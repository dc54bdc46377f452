/* The interface between entropy *models* and entropy *coding*.
 *
 * A model (factorized prior, Gaussian conditional with a hyperprior, the
 * ACGC channel/checkerboard context model, the spatiotemporal video model,
 * probabilistic circuits) never touches the coder's state. For each symbol
 * it produces "entropy parameters" in one of three forms, all integer:
 *
 *  1. a table index into an LccCdfBank (cdf.h), plus a mean: an integer
 *     one as LccEntropyParams.offset, or a float one applied before the
 *     coder (round(y - mu), lcc_meanscale_quantize). The factorized prior
 *     uses index = channel; Gaussian and Laplace conditionals use index =
 *     lcc_scale_index_q16(scale_q16) into the 64-table scale bank
 *     (gaussian.h).
 *     Bulk form: LccEntropyParams below; per-symbol form:
 *     lcc_rans_enc_put / lcc_rans_dec_get with &bank->t[index];
 *  2. an explicit CDF computed by the model in integer arithmetic
 *     (lcc_rans_enc_put_cdf / lcc_rans_dec_get_cdf), e.g. a probabilistic
 *     circuit's conditional at up to 24-bit precision;
 *  3. raw bits (lcc_rans_enc_put_bits / lcc_rans_dec_get_bits) for side
 *     information inside an entropy-coded stream.
 *
 * Causality is the model's business: a decoder-side context model decodes
 * a group of symbols (a slice, a checkerboard half, a frame), computes the
 * next group's parameters from them, and decodes on, in the same order the
 * encoder put them. The encoder may put all symbols at once (rANS codes
 * them backwards at finish). Everything that selects a table or builds a
 * CDF on the decode side must be integer and bit-exact (DESIGN.md §5). */
#ifndef LCC_ENTROPY_ENTROPY_H
#define LCC_ENTROPY_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

#include "entropy/cdf.h"
#include "entropy/rans.h"

/* Parameters of `count` symbols: symbol i uses bank->t[index[i]] and,
 * if offset is not NULL, codes value[i] - offset[i] (an integer mean; the
 * difference must fit in int32: LCC_EINVAL on the encoder otherwise, and
 * a decoded sum outside int32 sets the decoder's error flag). */
typedef struct LccEntropyParams {
    const LccCdfBank *bank;
    const uint16_t *index;
    const int32_t *offset;   /* NULL: none */
    size_t count;
} LccEntropyParams;

/* Put the symbols (LCC_EINVAL, sticky on the encoder, if an index is out
 * of range). */
void lcc_entropy_encode(LccRansEnc *e, const LccEntropyParams *p, const int32_t *sym);
/* Decode p->count symbols into sym; errors go to the decoder's flag. */
void lcc_entropy_decode(LccRansDec *d, const LccEntropyParams *p, int32_t *sym);

/* Channel-wise tables (the factorized prior): sym is (batch, channels,
 * spatial) contiguous and plane (n, c) is coded with bank->t[c], in memory
 * order. bank->count must be >= channels (else LCC_EINVAL on the encoder,
 * the error flag on the decoder). */
void lcc_entropy_encode_planes(LccRansEnc *e, const LccCdfBank *bank, const int32_t *sym, size_t batch,
                               size_t channels, size_t spatial);
void lcc_entropy_decode_planes(LccRansDec *d, const LccCdfBank *bank, int32_t *sym, size_t batch,
                               size_t channels, size_t spatial);

/* Table indexes from scales in Q16.16 (integer only): idx[i] =
 * lcc_scale_index_q16(s_q16[i]). */
void lcc_entropy_scale_indexes(const uint32_t *s_q16, size_t n, uint16_t *idx);

/* Ideal code length in bits of sym under p (for rate estimates and tests). */
double lcc_entropy_cost_bits(const LccEntropyParams *p, const int32_t *sym);

#endif /* LCC_ENTROPY_ENTROPY_H */
