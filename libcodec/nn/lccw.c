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

enum { T_F32 = 0, T_I8 = 1, T_I16 = 2, T_I32 = 3 };
static const int type_bytes[4] = { 4, 1, 2, 4 };

typedef struct Record {
    const uint8_t *name;
    unsigned name_len;
    int type, ndim;
    uint32_t dims[4];
    const uint8_t *data;
    uint64_t bytes;
} Record;

static void shape_str(char *const out, const size_t n, const int ndim, const uint32_t *const d)
{
    int k = snprintf(out, n, "%u", d[0]);
    for (int i = 1; i < ndim && k > 0 && (size_t)k < n; i++)
        k += snprintf(out + k, n - (size_t)k, "x%u", d[i]);
}

lcc_status lcc_lccw_encode(LccContext *const c, const LccParams *const s, LccBuf *const out, uint8_t id[32])
{
    LccBuf rec = { 0 };
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        const size_t len = strlen(p->name);
        lcc_buf_u16(&rec, (uint16_t)len);
        lcc_buf_append(&rec, p->name, len);
        lcc_buf_u8(&rec, T_F32);
        lcc_buf_u8(&rec, (uint8_t)p->ndim);
        for (int d = 0; d < p->ndim; d++)
            lcc_buf_u32(&rec, (uint32_t)p->shape[d]);
        lcc_buf_u64(&rec, (uint64_t)p->size * 4);
        for (size_t k = 0; k < p->size; k++) {
            uint32_t u;
            memcpy(&u, &p->w[k], 4);
            lcc_buf_u32(&rec, u);
        }
    }
    uint8_t mid[32];
    lcc_sha256(rec.data, rec.size, mid);
    lcc_buf_append(out, "LCCW", 4);
    lcc_buf_u32(out, LCCW_VERSION);
    lcc_buf_u32(out, (uint32_t)s->n);
    lcc_buf_append(out, mid, 32);
    if (!out->failed)
        lcc_buf_u32(out, lcc_crc32(0, out->data + out->size - (HEADER_BYTES - 4), HEADER_BYTES - 4));
    lcc_buf_append(out, rec.data, rec.size);
    const int failed = rec.failed || out->failed;
    lcc_buf_free(&rec);
    if (failed)
        return lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    uint8_t h[32];
    lcc_sha256(out->data, out->size, h);
    lcc_buf_append(out, h, 32);
    if (out->failed)
        return lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    if (id)
        memcpy(id, mid, 32);
    return LCC_OK;
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

