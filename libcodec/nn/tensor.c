/* Engine, arena, generator and parameter sets. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/nn.h"

/* ---- generator: splitmix64 -------------------------------------------- */

void lcc_rng_seed(LccRng *const r, const uint64_t seed)
{
    r->s = seed;
}

uint64_t lcc_rng_u64(LccRng *const r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

float lcc_rng_uniform(LccRng *const r)
{
    return (float)(lcc_rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

float lcc_rng_normal(LccRng *const r)
{
    const double u1 = ((double)(lcc_rng_u64(r) >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = (double)(lcc_rng_u64(r) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

/* ---- arena --------------------------------------------------------------- */

struct LccArenaBlock {
    LccArenaBlock *next;
    size_t size, used;
    uint8_t *data;
};

static atomic_size_t arena_mallocs;

size_t lcc_arena_mallocs(void)
{
    return atomic_load(&arena_mallocs);
}

static LccArenaBlock *block_new(const size_t size)
{
    LccArenaBlock *const b = malloc(sizeof(*b));
    if (!b)
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, 64, size ? size : 64)) {
        free(b);
        return NULL;
    }
    atomic_fetch_add(&arena_mallocs, 1);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    b->data = p;
    return b;
}

void *lcc_arena_alloc(LccArena *const a, size_t bytes)
{
    bytes = (bytes + 63) & ~(size_t)63;
    if (!bytes)
        bytes = 64;
    LccArenaBlock *b = a->blocks;
    if (!b || b->size - b->used < bytes) {
        const size_t want = bytes > ((size_t)1 << 20) ? bytes : ((size_t)1 << 20);
        LccArenaBlock *const nb = block_new(want > a->peak ? want : a->peak);
        if (!nb)
            return NULL;
        nb->next = b;
        a->blocks = b = nb;
    }
    void *const p = b->data + b->used;
    b->used += bytes;
    a->used += bytes;
    if (a->used > a->peak)
        a->peak = a->used;
    return p;
}

float *lcc_arena_floats(LccArena *const a, const size_t n)
{
    if (n > SIZE_MAX / sizeof(float))
        return NULL;
    float *const p = lcc_arena_alloc(a, n * sizeof(float));
    if (p)
        memset(p, 0, n * sizeof(float));
    return p;
}

void lcc_arena_reset(LccArena *const a)
{
    LccArenaBlock *b = a->blocks;
    if (b && b->next) {
        /* several blocks: replace by one of the peak size */
        while (b) {
            LccArenaBlock *const nx = b->next;
            free(b->data);
            free(b);
            b = nx;
        }
        a->blocks = block_new(a->peak);
    } else if (b) {
        b->used = 0;
    }
    a->used = 0;
}

void lcc_arena_free(LccArena *const a)
{
    LccArenaBlock *b = a->blocks;
    while (b) {
        LccArenaBlock *const nx = b->next;
        free(b->data);
        free(b);
        b = nx;
    }
    memset(a, 0, sizeof(*a));
}

/* ---- engine ----------------------------------------------------------------- */

lcc_status lcc_nn_init(LccNn *const nn, LccContext *const ctx, int threads, const unsigned cpu_flags)
{
    memset(nn, 0, sizeof(*nn));
    nn->ctx = ctx;
    if (threads < 0)
        threads = ctx ? ctx->settings.threads : 0;
    if (threads != 1) {
        const lcc_status err = lcc_pool_create(&nn->pool, threads);
        if (err)
            return lcc_error(ctx, err, "nn: cannot start %d threads", threads);
    }
    lcc_gemm_init(&nn->gemm, cpu_flags, nn->pool);
    return LCC_OK;
}

void lcc_nn_uninit(LccNn *const nn)
{
    lcc_gemm_uninit(&nn->gemm);
    lcc_pool_free(&nn->pool);
    lcc_arena_free(&nn->arena);
}

void lcc_nn_reset(LccNn *const nn)
{
    lcc_arena_reset(&nn->arena);
}

LccTensor lcc_nn_tensor(LccNn *const nn, const int n, const int c, const int h, const int w)
{
    LccTensor t = { NULL, n, c, h, w };
    uint64_t sz;
    if (n < 0 || c < 0 || h < 0 || w < 0 || lcc_mul_overflow((uint64_t)n * (uint64_t)c, (uint64_t)h * w, &sz) ||
        sz > ((uint64_t)1 << 34))
        return t;
    t.d = lcc_arena_floats(&nn->arena, (size_t)sz);
    return t;
}

/* ---- parameters ---------------------------------------------------------------- */

LccParam *lcc_params_add(LccParams *const s, const char *const name, const int ndim, const int *const shape,
                         const float decay)
{
    if (ndim < 1 || ndim > 4 || strlen(name) >= LCC_PARAM_NAME || lcc_params_find(s, name))
        return NULL;
    size_t size = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] <= 0 || shape[i] > (1 << 24) || size > ((size_t)1 << 30) / (size_t)shape[i])
            return NULL;
        size *= (size_t)shape[i];
    }
    if (s->n == s->cap) {
        const int cap = s->cap ? 2 * s->cap : 16;
        LccParam **const np = realloc(s->p, (size_t)cap * sizeof(*np));
        if (!np)
            return NULL;
        s->p = np;
        s->cap = cap;
    }
    LccParam *const p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->ndim = ndim;
    for (int i = 0; i < 4; i++)
        p->shape[i] = i < ndim ? shape[i] : 1;
    p->size = size;
    p->decay = decay;
    p->w = calloc(size, sizeof(float));
    p->g = calloc(size, sizeof(float));
    if (!p->w || !p->g) {
        free(p->w);
        free(p->g);
        free(p);
        return NULL;
    }
    s->p[s->n++] = p;
    return p;
}

LccParam *lcc_params_find(const LccParams *const s, const char *const name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->p[i]->name, name))
            return s->p[i];
    return NULL;
}

void lcc_params_zero_grad(LccParams *const s)
{
    for (int i = 0; i < s->n; i++)
        memset(s->p[i]->g, 0, s->p[i]->size * sizeof(float));
}

void lcc_params_free(LccParams *const s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->p[i]->w);
        free(s->p[i]->g);
        free(s->p[i]->m);
        free(s->p[i]->v);
        free(s->p[i]);
    }
    free(s->p);
    memset(s, 0, sizeof(*s));
}

size_t lcc_params_count(const LccParams *const s)
{
    size_t n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->p[i]->size;
    return n;
}

void lcc_param_uniform(LccParam *const p, LccRng *const r, const float bound)
{
    for (size_t i = 0; i < p->size; i++)
        p->w[i] = (2.0f * lcc_rng_uniform(r) - 1.0f) * bound;
}

void lcc_param_fill(LccParam *const p, const float v)
{
    for (size_t i = 0; i < p->size; i++)
        p->w[i] = v;
}
