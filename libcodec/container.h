/* The .lcc container: a fixed header, then typed chunks with CRC-32.
 * Byte layout: conformance/SPEC.md, section 2. */
#ifndef LCC_CONTAINER_H
#define LCC_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/internal.h"

#define LCC_CONTAINER_MAGIC "\x8bLCC\r\n\x1a\n"
#define LCC_CONTAINER_MAJOR 1
#define LCC_CONTAINER_MINOR 0
#define LCC_HEADER_SIZE 64
#define LCC_CHUNK_OVERHEAD 12            /* type + length + CRC */
#define LCC_MAX_CHUNKS (1u << 20)

/* Profile ids in the header (SPEC.md §3). Never reuse a number. */
enum LccProfileId {
    LCC_PROFILE_STORED = 1,
    LCC_PROFILE_WAVELET_AE = 2,
    LCC_PROFILE_STEM = 3,
    LCC_PROFILE_NERV = 4,
    LCC_PROFILE_NIRVANA = 5,
    LCC_PROFILE_RECOMBINER = 6,
    LCC_PROFILE_PC = 7,
};

typedef struct LccHeader {
    uint8_t major, minor;
    uint8_t profile_id;
    uint8_t model_id[8];
    uint8_t quality;
    LccMedia geometry;                   /* modality + geometry, no data */
} LccHeader;

typedef struct LccChunk {
    char type[5];                        /* four ASCII letters + NUL */
    uint32_t size;
    const uint8_t *data;                 /* points into the parsed buffer */
    size_t offset;                       /* of its type field in the buffer */
    int damaged;                         /* CRC mismatch (tolerant parse only) */
} LccChunk;

typedef struct LccContainer {
    LccHeader header;
    LccChunk *chunks;                    /* in stream order, LEND excluded */
    unsigned num_chunks;
    unsigned num_damaged;                /* chunks with damaged = 1 */
} LccContainer;

/* Parse and validate buf: magic, version, header CRC, modality, geometry
 * against the context's limits, every chunk's length and CRC, and the
 * final LEND chunk. Bytes after LEND are an error. Chunks point into buf,
 * which must outlive the container. Free with lcc_container_free. */
lcc_status lcc_container_parse(LccContext *c, const uint8_t *buf, size_t size, LccContainer *out);
/* The same, except that a chunk (not LEND) whose framing is sound but whose
 * CRC does not match is kept with damaged = 1: for profiles that conceal a
 * lost chunk (SPEC.md §2.2). Then lcc_container_intact decides. */
lcc_status lcc_container_parse_tolerant(LccContext *c, const uint8_t *buf, size_t size, LccContainer *out);
/* LCC_OK if no chunk of ct is damaged except chunks of type `spare` (NULL:
 * none), else the CRC error of the first damaged one. */
lcc_status lcc_container_intact(LccContext *c, const LccContainer *ct, const char *spare);
void lcc_container_free(LccContainer *ct);
/* The first chunk of the given type, or NULL; lcc_container_next gives the
 * one after prev of the same type. */
const LccChunk *lcc_container_find(const LccContainer *ct, const char *type);
const LccChunk *lcc_container_next(const LccContainer *ct, const LccChunk *prev);

/* Writing: header, any number of chunks, then end (writes LEND).
 * Errors surface as out->failed. */
void lcc_container_begin(LccBuf *out, const LccHeader *h);
void lcc_container_chunk(LccBuf *out, const char *type, const void *data, size_t size);
void lcc_container_end(LccBuf *out);
/* Start a chunk whose payload is appended to out afterwards; finish it
 * with lcc_container_chunk_close(out, start) (fills length and CRC). */
size_t lcc_container_chunk_open(LccBuf *out, const char *type);
void lcc_container_chunk_close(LccBuf *out, size_t start);

#endif /* LCC_CONTAINER_H */
