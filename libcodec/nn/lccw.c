/* *.lccw weight files: versioned, named, typed tensors with a sha256 model
 * id; parsed like a bitstream (every size checked against the bytes left
 * and against the shape it claims). Layout in nn.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/nn/nn.h"
#include "libcodec/sha256.h"

#define HEADER_BYTES (4 + 4 + 4 + 32 + 4)
#define MAX_TENSORS 65536
#define MAX_FILE ((size_t)1 << 32)

static const int type_bytes[4] = { 4, 1, 2, 4 };

static void shape_str(char *const out, const size_t n, const int ndim, const uint32_t *const d)
{
    int k = snprintf(out, n, "%u", d[0]);
    for (int i = 1; i < ndim && k > 0 && (size_t)k < n; i++)
        k += snprintf(out + k, n - (size_t)k, "x%u", d[i]);
}

/* ---- writing ---------------------------------------------------------------- */

void lcc_lccw_add(LccwWriter *const w, const char *const name, const int type, const int ndim,
                  const uint32_t *const dims, const void *const data)
{
    const size_t len = strlen(name);
    if (!len || len >= LCC_PARAM_NAME || type < 0 || type > LCCW_I32 || ndim < 1 || ndim > 4) {
        w->rec.failed = 1;
        return;
    }
    uint64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= dims[d];
    lcc_buf_u16(&w->rec, (uint16_t)len);
    lcc_buf_append(&w->rec, name, len);
    lcc_buf_u8(&w->rec, (uint8_t)type);
    lcc_buf_u8(&w->rec, (uint8_t)ndim);
    for (int d = 0; d < ndim; d++)
        lcc_buf_u32(&w->rec, dims[d]);
    lcc_buf_u64(&w->rec, n * (uint64_t)type_bytes[type]);
    for (uint64_t k = 0; k < n && !w->rec.failed; k++) {
        switch (type) {
        case LCCW_F32: {
            uint32_t u;
            memcpy(&u, (const float *)data + k, 4);
            lcc_buf_u32(&w->rec, u);
            break;
        }
        case LCCW_I8: lcc_buf_u8(&w->rec, (uint8_t)((const int8_t *)data)[k]); break;
        case LCCW_I16: lcc_buf_u16(&w->rec, (uint16_t)((const int16_t *)data)[k]); break;
        default: lcc_buf_u32(&w->rec, (uint32_t)((const int32_t *)data)[k]); break;
        }
    }
    w->count++;
}

lcc_status lcc_lccw_finish(LccContext *const c, LccwWriter *const w, LccBuf *const out, uint8_t id[32])
{
    uint8_t mid[32];
    lcc_status err = LCC_OK;
    if (w->rec.failed) {
        err = lcc_error(c, LCC_ENOMEM, "lccw: out of memory or invalid tensor");
        goto end;
    }
    lcc_sha256(w->rec.data, w->rec.size, mid);
    lcc_buf_append(out, "LCCW", 4);
    lcc_buf_u32(out, LCCW_VERSION);
    lcc_buf_u32(out, w->count);
    lcc_buf_append(out, mid, 32);
    if (!out->failed)
        lcc_buf_u32(out, lcc_crc32(0, out->data + out->size - (HEADER_BYTES - 4), HEADER_BYTES - 4));
    lcc_buf_append(out, w->rec.data, w->rec.size);
    if (!out->failed) {
        uint8_t h[32];
        lcc_sha256(out->data, out->size, h);
        lcc_buf_append(out, h, 32);
    }
    if (out->failed)
        err = lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    else if (id)
        memcpy(id, mid, 32);
end:
    lcc_buf_free(&w->rec);
    w->count = 0;
    return err;
}

lcc_status lcc_lccw_encode(LccContext *const c, const LccParams *const s, LccBuf *const out, uint8_t id[32])
{
    LccwWriter w = { { 0 }, 0 };
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        uint32_t dims[4];
        for (int d = 0; d < p->ndim; d++)
            dims[d] = (uint32_t)p->shape[d];
        lcc_lccw_add(&w, p->name, LCCW_F32, p->ndim, dims, p->w);
    }
    return lcc_lccw_finish(c, &w, out, id);
}

