/* A minimal test harness: CHECK records a failure and goes on; the test's
 * main returns test_summary(), which prints "N passed, N failed". */
#ifndef LCC_TEST_H
#define LCC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            test_passed++;                                                           \
        } else {                                                                     \
            test_failed++;                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_MSG(cond, ...)                                               \
    do {                                                                   \
        if (cond) {                                                        \
            test_passed++;                                                 \
        } else {                                                           \
            test_failed++;                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

static inline int test_summary(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

/* A seeded xorshift generator; tests print their seed. */
static inline uint64_t test_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static inline uint64_t test_seed(void)
{
    const char *e = getenv("LCC_TEST_SEED");
    uint64_t s = e ? strtoull(e, NULL, 0) : 0x9e3779b97f4a7c15ull;
    if (!s)
        s = 1;
    printf("seed 0x%" PRIx64 " (set LCC_TEST_SEED to repeat)\n", s);
    return s;
}

#endif /* LCC_TEST_H */
