/* Allocation-failure test: every allocation the library makes while
 * decoding (and encoding) a stream of each profile is made to fail in turn.
 * Each run must end with an error code (or, where a failure has a
 * fallback, with a correct result), never a crash, and must free every
 * block it allocated: the wrappers keep the set of live blocks, which must
 * be empty after each run (LeakSanitizer checks the same in the sanitizer
 * build, where --stride N fails only every N-th allocation to save time).
 *
 * malloc, calloc, realloc, posix_memalign and free are wrapped at link
 * time (-Wl,--wrap=...), which reaches every call from the library's objects.
 *
 * Usage: test_alloc_fail VECTOR_DIR [--stride N]   (conformance/vectors) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcc/lcc.h"

void __real_free(void *p);
void __wrap_free(void *p);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);

static long counter;      /* allocations since arm() */
static long fail_at = -1; /* this one fails; -1 = none */
static long failed;       /* how many were made to fail */

static int should_fail(void)
{
    if (fail_at < 0)
        return 0;
    if (++counter == fail_at) {
        failed++;
        return 1;
    }
    return 0;
}

/* The live blocks allocated through the wrappers: an open-addressing set
 * (blocks freed here that were allocated elsewhere, e.g. by strdup inside
 * libc, are not in it and are ignored). */
#define LIVE_SLOTS (1 << 18)
#define TOMB ((void *)1)
static void *live[LIVE_SLOTS];
static long nlive;

static size_t slot_of(const void *const p)
{
    return (size_t)(((uintptr_t)p >> 4) * 2654435761u) & (LIVE_SLOTS - 1);
}

static void live_add(void *const p)
{
    if (!p)
        return;
    size_t i = slot_of(p);
    while (live[i] && live[i] != TOMB)
        i = (i + 1) & (LIVE_SLOTS - 1);
    live[i] = p;
    nlive++;
}

static void live_remove(const void *const p)
{
    if (!p)
        return;
    for (size_t i = slot_of(p); live[i]; i = (i + 1) & (LIVE_SLOTS - 1))
        if (live[i] == p) {
            live[i] = TOMB;
            nlive--;
            return;
        }
}

void *__wrap_malloc(const size_t n)
{
    if (should_fail())
        return NULL;
    void *const p = __real_malloc(n);
    live_add(p);
    return p;
}

void *__wrap_calloc(const size_t n, const size_t s)
{
    if (should_fail())
        return NULL;
    void *const p = __real_calloc(n, s);
    live_add(p);
    return p;
}

void *__wrap_realloc(void *const p, const size_t n)
{
    if (should_fail())
        return NULL;
    void *const q = __real_realloc(p, n);
    if (q || !n) {
        live_remove(p);
        live_add(q);
    }
    return q;
}

int __wrap_posix_memalign(void **const p, const size_t a, const size_t n)
{
    if (should_fail())
        return 12; /* ENOMEM */
    const int r = __real_posix_memalign(p, a, n);
    if (!r)
        live_add(*p);
    return r;
}

void __wrap_free(void *const p)
{
    live_remove(p);
    __real_free(p);
}

static void arm(const long k)
{
    memset(live, 0, sizeof(live));
    nlive = 0;
    counter = 0;
    failed = 0;
    fail_at = k;
}

static void disarm(void)
{
    fail_at = -1;
}

static uint8_t *read_all(const char *const path, size_t *const size)
{
    FILE *const f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *const b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return b;
}

typedef struct Case {
    const char *vector;    /* a conformance vector */
    const char *profile;   /* re-encoded with this profile */
    int quality;
} Case;

static const Case cases[] = {
    { "stored-img-rgba16.lcc", "stored", 0 },
    { "stored-aud-s24-mono.lcc", "stored", 0 },
    { "stored-vid-420-8.lcc", "stored", 0 },
    { "pc-img-rgb8-31x3.lcc", "pc", 0 },
    { "pc-idx-8x6.lcc", "pc", 0 },
    { "wae-ga8-q6.lcc", "wavelet-ae", 6 },
};

static int open_ctx(LccContext **const c, const char *const models)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = 1;
    s.model_dir = models;
    return lcc_open(c, &s);
}