lcc_status lcc_lccw_write(LccContext *const c, const char *const path, const LccParams *const s, uint8_t id[32])
{
    LccBuf b = { 0 };
    lcc_status err = lcc_lccw_encode(c, s, &b, id);
    if (!err)
        err = lcc_write_file_atomic(c, path, b.data, b.size);
    lcc_buf_free(&b);
    return err;
}

/* ---- parsing ------------------------------------------------------------------- */

lcc_status lcc_lccw_parse(LccContext *const c, const uint8_t *const data, const size_t size,
                          const uint8_t *const expect_id, LccwTensor **const out, uint32_t *const count_out,
                          uint8_t id[32])
{
    *out = NULL;
    *count_out = 0;
    if (size < 4 || memcmp(data, "LCCW", 4))
        return lcc_error(c, LCC_EFORMAT, "lccw: not a weight file (bad magic)");
    if (size < HEADER_BYTES + 32)
        return lcc_error(c, LCC_EBADMSG, "lccw: truncated header (%zu bytes)", size);
    const uint32_t version = lcc_rl32(data + 4);
    if (version != LCCW_VERSION)
        return lcc_error(c, LCC_EMODEL, "lccw: version %u, this build reads version %d", version, LCCW_VERSION);
    if (lcc_crc32(0, data, HEADER_BYTES - 4) != lcc_rl32(data + HEADER_BYTES - 4))
        return lcc_error(c, LCC_EBADMSG, "lccw: header CRC mismatch");
    /* The header CRC covers the model id and the id is the sha256 of the
     * records, so these two checks cover every byte before the trailer;
     * the trailer (sha256 of those bytes, for tools) is not hashed again:
     * that would double the cost of loading a model. */
    uint8_t h[32];
    const uint32_t count = lcc_rl32(data + 8);
    const uint8_t *const file_id = data + 12;
    lcc_sha256(data + HEADER_BYTES, size - HEADER_BYTES - 32, h);
    if (memcmp(h, file_id, 32))
        return lcc_error(c, LCC_EBADMSG, "lccw: file damaged (the records do not match the model id)");
    if (expect_id && memcmp(expect_id, file_id, 32)) {
        char a[65], b[65];
        lcc_sha256_hex(file_id, a);
        lcc_sha256_hex(expect_id, b);
        return lcc_error(c, LCC_EMODEL, "lccw: model id %.16s..., expected %.16s...", a, b);
    }
    /* each record takes at least 2 + 1 + 1 + 1 + 4 + 8 bytes */
    if (count > MAX_TENSORS || count > (size - HEADER_BYTES - 32) / 17)
        return lcc_error(c, LCC_EBADMSG, "lccw: %u tensors cannot fit in %zu bytes", count, size);
    LccwTensor *const rec = calloc(count ? count : 1, sizeof(*rec));
    if (!rec)
        return lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    lcc_status err = LCC_OK;
    LccReader r;
    lcc_reader_init(&r, data + HEADER_BYTES, size - HEADER_BYTES - 32);
    for (uint32_t i = 0; i < count && !err; i++) {
        LccwTensor *const t = &rec[i];
        const unsigned len = lcc_reader_u16(&r);
        const uint8_t *const name = lcc_reader_take(&r, len);
        t->type = lcc_reader_u8(&r);
        t->ndim = lcc_reader_u8(&r);
        if (r.error)
            err = lcc_error(c, LCC_EBADMSG, "lccw: truncated record %u", i);
        else if (!len || len >= LCC_PARAM_NAME || memchr(name, 0, len))
            err = lcc_error(c, LCC_EBADMSG, "lccw: record %u: bad name (length %u)", i, len);
        if (err)
            break;
        memcpy(t->name, name, len);
        t->name[len] = 0;
        if (t->type > LCCW_I32 || t->ndim < 1 || t->ndim > 4) {
            err = lcc_error(c, LCC_EBADMSG, "lccw: %s: bad type %d or rank %d", t->name, t->type, t->ndim);
            break;
        }
        uint64_t elems = 1;
        for (int d = 0; d < t->ndim && !err; d++) {
            t->dims[d] = lcc_reader_u32(&r);
            if (!t->dims[d] || lcc_mul_overflow(elems, t->dims[d], &elems) || elems > ((uint64_t)1 << 32))
                err = lcc_error(c, LCC_EBADMSG, "lccw: %s: bad dimension", t->name);
        }
        t->elems = elems;
        t->bytes = lcc_reader_u64(&r);
        if (!err && (r.error || t->bytes != elems * (uint64_t)type_bytes[t->type]))
            err = lcc_error(c, LCC_EBADMSG, "lccw: %s: %llu bytes do not match its shape", t->name,
                            (unsigned long long)t->bytes);
        if (!err && t->bytes > lcc_reader_left(&r))
            err = lcc_error(c, LCC_EBADMSG, "lccw: %s: truncated data", t->name);
        if (!err) {
            t->data = r.p;
            r.p += t->bytes;
        }
        for (uint32_t j = 0; j < i && !err; j++)
            if (!strcmp(rec[j].name, t->name))
                err = lcc_error(c, LCC_EBADMSG, "lccw: tensor %s appears twice", t->name);
    }
    if (!err && lcc_reader_left(&r))
        err = lcc_error(c, LCC_EBADMSG, "lccw: %zu bytes after the last tensor", lcc_reader_left(&r));
    if (err) {
        free(rec);
        return err;
    }
    *out = rec;
    *count_out = count;
    if (id)
        memcpy(id, file_id, 32);
    return LCC_OK;
}

