/* Adam / AdamW with learning-rate schedules and global-norm clipping, and
 * checkpoints that restore the identical training state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/nn/nn.h"
#include "libcodec/sha256.h"

void lcc_adam_default(LccAdam *const o, const float lr)
{
    memset(o, 0, sizeof(*o));
    o->lr = lr;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->schedule = LCC_SCHED_CONSTANT;
    o->gamma = 0.5f;
    o->step_size = 1000;
    o->total_steps = 1000;
    o->final_frac = 0.01f;
}

float lcc_adam_lr(const LccAdam *const o)
{
    const double t = (double)o->t;
    double lr = o->lr;
    switch (o->schedule) {
    case LCC_SCHED_COSINE: {
        const double T = o->total_steps > 0 ? o->total_steps : 1;
        const double x = t < T ? t / T : 1.0;
        lr *= o->final_frac + (1.0 - o->final_frac) * 0.5 * (1.0 + cos(3.141592653589793 * x));
        break;
    }
    case LCC_SCHED_STEP:
        if (o->step_size > 0)
            lr *= pow(o->gamma, floor(t / o->step_size));
        break;
    default:
        break;
    }
    if (o->warmup > 0 && o->t < o->warmup)
        lr *= (t + 1.0) / o->warmup;
    return (float)lr;
}

double lcc_adam_step(LccAdam *const o, LccParams *const s)
{
    double sq = 0;
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        for (size_t k = 0; k < p->size; k++)
            sq += (double)p->g[k] * p->g[k];
    }
    const double norm = sqrt(sq);
    const float gscale = o->clip_norm > 0 && norm > o->clip_norm ? (float)(o->clip_norm / norm) : 1.0f;
    const float lr = lcc_adam_lr(o);
    o->t++;
    const float bc1 = (float)(1.0 - pow(o->beta1, (double)o->t));
    const float bc2 = (float)(1.0 - pow(o->beta2, (double)o->t));
    const float b1 = o->beta1, b2 = o->beta2, eps = o->eps;
    const float step = lr / bc1, isqbc2 = 1.0f / sqrtf(bc2);
    for (int i = 0; i < s->n; i++) {
        LccParam *const p = s->p[i];
        if (!p->m)
            p->m = calloc(p->size, sizeof(float));
        if (!p->v)
            p->v = calloc(p->size, sizeof(float));
        if (!p->m || !p->v)
            return -1.0;
        const float decay = o->weight_decay > 0 ? 1.0f - lr * o->weight_decay * p->decay : 1.0f;
        for (size_t k = 0; k < p->size; k++) {
            const float g = p->g[k] * gscale;
            p->m[k] = b1 * p->m[k] + (1.0f - b1) * g;
            p->v[k] = b2 * p->v[k] + (1.0f - b2) * g * g;
            p->w[k] = p->w[k] * decay - step * p->m[k] / (sqrtf(p->v[k]) * isqbc2 + eps);
        }
    }
    return norm;
}

/* ---- checkpoints --------------------------------------------------------------
 * "LCCK" u32 version, the optimiser (fixed fields), the generator state,
 * u32 count, then per parameter: u16 name length, name, u64 size, u8 has
 * moments, w[size] (and m, v) as little-endian float32; sha256 trailer. */

#define CKPT_VERSION 1
#define CKPT_MAX_BYTES ((size_t)1 << 33)

static void put_f32(LccBuf *const b, const float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    lcc_buf_u32(b, u);
}

