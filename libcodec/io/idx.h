/* IDX files (the MNIST distribution format) of unsigned bytes with three
 * dimensions: N images of rows x cols. Layout: bytes 0 0 0x08 0x03, then N,
 * rows, cols as big-endian uint32, then N * rows * cols bytes, row-major.
 *
 * In memory such a file is an LccVideo: frames = N, width = cols,
 * height = rows, CHROMA_400, 8 bits, fps 0/0. The header is a function of
 * (N, rows, cols) alone, so writing that video back gives the input file
 * byte for byte. */
#ifndef LCC_IO_IDX_H
#define LCC_IO_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/internal.h"

#define LCC_IDX_HEADER 16

/* 1 if buf[0..size) starts with the header of a 3-dimensional ubyte IDX file. */
int lcc_idx_probe(const uint8_t *buf, size_t size);

/* Parse an IDX file in memory into *out (zeroed on entry, empty on
 * failure). LCC_EFORMAT if it is not a 3-dimensional ubyte IDX file,
 * LCC_EBADMSG if its size does not match the header, LCC_ERANGE beyond
 * the context's limits. */
lcc_status lcc_idx_parse(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);

/* Read an IDX file from path (same results as lcc_idx_parse). */
lcc_status lcc_idx_read(LccContext *c, const char *path, LccMedia *out);

/* Read a whole IDX file from a media source positioned at its start (the
 * hook for lcc_media_read's content detection, io.c). */
struct LccIoSrc;
lcc_status lcc_idx_read_src(LccContext *c, struct LccIoSrc *s, LccMedia *out);

/* 1 if an output path asks for IDX: its name ends with "idx3-ubyte" or
 * its extension is .idx (the hook for lcc_media_write, io.c). */
int lcc_idx_path(const char *path);

/* 1 if m can be written as an IDX file: an 8-bit CHROMA_400 video, or an
 * 8-bit one-channel image (written as N = 1). */
int lcc_idx_writable(const LccMedia *m);

/* Serialize m (lcc_idx_writable) to out; LCC_EINVAL otherwise. */
lcc_status lcc_idx_serialize(LccContext *c, const LccMedia *m, LccBuf *out);

/* Write m to path atomically. */
lcc_status lcc_idx_write(LccContext *c, const char *path, const LccMedia *m);

#endif /* LCC_IO_IDX_H */
