/* Context, errors, version and small shared utilities. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libcodec/internal.h"

const char *lcc_version(void)
{
    return LCC_VERSION_STRING;
}

unsigned lcc_version_api(void)
{
    return LCC_API_VERSION_MAJOR << 16 | LCC_API_VERSION_MINOR << 8 | LCC_API_VERSION_PATCH;
}

const char *lcc_strerror(const lcc_status err)
{
    switch (err) {
    case LCC_OK: return "success";
    case LCC_EINVAL: return "invalid argument";
    case LCC_ENOMEM: return "out of memory";
    case LCC_ENOTSUP: return "not supported";
    case LCC_EIO: return "input/output error";
    case LCC_ENOENT: return "no such file";
    case LCC_EBADMSG: return "corrupt or truncated data";
    case LCC_ERANGE: return "size exceeds a limit";
    case LCC_EINTERNAL: return "internal error";
    case LCC_EMODEL: return "model missing or mismatched";
    case LCC_EFORMAT: return "unrecognised file format";
    default: return "unknown error";
    }
}

void lcc_limits_resolve(LccLimits *const l)
{
    if (!l->max_pixels) l->max_pixels = LCC_DEFAULT_MAX_PIXELS;
    if (!l->max_dimension) l->max_dimension = LCC_DEFAULT_MAX_DIMENSION;
    if (!l->max_frames) l->max_frames = LCC_DEFAULT_MAX_FRAMES;
    if (!l->max_samples) l->max_samples = LCC_DEFAULT_MAX_SAMPLES;
}

static const LccLimits default_limits = {
    LCC_DEFAULT_MAX_PIXELS, LCC_DEFAULT_MAX_DIMENSION, LCC_DEFAULT_MAX_FRAMES, LCC_DEFAULT_MAX_SAMPLES,
};

const LccLimits *lcc_limits(const LccContext *const c)
{
    return c ? &c->settings.limits : &default_limits;
}

void lcc_default_settings(LccSettings *const s)
{
    memset(s, 0, sizeof(*s));
}

lcc_status lcc_open(LccContext **const out, const LccSettings *const s)
{
    if (!out)
        return LCC_EINVAL;
    *out = NULL;
    LccContext *const c = calloc(1, sizeof(*c));
    if (!c)
        return LCC_ENOMEM;
    if (s)
        c->settings = *s;
    if (c->settings.threads < 0) {
        free(c);
        return LCC_EINVAL;
    }
    lcc_limits_resolve(&c->settings.limits);
    *out = c;
    return LCC_OK;
}

void lcc_close(LccContext **const c)
{
    if (!c || !*c)
        return;
    for (int i = 0; i < LCC_CACHED_MODELS; i++)
        if ((*c)->models[i].obj)
            (*c)->models[i].destroy((*c)->models[i].obj);
    free(*c);
    *c = NULL;
}

void *lcc_model_cache_find(LccContext *const c, void (*const destroy)(void *), const char *const name,
                           const uint8_t id[8])
{
    for (int i = 0; c && i < LCC_CACHED_MODELS; i++) {
        LccCachedModel *const e = &c->models[i];
        if (e->obj && e->destroy == destroy &&
            ((name && !strcmp(e->name, name)) || (id && !memcmp(e->id, id, sizeof(e->id))))) {
            e->used = ++c->model_clock;
            return e->obj;
        }
    }
    return NULL;
}

int lcc_model_cache_add(LccContext *const c, void (*const destroy)(void *), const char *const name,
                        const uint8_t id[8], void *const obj)
{
    if (!c || (name && strlen(name) >= sizeof(c->models[0].name)))
        return 0;
    LccCachedModel *e = &c->models[0];
    for (int i = 1; i < LCC_CACHED_MODELS && e->obj; i++)
        if (!c->models[i].obj || c->models[i].used < e->used)
            e = &c->models[i];
    if (e->obj)
        e->destroy(e->obj);
    e->obj = obj;
    e->destroy = destroy;
    snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
    memcpy(e->id, id, sizeof(e->id));
    e->used = ++c->model_clock;
    return 1;
}

const char *lcc_last_error(const LccContext *const c)
{
    return c ? c->message : "";
}

const char *lcc_last_warning(const LccContext *const c)
{
    return c ? c->warning : "";
}

void lcc_warn(LccContext *const c, const char *const fmt, ...)
{
    if (!c)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->warning, sizeof(c->warning), fmt, ap);
    va_end(ap);
}

void lcc_clear_error(LccContext *const c)
{
    if (!c)
        return;
    c->first_error = 0;
    c->message[0] = '\0';
}

lcc_status lcc_error(LccContext *const c, const lcc_status code, const char *const fmt, ...)
{
    if (c && !c->first_error) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->message, sizeof(c->message), fmt, ap);
        va_end(ap);
        c->first_error = code;
    }
    return code;
}

void lcc_progress(LccContext *const c, const double fraction)
{
    if (c && c->settings.progress)
        c->settings.progress(c->settings.progress_opaque, fraction);
}

int lcc_has_ext(const char *const path, const char *const ext)
{
    const char *const dot = strrchr(path, '.');
    const char *const slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return 0;
    return !strcasecmp(dot + 1, ext);
}

/* ---- CRC-32 ------------------------------------------------------------ */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

uint32_t lcc_crc32(uint32_t crc, const void *const buf, const size_t n)
{
    pthread_once(&crc_once, crc_init);
    const uint8_t *p = buf;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- byte buffer and reader --------------------------------------------- */

void lcc_buf_append(LccBuf *const b, const void *const p, const size_t n)
{
    if (b->failed || !n)
        return;
    if (n > SIZE_MAX - b->size) {
        b->failed = 1;
        return;
    }
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + n)
            cap = cap > SIZE_MAX / 2 ? b->size + n : cap * 2;
        uint8_t *const d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->size, p, n);
    b->size += n;
}

void lcc_buf_u8(LccBuf *const b, const uint8_t v) { lcc_buf_append(b, &v, 1); }
void lcc_buf_u16(LccBuf *const b, const uint16_t v) { uint8_t t[2]; lcc_wl16(t, v); lcc_buf_append(b, t, 2); }
void lcc_buf_u32(LccBuf *const b, const uint32_t v) { uint8_t t[4]; lcc_wl32(t, v); lcc_buf_append(b, t, 4); }
void lcc_buf_u64(LccBuf *const b, const uint64_t v) { uint8_t t[8]; lcc_wl64(t, v); lcc_buf_append(b, t, 8); }

void lcc_buf_free(LccBuf *const b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

const uint8_t *lcc_reader_take(LccReader *const r, const size_t n)
{
    if (r->error || n > lcc_reader_left(r)) {
        r->error = 1;
        r->p = r->end;
        return NULL;
    }
    const uint8_t *const p = r->p;
    r->p += n;
    return p;
}

uint8_t lcc_reader_u8(LccReader *const r) { const uint8_t *p = lcc_reader_take(r, 1); return p ? p[0] : 0; }
uint16_t lcc_reader_u16(LccReader *const r) { const uint8_t *p = lcc_reader_take(r, 2); return p ? lcc_rl16(p) : 0; }
uint32_t lcc_reader_u32(LccReader *const r) { const uint8_t *p = lcc_reader_take(r, 4); return p ? lcc_rl32(p) : 0; }
uint64_t lcc_reader_u64(LccReader *const r) { const uint8_t *p = lcc_reader_take(r, 8); return p ? lcc_rl64(p) : 0; }
