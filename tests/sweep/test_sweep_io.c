/* The sweep's writers and readers: a curve written as CompressAI-layout
 * JSON reads back the same; the real CompressAI files load; malformed JSON
 * is refused without crashing; the SVG plot and bd.md carry what they
 * should (dashed published curves, n/a with a reason for single points). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/sweep/sweep.h"
#include "test.h"

static int count(const char *hay, const char *const needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void make_curve(SweepCurve *const c, const char *const name, const SweepKind kind, const int n,
                       const double scale)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->description, sizeof(c->description), "test \"curve\" <%s>", name);
    c->kind = kind;
    c->n = n;
    for (int i = 0; i < n; i++) {
        c->quality[i] = 10 * (i + 1);
        c->rate[i] = scale * 0.1 * (i + 1) * (i + 1);
        for (int m = 0; m < SWEEP_NUM_METRICS; m++)
            c->metric[m][i] = NAN;
        c->metric[SWEEP_M_PSNR][i] = 26 + 3 * i;
        c->metric[SWEEP_M_PSNR_Y][i] = 27 + 3 * i;
        c->metric[SWEEP_M_MSSSIM][i] = 1 - 0.1 / (i + 1);
        c->enc_s[i] = 0.01 * i;
        c->dec_s[i] = 0.002 * i;
        c->files[i] = 24;
    }
}

static void test_roundtrip(void)
{
    SweepCurve c, back;
    make_curve(&c, "jpeg", SWEEP_ANCHOR, 5, 1);
    c.metric[SWEEP_M_PSNR][4] = INFINITY; /* lossless: null in JSON */
    SweepText t = { 0 };
    sweep_curve_json(&t, &c, LCC_MODALITY_IMAGE, 2);
    CHECK(!t.failed && t.data);
    CHECK(strstr(t.data, "\"psnr-rgb\": [") && strstr(t.data, "\"ms-ssim-rgb\": [") && strstr(t.data, "\"bpp\": ["));
    CHECK(strstr(t.data, "null"));
    char err[128] = "";
    SweepJson *const j = sweep_json_parse(t.data, t.size, err, sizeof(err));
    CHECK_MSG(j != NULL, "%s", err);
    const char *why = "";
    CHECK(j && !sweep_curve_from_json(j, LCC_MODALITY_IMAGE, &back, &why));
    CHECK(back.n == 5 && !strcmp(back.name, "jpeg") && !strcmp(back.description, c.description));
    int same = 1;
    for (int i = 0; i < 4; i++)
        same &= fabs(back.rate[i] - c.rate[i]) < 1e-12 && fabs(back.metric[SWEEP_M_PSNR][i] - c.metric[SWEEP_M_PSNR][i]) < 1e-9 &&
                fabs(back.metric[SWEEP_M_MSSSIM][i] - c.metric[SWEEP_M_MSSSIM][i]) < 1e-12;
    CHECK(same);
    CHECK(isnan(back.metric[SWEEP_M_PSNR][4]));
    sweep_json_free(j);
    sweep_text_free(&t);
}

static void test_bad_json(void)
{
    static const char *const bad[] = { "", "{", "{\"a\":}", "[1,2", "{\"a\" 1}", "\"abc", "[1,]x", "{\"results\": [1, 2,, 3]}",
                                       "tru", "{\"a\":1}}" };
    char err[128];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        SweepJson *const j = sweep_json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
        CHECK_MSG(!j, "accepted '%s'", bad[i]);
        sweep_json_free(j);
    }
    /* nesting deeper than 32 is refused, not a stack overflow */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CHECK(!sweep_json_parse(deep, 200, err, sizeof(err)));
    /* valid JSON that is not a result file */
    const char *const notres = "{\"name\": \"x\", \"results\": {\"bpp\": [0.1, 0.2]}}";
    SweepJson *const j = sweep_json_parse(notres, strlen(notres), err, sizeof(err));
    SweepCurve c;
    const char *why = "";
    CHECK(j && sweep_curve_from_json(j, LCC_MODALITY_IMAGE, &c, &why) == -1 && why[0]);
    sweep_json_free(j);
    /* escapes and the MS-SSIM-in-dB keys of CompressAI's paper-* files */
    const char *const paper = "{\"name\": \"a\\\"b\\u0041\", \"results\": {\"bpp\": [0.3, 0.1], "
                              "\"ms-ssim-db-rgb\": [20, 10]}}";
    SweepJson *const k = sweep_json_parse(paper, strlen(paper), err, sizeof(err));
    CHECK(k && !sweep_curve_from_json(k, LCC_MODALITY_IMAGE, &c, &why));
    CHECK(!strcmp(c.name, "a\"bA") && c.n == 2 && c.rate[0] == 0.1);
    CHECK(fabs(c.metric[SWEEP_M_MSSSIM][0] - 0.9) < 1e-12 && fabs(c.metric[SWEEP_M_MSSSIM][1] - 0.99) < 1e-12);
    CHECK(isnan(c.metric[SWEEP_M_PSNR][0]));
    sweep_json_free(k);
}

