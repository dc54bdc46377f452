/* Registry of the benchmarks behind `lcc bench`. */
#include <time.h>

#include "bench/bench.h"

const LccBench lcc_benches[] = {
    { "codec", "encode/decode speed of a profile on a file: codec FILE [--profile P] [--model F] [-q N] [--repeat N]",
      lcc_bench_codec },
    { "gemm", "SGEMM GFLOPS of the engine next to the installed BLAS", lcc_bench_gemm },
    { "conv", "GFLOPS of a 3x3 64->64 convolution on 256x256, forward and backward", lcc_bench_conv },
    { "entropy", "rANS decoder throughput (static CDFs, Gaussian scale indices)", lcc_bench_entropy },
    { "wavelet", "wavelet-packet transform speed", lcc_bench_wavelet },
    { 0 },
};

double lcc_bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