lcc_status lcc_lccw_decode(LccContext *const c, const uint8_t *const data, const size_t size, LccParams *const s,
                           const uint8_t *const expect_id, uint8_t id[32])
{
    if (size < 4 || memcmp(data, "LCCW", 4))
        return lcc_error(c, LCC_EFORMAT, "lccw: not a weight file (bad magic)");
    if (size < HEADER_BYTES + 32)
        return lcc_error(c, LCC_EBADMSG, "lccw: truncated header (%zu bytes)", size);
    const uint32_t version = lcc_rl32(data + 4);
    if (version != LCCW_VERSION)
        return lcc_error(c, LCC_EMODEL, "lccw: version %u, this build reads version %d", version, LCCW_VERSION);
    if (lcc_crc32(0, data, HEADER_BYTES - 4) != lcc_rl32(data + HEADER_BYTES - 4))
        return lcc_error(c, LCC_EBADMSG, "lccw: header CRC mismatch");
    uint8_t h[32];
    lcc_sha256(data, size - 32, h);
    if (memcmp(h, data + size - 32, 32))
        return lcc_error(c, LCC_EBADMSG, "lccw: file damaged (sha256 mismatch)");
    const uint32_t count = lcc_rl32(data + 8);
    const uint8_t *const file_id = data + 12;
    lcc_sha256(data + HEADER_BYTES, size - HEADER_BYTES - 32, h);
    if (memcmp(h, file_id, 32))
        return lcc_error(c, LCC_EBADMSG, "lccw: model id does not match the tensors");
    if (expect_id && memcmp(expect_id, file_id, 32)) {
        char a[65], b[65];
        lcc_sha256_hex(file_id, a);
        lcc_sha256_hex(expect_id, b);
        return lcc_error(c, LCC_EMODEL, "lccw: model id %.16s..., expected %.16s...", a, b);
    }
    /* each record takes at least 2 + 1 + 1 + 1 + 4 + 8 bytes */
    if (count > MAX_TENSORS || count > (size - HEADER_BYTES - 32) / 17)
        return lcc_error(c, LCC_EBADMSG, "lccw: %u tensors cannot fit in %zu bytes", count, size);
    Record *const rec = calloc(count ? count : 1, sizeof(*rec));
    if (!rec)
        return lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    lcc_status err = LCC_OK;
    LccReader r;
    lcc_reader_init(&r, data + HEADER_BYTES, size - HEADER_BYTES - 32);
    for (uint32_t i = 0; i < count && !err; i++) {
        Record *const t = &rec[i];
        t->name_len = lcc_reader_u16(&r);
        t->name = lcc_reader_take(&r, t->name_len);
        t->type = lcc_reader_u8(&r);
        t->ndim = lcc_reader_u8(&r);
        if (r.error)
            err = lcc_error(c, LCC_EBADMSG, "lccw: truncated record %u", i);
        else if (!t->name_len || t->name_len >= LCC_PARAM_NAME)
            err = lcc_error(c, LCC_EBADMSG, "lccw: record %u: name length %u", i, t->name_len);
        else if (t->type > T_I32 || t->ndim < 1 || t->ndim > 4)
            err = lcc_error(c, LCC_EBADMSG, "lccw: %.*s: bad type %d or rank %d", (int)t->name_len,
                            (const char *)t->name, t->type, t->ndim);
        if (err)
            break;
        uint64_t elems = 1;
        for (int d = 0; d < t->ndim; d++) {
            t->dims[d] = lcc_reader_u32(&r);
            if (!t->dims[d] || lcc_mul_overflow(elems, t->dims[d], &elems) || elems > ((uint64_t)1 << 32))
                err = lcc_error(c, LCC_EBADMSG, "lccw: %.*s: bad dimension", (int)t->name_len, (const char *)t->name);
        }
        t->bytes = lcc_reader_u64(&r);
        if (!err && (r.error || t->bytes != elems * (uint64_t)type_bytes[t->type]))
            err = lcc_error(c, LCC_EBADMSG, "lccw: %.*s: %llu bytes do not match its shape", (int)t->name_len,
                            (const char *)t->name, (unsigned long long)t->bytes);
        if (!err && t->bytes > lcc_reader_left(&r))
            err = lcc_error(c, LCC_EBADMSG, "lccw: %.*s: truncated data", (int)t->name_len, (const char *)t->name);
        if (!err) {
            t->data = r.p;
            r.p += t->bytes;
        }
        for (uint32_t j = 0; j < i && !err; j++)
            if (rec[j].name_len == t->name_len && !memcmp(rec[j].name, t->name, t->name_len))
                err = lcc_error(c, LCC_EBADMSG, "lccw: tensor %.*s appears twice", (int)t->name_len,
                                (const char *)t->name);
    }
    if (!err && lcc_reader_left(&r))
        err = lcc_error(c, LCC_EBADMSG, "lccw: %zu bytes after the last tensor", lcc_reader_left(&r));
    /* match against the model before changing anything */
    int *const match = err ? NULL : calloc(count ? count : 1, sizeof(int));
    if (!err && !match)
        err = lcc_error(c, LCC_ENOMEM, "lccw: out of memory");
    for (int i = 0; i < s->n && !err; i++) {
        const LccParam *const p = s->p[i];
        const size_t len = strlen(p->name);
        uint32_t j = 0;
        while (j < count && !(rec[j].name_len == len && !memcmp(rec[j].name, p->name, len)))
            j++;
        if (j == count) {
            err = lcc_error(c, LCC_EMODEL, "lccw: missing tensor %s", p->name);
            break;
        }
        match[j] = 1;
        uint32_t want[4];
        for (int d = 0; d < p->ndim; d++)
            want[d] = (uint32_t)p->shape[d];
        if (rec[j].type != T_F32)
            err = lcc_error(c, LCC_EMODEL, "lccw: tensor %s has type %d, expected float32", p->name, rec[j].type);
        else if (rec[j].ndim != p->ndim || memcmp(rec[j].dims, want, sizeof(uint32_t) * (size_t)p->ndim)) {
            char a[64], b[64];
            shape_str(a, sizeof(a), rec[j].ndim, rec[j].dims);
            shape_str(b, sizeof(b), p->ndim, want);
            err = lcc_error(c, LCC_EMODEL, "lccw: tensor %s has shape %s, the model expects %s", p->name, a, b);
        }
    }
    for (uint32_t j = 0; j < count && !err; j++)
        if (!match[j])
            err = lcc_error(c, LCC_EMODEL, "lccw: unexpected tensor %.*s (not in the model)", (int)rec[j].name_len,
                            (const char *)rec[j].name);
    if (!err) {
        for (int i = 0; i < s->n; i++) {
            LccParam *const p = s->p[i];
            const size_t len = strlen(p->name);
            uint32_t j = 0;
            while (!(rec[j].name_len == len && !memcmp(rec[j].name, p->name, len)))
                j++;
            for (size_t k = 0; k < p->size; k++) {
                const uint32_t u = lcc_rl32(rec[j].data + 4 * k);
                memcpy(&p->w[k], &u, 4);
            }
        }
        if (id)
            memcpy(id, file_id, 32);
    }
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