static void test_published_dir(const char *const shared)
{
    /* the shared copy of CompressAI's results (../shared beside the
     * repository, or LCC_SHARED_DIR), when this machine has it */
    char dir[4096], one[4200];
    snprintf(dir, sizeof(dir), "%s/anchors/compressai-kodak", shared);
    snprintf(one, sizeof(one), "%s/jpeg.json", dir);
    if (access(dir, R_OK)) {
        printf("skip: %s not present\n", dir);
        return;
    }
    SweepCurve *const cv = calloc(SWEEP_MAX_CURVES, sizeof(*cv));
    int n = 0;
    char err[8192];
    const int added = sweep_load_published(dir, LCC_MODALITY_IMAGE, cv, &n, SWEEP_MAX_CURVES, err, sizeof(err));
    CHECK_MSG(added >= 40 && n == added, "added %d: %s", added, err);
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(cv[i].name, "BPG 8b 444 x265 ycbcr")) {
            found = cv[i].n == 8 && fabs(cv[i].rate[0] - 0.06776767306857638) < 1e-15 &&
                    fabs(cv[i].metric[SWEEP_M_PSNR][7] - 47.63251604714922) < 1e-12;
        }
    }
    CHECK(found);
    /* one file, and a missing path: reported, not fatal */
    n = 0;
    CHECK(sweep_load_published(one, LCC_MODALITY_IMAGE, cv, &n, 4, err, sizeof(err)) == 1 && cv[0].n == 19 && !strcmp(cv[0].name, "JPEG"));
    CHECK(sweep_load_published("/nonexistent/x.json", LCC_MODALITY_IMAGE, cv, &n, 4, err, sizeof(err)) == 0 && n == 1 &&
          strstr(err, "not found"));
    free(cv);
}

static void test_svg_and_bd(void)
{
    SweepCurve cv[4];
    make_curve(&cv[0], "stored", SWEEP_PROFILE, 1, 240);   /* one point at 24 bpp, off scale */
    cv[0].metric[SWEEP_M_PSNR][0] = INFINITY;
    make_curve(&cv[1], "jpeg", SWEEP_ANCHOR, 6, 1);
    make_curve(&cv[2], "webp", SWEEP_ANCHOR, 6, 0.8);
    make_curve(&cv[3], "BPG <444>", SWEEP_PUBLISHED, 5, 0.7);
    SweepText t = { 0 };
    sweep_svg_plot(&t, cv, 4, LCC_MODALITY_IMAGE, SWEEP_M_PSNR, 0, "Kodak & co: PSNR");
    CHECK(!t.failed && t.data);
    CHECK(!strncmp(t.data, "<?xml", 5) && strstr(t.data, "</svg>\n") && t.data[t.size - 1] == '\n');
    CHECK(count(t.data, "<polyline") == 4);
    CHECK(count(t.data, "stroke-dasharray") == 2); /* the published curve and its legend entry */
    CHECK(strstr(t.data, "BPG &lt;444&gt; (published)") && strstr(t.data, "Kodak &amp; co"));
    CHECK(strstr(t.data, "stored (lossless: infinite)"));
    CHECK(!strstr(t.data, "nan") && !strstr(t.data, "inf\""));
    CHECK(strstr(t.data, "Rate (bits per pixel)") && strstr(t.data, "PSNR-RGB, dB"));
    sweep_text_free(&t);
    sweep_svg_plot(&t, cv, 4, LCC_MODALITY_IMAGE, SWEEP_M_MSSSIM, 2.0, "ms");
    CHECK(strstr(t.data, "MS-SSIM-RGB, dB") && strstr(t.data, "stored (off scale: 24 bpp)"));
    sweep_text_free(&t);
    sweep_bd_markdown(&t, cv, 4, LCC_MODALITY_IMAGE);
    CHECK(!t.failed && t.data);
    CHECK(strstr(t.data, "## PSNR-RGB, dB") && strstr(t.data, "### BD-rate (%)") && strstr(t.data, "### BD-PSNR (dB)"));
    CHECK(strstr(t.data, "n/a (lossless: infinite quality)"));   /* stored, PSNR infinite */
    CHECK(strstr(t.data, "n/a (single point"));                  /* stored, MS-SSIM finite */
    /* webp = jpeg at 0.8x the rate with the same quality: -20 % exactly */
    CHECK(strstr(t.data, "| **webp** | n/a (lossless: infinite quality) | -20.00% |"));
    CHECK(strstr(t.data, "| **jpeg** | n/a (lossless: infinite quality) | - | +25.00% |"));
    sweep_text_free(&t);
}

