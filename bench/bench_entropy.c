/* lcc bench entropy: not implemented yet (placeholder until its issue lands). */
#include <stdio.h>

#include "bench/bench.h"

int lcc_bench_entropy(int argc, char **argv, int json)
{
    (void)argc;
    (void)argv;
    (void)json;
    fprintf(stderr, "lcc bench entropy: not implemented in this build\n");
    return 4;
}
