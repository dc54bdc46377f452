/* lcc bench conv: GFLOPS of a 3x3, 64->64 convolution (stride 1, pad 1)
 * on a 256x256 input through the engine (im2col in bands + SGEMM), forward
 * and backward (data and weight gradients), median of --repeat runs after
 * a warm-up. Threads: all cores, or LCC_THREADS. With --cpu-clock: one
 * thread, timed on its CPU time (less disturbed on a shared machine). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/nn.h"

static int cpu_clock;

static double now(void)
{
    if (!cpu_clock)
        return lcc_bench_now();
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int lcc_bench_conv(int argc, char **argv, int json)
{
    int repeat = 5, size = 256, ch = 64;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size") && i + 1 < argc)
            size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--channels") && i + 1 < argc)
            ch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cpu-clock"))
            cpu_clock = 1;
        else {
            fprintf(stderr, "usage: lcc bench conv [--repeat N (1..100)] [--size S] [--channels C] [--cpu-clock] [--json]\n");
            return 1;
        }
    }
    if (repeat < 1 || repeat > 100 || size < 8 || size > 2048 || ch < 1 || ch > 1024) {
        fprintf(stderr, "lcc bench conv: --repeat 1..100, --size 8..2048, --channels 1..1024\n");
        return 1;
    }
    LccNn nn;
    if (lcc_nn_init(&nn, NULL, cpu_clock ? 1 : 0, lcc_cpu_flags()))
        return 4;
    LccNet net;
    if (lcc_net_init(&net, 1)) {
        lcc_nn_uninit(&nn);
        return 4;
    }
    LccLayer *const l = lcc_seq_conv2d(net.root, ch, ch, 3, 3, 1, 1, 1);
    double *const tf = calloc((size_t)repeat, sizeof(double)), *const tb = calloc((size_t)repeat, sizeof(double));
    int rc = 4;
    if (!l || !tf || !tb)
        goto end;
    const size_t n = (size_t)ch * size * size;
    float *const xd = malloc(n * sizeof(float)), *const dyd = malloc(n * sizeof(float));
    float *const yd = malloc(n * sizeof(float)), *const dxd = malloc(n * sizeof(float));
    if (xd && dyd && yd && dxd) {
        LccRng r;
        lcc_rng_seed(&r, 2);
        for (size_t i = 0; i < n; i++) {
            xd[i] = lcc_rng_uniform(&r) - 0.5f;
            dyd[i] = lcc_rng_uniform(&r) - 0.5f;
        }
        LccTensor x = { xd, 1, ch, size, size }, y = { yd, 1, ch, size, size };
        LccTensor dy = { dyd, 1, ch, size, size }, dx = { dxd, 1, ch, size, size };
        int ok = 1;
        for (int r2 = -1; r2 < repeat && ok; r2++) {
            lcc_nn_reset(&nn);
            const double t0 = now();
            ok = !lcc_layer_forward(&nn, l, &x, &y, 1);
            const double t1 = now();
            ok = ok && !lcc_layer_backward(&nn, l, &x, &y, &dy, &dx);
            const double t2 = now();
            if (r2 >= 0) {
                tf[r2] = t1 - t0;
                tb[r2] = t2 - t1;
            }
        }
        if (ok) {
            qsort(tf, (size_t)repeat, sizeof(double), cmp_double);
            qsort(tb, (size_t)repeat, sizeof(double), cmp_double);
            const double flops = 2.0 * ch * ch * 9.0 * size * size;   /* forward; backward is twice this */
            const double gf = flops / tf[repeat / 2] * 1e-9, gb = 2.0 * flops / tb[repeat / 2] * 1e-9;
            const char *const cpu = lcc_cpu_name(lcc_cpu_flags());
            if (json)
                printf("{\"benchmark\":\"conv\",\"kernel\":\"3x3\",\"cin\":%d,\"cout\":%d,\"height\":%d,\"width\":%d,"
                       "\"cpu\":\"%s\",\"threads\":%d,\"clock\":\"%s\",\"repeat\":%d,\"forward_ms\":%.3f,\"backward_ms\":%.3f,"
                       "\"forward_gflops\":%.2f,\"backward_gflops\":%.2f}\n",
                       ch, ch, size, size, cpu, lcc_pool_threads(nn.pool), cpu_clock ? "thread_cpu" : "wall",
                       repeat, 1e3 * tf[repeat / 2],
                       1e3 * tb[repeat / 2], gf, gb);
            else
                printf("conv 3x3 %d->%d on %dx%d, %s, %d threads, %s time, median of %d:\n"
                       "  forward  %8.2f ms  %6.1f GFLOPS\n  backward %8.2f ms  %6.1f GFLOPS (data + weight gradients)\n",
                       ch, ch, size, size, cpu, lcc_pool_threads(nn.pool), cpu_clock ? "thread CPU" : "wall-clock",
                       repeat, 1e3 * tf[repeat / 2], gf,
                       1e3 * tb[repeat / 2], gb);
            rc = 0;
        }
    }
    free(xd);
    free(dyd);
    free(yd);
    free(dxd);
end:
    free(tf);
    free(tb);
    lcc_net_free(&net);
    lcc_nn_uninit(&nn);
    return rc;
}
