/* lcc bench codec: placeholder. */
#include <stdio.h>

#include "bench/bench.h"

int lcc_bench_codec(int argc, char **argv, int json)
{
    (void)argc;
    (void)argv;
    (void)json;
    fprintf(stderr, "lcc bench codec: not implemented yet\n");
    return 4;
}
