/* lcc encode IN -o OUT.lcc */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc encode IN -o OUT.lcc [-q N | --bpp X | --kbps X] [--profile P] [--model F]\n"
    "                  [--refine N] [--no-rdoq]\n"
    "Compress an image, audio or video file into an .lcc file.\n\n"
    "IN is read by content: PNG, JPEG, PPM/PGM, Y4M, any audio libsndfile reads\n"
    "(WAV, FLAC, OGG, ...) and any video FFmpeg's libraries decode (MP4, MKV, ...).\n\n"
    "  -o, --output F   the .lcc file to write (atomically; never an input; a\n"
    "                   device or pipe such as /dev/null is written in place)\n"
    "  -q, --quality N  quality level of the profile (lcc profiles lists them)\n"
    "  --bpp X          pick the quality whose bits per pixel are closest to X\n"
    "  --kbps X         audio: pick the quality whose bitrate is closest to X\n"
    "  --profile P      profile (default: the best one for the input's modality)\n"
    "  --model F        the profile's model file by name (searched like every model,\n"
    "                   see --model-dir), e.g. wavelet-ae-image.lccw for the\n"
    "                   factorized-prior image model; default: the profile's best\n"
    "  --refine N       wavelet-ae images (hyperprior models): N gradient steps on\n"
    "                   the latent before coding (about N/3 decodes of extra time;\n"
    "                   smaller files at the same quality; any decoder reads them)\n"
    "  --no-rdoq        wavelet-ae images (hyperprior models): round every latent\n"
    "                   symbol to the nearest integer instead of choosing the\n"
    "                   cheaper in bits + lambda x distortion (larger files at\n"
    "                   the same quality; the encoders before 2026-11-27)\n"
    "  --json           print the result as JSON on stdout\n";

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    const char *in = NULL, *out = NULL;
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        const int has = i + 1 < argc;
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has) {
            out = argv[++i];
        } else if ((!strcmp(a, "-q") || !strcmp(a, "--quality")) && has) {
            if (cli_parse_int(argv[++i], &p.quality))
                return cli_usage_error("encode", "invalid quality '%s'", argv[i]);
        } else if (!strcmp(a, "--bpp") && has) {
            if (cli_parse_double(argv[++i], &p.target_bpp))
                return cli_usage_error("encode", "invalid --bpp '%s'", argv[i]);
        } else if (!strcmp(a, "--kbps") && has) {
            if (cli_parse_double(argv[++i], &p.target_kbps))
                return cli_usage_error("encode", "invalid --kbps '%s'", argv[i]);
        } else if (!strcmp(a, "--profile") && has) {
            p.profile = argv[++i];
        } else if (!strcmp(a, "--model") && has) {
            p.model = argv[++i];
        } else if (!strcmp(a, "--refine") && has) {
            if (cli_parse_int(argv[++i], &p.refine) || p.refine < 0 || p.refine > 10000)
                return cli_usage_error("encode", "invalid --refine '%s' (0..10000)", argv[i]);
        } else if (!strcmp(a, "--no-rdoq")) {
            p.no_rdoq = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("encode", "unknown option or missing value: '%s'", a);
        } else if (!in) {
            in = a;
        } else {
            return cli_usage_error("encode", "unexpected argument '%s'", a);
        }
    }
    if (!in || !out)
        return cli_usage_error("encode", "needs an input file and -o OUT.lcc");
    if ((p.quality >= 0) + (p.target_bpp > 0) + (p.target_kbps > 0) > 1)
        return cli_usage_error("encode", "give at most one of -q, --bpp, --kbps");
    if (!strcmp(in, out) || cli_same_file(in, out))
        return cli_usage_error("encode", "the output '%s' is the input; refusing to overwrite it", out);

    LccContext *c;
    int rc = cli_open(g, "encode", &c);
    if (rc)
        return rc;
    const double t0 = cli_now();
    LccMedia m = { 0 };
    uint8_t *buf = NULL;
    size_t size = 0;
    /* Audio that the wavelet-ae profile codes: streamed (bounded memory);
     * everything else is read whole. */
    lcc_status err = lcc_encode_audio_file(c, in, &p, &buf, &size);
    const int streamed = err != LCC_EFORMAT;
    double t1 = t0;
    if (streamed && !err) {
        LccStreamInfo si;
        if (!lcc_stream_info(c, buf, size, &si)) {
            m = si.geometry;
            m.audio.data = NULL;
        }
    }
    if (!streamed) {
        err = lcc_media_read(c, in, &m);
        if (err) {
            rc = cli_fail("encode", c, err, in);
            lcc_close(&c);
            return rc;
        }
        if (p.profile && !lcc_profile_find(p.profile, m.modality)) {
            lcc_media_free(&m);
            lcc_close(&c);
            return cli_usage_error("encode", "profile '%s' does not exist for %s (see lcc profiles)", p.profile,
                                   lcc_modality_name(m.modality));
        }
        t1 = cli_now();
        CliProgress prog;
        cli_progress_begin(&prog, g, "encoding");
        err = lcc_encode(c, &m, &p, &buf, &size);
        cli_progress_end(&prog);
    }
    const double t2 = cli_now();
    if (!err)
        err = lcc_write_file_atomic(c, out, buf, size);
    if (err) {
        rc = cli_fail("encode", c, err, out);
    } else {
        LccStreamInfo info;
        err = lcc_stream_info(c, buf, size, &info);
        if (err) {
            rc = cli_fail("encode", c, err, "re-reading the output");
        } else {
            const uint64_t samples = lcc_media_samples(&m);
            double rate = 0;
            const char *unit = "bpp";
            if (m.modality == LCC_MODALITY_IMAGE) {
                rate = 8.0 * (double)size / ((double)m.image.width * m.image.height);
            } else if (m.modality == LCC_MODALITY_VIDEO) {
                rate = 8.0 * (double)size / ((double)m.video.width * m.video.height * m.video.frames);
            } else {
                rate = 8.0 * (double)size * m.audio.sample_rate / (double)m.audio.frames / 1000.0;
                unit = "kbps";
            }
            if (g->json) {
                printf("{\"input\": ");
                cli_json_string(stdout, in);
                printf(", \"output\": ");
                cli_json_string(stdout, out);
                printf(", \"modality\": \"%s\", \"profile\": ", lcc_modality_name(m.modality));
                cli_json_string(stdout, info.profile_name);
                printf(", \"quality\": %d, \"bytes\": %zu, \"%s\": ", info.quality, size, unit);
                cli_json_number(stdout, rate);
                printf(", \"samples\": %llu, \"read_seconds\": %.6f, \"encode_seconds\": %.6f}\n",
                       (unsigned long long)samples, t1 - t0, t2 - t1);
            } else if (!g->quiet) {
                printf("%s -> %s: %s, profile %s q%d, %zu bytes, %.4f %s, encoded in %.3f s\n", in, out,
                       lcc_modality_name(m.modality), info.profile_name, info.quality, size, rate, unit, t2 - t1);
            }
        }
    }
    free(buf);
    lcc_media_free(&m);
    lcc_close(&c);
    return rc;
}

const CliCommand cli_encode = { "encode", "compress a media file into .lcc", usage_text, run };
