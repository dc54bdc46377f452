/* lcc: command-line front end. Uses the public API only (and the
 * benchmark registry for `lcc bench`). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const CliCommand *const commands[] = {
    &cli_encode, &cli_decode, &cli_info, &cli_compare, &cli_latents, &cli_sweep, &cli_train, &cli_profiles, &cli_bench,
};
#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *const f)
{
    fprintf(f,
            "Usage: lcc [GLOBAL OPTIONS] COMMAND [ARGS]\n"
            "lcc %s: learned-compression codec suite for images, audio and video.\n\n"
            "Commands:\n",
            lcc_version());
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f,
            "\nGlobal options (before or after the command):\n"
            "  --quiet        print nothing but errors\n"
            "  --json         machine-readable result on stdout\n"
            "  --threads N    worker threads (0 = all cores, default)\n"
            "  --model-dir D  search D for model weights first\n"
            "  --cpu ISA      restrict the kernels to c, avx2 or avx512 (as LCC_CPU)\n"
            "  --max-pixels N   refuse images and video frames of more than N pixels\n"
            "  --max-samples N  refuse media of more than N samples in total\n"
            "  --max-frames N   refuse video of more than N frames\n"
            "                 (defaults: 2^28 pixels, 2^30 samples, 100000 frames; a\n"
            "                 stream beyond a limit fails before anything is allocated)\n"
            "  -h, --help     help (lcc COMMAND --help for a command)\n"
            "  --version      print the version\n\n"
            "Exit codes: 0 ok, 1 usage, 2 bad input, 3 I/O error, 4 internal error.\n");
}

int main(int argc, char **argv)
{
    CliGlobal g = { 0 };
    const CliCommand *cmd = NULL;
    int help = 0;
    /* Take the global options out of argv wherever they are; keep the rest
     * (command operands and options) in order. */
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *const a = argv[i];
        if (!strcmp(a, "--")) {
            while (i < argc)
                argv[++n] = argv[i++];
            break;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-Q")) {
            g.quiet = 1;
        } else if (!strcmp(a, "--json")) {
            g.json = 1;
        } else if (!strcmp(a, "--threads") || !strcmp(a, "--model-dir") || !strcmp(a, "--cpu")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "lcc: %s needs a value\n", a);
                return EXIT_USAGE;
            }
            const char *const v = argv[++i];
            if (a[2] == 'm') {
                g.model_dir = v;
            } else if (a[2] == 'c') {
                /* read once by the library, on first use */
                if (strcmp(v, "c") && strcmp(v, "avx2") && strcmp(v, "avx512")) {
                    fprintf(stderr, "lcc: --cpu takes c, avx2 or avx512, not '%s'\n", v);
                    return EXIT_USAGE;
                }
                setenv("LCC_CPU", v, 1);
            } else if (cli_parse_int(v, &g.threads) || g.threads > 1024) {
                fprintf(stderr, "lcc: --threads needs a number from 0 to 1024, not '%s'\n", v);
                return EXIT_USAGE;
            } else {
                setenv("LCC_THREADS", v, 1); /* for the benchmarks */
            }
        } else if (!strcmp(a, "--max-pixels") || !strcmp(a, "--max-samples") || !strcmp(a, "--max-frames")) {
            char *end;
            errno = 0;
            const unsigned long long v = i + 1 < argc ? strtoull(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || errno || end == argv[i + 1] || *end || !v || argv[i + 1][0] == '-') {
                fprintf(stderr, "lcc: %s needs a positive number\n", a);
                return EXIT_USAGE;
            }
            i++;
            if (a[6] == 'p')
                g.limits.max_pixels = v;
            else if (a[6] == 's')
                g.limits.max_samples = v;
            else
                g.limits.max_frames = v;
        } else if (!strcmp(a, "--version")) {
            printf("lcc %s\n", lcc_version());
            return EXIT_OK;
        } else if (!cmd && (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help"))) {
            help = 1;
        } else if (!cmd && a[0] != '-') {
            for (size_t k = 0; k < NUM_COMMANDS && !cmd; k++)
                if (!strcmp(a, commands[k]->name))
                    cmd = commands[k];
            if (!cmd) {
                fprintf(stderr, "lcc: unknown command '%s'\nTry 'lcc --help'.\n", a);
                return EXIT_USAGE;
            }
        } else if (!cmd) {
            fprintf(stderr, "lcc: unknown option '%s'\nTry 'lcc --help'.\n", a);
            return EXIT_USAGE;
        } else {
            argv[++n] = argv[i];
        }
    }
    if (!cmd) {
        usage(help ? stdout : stderr);
        return help ? EXIT_OK : EXIT_USAGE;
    }
    for (int i = 1; i <= (cmd->sub_help && n > 1 ? 1 : n); i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(cmd->usage, stdout);
            return EXIT_OK;
        }
    }
    if (help) {
        fputs(cmd->usage, stdout);
        return EXIT_OK;
    }
    if (g.model_dir && cmd == &cli_bench) {
        /* the benchmarks open their own contexts: they search
         * $LCC_MODEL_PATH, so --model-dir goes first there */
        const char *const old = getenv("LCC_MODEL_PATH");
        char *const path = malloc(strlen(g.model_dir) + (old ? strlen(old) + 1 : 0) + 1);
        if (!path)
            return EXIT_INTERNAL;
        sprintf(path, "%s%s%s", g.model_dir, old ? ":" : "", old ? old : "");
        setenv("LCC_MODEL_PATH", path, 1);
        free(path);
    }
    return cmd->run(&g, n, argv + 1);
}
