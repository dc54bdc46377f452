/* lcc sweep: rate-distortion sweep of lcc profiles and the classical
 * anchors over a set of files (DESIGN.md §8). The work is in bench/sweep. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/sweep/sweep.h"
#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc sweep --data DIR -o OUTDIR [options]\n"
    "Encode and decode every media file of DIR (or one file) at every quality\n"
    "of the chosen lcc profiles, run the classical anchors on the same files in\n"
    "the same run, and write to OUTDIR:\n"
    "  results.json   per file and quality: bytes, rate, quality metrics,\n"
    "                 encode/decode seconds; per curve: averages in the layout\n"
    "                 of CompressAI's result files (also curves/NAME.json)\n"
    "  results.csv    the same, one row per point (file \"(mean)\" = curve)\n"
    "  bd.md          BD-rate and BD-quality of every curve against every other\n"
    "  rd-*.svg/.png  rate-distortion plots (published curves dashed)\n"
    "  cache/         finished points; an interrupted sweep resumes from it\n"
    "Options:\n"
    "  --data DIR|FILE       the files (images, video or audio; one modality)\n"
    "  -o, --output OUTDIR   output directory (created if missing)\n"
    "  --profile P[,P2]      lcc profiles (default: every profile of the\n"
    "                        modality that can encode; 'none' for none);\n"
    "                        P:FILE runs profile P with the model file FILE\n"
    "                        (e.g. wavelet-ae:wavelet-ae-image.lccw); a suffix\n"
    "                        +refine=N encodes with lcc encode --refine N,\n"
    "                        +no-rdoq with lcc encode --no-rdoq\n"
    "  --quality LIST        qualities of the profiles (default: all of each)\n"
    "  --anchors LIST        anchors (default: all of the modality; 'none'):\n"
    "                        images jpeg,webp,avif,jxl; video x264,x265;\n"
    "                        audio opus,flac\n"
    "  --anchor-quality NAME=LIST  the knob values of one anchor (repeatable)\n"
    "  --published PATH      CompressAI-layout result file or directory of\n"
    "                        them, drawn dashed and included in bd.md\n"
    "                        (repeatable)\n"
    "  --subset N            only the first N files (sorted by name)\n"
    "  --max-rate X          x-axis limit of the plots (default: automatic)\n"
    "  --no-cache            measure everything again\n"
    "  --benchmarks FILE     replace (or add) the section \"## Rate-distortion\n"
    "                        (Set)\" of FILE (BENCHMARKS.md) with a summary\n"
    "  --threads N           parallel jobs (global option; 0 = all cores)\n"
    "Anchors run as their command-line tools (no shell, temporary files):\n"
    "  jpeg  cjpeg -optimize -quality Q / djpeg      (libjpeg-turbo)\n"
    "  webp  cwebp -m 6 -q Q / dwebp                 (libwebp)\n"
    "  avif  avifenc -s 6 -j 1 --min Q --max Q / avifdec (libavif, libaom;\n"
    "        Q is the quantizer, lower = better)\n"
    "  jxl   cjxl -e 7 -q Q / djxl                   (libjxl; one thread)\n"
    "  x264, x265  ffmpeg -preset medium -tune psnr -crf Q; opus  ffmpeg\n"
    "        libopus -b:a Qk; flac  ffmpeg -compression_level 8\n"
    "A missing tool, an unreadable file or a file unlike the rest of the set\n"
    "is reported and skipped. Rate: bytes x 8 / pixels (images), per frame\n"
    "pixel (video), kbit/s (audio); quality: lcc_compare (PSNR-RGB and\n"
    "MS-SSIM averaged per image, as CompressAI does).\n";

static int need(const int argc, char **const argv, const int i)
{
    if (i + 1 >= argc) {
        cli_usage_error("sweep", "%s needs a value", argv[i]);
        return 1;
    }
    return 0;
}

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    SweepOptions o;
    memset(&o, 0, sizeof(o));
    o.threads = g->threads;
    o.model_dir = g->model_dir;
    o.quiet = g->quiet;
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        if (!strcmp(a, "--data") || !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--profile") ||
            !strcmp(a, "--quality") || !strcmp(a, "--anchors") || !strcmp(a, "--anchor-quality") ||
            !strcmp(a, "--published") || !strcmp(a, "--subset") || !strcmp(a, "--max-rate") ||
            !strcmp(a, "--benchmarks")) {
            if (need(argc, argv, i))
                return EXIT_USAGE;
            const char *const v = argv[++i];
            if (!strcmp(a, "--data")) {
                o.data = v;
            } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
                o.outdir = v;
            } else if (!strcmp(a, "--profile")) {
                o.profiles = v;
            } else if (!strcmp(a, "--quality")) {
                o.qualities = v;
            } else if (!strcmp(a, "--anchors")) {
                o.anchors = v;
            } else if (!strcmp(a, "--anchor-quality")) {
                if (o.num_anchor_q >= (int)(sizeof(o.anchor_q) / sizeof(o.anchor_q[0])) || !strchr(v, '='))
                    return cli_usage_error("sweep", "--anchor-quality needs NAME=LIST (at most 16)");
                o.anchor_q[o.num_anchor_q++] = v;
            } else if (!strcmp(a, "--published")) {
                if (o.num_published >= (int)(sizeof(o.published) / sizeof(o.published[0])))
                    return cli_usage_error("sweep", "at most 32 --published paths");
                o.published[o.num_published++] = v;
            } else if (!strcmp(a, "--benchmarks")) {
                o.benchmarks = v;
            } else if (!strcmp(a, "--subset")) {
                if (cli_parse_int(v, &o.subset) || o.subset < 1)
                    return cli_usage_error("sweep", "--subset needs a positive number, not '%s'", v);
            } else if (cli_parse_double(v, &o.max_rate)) {
                return cli_usage_error("sweep", "--max-rate needs a positive number, not '%s'", v);
            }
        } else if (!strcmp(a, "--no-cache")) {
            o.no_cache = 1;
        } else {
            return cli_usage_error("sweep", "unexpected argument '%s'", a);
        }
    }
    if (!o.data)
        return cli_usage_error("sweep", "needs --data DIR");
    if (!o.outdir)
        return cli_usage_error("sweep", "needs -o OUTDIR");
    o.progress = g->quiet ? 0 : isatty(STDERR_FILENO) ? 1 : 2;
    /* the command line, recorded in results.json */
    size_t len = 64;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 3;
    char *const cmd = malloc(len);
    if (cmd) {
        size_t k = (size_t)snprintf(cmd, len, "lcc sweep --threads %d", g->threads);
        for (int i = 0; i < argc && k < len; i++)
            k += (size_t)snprintf(cmd + k, len - k, strchr(argv[i], ' ') ? " '%s'" : " %s", argv[i]);
    }
    o.command = cmd;
    const int rc = sweep_run(&o);
    free(cmd);
    return rc;
}

const CliCommand cli_sweep = { "sweep", "rate-distortion sweeps with the classical anchors, BD-rates, plots", usage_text, run };
