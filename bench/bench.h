/* Benchmarks run by `lcc bench NAME`. Each prints a human summary, or with
 * json != 0 exactly one JSON object on stdout. Return 0 on success or an
 * lcc CLI exit code (1 usage, 2 bad input, 3 I/O, 4 internal). */
#ifndef LCC_BENCH_H
#define LCC_BENCH_H

typedef struct LccBench {
    const char *name;
    const char *help;   /* one line */
    int (*run)(int argc, char **argv, int json);
} LccBench;

/* NULL-terminated table of the benchmarks. */
extern const LccBench lcc_benches[];

int lcc_bench_gemm(int argc, char **argv, int json);
int lcc_bench_conv(int argc, char **argv, int json);
int lcc_bench_entropy(int argc, char **argv, int json);
int lcc_bench_wavelet(int argc, char **argv, int json);
int lcc_bench_codec(int argc, char **argv, int json);

/* Monotonic seconds. */
double lcc_bench_now(void);

#endif /* LCC_BENCH_H */
