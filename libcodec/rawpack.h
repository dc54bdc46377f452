/* Raw sample packing: the byte layout of samples stored uncompressed
 * (the `stored` profile and any raw fallback). SPEC.md §3.1. */
#ifndef LCC_RAWPACK_H
#define LCC_RAWPACK_H

#include "libcodec/internal.h"

/* Bytes per sample of m in raw layout: images/video 1 (bit_depth <= 8) or
 * 2 (unsigned LE); audio ceil(bit_depth / 8) (two's complement LE). */
unsigned lcc_raw_sample_bytes(const LccMedia *m);

/* Append samples [first, first + n) of m to out. */
void lcc_raw_pack(LccBuf *out, const LccMedia *m, uint64_t first, uint64_t n);

/* Unpack n samples from src (exactly n * lcc_raw_sample_bytes(m) bytes)
 * into m's data at sample index first. Returns LCC_EBADMSG if a sample is
 * out of range for the bit depth. */
lcc_status lcc_raw_unpack(LccMedia *m, uint64_t first, uint64_t n, const uint8_t *src);

#endif /* LCC_RAWPACK_H */