static void test_section(void)
{
    static const char doc[] = "# Benchmarks\n\nintro\n\n## Entropy\n\nold entropy\n\n## Rate-distortion (Kodak)\n\n"
                              "old numbers\n| a | b |\n\n## Wavelets\n\nkeep me\n";
    SweepText out = { 0 };
    CHECK(sweep_replace_section(doc, strlen(doc), "## Rate-distortion (Kodak)", "## Rate-distortion (Kodak)\n\nnew\n\n",
                                &out) == 1);
    CHECK(out.data && !strcmp(out.data, "# Benchmarks\n\nintro\n\n## Entropy\n\nold entropy\n\n"
                                        "## Rate-distortion (Kodak)\n\nnew\n\n## Wavelets\n\nkeep me\n"));
    sweep_text_free(&out);
    /* a heading that only starts the same is not the section: append */
    static const char doc2[] = "# B\n\n## Rate-distortion (Kodak) old\n\nx\n";
    CHECK(sweep_replace_section(doc2, strlen(doc2), "## Rate-distortion (Kodak)", "## Rate-distortion (Kodak)\n\nnew\n",
                                &out) == 0);
    CHECK(out.data && !strcmp(out.data, "# B\n\n## Rate-distortion (Kodak) old\n\nx\n\n## Rate-distortion (Kodak)\n\nnew\n"));
    sweep_text_free(&out);
    /* last section of the file, no final newline */
    static const char doc3[] = "# B\n## Rate-distortion (Kodak)\nold";
    CHECK(sweep_replace_section(doc3, strlen(doc3), "## Rate-distortion (Kodak)", "## Rate-distortion (Kodak)\nnew\n", &out) == 1);
    CHECK(out.data && !strcmp(out.data, "# B\n## Rate-distortion (Kodak)\nnew\n"));
    sweep_text_free(&out);
    /* the generated section: heading, a row per curve, points */
    SweepCurve cv[3];
    make_curve(&cv[0], "jpeg", SWEEP_ANCHOR, 4, 1);
    make_curve(&cv[1], "webp", SWEEP_ANCHOR, 4, 0.5);
    make_curve(&cv[2], "BPG", SWEEP_PUBLISHED, 4, 0.25);
    sweep_summary_markdown(&out, cv, 3, LCC_MODALITY_IMAGE, "## Rate-distortion (Kodak)", "facts\n");
    CHECK(out.data && !strncmp(out.data, "## Rate-distortion (Kodak)\n", 27) && strstr(out.data, "facts\n"));
    CHECK(strstr(out.data, "| webp | anchor | 4 |") && strstr(out.data, "| -50.0% | - | +100.0% |"));
    CHECK(strstr(out.data, "- jpeg: q10 (0.1000, 26.00)") && !strstr(out.data, "- BPG:"));
    sweep_text_free(&out);
}

/* Every truncation and a few thousand random mutations of a real result
 * file: the reader refuses or accepts, never crashes (run under ASan). */
static void test_mutations(void)
{
    SweepCurve c, back;
    make_curve(&c, "jxl", SWEEP_ANCHOR, 6, 1);
    SweepText t = { 0 };
    sweep_curve_json(&t, &c, LCC_MODALITY_IMAGE, 0);
    char err[128];
    const char *why;
    int accepted = 0;
    for (size_t n = 0; n < t.size; n++) {
        SweepJson *const j = sweep_json_parse(t.data, n, err, sizeof(err));
        if (j)
            sweep_curve_from_json(j, LCC_MODALITY_IMAGE, &back, &why);
        accepted += j != NULL;
        sweep_json_free(j);
    }
    CHECK(accepted == 0); /* a prefix of one object is never complete JSON */
    uint64_t seed = test_seed();
    char *const buf = malloc(t.size + 1);
    static const char tokens[] = "{}[]\",:-+.eE0123456789 \\untrfalsNI";
    for (int it = 0; it < 3000 && buf; it++) {
        memcpy(buf, t.data, t.size);
        const int muts = 1 + (int)(test_rand(&seed) % 4);
        for (int k = 0; k < muts; k++) {
            const size_t at = (size_t)(test_rand(&seed) % t.size);
            buf[at] = (test_rand(&seed) & 1) ? (char)(test_rand(&seed) & 0xff) : tokens[test_rand(&seed) % (sizeof(tokens) - 1)];
        }
        SweepJson *const j = sweep_json_parse(buf, t.size, err, sizeof(err));
        if (j)
            sweep_curve_from_json(j, LCC_MODALITY_IMAGE, &back, &why);
        sweep_json_free(j);
    }
    free(buf);
    sweep_text_free(&t);
    CHECK(1);
}

int main(int argc, char **argv)
{
    const char *const env = getenv("LCC_SHARED_DIR");
    const char *const shared = env ? env : argc > 1 ? argv[1] : "../shared";
    test_section();
    test_mutations();
    test_roundtrip();
    test_bad_json();
    test_published_dir(shared);
    test_svg_and_bd();
    return test_summary();
}