/* Decode buf, failing allocation k; 1 if allocation k was never reached. */
static int try_decode(const char *const models, const uint8_t *const buf, const size_t size, const LccMedia *const ref,
                      const long k, int *const errors)
{
    arm(k);
    LccContext *c = NULL;
    lcc_status err = open_ctx(&c, models);
    LccMedia m = { 0 };
    if (!err)
        err = lcc_decode(c, buf, size, &m);
    const long reached = counter;
    const long nfailed = failed;
    disarm();
    if (!err && !lcc_media_equal(&m, ref)) {
        fprintf(stderr, "decode with allocation %ld failing: success but a different result\n", k);
        (*errors)++;
    }
    if (err && !nfailed) {
        fprintf(stderr, "decode failed (%s) though no allocation failed\n", lcc_strerror(err));
        (*errors)++;
    }
    lcc_media_free(&m);
    lcc_close(&c);
    if (nlive) {
        fprintf(stderr, "decode with allocation %ld failing: %ld blocks not freed\n", k, nlive);
        (*errors)++;
    }
    return reached < k;
}

static LccEncodeParams case_params(const Case *const t)
{
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = t->profile;
    if (t->quality)
        p.quality = t->quality;
    return p;
}

static int try_encode(const char *const models, const LccMedia *const in, const Case *const t, const long k,
                      int *const errors)
{
    arm(k);
    LccContext *c = NULL;
    lcc_status err = open_ctx(&c, models);
    const LccEncodeParams p = case_params(t);
    uint8_t *buf = NULL;
    size_t size = 0;
    if (!err)
        err = lcc_encode(c, in, &p, &buf, &size);
    const long reached = counter;
    const long nfailed = failed;
    disarm();
    if (err && !nfailed) {
        fprintf(stderr, "encode failed (%s) though no allocation failed\n", lcc_strerror(err));
        (*errors)++;
    }
    if (!err) {   /* whatever it wrote must decode */
        LccMedia m = { 0 };
        if (lcc_decode(c, buf, size, &m)) {
            fprintf(stderr, "encode with allocation %ld failing wrote a stream that does not decode\n", k);
            (*errors)++;
        }
        lcc_media_free(&m);
    }
    free(buf);
    lcc_close(&c);
    if (nlive) {
        fprintf(stderr, "encode with allocation %ld failing: %ld blocks not freed\n", k, nlive);
        (*errors)++;
    }
    return reached < k;
}

int main(int argc, char **argv)
{
    long stride = 1;
    if (argc == 4 && !strcmp(argv[2], "--stride"))
        stride = atol(argv[3]);
    if ((argc != 2 && argc != 4) || stride < 1) {
        fprintf(stderr, "usage: %s CONFORMANCE_VECTOR_DIR [--stride N]\n", argv[0]);
        return 2;
    }
    char models[4096];
    snprintf(models, sizeof(models), "%s/models", argv[1]);
    int errors = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const Case *const t = &cases[i];
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", argv[1], t->vector);
        size_t size = 0;
        uint8_t *const buf = read_all(path, &size);
        LccContext *c = NULL;
        LccMedia ref = { 0 };
        if (!buf || open_ctx(&c, models) || lcc_decode(c, buf, size, &ref)) {
            fprintf(stderr, "%s: cannot read or decode\n", path);
            return 1;
        }
        /* one unarmed encode first: the tables kept for the life of the
         * process (the Gaussian bank) are built outside the count */
        const LccEncodeParams p = case_params(t);
        uint8_t *warm = NULL;
        size_t warm_size = 0;
        if (lcc_encode(c, &ref, &p, &warm, &warm_size)) {
            fprintf(stderr, "%s: cannot encode\n", path);
            return 1;
        }
        free(warm);
        lcc_close(&c);
        long k = 1;
        while (!try_decode(models, buf, size, &ref, k, &errors))
            k += stride;
        const long ndec = k;
        k = 1;
        while (!try_encode(models, &ref, t, k, &errors))
            k += stride;
        printf("%-26s allocations made to fail (every %ld.): decode up to %4ld, encode (%s) up to %4ld\n",
               t->vector, stride, ndec, t->profile, k);
        fflush(stdout);
        lcc_media_free(&ref);
        free(buf);
    }
    printf("%d errors\n", errors);
    return errors ? 1 : 0;
}
