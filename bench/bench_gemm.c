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
 * Each figure is the median of --repeat timed runs after one warm-up. At
 * 1024^3 the engine and the BLAS configurations alternate in --rounds
 * interleaved rounds (see lcc_bench_gemm); the reported figures and
 * ratios are medians over the rounds, with their min and max.
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

/* min, median, max of v[0..n) (n >= 1; v is sorted in place) */
typedef struct Spread {
    double min, med, max;
} Spread;

static Spread spread(double *const v, const int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    const Spread s = { v[0], n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v[n - 1] };
    return s;
}

static void json_spread(const char *const key, const Spread s, const char *const fmt)
{
    printf("\"%s\":", key);
    printf(fmt, s.med);
    printf(",\"%s_min\":", key);
    printf(fmt, s.min);
    printf(",\"%s_max\":", key);
    printf(fmt, s.max);
    printf(",");
}

#define MAX_ROUNDS 25

int lcc_bench_gemm(int argc, char **argv, int json)
{
    int repeat = 5, rounds = 7, child = 0, noblas = 0, nosingle = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
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
            fprintf(stderr, "usage: lcc bench gemm [--repeat N (1..100)] [--rounds N (1..%d)] [--no-blas] "
                            "[--no-single] [--json]\n", MAX_ROUNDS);
            return 1;
        }
    }
    if (repeat < 1 || repeat > 100) {
        fprintf(stderr, "lcc bench gemm: --repeat must be 1..100\n");
        return 1;
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "lcc bench gemm: --rounds must be 1..%d\n", MAX_ROUNDS);
        return 1;
    }
    if (child)
        return blas_child(child == 2, repeat);

    LccThreadPool *pool = NULL;
    if (lcc_pool_create(&pool, 0))
        return 4;
    LccGemm g;
    lcc_gemm_init(&g, lcc_cpu_flags(), pool);
    const int threads = lcc_pool_threads(pool);

    /* The conv shapes: engine, then the default BLAS, once. */
    double eng[NSHAPES], bdef[NSHAPES];
    char defname[64] = "", envname[64] = "", corename[NCORES][64];
    for (int i = 0; i < NSHAPES; i++)
        eng[i] = measure(engine_gemm, &g, &shapes[i], repeat), bdef[i] = -1;
    int have_blas = 0;
    if (HAVE_CBLAS && !noblas)
        have_blas = run_child(0, NULL, 1, repeat, 0, defname, bdef, NSHAPES) == NSHAPES;
    for (int i = 0; i < NCORES; i++)
        corename[i][0] = 0;

    /* 1024^3 in interleaved rounds: each round measures the engine (in this
     * process) and every BLAS configuration (child processes, which exit
     * before the next measurement starts, so no BLAS thread is left
     * spinning), close together in time; the engine goes first in even
     * rounds and last in odd ones. Load on a shared machine then hits both
     * sides of each round's ratio alike; the figures are medians over the
     * rounds, with their min and max. */
    double r_eng[MAX_ROUNDS], r_def[MAX_ROUNDS], r_best[MAX_ROUNDS], r_core[NCORES][MAX_ROUNDS], r_env[MAX_ROUNDS];
    double q_def[MAX_ROUNDS], q_best[MAX_ROUNDS];
    const int with_env = have_blas && env_sets_openblas();
    int nr = 0, nenv = 0, ncore[NCORES] = { 0 };
    for (int r = 0; r < rounds; r++) {
        double e = -1, d = -1;
        if (r % 2 == 0)
            e = measure(engine_gemm, &g, &shapes[0], repeat);
        if (have_blas) {
            char name[64];
            if (run_child(0, NULL, 0, repeat, 0, name, &d, 1) != 1)
                d = -1;
            double best = d;
            for (int i = 0; i < NCORES; i++) {
                double v;
                if (run_child(0, coretypes[i], 0, repeat, 0, corename[i], &v, 1) == 1 && v > 0) {
                    r_core[i][ncore[i]++] = v;
                    if (v > best)
                        best = v;
                }
            }
            if (with_env) {
                double v;
                if (run_child(1, NULL, 0, repeat, 0, envname, &v, 1) == 1 && v > 0)
                    r_env[nenv++] = v;
            }
            r_best[nr] = best;
        }
        if (r % 2 == 1)
            e = measure(engine_gemm, &g, &shapes[0], repeat);
        if (e <= 0 || (have_blas && d <= 0)) {
            have_blas = have_blas && d > 0;
            continue;
        }
        r_eng[nr] = e;
        r_def[nr] = d;
        if (have_blas) {
            q_def[nr] = e / d;
            q_best[nr] = e / r_best[nr];
        }
        nr++;
    }
    lcc_gemm_uninit(&g);
    lcc_pool_free(&pool);
    if (!nr) {
        fprintf(stderr, "lcc bench gemm: measurement failed\n");
        return 4;
    }
    /* per-round figures, in round order, before sorting */
    double p_eng[MAX_ROUNDS], p_def[MAX_ROUNDS], p_best[MAX_ROUNDS];
    memcpy(p_eng, r_eng, sizeof(p_eng));
    memcpy(p_def, r_def, sizeof(p_def));
    memcpy(p_best, r_best, sizeof(p_best));
    const Spread s_eng = spread(r_eng, nr);
    Spread s_def = { -1, -1, -1 }, s_best = s_def, s_qdef = s_def, s_qbest = s_def, s_env = s_def;
    Spread s_core[NCORES];
    int bestcore = -1;
    if (have_blas) {
        s_def = spread(r_def, nr);
        s_best = spread(r_best, nr);
        s_qdef = spread(q_def, nr);
        s_qbest = spread(q_best, nr);
        if (nenv)
            s_env = spread(r_env, nenv);
        for (int i = 0; i < NCORES; i++) {
            s_core[i] = ncore[i] ? spread(r_core[i], ncore[i]) : (Spread){ -1, -1, -1 };
            if (s_core[i].med > 0 && (bestcore < 0 || s_core[i].med > s_core[bestcore].med))
                bestcore = i;
        }
    }
    const char *const bestname = bestcore >= 0 && s_core[bestcore].med > s_def.med ? corename[bestcore] : defname;

    /* single thread, thread CPU time */
    double eng1 = -1;
    if (!nosingle) {
        use_cpu_clock = 1;
        lcc_gemm_init(&g, lcc_cpu_flags(), NULL);
        eng1 = measure(engine_gemm, &g, &shapes[0], repeat);
        lcc_gemm_uninit(&g);
        use_cpu_clock = 0;
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

    const char *const cpu = lcc_cpu_name(lcc_cpu_flags());
    if (json) {
        printf("{\"benchmark\":\"gemm\",\"cpu\":\"%s\",\"threads\":%d,\"repeat\":%d,\"rounds\":%d,", cpu, threads,
               repeat, nr);
        json_spread("engine_gflops", s_eng, "%.2f");
        if (have_blas) {
            json_spread("blas_default_gflops", s_def, "%.2f");
            printf("\"blas_default_core\":\"%s\",", defname);
            json_spread("blas_best_gflops", s_best, "%.2f");
            printf("\"blas_best_core\":\"%s\",", bestname);
            if (nenv) {
                json_spread("blas_env_gflops", s_env, "%.2f");
                printf("\"blas_env_core\":\"%s\",", envname);
            }
            json_spread("engine_vs_blas_default", s_qdef, "%.2f");
            json_spread("engine_vs_blas_best", s_qbest, "%.3f");
            printf("\"engine_vs_blas_default_of_medians\":%.2f,\"engine_vs_blas_best_of_medians\":%.3f,",
                   s_eng.med / s_def.med, s_eng.med / s_best.med);
            printf("\"blas_coretypes\":{");
            for (int i = 0; i < NCORES; i++)
                printf("%s\"%s\":{\"core\":\"%s\",\"gflops\":%.2f,\"gflops_min\":%.2f,\"gflops_max\":%.2f}",
                       i ? "," : "", coretypes[i], corename[i], s_core[i].med, s_core[i].min, s_core[i].max);
            printf("},");
        } else {
            printf("\"blas_default_gflops\":null,\"blas_best_gflops\":null,");
        }
        printf("\"per_round\":[");
        for (int r = 0; r < nr; r++) {
            printf("%s{\"engine_gflops\":%.2f", r ? "," : "", p_eng[r]);
            if (have_blas)
                printf(",\"blas_default_gflops\":%.2f,\"blas_best_gflops\":%.2f", p_def[r], p_best[r]);
            printf("}");
        }
        printf("],");
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
        printf("1024^3, %d interleaved rounds, median [min, max] GFLOPS:\n", nr);
        printf("  engine                      %6.1f [%.1f, %.1f]\n", s_eng.med, s_eng.min, s_eng.max);
        if (have_blas) {
            printf("  BLAS default (%s)%*s %6.1f [%.1f, %.1f]\n", defname, (int)(13 - strlen(defname)), "",
                   s_def.med, s_def.min, s_def.max);
            if (nenv)
                printf("  BLAS with this environment's OPENBLAS_* (%s): %.1f [%.1f, %.1f]\n", envname, s_env.med,
                       s_env.min, s_env.max);
            for (int i = 0; i < NCORES; i++)
                printf("  OPENBLAS_CORETYPE=%-15s -> %-15s %6.1f [%.1f, %.1f]\n", coretypes[i], corename[i],
                       s_core[i].med, s_core[i].min, s_core[i].max);
            printf("  best of each round          %6.1f [%.1f, %.1f]\n", s_best.med, s_best.min, s_best.max);
            printf("engine / BLAS default = %.2fx [%.2f, %.2f], engine / BLAS best (%s) = %.0f%% [%.0f, %.0f] "
                   "(medians of the per-round ratios)\n", s_qdef.med, s_qdef.min, s_qdef.max, bestname,
                   100.0 * s_qbest.med, 100.0 * s_qbest.min, 100.0 * s_qbest.max);
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
    return s_eng.med > 0 ? 0 : 4;
}