const LccwTensor *lcc_lccw_find(const LccwTensor *const t, const uint32_t count, const char *const name)
{
    for (uint32_t i = 0; i < count; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}

lcc_status lcc_lccw_expect(LccContext *const c, const LccwTensor *const t, const int type, const int ndim,
                           const uint32_t *const dims)
{
    static const char *const names[4] = { "float32", "int8", "int16", "int32" };
    if (t->type != type)
        return lcc_error(c, LCC_EMODEL, "lccw: tensor %s has type %s, expected %s", t->name, names[t->type],
                         names[type]);
    if (t->ndim != ndim || memcmp(t->dims, dims, sizeof(uint32_t) * (size_t)ndim)) {
        char a[64], b[64];
        shape_str(a, sizeof(a), t->ndim, t->dims);
        shape_str(b, sizeof(b), ndim, dims);
        return lcc_error(c, LCC_EMODEL, "lccw: tensor %s has shape %s, the model expects %s", t->name, a, b);
    }
    return LCC_OK;
}

lcc_status lcc_lccw_decode(LccContext *const c, const uint8_t *const data, const size_t size, LccParams *const s,
                           const uint8_t *const expect_id, uint8_t id[32])
{
    LccwTensor *rec;
    uint32_t count;
    uint8_t fid[32];
    lcc_status err = lcc_lccw_parse(c, data, size, expect_id, &rec, &count, fid);
    if (err)
        return err;
    /* match against the model before changing anything */
    int *const match = calloc(count ? count : 1, sizeof(int));
    if (!match)
        err = lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    for (int i = 0; i < s->n && !err; i++) {
        const LccParam *const p = s->p[i];
        const LccwTensor *const t = lcc_lccw_find(rec, count, p->name);
        if (!t) {
            err = lcc_error(c, LCC_EMODEL, "lccw: missing tensor %s", p->name);
            break;
        }
        match[t - rec] = 1;
        uint32_t want[4];
        for (int d = 0; d < p->ndim; d++)
            want[d] = (uint32_t)p->shape[d];
        err = lcc_lccw_expect(c, t, LCCW_F32, p->ndim, want);
    }
    for (uint32_t j = 0; j < count && !err; j++)
        if (!match[j])
            err = lcc_error(c, LCC_EMODEL, "lccw: unexpected tensor %s (not in the model)", rec[j].name);
    for (int i = 0; i < s->n && !err; i++) {
        LccParam *const p = s->p[i];
        const LccwTensor *const t = lcc_lccw_find(rec, count, p->name);
        for (size_t k = 0; k < p->size; k++) {
            const uint32_t u = lcc_rl32(t->data + 4 * k);
            memcpy(&p->w[k], &u, 4);
        }
    }
    if (!err && id)
        memcpy(id, fid, 32);
    free(match);
    free(rec);
    return err;
}

lcc_status lcc_lccw_read(LccContext *const c, const char *const path, LccParams *const s,
                         const uint8_t *const expect_id, uint8_t id[32])
{
    uint8_t *data = NULL;
    size_t size = 0;
    lcc_status err = lcc_read_file(c, path, MAX_FILE, &data, &size);
    if (err)
        return err;
    err = lcc_lccw_decode(c, data, size, s, expect_id, id);
    free(data);
    return err;
}
