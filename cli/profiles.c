/* lcc profiles */
#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc profiles [--json]\n"
    "List every profile with its modality and quality levels, one entry per\n"
    "(profile, modality). --json prints an array of objects with the keys\n"
    "name, modality, qualities, default_quality, can_encode, description.\n";

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    if (argc)
        return cli_usage_error("profiles", "unexpected argument '%s'", argv[0]);
    const int n = lcc_profile_count();
    if (g->json)
        printf("[");
    for (int i = 0; i < n; i++) {
        const LccProfileInfo *const p = lcc_profile_get(i);
        if (g->json) {
            printf("%s{\"name\": ", i ? ", " : "");
            cli_json_string(stdout, p->name);
            printf(", \"modality\": \"%s\", \"qualities\": [", lcc_modality_name(p->modality));
            for (int q = 0; q < p->num_qualities; q++)
                printf("%s%d", q ? ", " : "", p->qualities[q]);
            printf("], \"default_quality\": %d, \"can_encode\": %s, \"description\": ", p->default_quality,
                   p->can_encode ? "true" : "false");
            cli_json_string(stdout, p->description);
            printf("}");
        } else {
            printf("%-12s %-6s q", p->name, lcc_modality_name(p->modality));
            for (int q = 0; q < p->num_qualities; q++)
                printf("%s%d", q ? "," : "", p->qualities[q]);
            printf("%s  %s\n", p->can_encode ? "" : " (decode only)", p->description);
        }
    }
    if (g->json)
        printf("]\n");
    return EXIT_OK;
}

const CliCommand cli_profiles = { "profiles", "list the profiles and their quality levels", usage_text, run };
