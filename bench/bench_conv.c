/* lcc bench conv: not implemented yet (placeholder until its issue lands). */
#include <stdio.h>

#include "bench/bench.h"

int lcc_bench_conv(int argc, char **argv, int json)
{
    (void)argc;
    (void)argv;
    (void)json;
    fprintf(stderr, "lcc bench conv: not implemented in this build\n");
    return 4;
}
