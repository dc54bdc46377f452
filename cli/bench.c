/* lcc bench NAME */
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc bench NAME [ARGS] [--json]\n"
    "Run a benchmark; with --json print one JSON object. Benchmarks:\n"
    "  codec FILE [--profile P] [--model F] [-q N] [--repeat N]  encode/decode speed\n"
    "  gemm      SGEMM GFLOPS of the engine next to the installed BLAS\n"
    "  conv      3x3 64->64 convolution on 256x256, forward and backward\n"
    "  entropy   rANS decoder throughput\n"
    "  wavelet   wavelet-packet transform speed\n"
    "Results and how they were measured: BENCHMARKS.md.\n";

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    if (argc < 1)
        return cli_usage_error("bench", "needs a benchmark name");
    for (const LccBench *b = lcc_benches; b->name; b++)
        if (!strcmp(b->name, argv[0]))
            return b->run(argc - 1, argv + 1, g->json);
    return cli_usage_error("bench", "unknown benchmark '%s'", argv[0]);
}

const CliCommand cli_bench = { "bench", "run a benchmark (gemm, conv, entropy, wavelet, codec)", usage_text, run };
