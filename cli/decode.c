/* lcc decode IN.lcc -o OUT */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/md5.h"

static const char usage_text[] =
    "Usage: lcc decode IN.lcc -o OUT [--md5]\n"
    "Decompress an .lcc file. The output format follows OUT's extension:\n"
    "images .png .ppm .pgm; audio .wav .flac .ogg (and what libsndfile writes);\n"
    "video .y4m, .mkv (FFV1, lossless) and the containers FFmpeg's libraries write.\n\n"
    "  -o, --output F   the file to write (atomically; never the input; a device\n"
    "                   or pipe is written in place)\n"
    "  --md5            print the MD5 of the decoded samples (the layout of the\n"
    "                   stored profile, SPEC.md 3.1); -o is then optional\n"
    "  --json           print the result as JSON on stdout (on failure too:\n"
    "                   {\"error\": CODE, \"error_name\": \"LCC_E...\"})\n";

/* Largest .lcc file read into memory. */
#define MAX_STREAM_BYTES ((size_t)1 << 32)

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    const char *in = NULL, *out = NULL;
    int md5 = 0;
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(a, "--md5"))
            md5 = 1;
        else if (a[0] == '-' && a[1])
            return cli_usage_error("decode", "unknown option or missing value: '%s'", a);
        else if (!in)
            in = a;
        else
            return cli_usage_error("decode", "unexpected argument '%s'", a);
    }
    if (!in || (!out && !md5))
        return cli_usage_error("decode", "needs an input .lcc file and -o OUT (or --md5)");
    if (out && (!strcmp(in, out) || cli_same_file(in, out)))
        return cli_usage_error("decode", "the output '%s' is the input; refusing to overwrite it", out);

    LccContext *c;
    int rc = cli_open(g, "decode", &c);
    if (rc)
        return rc;
    uint8_t *buf = NULL;
    size_t size = 0;
    LccMedia m = { 0 };
    lcc_status err = lcc_read_file(c, in, MAX_STREAM_BYTES, &buf, &size);
    const double t0 = cli_now();
    CliProgress prog;
    cli_progress_begin(&prog, g, "decoding");
    /* wavelet-ae audio to an audio file: decoded and written chunk by chunk
     * (not with --md5, which needs the whole decoded signal) */
    int streamed = 0;
    if (!err && out && !md5) {
        err = lcc_decode_audio_file(c, buf, size, out);
        streamed = err != LCC_EFORMAT;
        if (!streamed)
            err = LCC_OK;
        if (streamed && !err) {
            LccStreamInfo si;
            if (!lcc_stream_info(c, buf, size, &si)) {
                m = si.geometry;
                m.audio.data = NULL;
            }
        }
    }
    if (!streamed && !err)
        err = lcc_decode(c, buf, size, &m);
    cli_progress_end(&prog);
    if (!err && *lcc_last_warning(c) && !g->json)
        fprintf(stderr, "lcc decode: warning: %s: %s\n", in, lcc_last_warning(c));
    const double t1 = cli_now();
    if (!err && out && !streamed)
        err = lcc_media_write(c, out, &m);
    char hex[33] = "";
    if (!err && md5)
        cli_md5_media(&m, hex);
    if (err) {
        if (g->json) {
            printf("{\"input\": ");
            cli_json_string(stdout, in);
            printf(", \"error\": %d, \"error_name\": \"%s\", \"message\": ", err, cli_error_name(err));
            cli_json_string(stdout, lcc_last_error(c));
            printf("}\n");
        }
        rc = cli_fail("decode", c, err, in);
    } else if (g->json) {
        printf("{\"input\": ");
        cli_json_string(stdout, in);
        printf(", \"output\": ");
        if (out)
            cli_json_string(stdout, out);
        else
            printf("null");
        if (md5)
            printf(", \"md5\": \"%s\"", hex);
        if (*lcc_last_warning(c)) {
            printf(", \"warning\": ");
            cli_json_string(stdout, lcc_last_warning(c));
        }
        printf(", \"modality\": \"%s\", \"bytes\": %zu, \"samples\": %llu, \"decode_seconds\": %.6f}\n",
               lcc_modality_name(m.modality), size, (unsigned long long)lcc_media_samples(&m), t1 - t0);
    } else if (md5) {
        printf("%s  %s\n", hex, in);
    } else if (!g->quiet) {
        printf("%s -> %s: %s, %zu bytes, decoded in %.3f s\n", in, out, lcc_modality_name(m.modality), size,
               t1 - t0);
    }
    free(buf);
    lcc_media_free(&m);
    lcc_close(&c);
    return rc;
}

const CliCommand cli_decode = { "decode", "decompress an .lcc file", usage_text, run };
