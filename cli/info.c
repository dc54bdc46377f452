/* lcc info IN.lcc */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc info IN.lcc [--json]\n"
    "Validate an .lcc file's container (header, every chunk's length and CRC)\n"
    "and print what it holds, without decoding the payload.\n";

static void print_geometry(FILE *const f, const LccMedia *const m, const int json)
{
    switch (m->modality) {
    case LCC_MODALITY_IMAGE:
        fprintf(f, json ? "\"width\": %u, \"height\": %u, \"channels\": %u, \"bit_depth\": %u"
                        : "%ux%u, %u channels, %u-bit",
                m->image.width, m->image.height, m->image.channels, m->image.bit_depth);
        break;
    case LCC_MODALITY_AUDIO:
        fprintf(f, json ? "\"channels\": %u, \"sample_rate\": %u, \"frames\": %llu, \"bit_depth\": %u"
                        : "%u channels, %u Hz, %llu frames, %u-bit",
                m->audio.channels, m->audio.sample_rate, (unsigned long long)m->audio.frames, m->audio.bit_depth);
        break;
    case LCC_MODALITY_VIDEO: {
        static const char *const chroma[] = { "400", "420", "422", "444" };
        fprintf(f,
                json ? "\"width\": %u, \"height\": %u, \"frames\": %u, \"bit_depth\": %u, \"chroma\": \"%s\", "
                       "\"fps_num\": %u, \"fps_den\": %u"
                     : "%ux%u, %u frames, %u-bit %s, %u/%u fps",
                m->video.width, m->video.height, m->video.frames, m->video.bit_depth, chroma[m->video.chroma & 3],
                m->video.fps_num, m->video.fps_den);
        break;
    }
    default:
        break;
    }
}

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    if (argc != 1 || (argv[0][0] == '-' && argv[0][1]))
        return cli_usage_error("info", "needs exactly one .lcc file");
    LccContext *c;
    int rc = cli_open(g, "info", &c);
    if (rc)
        return rc;
    uint8_t *buf = NULL;
    size_t size = 0;
    LccStreamInfo info;
    lcc_status err = lcc_read_file(c, argv[0], (size_t)1 << 32, &buf, &size);
    if (!err)
        err = lcc_stream_info(c, buf, size, &info);
    if (err) {
        rc = cli_fail("info", c, err, argv[0]);
    } else {
        char model[17] = "none";
        for (int i = 0; i < 8; i++)
            if (info.model_id[i]) {
                for (int k = 0; k < 8; k++)
                    snprintf(model + 2 * k, 3, "%02x", info.model_id[k]);
                break;
            }
        if (g->json) {
            printf("{\"file\": ");
            cli_json_string(stdout, argv[0]);
            printf(", \"bytes\": %zu, \"version\": \"%u.%u\", \"modality\": \"%s\", \"profile_id\": %u, "
                   "\"profile\": ",
                   size, info.version_major, info.version_minor, lcc_modality_name(info.modality),
                   info.profile_id);
            cli_json_string(stdout, info.profile_name);
            printf(", \"model\": \"%s\", \"quality\": %d, ", model, info.quality);
            print_geometry(stdout, &info.geometry, 1);
            printf(", \"chunks\": %u, \"payload_bytes\": %llu}\n", info.num_chunks,
                   (unsigned long long)info.payload_bytes);
        } else if (!g->quiet) {
            printf("%s: lcc %u.%u, %zu bytes\n  %s, profile %s (id %u), quality %d, model %s\n  ", argv[0],
                   info.version_major, info.version_minor, size, lcc_modality_name(info.modality),
                   info.profile_name ? info.profile_name : "unknown", info.profile_id, info.quality, model);
            print_geometry(stdout, &info.geometry, 0);
            printf("\n  %u chunks, %llu payload bytes\n", info.num_chunks, (unsigned long long)info.payload_bytes);
            if (*lcc_last_warning(c))
                printf("  warning: %s\n", lcc_last_warning(c));
        }
    }
    free(buf);
    lcc_close(&c);
    return rc;
}

const CliCommand cli_info = { "info", "show what an .lcc file holds (and validate it)", usage_text, run };
