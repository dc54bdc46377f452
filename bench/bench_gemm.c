/* lcc bench gemm: not implemented yet (placeholder until its issue lands). */
#include <stdio.h>

#include "bench/bench.h"

int lcc_bench_gemm(int argc, char **argv, int json)
{
    (void)argc;
    (void)argv;
    (void)json;
    fprintf(stderr, "lcc bench gemm: not implemented in this build\n");
    return 4;
}
