/* lcc bench entropy: rANS encode/decode throughput on one core.
 * - static: one 16-bit table (the Gaussian scale table entry nearest to
 *   sigma = 2, a typical latent), values drawn from it, bulk decode;
 * - gaussian: a per-symbol scale index (uniform over the 64 tables, so
 *   every table's lookup is exercised) from the integer Gaussian bank;
 * - context: the per-symbol decode call (lcc_rans_dec_get) as context
 *   models use it, one table per symbol.
 * Each figure is the median of --repeat runs over --symbols symbols. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "entropy/gaussian.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* A value drawn from table t's own distribution (escape symbol excluded). */
static int32_t draw(const LccCdf *t)
{
    for (;;) {
        const uint32_t slot = rnd() & ((1u << t->precision) - 1);
        uint32_t s = t->lut[slot >> t->lut_shift];
        while (t->cdf[s + 1] <= slot)
            s++;
        if (s + 1 < t->nsym)
            return t->offset + (int32_t)s;
    }
}

typedef struct Result {
    double enc, dec, dec_cpu, bits_per_symbol;
} Result;

/* CPU time of this thread: on a shared machine, the decode speed of one
 * core without the time the scheduler gave to others. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* mode 0: bulk array with bank->t[idx[0]]; 1: bulk indexed; 2: per-symbol calls. */
static int run(const LccCdfBank *bank, const uint16_t *idx, const int32_t *v, int32_t *out, size_t n,
               int mode, int repeat, Result *res)
{
    double *te = malloc((size_t)repeat * sizeof(double)), *td = malloc((size_t)repeat * sizeof(double));
    double *tc = malloc((size_t)repeat * sizeof(double));
    LccBuf buf = {0};
    int err = !te || !td || !tc;
    for (int r = 0; r < repeat && !err; r++) {
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        buf.size = 0;
        double t0 = lcc_bench_now();
        if (mode == 0)
            lcc_rans_enc_put_array(&e, &bank->t[idx[0]], v, n);
        else
            lcc_rans_enc_put_indexed(&e, bank, idx, v, n);
        err |= lcc_rans_enc_finish(&e, &buf) != 0;
        te[r] = lcc_bench_now() - t0;
        lcc_rans_enc_free(&e);
        LccRansDec d;
        t0 = lcc_bench_now();
        const double c0 = cpu_now();
        err |= lcc_rans_dec_init(&d, buf.data, buf.size, n) != 0;
        if (mode == 0) {
            lcc_rans_dec_get_array(&d, &bank->t[idx[0]], out, n);
        } else if (mode == 1) {
            lcc_rans_dec_get_indexed(&d, bank, idx, out, n);
        } else {
            for (size_t i = 0; i < n; i++)
                out[i] = lcc_rans_dec_get(&d, &bank->t[idx[i]]);
        }
        td[r] = lcc_bench_now() - t0;
        tc[r] = cpu_now() - c0;
        err |= lcc_rans_dec_finish(&d) != 0;
        err |= memcmp(v, out, n * sizeof(*v)) != 0;
    }
    if (!err) {
        res->enc = n / median(te, repeat) * 1e-6;
        res->dec = n / median(td, repeat) * 1e-6;
        res->dec_cpu = n / median(tc, repeat) * 1e-6;
        res->bits_per_symbol = buf.size * 8.0 / n;
    }
    lcc_buf_free(&buf);
    free(te);
    free(td);
    free(tc);
    return err;
}

int lcc_bench_entropy(int argc, char **argv, int json)
{
    long symbols = 4000000;
    int repeat = 7;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--symbols") && i + 1 < argc) {
            symbols = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            fprintf(stderr, "usage: lcc bench entropy [--symbols N (1000..100000000)] [--repeat N (1..100)] [--json]\n");
            return 1;
        }
    }
    if (symbols < 1000 || symbols > 100000000 || repeat < 1 || repeat > 100) {
        fprintf(stderr, "lcc bench entropy: --symbols must be 1000..10^8 and --repeat 1..100\n");
        return 1;
    }
    const size_t n = (size_t)symbols;
    LccCdfBank bank;
    if (lcc_scale_bank_build(&bank, LCC_DIST_GAUSSIAN, 16)) {
        fprintf(stderr, "lcc bench entropy: cannot build the tables\n");
        return 4;
    }
    int32_t *v = malloc(n * sizeof(*v)), *out = malloc(n * sizeof(*out));
    uint16_t *idx = malloc(n * sizeof(*idx));
    int err = !v || !out || !idx;
    Result st = {0}, ga = {0}, cx = {0};
    const uint16_t static_idx = (uint16_t)lcc_scale_index_q16(2 << 16);
    if (!err) {
        for (size_t i = 0; i < n; i++) {
            idx[i] = static_idx;
            v[i] = draw(&bank.t[static_idx]);
        }
        err |= run(&bank, idx, v, out, n, 0, repeat, &st);
        for (size_t i = 0; i < n; i++) {
            idx[i] = (uint16_t)(rnd() % LCC_SCALE_COUNT);
            v[i] = draw(&bank.t[idx[i]]);
        }
        err |= run(&bank, idx, v, out, n, 1, repeat, &ga);
        err |= run(&bank, idx, v, out, n, 2, repeat, &cx);
    }
    if (err) {
        fprintf(stderr, "lcc bench entropy: round trip failed\n");
    } else if (json) {
        printf("{\"benchmark\":\"entropy\",\"coder\":\"rans64x2\",\"precision\":16,\"symbols\":%zu,\"repeat\":%d,"
               "\"static_decode_msym_per_s\":%.2f,\"static_encode_msym_per_s\":%.2f,\"static_bits_per_symbol\":%.4f,"
               "\"gaussian_decode_msym_per_s\":%.2f,\"gaussian_encode_msym_per_s\":%.2f,"
               "\"gaussian_bits_per_symbol\":%.4f,\"context_decode_msym_per_s\":%.2f,"
               "\"static_decode_msym_per_cpu_s\":%.2f,\"gaussian_decode_msym_per_cpu_s\":%.2f,"
               "\"context_decode_msym_per_cpu_s\":%.2f}\n",
               n, repeat, st.dec, st.enc, st.bits_per_symbol, ga.dec, ga.enc, ga.bits_per_symbol, cx.dec,
               st.dec_cpu, ga.dec_cpu, cx.dec_cpu);
    } else {
        printf("rANS (2 x 64-bit states, 16-bit CDFs), one thread, %zu symbols, median of %d\n", n, repeat);
        printf("%-34s %10s %10s %10s %8s\n", "", "dec Msym/s", "(CPU time)", "enc Msym/s", "bits/sym");
        printf("%-34s %10.1f %10.1f %10.1f %8.3f\n", "static table (sigma 2)", st.dec, st.dec_cpu, st.enc,
               st.bits_per_symbol);
        printf("%-34s %10.1f %10.1f %10.1f %8.3f\n", "gaussian, per-symbol scale index", ga.dec, ga.dec_cpu,
               ga.enc, ga.bits_per_symbol);
        printf("%-34s %10.1f %10.1f %10s %8s\n", "gaussian, per-symbol decode calls", cx.dec, cx.dec_cpu, "-",
               "-");
    }
    free(v);
    free(out);
    free(idx);
    lcc_cdf_bank_free(&bank);
    return err ? 4 : 0;
}