static float get_f32(LccReader *const r)
{
    const uint32_t u = lcc_reader_u32(r);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static void put_floats(LccBuf *const b, const float *const v, const size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_f32(b, v[i]);
}

static lcc_status checkpoint_save(LccContext *const c, const char *const path, const LccNet *const net,
                                  const LccAdam *const o, const int moments)
{
    LccBuf b = { 0 };
    lcc_buf_append(&b, "LCCK", 4);
    lcc_buf_u32(&b, CKPT_VERSION);
    put_f32(&b, o->lr);
    put_f32(&b, o->beta1);
    put_f32(&b, o->beta2);
    put_f32(&b, o->eps);
    put_f32(&b, o->weight_decay);
    put_f32(&b, o->clip_norm);
    lcc_buf_u32(&b, (uint32_t)o->schedule);
    lcc_buf_u32(&b, (uint32_t)o->warmup);
    lcc_buf_u32(&b, (uint32_t)o->total_steps);
    lcc_buf_u32(&b, (uint32_t)o->step_size);
    put_f32(&b, o->gamma);
    put_f32(&b, o->final_frac);
    lcc_buf_u64(&b, (uint64_t)o->t);
    lcc_buf_u64(&b, net->rng.s);
    const LccParams *const s = &net->params;
    lcc_buf_u32(&b, (uint32_t)s->n);
    for (int i = 0; i < s->n; i++) {
        const LccParam *const p = s->p[i];
        const size_t len = strlen(p->name);
        lcc_buf_u16(&b, (uint16_t)len);
        lcc_buf_append(&b, p->name, len);
        lcc_buf_u64(&b, p->size);
        const int mom = moments && p->m && p->v;
        lcc_buf_u8(&b, (uint8_t)mom);
        put_floats(&b, p->w, p->size);
        if (mom) {
            put_floats(&b, p->m, p->size);
            put_floats(&b, p->v, p->size);
        }
    }
    if (b.failed) {
        lcc_buf_free(&b);
        return lcc_error(c, LCC_ENOMEM, "checkpoint: out of memory");
    }
    uint8_t h[32];
    lcc_sha256(b.data, b.size, h);
    lcc_buf_append(&b, h, 32);
    lcc_status err = b.failed ? lcc_error(c, LCC_ENOMEM, "checkpoint: out of memory")
                              : lcc_write_file_atomic(c, path, b.data, b.size);
    lcc_buf_free(&b);
    return err;
}

lcc_status lcc_checkpoint_save(LccContext *const c, const char *const path, const LccNet *const net,
                               const LccAdam *const o)
{
    return checkpoint_save(c, path, net, o, 1);
}

lcc_status lcc_checkpoint_save_weights(LccContext *const c, const char *const path, const LccNet *const net,
                                       const LccAdam *const o)
{
    return checkpoint_save(c, path, net, o, 0);
}

/* Read and check a checkpoint up to its tensors: *data (free it) holds
 * the file, r is at the tensor count, o and rng the optimiser state and
 * the network's generator. */
static lcc_status ckpt_open(LccContext *const c, const char *const path, uint8_t **const data, LccReader *const r,
                            LccAdam *const o, uint64_t *const rng)
{
    size_t size = 0;
    *data = NULL;
    lcc_status err = lcc_read_file(c, path, CKPT_MAX_BYTES, data, &size);
    if (err)
        return err;
    uint8_t h[32];
    if (size < 8 + 32 || memcmp(*data, "LCCK", 4))
        return lcc_error(c, LCC_EFORMAT, "%s: not an lcc checkpoint", path);
    lcc_sha256(*data, size - 32, h);
    if (memcmp(h, *data + size - 32, 32))
        return lcc_error(c, LCC_EBADMSG, "%s: checkpoint is damaged (sha256 mismatch)", path);
    lcc_reader_init(r, *data + 4, size - 4 - 32);
    const uint32_t version = lcc_reader_u32(r);
    if (version != CKPT_VERSION)
        return lcc_error(c, LCC_EMODEL, "%s: checkpoint version %u, this build reads %d", path, version, CKPT_VERSION);
    LccAdam a;
    memset(&a, 0, sizeof(a));
    a.lr = get_f32(r);
    a.beta1 = get_f32(r);
    a.beta2 = get_f32(r);
    a.eps = get_f32(r);
    a.weight_decay = get_f32(r);
    a.clip_norm = get_f32(r);
    a.schedule = (LccSchedule)lcc_reader_u32(r);
    a.warmup = (int)lcc_reader_u32(r);
    a.total_steps = (int)lcc_reader_u32(r);
    a.step_size = (int)lcc_reader_u32(r);
    a.gamma = get_f32(r);
    a.final_frac = get_f32(r);
    a.t = (int64_t)lcc_reader_u64(r);
    *rng = lcc_reader_u64(r);
    if (r->error || (unsigned)a.schedule > LCC_SCHED_STEP || a.warmup < 0 || a.total_steps < 0 || a.step_size < 0 ||
        a.t < 0 || !(a.beta1 >= 0.0f && a.beta1 < 1.0f) || !(a.beta2 >= 0.0f && a.beta2 < 1.0f) ||
        !(a.lr >= 0.0f) || !(a.eps > 0.0f))
        return lcc_error(c, LCC_EBADMSG, "%s: invalid optimiser state in checkpoint", path);
    *o = a;
    return LCC_OK;
}

lcc_status lcc_checkpoint_tensor_size(LccContext *const c, const char *const path, const char *const name,
                                      uint64_t *const n)
{
    uint8_t *data;
    LccReader r;
    LccAdam a;
    uint64_t rng;
    *n = 0;
    lcc_status err = ckpt_open(c, path, &data, &r, &a, &rng);
    const uint32_t count = err ? 0 : lcc_reader_u32(&r);
    for (uint32_t i = 0; i < count && !r.error; i++) {
        const uint16_t len = lcc_reader_u16(&r);
        const uint8_t *const tname = lcc_reader_take(&r, len);
        const uint64_t size = lcc_reader_u64(&r);
        const uint8_t mom = lcc_reader_u8(&r);
        if (!r.error && len == strlen(name) && !memcmp(tname, name, len)) {
            *n = size;
            break;
        }
        if (size > lcc_reader_left(&r) / 4 / (mom ? 3 : 1))
            break;
        r.p += size * 4 * (mom ? 3 : 1);
    }
    free(data);
    return err;
}

lcc_status lcc_checkpoint_load(LccContext *const c, const char *const path, LccNet *const net, LccAdam *const o)
{
    uint8_t *data;
    LccReader r;
    LccAdam a;
    uint64_t rng;
    lcc_status err = ckpt_open(c, path, &data, &r, &a, &rng);
    if (err)
        goto end;
    const uint32_t count = lcc_reader_u32(&r);
    if (r.error || count != (uint32_t)net->params.n) {
        err = lcc_error(c, LCC_EMODEL, "%s: checkpoint has %u tensors, the network %d", path, count, net->params.n);
        goto end;
    }
    /* validate everything before touching the network */
    const LccReader start = r;
    for (int pass = 0; pass < 2; pass++) {
        r = start;
        for (uint32_t i = 0; i < count; i++) {
            const uint16_t len = lcc_reader_u16(&r);
            const uint8_t *const name = lcc_reader_take(&r, len);
            const uint64_t n = lcc_reader_u64(&r);
            const uint8_t mom = lcc_reader_u8(&r);
            LccParam *const p = net->params.p[i];
            if (r.error || len != strlen(p->name) || memcmp(name, p->name, len) || n != p->size || mom > 1) {
                err = lcc_error(c, LCC_EMODEL, "%s: tensor %u does not match the network's %s", path, i, p->name);
                goto end;
            }
            const uint64_t bytes = n * 4 * (mom ? 3 : 1);
            if (bytes > lcc_reader_left(&r)) {
                err = lcc_error(c, LCC_EBADMSG, "%s: truncated checkpoint", path);
                goto end;
            }
            if (!pass) {
                r.p += bytes;
                continue;
            }
            if (mom && ((!p->m && !(p->m = calloc(p->size, sizeof(float)))) ||
                        (!p->v && !(p->v = calloc(p->size, sizeof(float)))))) {
                err = lcc_error(c, LCC_ENOMEM, "checkpoint: out of memory");
                goto end;
            }
            for (size_t k = 0; k < p->size; k++)
                p->w[k] = get_f32(&r);
            if (mom) {
                for (size_t k = 0; k < p->size; k++)
                    p->m[k] = get_f32(&r);
                for (size_t k = 0; k < p->size; k++)
                    p->v[k] = get_f32(&r);
            } else {
                free(p->m);
                free(p->v);
                p->m = p->v = NULL;
            }
        }
    }
    if (lcc_reader_left(&r)) {
        err = lcc_error(c, LCC_EBADMSG, "%s: trailing bytes in checkpoint", path);
        goto end;
    }
    *o = a;
    net->rng.s = rng;
end:
    free(data);
    return err;
}
