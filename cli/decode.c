/* lcc decode IN.lcc -o OUT */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc decode IN.lcc -o OUT\n"
    "Decompress an .lcc file. The output format follows OUT's extension:\n"
    "images .png .ppm .pgm; audio .wav .flac .ogg (and what libsndfile writes);\n"
    "video .y4m, .mkv (FFV1, lossless) and the containers FFmpeg's libraries write.\n\n"
    "  -o, --output F   the file to write (atomically; never the input)\n"
    "  --json           print the result as JSON on stdout\n";

/* Largest .lcc file read into memory. */
#define MAX_STREAM_BYTES ((size_t)1 << 32)

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc)
            out = argv[++i];
        else if (a[0] == '-' && a[1])
            return cli_usage_error("decode", "unknown option or missing value: '%s'", a);
        else if (!in)
            in = a;
        else
            return cli_usage_error("decode", "unexpected argument '%s'", a);
    }
    if (!in || !out)
        return cli_usage_error("decode", "needs an input .lcc file and -o OUT");
    if (!strcmp(in, out) || cli_same_file(in, out))
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
    /* wavelet-ae audio to an audio file: decoded and written chunk by chunk */
    int streamed = 0;
    if (!err) {
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
    const double t1 = cli_now();
    if (!err && !streamed)
        err = lcc_media_write(c, out, &m);
    if (err) {
        rc = cli_fail("decode", c, err, in);
    } else if (g->json) {
        printf("{\"input\": ");
        cli_json_string(stdout, in);
        printf(", \"output\": ");
        cli_json_string(stdout, out);
        printf(", \"modality\": \"%s\", \"bytes\": %zu, \"samples\": %llu, \"decode_seconds\": %.6f}\n",
               lcc_modality_name(m.modality), size, (unsigned long long)lcc_media_samples(&m), t1 - t0);
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
