/* Allocation-failure test: every allocation the library makes while
 * decoding (and encoding) a stream of each profile is made to fail in turn.
 * Each run must end with an error code (or, where a failure has a
 * fallback, with a correct result), never a crash; leaks are caught by
 * LeakSanitizer in the sanitizer build (make test-sanitize).
 *
 * malloc, calloc, realloc and posix_memalign are wrapped at link time
 * (-Wl,--wrap=...), which reaches every call from the library's objects.
 *
 * Usage: test_alloc_fail VECTOR_DIR   (conformance/vectors) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcc/lcc.h"

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

void *__wrap_malloc(const size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(const size_t n, const size_t s)
{
    return should_fail() ? NULL : __real_calloc(n, s);
}

void *__wrap_realloc(void *const p, const size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

int __wrap_posix_memalign(void **const p, const size_t a, const size_t n)
{
    return should_fail() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}

static void arm(const long k)
{
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
    return reached < k;
}

static int try_encode(const char *const models, const LccMedia *const in, const Case *const t, const long k,
                      int *const errors)
{
    arm(k);
    LccContext *c = NULL;
    lcc_status err = open_ctx(&c, models);
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = t->profile;
    if (t->quality)
        p.quality = t->quality;
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
    return reached < k;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONFORMANCE_VECTOR_DIR\n", argv[0]);
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
        lcc_close(&c);
        long k = 1;
        while (!try_decode(models, buf, size, &ref, k, &errors))
            k++;
        const long ndec = k - 1;
        k = 1;
        while (!try_encode(models, &ref, t, k, &errors))
            k++;
        printf("%-26s decode: %4ld allocations, each failed once; encode (%s): %4ld\n", t->vector, ndec,
               t->profile, k - 1);
        fflush(stdout);
        lcc_media_free(&ref);
        free(buf);
    }
    printf("%d errors\n", errors);
    return errors ? 1 : 0;
}
