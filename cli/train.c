/* lcc train: placeholder until the first trainable model lands. */
#include "cli/cli.h"

static const char usage_text[] = "Usage: lcc train MODEL ... (no trainable model in this build yet)\n";

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    (void)g;
    (void)argc;
    (void)argv;
    fprintf(stderr, "lcc train: no trainable model in this build yet\n");
    return EXIT_USAGE;
}

const CliCommand cli_train = { "train", "train a model (checkpoints, --resume)", usage_text, run };
