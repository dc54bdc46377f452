/* Helpers shared by the subcommands: errors, options, JSON, progress. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_exit_code(const lcc_status err)
{
    switch (err) {
    case LCC_OK: return EXIT_OK;
    case LCC_EINVAL: return EXIT_USAGE;
    case LCC_EBADMSG:
    case LCC_EFORMAT:
    case LCC_ERANGE:
    case LCC_ENOTSUP:
    case LCC_EMODEL: return EXIT_BADINPUT;
    case LCC_EIO:
    case LCC_ENOENT: return EXIT_IO;
    default: return EXIT_INTERNAL;
    }
}

const char *cli_error_name(const lcc_status err)
{
    switch (err) {
    case LCC_OK: return "LCC_OK";
    case LCC_EINVAL: return "LCC_EINVAL";
    case LCC_ENOMEM: return "LCC_ENOMEM";
    case LCC_ENOTSUP: return "LCC_ENOTSUP";
    case LCC_EIO: return "LCC_EIO";
    case LCC_ENOENT: return "LCC_ENOENT";
    case LCC_EBADMSG: return "LCC_EBADMSG";
    case LCC_ERANGE: return "LCC_ERANGE";
    case LCC_EINTERNAL: return "LCC_EINTERNAL";
    case LCC_EMODEL: return "LCC_EMODEL";
    case LCC_EFORMAT: return "LCC_EFORMAT";
    default: return "LCC_E?";
    }
}

int cli_fail(const char *const cmd, LccContext *const c, const lcc_status err, const char *const what)
{
    const char *const msg = c ? lcc_last_error(c) : "";
    if (*msg)
        fprintf(stderr, "lcc %s: %s\n", cmd, msg);
    else
        fprintf(stderr, "lcc %s: %s: %s\n", cmd, what, lcc_strerror(err));
    return cli_exit_code(err);
}

int cli_usage_error(const char *const cmd, const char *const fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lcc %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'lcc %s --help'.\n", cmd);
    return EXIT_USAGE;
}

static CliProgress *current_progress;

int cli_open(const CliGlobal *const g, const char *const cmd, LccContext **const c)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = g->threads;
    s.model_dir = g->model_dir;
    s.limits = g->limits;
    s.progress = cli_progress_update;
    const lcc_status err = lcc_open(c, &s);
    if (err) {
        fprintf(stderr, "lcc %s: cannot create a context: %s\n", cmd, lcc_strerror(err));
        return cli_exit_code(err);
    }
    return EXIT_OK;
}

int cli_parse_int(const char *const s, int *const v)
{
    char *end;
    errno = 0;
    const long x = strtol(s, &end, 10);
    if (errno || end == s || *end || x < 0 || x > 1000000)
        return 1;
    *v = (int)x;
    return 0;
}

int cli_parse_double(const char *const s, double *const v)
{
    char *end;
    errno = 0;
    const double x = strtod(s, &end);
    if (errno || end == s || *end || !(x > 0) || !isfinite(x))
        return 1;
    *v = x;
    return 0;
}

int cli_same_file(const char *const a, const char *const b)
{
    struct stat sa, sb;
    if (stat(a, &sa) || stat(b, &sb))
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void cli_json_string(FILE *const f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void cli_json_number(FILE *const f, const double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void cli_progress_begin(CliProgress *const p, const CliGlobal *const g, const char *const label)
{
    p->label = label;
    p->start = p->last = cli_now();
    p->active = !g->quiet && isatty(STDERR_FILENO);
    current_progress = p;
}

void cli_progress_update(void *const opaque, const double fraction)
{
    (void)opaque;
    CliProgress *const p = current_progress;
    if (!p || !p->active)
        return;
    const double now = cli_now();
    if (now - p->last < 0.2 && fraction < 1.0)
        return;
    p->last = now;
    const double el = now - p->start;
    const double eta = fraction > 0.001 ? el * (1 - fraction) / fraction : 0;
    fprintf(stderr, "\r%s: %5.1f%%  %.1fs elapsed  ETA %.1fs ", p->label, 100 * fraction, el, eta);
    fflush(stderr);
}

void cli_progress_end(CliProgress *const p)
{
    if (p->active && p->last > p->start)
        fprintf(stderr, "\r\033[K");
    current_progress = NULL;
}
