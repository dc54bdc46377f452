/* lcc bench gemm: SGEMM GFLOPS of the engine next to the installed BLAS,
 * measured in the same run.
 *
 * The engine runs in this process (all cores, or LCC_THREADS). The BLAS is
 * measured in child processes (this executable re-run with --blas-child),
 * because OpenBLAS fixes its kernel at load time from OPENBLAS_CORETYPE:
 *   blas_default: the environment with every OPENBLAS_* variable removed,
 *                 i.e. the BLAS as it configures itself;
 *   blas_env:     the environment as given (only when it sets OPENBLAS_*);
 *   blas_<core>:  OPENBLAS_CORETYPE=<core> for each candidate core type;
 *                 blas_best is the best of these and the default.
 * Each figure is the median of --repeat timed runs after one warm-up.
 *
 * The machine may be shared: a second set of figures runs everything on one
 * thread (engine without pool, BLAS children with OPENBLAS_NUM_THREADS=1)
 * and times the computing thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which
 * other processes on the machine disturb far less than wall-clock time. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/dsp/gemm.h"
#include "libcodec/thread.h"

#if defined(__has_include)
#if __has_include(<cblas.h>)
#include <cblas.h>
#define HAVE_CBLAS 1
#endif
#endif
#ifndef HAVE_CBLAS
#define HAVE_CBLAS 0
#endif

extern char **environ;

typedef struct Shape {
    const char *name;
    int m, n, k;
} Shape;

/* 1024^3, then the GEMMs of the autoencoders' convolutions (im2col:
 * M = output channels, N = output pixels, K = input channels x taps). */
static const Shape shapes[] = {
    { "1024", 1024, 1024, 1024 },
    { "conv3x3_64x64_c64", 64, 64 * 64, 64 * 9 },
    { "conv3x3_32x32_c128", 128, 32 * 32, 128 * 9 },
    { "conv5x5_16x16_c192", 192, 16 * 16, 192 * 25 },
    { "conv1x1_64x64_c128", 128, 64 * 64, 128 },
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(*shapes)))

static const char *const coretypes[] = { "Prescott", "Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen" };
#define NCORES ((int)(sizeof(coretypes) / sizeof(*coretypes)))

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(float *const p, const size_t n, unsigned s)
{
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
}

typedef int (*GemmFn)(void *opaque, const Shape *s, const float *a, const float *b, float *c);

static int use_cpu_clock;

static double clock_now(void)
{
    if (!use_cpu_clock)
        return lcc_bench_now();
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Median GFLOPS of repeat runs after a warm-up; -1 on failure. */
static double measure(const GemmFn fn, void *const opaque, const Shape *const s, const int repeat)
{
    const size_t na = (size_t)s->m * s->k, nb = (size_t)s->k * s->n, nc = (size_t)s->m * s->n;
    float *const a = malloc(na * sizeof(float)), *const b = malloc(nb * sizeof(float));
    float *const c = malloc(nc * sizeof(float));
    double *const t = malloc((size_t)repeat * sizeof(double));
    double g = -1;
    if (a && b && c && t) {
        fill(a, na, 1);
        fill(b, nb, 2);
        int ok = !fn(opaque, s, a, b, c);
        /* at least ~0.05 s per timed sample so that small shapes are not
         * dominated by timer noise */
        int inner = 1;
        const double t0 = clock_now();
        ok = ok && !fn(opaque, s, a, b, c);
        const double one = clock_now() - t0;
        if (one < 0.05)
            inner = (int)(0.05 / (one > 1e-7 ? one : 1e-7)) + 1;
        for (int r = 0; r < repeat && ok; r++) {
            const double t1 = clock_now();
            for (int i = 0; i < inner && ok; i++)
                ok = !fn(opaque, s, a, b, c);
            t[r] = (clock_now() - t1) / inner;
        }
        if (ok) {
            qsort(t, (size_t)repeat, sizeof(double), cmp_double);
            g = 2.0 * s->m * s->n * s->k / t[repeat / 2] * 1e-9;
        }
    }
    free(a);
    free(b);
    free(c);
    free(t);
    return g;
}

static int engine_gemm(void *const opaque, const Shape *const s, const float *a, const float *b, float *c)
{
    return lcc_sgemm(opaque, 0, 0, s->m, s->n, s->k, 1.0f, a, s->k, b, s->n, 0.0f, c, s->n);
}

#if HAVE_CBLAS
static int blas_gemm(void *const opaque, const Shape *const s, const float *a, const float *b, float *c)
{
    (void)opaque;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0f, a, s->k, b, s->n, 0.0f, c,
                s->n);
    return 0;
}
#endif

/* Child: print "corename g0 g1 ..." (all shapes, or only 1024^3). */
static int blas_child(const int all, const int repeat)
{
#if HAVE_CBLAS
    printf("%s", openblas_get_corename());
    for (int i = 0; i < (all ? NSHAPES : 1); i++)
        printf(" %.3f", measure(blas_gemm, NULL, &shapes[i], repeat));
    printf("\n");
    return 0;
#else
    (void)all;
    (void)repeat;
    return 4;
#endif
}

