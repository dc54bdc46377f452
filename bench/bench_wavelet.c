/* lcc bench wavelet: not implemented yet (placeholder until its issue lands). */
#include <stdio.h>

#include "bench/bench.h"

int lcc_bench_wavelet(int argc, char **argv, int json)
{
    (void)argc;
    (void)argv;
    (void)json;
    fprintf(stderr, "lcc bench wavelet: not implemented in this build\n");
    return 4;
}
