/* lcc compare A B */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc compare REFERENCE TEST [--per-frame] [--json]\n"
    "Measure the quality of TEST against REFERENCE (same geometry). Either may\n"
    "be a media file or an .lcc file (decoded first).\n"
    "Images: PSNR over RGB (or gray) samples, PSNR of BT.601 luma, MS-SSIM.\n"
    "Video: mean per-frame PSNR of Y, U, V and YUV weighted 6:1:1, MS-SSIM of Y.\n"
    "Audio: SNR and SI-SDR. In JSON, an infinite value (identical inputs) is\n"
    "null and \"identical\" is true.\n"
    "  --per-frame   video: also print each frame's PSNR (JSON: \"frames\" array)\n";

static lcc_status load(LccContext *const c, const char *const path, LccMedia *const m)
{
    static const uint8_t magic[8] = { 0x8b, 'L', 'C', 'C', '\r', '\n', 0x1a, '\n' };
    uint8_t head[8] = { 0 };
    FILE *const f = fopen(path, "rb");
    const int is_lcc = f && fread(head, 1, 8, f) == 8 && !memcmp(head, magic, 8);
    if (f)
        fclose(f);
    if (!is_lcc)
        return lcc_media_read(c, path, m);
    uint8_t *buf;
    size_t size;
    lcc_status err = lcc_read_file(c, path, (size_t)1 << 32, &buf, &size);
    if (!err) {
        err = lcc_decode(c, buf, size, m);
        free(buf);
    }
    return err;
}

static void field(const char *const name, const double v, int *const first)
{
    printf("%s\"%s\": ", *first ? "" : ", ", name);
    cli_json_number(stdout, v);
    *first = 0;
}

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    const char *files[2];
    int nfiles = 0, per_frame = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--per-frame"))
            per_frame = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("compare", "unknown option '%s'", argv[i]);
        else if (nfiles < 2)
            files[nfiles++] = argv[i];
        else
            return cli_usage_error("compare", "unexpected argument '%s'", argv[i]);
    }
    if (nfiles != 2)
        return cli_usage_error("compare", "needs two files");
    LccContext *c;
    int rc = cli_open(g, "compare", &c);
    if (rc)
        return rc;
    LccMedia a = { 0 }, b = { 0 };
    LccQuality q;
    lcc_status err = load(c, files[0], &a);
    if (!err)
        err = load(c, files[1], &b);
    if (!err)
        err = lcc_compare(c, &a, &b, &q);
    if (err) {
        rc = cli_fail("compare", c, err, "compare");
    } else if (g->json) {
        int first = 1;
        printf("{\"modality\": \"%s\", ", lcc_modality_name(a.modality));
        if (a.modality == LCC_MODALITY_AUDIO) {
            field("snr", q.snr, &first);
            field("si_sdr", q.si_sdr, &first);
        } else {
            field("psnr", q.psnr, &first);
            field("psnr_y", q.psnr_y, &first);
            if (a.modality == LCC_MODALITY_VIDEO) {
                field("psnr_u", q.psnr_u, &first);
                field("psnr_v", q.psnr_v, &first);
            }
            field("ms_ssim", q.ms_ssim, &first);
        }
        field("max_abs_error", q.max_abs_error, &first);
        printf(", \"samples\": %llu, \"identical\": %s", (unsigned long long)q.samples,
               q.max_abs_error == 0 ? "true" : "false");
        if (per_frame && a.modality == LCC_MODALITY_VIDEO) {
            printf(", \"frames\": [");
            for (uint32_t f = 0; f < a.video.frames && !err; f++) {
                LccQuality fq;
                if ((err = lcc_compare_frame(c, &a, &b, f, &fq)))
                    break;
                first = 1;
                printf("%s{", f ? ", " : "");
                field("psnr", fq.psnr, &first);
                field("psnr_y", fq.psnr_y, &first);
                field("psnr_u", fq.psnr_u, &first);
                field("psnr_v", fq.psnr_v, &first);
                field("ms_ssim", fq.ms_ssim, &first);
                printf("}");
            }
            printf("]");
        }
        printf("}\n");
    } else if (!g->quiet) {
        if (a.modality == LCC_MODALITY_AUDIO)
            printf("SNR %.4f dB  SI-SDR %.4f dB", q.snr, q.si_sdr);
        else if (a.modality == LCC_MODALITY_VIDEO)
            printf("PSNR-YUV %.4f dB  Y %.4f  U %.4f  V %.4f  MS-SSIM(Y) %.6f", q.psnr, q.psnr_y, q.psnr_u,
                   q.psnr_v, q.ms_ssim);
        else
            printf("PSNR %.4f dB  PSNR-Y %.4f dB  MS-SSIM %.6f", q.psnr, q.psnr_y, q.ms_ssim);
        printf("  max error %g%s\n", q.max_abs_error, q.max_abs_error == 0 ? " (identical)" : "");
        for (uint32_t f = 0; per_frame && a.modality == LCC_MODALITY_VIDEO && f < a.video.frames && !err; f++) {
            LccQuality fq;
            if (!(err = lcc_compare_frame(c, &a, &b, f, &fq)))
                printf("  frame %u: PSNR-YUV %.4f  Y %.4f  U %.4f  V %.4f  MS-SSIM(Y) %.6f\n", f, fq.psnr,
                       fq.psnr_y, fq.psnr_u, fq.psnr_v, fq.ms_ssim);
        }
    }
    if (err && !rc)
        rc = cli_fail("compare", c, err, "per-frame");
    lcc_media_free(&a);
    lcc_media_free(&b);
    lcc_close(&c);
    return rc;
}

const CliCommand cli_compare = { "compare", "PSNR / MS-SSIM / SI-SDR of a file against a reference", usage_text, run };
