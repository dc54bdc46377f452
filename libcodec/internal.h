/* Internal helpers shared by every layer of lcc. Not installed. */
#ifndef LCC_INTERNAL_H
#define LCC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lcc/lcc.h"

/* Models a context has loaded, kept until lcc_close: a context that codes
 * many images (a sweep, a video through the frei0r plugin) reads and
 * checks each weight file once. An entry's destroy function is also its
 * kind: a lookup matches only entries made with the same function. */
#define LCC_CACHED_MODELS 4
typedef struct LccCachedModel {
    void *obj;
    void (*destroy)(void *obj);
    char name[64];   /* the file name it was loaded by ("" if by id) */
    uint8_t id[8];   /* the first 8 bytes of its model id */
    uint64_t used;   /* last use, for eviction */
} LccCachedModel;

struct LccContext {
    LccSettings settings;      /* limits resolved: no 0 fields */
    LccCachedModel models[LCC_CACHED_MODELS];
    uint64_t model_clock;
    const char *encode_model;  /* LccEncodeParams.model during lcc_encode */
    int encode_refine;         /* LccEncodeParams.refine during lcc_encode */
    int encode_no_rdoq;        /* LccEncodeParams.no_rdoq during lcc_encode */
    lcc_status first_error;
    char message[512];
    char warning[256];         /* lcc_last_warning */
};

#if defined(__GNUC__) || defined(__clang__)
#define LCC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LCC_PRINTF(a, b)
#endif

/* Record an error on c (the first one wins) and return code, so callers
 * write `return lcc_error(c, LCC_EBADMSG, "chunk %s: bad CRC", name);`.
 * c may be NULL. */
lcc_status lcc_error(LccContext *c, lcc_status code, const char *fmt, ...) LCC_PRINTF(3, 4);

/* Set c's warning (lcc_last_warning); c may be NULL. */
void lcc_warn(LccContext *c, const char *fmt, ...) LCC_PRINTF(2, 3);

/* The cached model of kind destroy loaded by file name `name` (if name) or
 * with model id prefix id (if id), or NULL. c may be NULL (then NULL). */
void *lcc_model_cache_find(LccContext *c, void (*destroy)(void *), const char *name, const uint8_t id[8]);
/* Hand obj to c's cache (evicting the least recently used entry). Returns
 * 1 if c now owns obj, 0 if the caller keeps it (c NULL or name too long). */
int lcc_model_cache_add(LccContext *c, void (*destroy)(void *), const char *name, const uint8_t id[8], void *obj);

/* Report progress of long work (fraction in [0, 1]); c may be NULL. */
void lcc_progress(LccContext *c, double fraction);

/* The limits in force for c (defaults if c is NULL). Never NULL. */
const LccLimits *lcc_limits(const LccContext *c);
/* Fill 0 fields of l with the defaults. */
void lcc_limits_resolve(LccLimits *l);

/* Overflow-checked size arithmetic: return 0 and set *r, or 1 on overflow. */
static inline int lcc_mul_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
    if (a && b > UINT64_MAX / a)
        return 1;
    *r = a * b;
    return 0;
}

/* Little-endian byte access. */
static inline uint16_t lcc_rl16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t lcc_rl32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t lcc_rl64(const uint8_t *p)
{
    return (uint64_t)lcc_rl32(p) | (uint64_t)lcc_rl32(p + 4) << 32;
}
static inline void lcc_wl16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void lcc_wl32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void lcc_wl64(uint8_t *p, uint64_t v)
{
    lcc_wl32(p, (uint32_t)v);
    lcc_wl32(p + 4, (uint32_t)(v >> 32));
}

/* CRC-32 (ISO-HDLC, the one of PNG and zlib): crc = lcc_crc32(0, buf, n),
 * continued with lcc_crc32(crc, more, m). */
uint32_t lcc_crc32(uint32_t crc, const void *buf, size_t n);

/* A growable byte buffer for writers. On allocation failure `failed` is
 * set and later appends do nothing; check it once at the end. */
typedef struct LccBuf {
    uint8_t *data;
    size_t size, cap;
    int failed;
} LccBuf;

void lcc_buf_append(LccBuf *b, const void *p, size_t n);
void lcc_buf_u8(LccBuf *b, uint8_t v);
void lcc_buf_u16(LccBuf *b, uint16_t v);
void lcc_buf_u32(LccBuf *b, uint32_t v);
void lcc_buf_u64(LccBuf *b, uint64_t v);
void lcc_buf_free(LccBuf *b);

/* A bounded reader with a sticky error flag (never reads past end). */
typedef struct LccReader {
    const uint8_t *p, *end;
    int error;              /* set when a read ran past end */
} LccReader;

static inline void lcc_reader_init(LccReader *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->end = p + n;
    r->error = 0;
}
static inline size_t lcc_reader_left(const LccReader *r) { return (size_t)(r->end - r->p); }
const uint8_t *lcc_reader_take(LccReader *r, size_t n); /* NULL (and error) if short */
uint8_t lcc_reader_u8(LccReader *r);
uint16_t lcc_reader_u16(LccReader *r);
uint32_t lcc_reader_u32(LccReader *r);
uint64_t lcc_reader_u64(LccReader *r);

/* True if path's extension (after the last '.') equals ext, ignoring case. */
int lcc_has_ext(const char *path, const char *ext);

/* Atomic output. lcc_tmp_create makes an empty temporary file beside path
 * (same directory, so rename is atomic) and returns its open descriptor
 * and malloc'ed name in *tmp. Write it (through the fd or by name), then
 * lcc_tmp_commit (fsync + rename over path, frees *tmp) or lcc_tmp_abort
 * (unlink, frees *tmp). Both accept *tmp == NULL. An existing device or
 * pipe at path (/dev/null, a FIFO) is opened in place instead: *tmp is then
 * "" (write by name to path), and commit and abort only free it. */
lcc_status lcc_tmp_create(LccContext *c, const char *path, int *fd, char **tmp);
lcc_status lcc_tmp_commit(LccContext *c, char **tmp, const char *path);
void lcc_tmp_abort(char **tmp);

#endif /* LCC_INTERNAL_H */