/* Run this executable as a BLAS child with the environment minus OPENBLAS_*
 * (keep_env: as is) plus coretype if given. Fills name and up to n values;
 * returns the number of values read, or -1. */
static int run_child(const int keep_env, const char *const coretype, const int all, const int repeat,
                     const int single, char name[64], double *const v, const int n)
{
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **const env = calloc(ne + 3, sizeof(char *));
    char core[96], one[] = "OPENBLAS_NUM_THREADS=1";
    if (!env)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (keep_env || strncmp(environ[i], "OPENBLAS_", 9))
            env[k++] = environ[i];
    if (coretype) {
        snprintf(core, sizeof(core), "OPENBLAS_CORETYPE=%s", coretype);
        env[k++] = core;
    }
    if (single)
        env[k++] = one;
    env[k] = NULL;
    char rep[16];
    snprintf(rep, sizeof(rep), "%d", repeat);
    char *argv[] = { "lcc", "bench", "gemm", all ? "--blas-child-all" : "--blas-child", "--repeat", rep,
                     single ? "--cpu-clock" : NULL, NULL };
    int fds[2];
    if (pipe(fds)) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    const int err = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fds[1]);
    if (err) {
        close(fds[0]);
        return -1;
    }
    FILE *const f = fdopen(fds[0], "r");
    int got = -1;
    if (f) {
        char line[1024];
        if (fgets(line, sizeof(line), f)) {
            char *p = line, *end;
            const size_t len = strcspn(p, " \n");
            snprintf(name, 64, "%.*s", (int)(len < 63 ? len : 63), p);
            p += len;
            got = 0;
            while (got < n) {
                const double x = strtod(p, &end);
                if (end == p)
                    break;
                v[got++] = x;
                p = end;
            }
        }
        fclose(f);
    } else {
        close(fds[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    return got;
}

static int env_sets_openblas(void)
{
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "OPENBLAS_", 9))
            return 1;
    return 0;
}

