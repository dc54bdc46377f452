/* Shared pieces of the `lcc` subcommands. */
#ifndef LCC_CLI_H
#define LCC_CLI_H

#include <stdio.h>

#include "lcc/lcc.h"

/* Exit codes of the tool. */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 1,
    EXIT_BADINPUT = 2,
    EXIT_IO = 3,
    EXIT_INTERNAL = 4,
};

/* Options every subcommand accepts. */
typedef struct CliGlobal {
    int quiet;
    int json;
    int threads;
    const char *model_dir;
    LccLimits limits;        /* --max-pixels etc.; 0 = the library default */
} CliGlobal;

typedef struct CliCommand {
    const char *name;
    const char *summary;     /* one line for `lcc --help` */
    const char *usage;       /* full help text */
    int (*run)(const CliGlobal *g, int argc, char **argv); /* argv[0] = first operand */
    int sub_help;            /* 1: a --help after the first operand is run's (`lcc train image --help`) */
} CliCommand;

extern const CliCommand cli_encode, cli_decode, cli_info, cli_compare, cli_profiles, cli_bench, cli_sweep, cli_train, cli_latents;

/* Map an lcc_status to an exit code. */
int cli_exit_code(lcc_status err);
/* The macro name of an lcc_status ("LCC_EBADMSG"), "LCC_E?" if unknown. */
const char *cli_error_name(lcc_status err);
/* Print "lcc CMD: what: reason" on stderr (unless it is empty) and return
 * the exit code for err. */
int cli_fail(const char *cmd, LccContext *c, lcc_status err, const char *what);
/* Print a usage error and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Open a context with the global options (threads, model dir, progress). */
int cli_open(const CliGlobal *g, const char *cmd, LccContext **c);
/* Parse a non-negative integer / a positive double; 0 on success. */
int cli_parse_int(const char *s, int *v);
int cli_parse_double(const char *s, double *v);
/* 1 if a and b name the same existing file. */
int cli_same_file(const char *a, const char *b);
/* Print s as a JSON string literal. */
void cli_json_string(FILE *f, const char *s);
/* Print a double as JSON (null for NaN, 1e999-free: +inf as "inf" string
 * is not JSON, so infinities are printed as null and flagged separately). */
void cli_json_number(FILE *f, double v);

/* Progress line on stderr, only when stderr is a terminal and not quiet. */
typedef struct CliProgress {
    const char *label;
    double start, last;
    int active;
} CliProgress;

void cli_progress_begin(CliProgress *p, const CliGlobal *g, const char *label);
void cli_progress_update(void *opaque, double fraction); /* LccSettings.progress */
void cli_progress_end(CliProgress *p);

double cli_now(void);

#endif /* LCC_CLI_H */
