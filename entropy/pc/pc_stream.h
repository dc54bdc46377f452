/* The pc profile's stream syntax shared by its encoder and decoder
 * (SPEC.md §3, pc). After the container header (model id = the first 8
 * bytes of the weight file's sha256):
 *   PCHD  8 bytes: version (1 for schemes 0 and 1, 2 for scheme 2, 3 for
 *         scheme 3), precision P (24), scheme (0 = tree order, 1 = context
 *         model, 2 = context model 2, 3 = context model 3), 0, frames per
 *         block B (u32 LE; 1 for schemes 1 to 3)
 *   PCRS  one per block of B frames (the last may be shorter), in order:
 *         a rANS stream (entropy/rans.h) of every pixel of those frames,
 *         frame after frame, pixels in the model's coding order, each
 *         coded as the interval [F(x), F(x+1)) of precision P given by
 *         pc_cdf_at on the tree-order posterior. Schemes 1 to 3: one per
 *         plane; in scheme 3 the rANS stream follows one byte, the
 *         plane's mixing weight wq (0..16, pc_image.h). */
#ifndef LCC_ENTROPY_PC_STREAM_H
#define LCC_ENTROPY_PC_STREAM_H

#include <stdint.h>
#include <string.h>

#define PC_STREAM_VERSION 3   /* the newest version this build reads and writes */
#define PC_PRECISION 24
#define PC_SCHEME_TREE 0
#define PC_SCHEME_CONTEXT 1   /* natural images: one PCRS per plane (pc_image.h) */
#define PC_SCHEME_CONTEXT2 2  /* natural images, context model 2 (pc_context2); version 2 */
#define PC_SCHEME_CONTEXT3 3  /* natural images, context model 3 (blend, pc_context3); version 3 */
#define PC_BLOCK_FRAMES 256u
#define PC_MAX_BLOCK_FRAMES 65536u
#define PC_HEADER_BYTES 8
#define PC_CHUNK_HEADER "PCHD"
#define PC_CHUNK_BLOCK "PCRS"

static inline void pc_stream_header_write(uint8_t *const p, const unsigned scheme, const uint32_t block_frames)
{
    /* Schemes 0 and 1 keep writing version 1 and scheme 2 version 2 (their
     * streams are unchanged); scheme 3 needs a version-3 reader. */
    p[0] = scheme == PC_SCHEME_CONTEXT3 ? 3 : scheme == PC_SCHEME_CONTEXT2 ? 2 : 1;
    p[1] = PC_PRECISION;
    p[2] = (uint8_t)scheme;
    p[3] = 0;
    p[4] = (uint8_t)block_frames;
    p[5] = (uint8_t)(block_frames >> 8);
    p[6] = (uint8_t)(block_frames >> 16);
    p[7] = (uint8_t)(block_frames >> 24);
}

#endif /* LCC_ENTROPY_PC_STREAM_H */
