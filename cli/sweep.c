/* lcc sweep: placeholder until the rate-distortion sweep lands. */
#include "cli/cli.h"

static const char usage_text[] = "Usage: lcc sweep ... (not implemented yet)\n";

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    fprintf(stderr, "lcc sweep: not implemented yet\n");
    return EXIT_INTERNAL;
}

const CliCommand cli_sweep = { "sweep", "rate-distortion sweeps with the classical anchors, BD-rates, plots", usage_text, run };