int lcc_bench_gemm(int argc, char **argv, int json)
{
    int repeat = 5, child = 0, noblas = 0, nosingle = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--blas-child"))
            child = 1;
        else if (!strcmp(argv[i], "--blas-child-all"))
            child = 2;
        else if (!strcmp(argv[i], "--no-blas"))
            noblas = 1;
        else if (!strcmp(argv[i], "--cpu-clock"))
            use_cpu_clock = 1;
        else if (!strcmp(argv[i], "--no-single"))
            nosingle = 1;
        else {
            fprintf(stderr, "usage: lcc bench gemm [--repeat N (1..100)] [--no-blas] [--no-single] [--json]\n");
            return 1;
        }
    }
    if (repeat < 1 || repeat > 100) {
        fprintf(stderr, "lcc bench gemm: --repeat must be 1..100\n");
        return 1;
    }
    if (child)
        return blas_child(child == 2, repeat);

    LccThreadPool *pool = NULL;
    if (lcc_pool_create(&pool, 0))
        return 4;
    LccGemm g;
    lcc_gemm_init(&g, lcc_cpu_flags(), pool);
    double eng[NSHAPES];
    for (int i = 0; i < NSHAPES; i++)
        eng[i] = measure(engine_gemm, &g, &shapes[i], repeat);
    const int threads = lcc_pool_threads(pool);
    lcc_gemm_uninit(&g);
    lcc_pool_free(&pool);
    /* single thread, thread CPU time */
    double eng1 = -1;
    if (!nosingle) {
        use_cpu_clock = 1;
        lcc_gemm_init(&g, lcc_cpu_flags(), NULL);
        eng1 = measure(engine_gemm, &g, &shapes[0], repeat);
        lcc_gemm_uninit(&g);
        use_cpu_clock = 0;
    }

    double bdef[NSHAPES], benv = -1, bcore[NCORES];
    char defname[64] = "", envname[64] = "", corename[NCORES][64];
    int have_blas = 0;
    for (int i = 0; i < NSHAPES; i++)
        bdef[i] = -1;
    for (int i = 0; i < NCORES; i++)
        bcore[i] = -1, corename[i][0] = 0;
    if (HAVE_CBLAS && !noblas) {
        have_blas = run_child(0, NULL, 1, repeat, 0, defname, bdef, NSHAPES) == NSHAPES;
        if (have_blas && env_sets_openblas())
            run_child(1, NULL, 0, repeat, 0, envname, &benv, 1);
        for (int i = 0; i < NCORES && have_blas; i++)
            if (run_child(0, coretypes[i], 0, repeat, 0, corename[i], &bcore[i], 1) != 1)
                bcore[i] = -1;
    }
    double bdef1 = -1, bbest1 = -1;
    char name1[64], best1name[64] = "";
    if (have_blas && !nosingle) {
        if (run_child(0, NULL, 0, repeat, 1, name1, &bdef1, 1) != 1)
            bdef1 = -1;
        bbest1 = bdef1;
        snprintf(best1name, sizeof(best1name), "%s", name1);
        for (int i = 0; i < NCORES; i++) {
            double v;
            if (run_child(0, coretypes[i], 0, repeat, 1, name1, &v, 1) == 1 && v > bbest1) {
                bbest1 = v;
                snprintf(best1name, sizeof(best1name), "%s", name1);
            }
        }
    }
    double best = bdef[0];
    const char *bestname = defname;
    for (int i = 0; i < NCORES; i++)
        if (bcore[i] > best)
            best = bcore[i], bestname = corename[i];

    const char *const cpu = lcc_cpu_name(lcc_cpu_flags());
    if (json) {
        printf("{\"benchmark\":\"gemm\",\"cpu\":\"%s\",\"threads\":%d,\"repeat\":%d,", cpu, threads, repeat);
        printf("\"engine_gflops\":%.2f,", eng[0]);
        if (have_blas) {
            printf("\"blas_default_gflops\":%.2f,\"blas_default_core\":\"%s\",", bdef[0], defname);
            printf("\"blas_best_gflops\":%.2f,\"blas_best_core\":\"%s\",", best, bestname);
            if (benv >= 0)
                printf("\"blas_env_gflops\":%.2f,\"blas_env_core\":\"%s\",", benv, envname);
            printf("\"engine_vs_blas_default\":%.2f,\"engine_vs_blas_best\":%.3f,", eng[0] / bdef[0],
                   eng[0] / best);
            printf("\"blas_coretypes\":{");
            for (int i = 0; i < NCORES; i++)
                printf("%s\"%s\":{\"core\":\"%s\",\"gflops\":%.2f}", i ? "," : "", coretypes[i], corename[i],
                       bcore[i]);
            printf("},");
        } else {
            printf("\"blas_default_gflops\":null,\"blas_best_gflops\":null,");
        }
        if (eng1 > 0) {
            printf("\"single_thread_cpu_time\":{\"engine_gflops\":%.2f", eng1);
            if (bdef1 > 0 && bbest1 > 0)
                printf(",\"blas_default_gflops\":%.2f,\"blas_best_gflops\":%.2f,\"blas_best_core\":\"%s\","
                       "\"engine_vs_blas_default\":%.2f,\"engine_vs_blas_best\":%.3f",
                       bdef1, bbest1, best1name, eng1 / bdef1, eng1 / bbest1);
            printf("},");
        }
        printf("\"shapes\":[");
        for (int i = 0; i < NSHAPES; i++) {
            printf("%s{\"name\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"engine_gflops\":%.2f", i ? "," : "",
                   shapes[i].name, shapes[i].m, shapes[i].n, shapes[i].k, eng[i]);
            if (have_blas)
                printf(",\"blas_default_gflops\":%.2f", bdef[i]);
            printf("}");
        }
        printf("]}\n");
    } else {
        printf("SGEMM, engine on %s with %d threads, median of %d\n", cpu, threads, repeat);
        printf("%-22s %6s %6s %6s %10s %12s\n", "shape", "M", "N", "K", "engine", "blas default");
        for (int i = 0; i < NSHAPES; i++) {
            printf("%-22s %6d %6d %6d %10.1f", shapes[i].name, shapes[i].m, shapes[i].n, shapes[i].k, eng[i]);
            if (have_blas)
                printf(" %12.1f", bdef[i]);
            printf("\n");
        }
        if (have_blas) {
            printf("BLAS default core: %s (%.1f GFLOPS at 1024^3)\n", defname, bdef[0]);
            if (benv >= 0)
                printf("BLAS with this environment's OPENBLAS_*: %s, %.1f GFLOPS\n", envname, benv);
            for (int i = 0; i < NCORES; i++)
                printf("  OPENBLAS_CORETYPE=%-15s -> %-15s %6.1f GFLOPS\n", coretypes[i], corename[i], bcore[i]);
            printf("engine / BLAS default = %.2fx, engine / BLAS best (%s) = %.0f%%\n", eng[0] / bdef[0], bestname,
                   100.0 * eng[0] / best);
        } else {
            printf("BLAS: not measured%s\n", HAVE_CBLAS ? " (--no-blas or child failed)" : " (not built with a CBLAS)");
        }
        if (eng1 > 0) {
            printf("One thread, thread CPU time, 1024^3: engine %.1f GFLOPS", eng1);
            if (bdef1 > 0 && bbest1 > 0)
                printf(", BLAS default %.1f, BLAS best %.1f (%s): %.2fx and %.0f%%", bdef1, bbest1, best1name,
                       eng1 / bdef1, 100.0 * eng1 / bbest1);
            printf("\n");
        }
    }
    return eng[0] > 0 ? 0 : 4;
}
