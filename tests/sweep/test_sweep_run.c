/* A small sweep end to end: two generated RGB images plus an unreadable
 * file and a gray one (skipped, not fatal), the stored profile and the
 * jpeg and webp anchors at two qualities each. Checks the outputs, the
 * resume from the cache, a missing tool, and that the JPEG/WebP points
 * agree with an independent run of cjpeg/cwebp (1 % in bytes, 0.05 dB with
 * a PSNR computed here). Skips (77) if cjpeg/cwebp are not installed or
 * media reading is not available in this build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/sweep/sweep.h"
#include "test.h"

#define W 200
#define H 136

static char dir[256], data[300];

static void make_image(LccImage *const im, const int channels, const int seed)
{
    im->width = W;
    im->height = H;
    im->channels = (uint32_t)channels;
    im->bit_depth = 8;
    im->data = malloc(sizeof(uint16_t) * W * H * (size_t)channels);
    uint64_t s = 0x1234567ull + (uint64_t)seed;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < channels; c++) {
                const double v = 128 + 60 * sin(0.05 * x * (c + 1) + 0.3 * seed) * cos(0.07 * y) + (double)(test_rand(&s) % 17) - 8 +
                                 (x / 40 % 2 ? 25 : -25);
                im->data[((size_t)y * W + x) * (size_t)channels + (size_t)c] = (uint16_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
}

static char *slurp(const char *const path, size_t *const size)
{
    FILE *const f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *const buf = malloc(1 << 24);
    *size = buf ? fread(buf, 1, (1 << 24) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[*size] = 0;
    return buf;
}

static SweepJson *load_json(const char *const out)
{
    char path[512], err[128];
    size_t size;
    snprintf(path, sizeof(path), "%s/results.json", out);
    char *const text = slurp(path, &size);
    SweepJson *const j = text ? sweep_json_parse(text, size, err, sizeof(err)) : NULL;
    free(text);
    return j;
}

static const SweepJson *find_named(const SweepJson *const arr, const char *const key, const char *const name)
{
    for (const SweepJson *e = arr ? arr->child : NULL; e; e = e->next) {
        const SweepJson *const n = sweep_json_get(e, key);
        if (n && n->type == SJ_STRING && !strcmp(n->string, name))
            return e;
    }
    return NULL;
}

static const SweepJson *find_point(const SweepJson *const root, const char *const file, const char *const codec, const int q)
{
    for (const SweepJson *e = sweep_json_get(root, "points")->child; e; e = e->next) {
        const SweepJson *const f = sweep_json_get(e, "file"), *const c = sweep_json_get(e, "codec"),
                        *const qq = sweep_json_get(e, "quality");
        if (f && c && qq && !strcmp(f->string, file) && !strcmp(c->string, codec) && qq->number == q)
            return e;
    }
    return NULL;
}

static double num(const SweepJson *const o, const char *const key)
{
    const SweepJson *const v = sweep_json_get(o, key);
    return v && v->type == SJ_NUMBER ? v->number : NAN;
}

/* Binary P6, 8 bit, read here (independent of lcc_media_read). */
static uint8_t *read_ppm(const char *const path, int *const w, int *const h)
{
    size_t size;
    char *const buf = slurp(path, &size);
    int maxv, off = 0;
    if (!buf || sscanf(buf, "P6 %d %d %d%n", w, h, &maxv, &off) != 3 || maxv != 255 ||
        size < (size_t)off + 1 + (size_t)*w * *h * 3) {
        free(buf);
        return NULL;
    }
    uint8_t *const px = malloc((size_t)*w * *h * 3);
    memcpy(px, buf + off + 1, (size_t)*w * *h * 3);
    free(buf);
    return px;
}

static double psnr_of(const LccImage *const ref, const uint8_t *const px)
{
    double se = 0;
    const size_t n = (size_t)W * H * 3;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)ref->data[i] - px[i];
        se += d * d;
    }
    return 10 * log10(255.0 * 255.0 / (se / (double)n));
}

static void independent(const SweepJson *const root, const LccImage *const ref, const char *const codec, const int q)
{
    char in[400], coded[400], dec[400], qs[16], why[256];
    snprintf(in, sizeof(in), "%s/a.ppm", data);
    snprintf(coded, sizeof(coded), "%s/indep.%s", dir, codec);
    snprintf(dec, sizeof(dec), "%s/indep.ppm", dir);
    snprintf(qs, sizeof(qs), "%d", q);
    int r;
    if (!strcmp(codec, "jpeg")) {
        char *a1[] = { "cjpeg", "-optimize", "-quality", qs, "-outfile", coded, in, NULL };
        char *a2[] = { "djpeg", "-outfile", dec, coded, NULL };
        r = sweep_spawn(a1, NULL, NULL, why, sizeof(why)) || sweep_spawn(a2, NULL, NULL, why, sizeof(why));
    } else {
        char *a1[] = { "cwebp", "-quiet", "-m", "6", "-q", qs, in, "-o", coded, NULL };
        char *a2[] = { "dwebp", "-quiet", coded, "-ppm", "-o", dec, NULL };
        r = sweep_spawn(a1, NULL, NULL, why, sizeof(why)) || sweep_spawn(a2, NULL, NULL, why, sizeof(why));
    }
    CHECK_MSG(!r, "%s", why);
    struct stat st;
    int w = 0, h = 0;
    uint8_t *const px = read_ppm(dec, &w, &h);
    CHECK(px && w == W && h == H && !stat(coded, &st));
    const SweepJson *const p = find_point(root, "a.ppm", codec, q);
    CHECK(p != NULL);
    if (!px || !p) {
        free(px);
        return;
    }
    const double bytes = num(p, "bytes"), psnr = num(p, "psnr-rgb"), mine = psnr_of(ref, px);
    printf("%s q=%d: sweep %.0f bytes %.4f dB, independent %lld bytes %.4f dB\n", codec, q, bytes, psnr,
           (long long)st.st_size, mine);
    CHECK(fabs(bytes - (double)st.st_size) <= 0.01 * (double)st.st_size);
    CHECK(fabs(psnr - mine) <= 0.05);
    CHECK(fabs(num(p, "bpp") - bytes * 8 / (W * H)) < 1e-9);
    free(px);
}

static int count_points(const SweepJson *const root, const char *const key, const int want_true)
{
    int n = 0;
    for (const SweepJson *e = sweep_json_get(root, "points")->child; e; e = e->next) {
        const SweepJson *const v = sweep_json_get(e, key);
        n += v && v->type == SJ_BOOL && (int)v->number == want_true;
    }
    return n;
}

static int exists(const char *const out, const char *const name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", out, name);
    return !stat(p, &st) && st.st_size > 0;
}

int main(void)
{
    char why[256];
    for (int i = 0; i < 2; i++) {
        const SweepAnchor *const a = sweep_anchor_find(i ? "webp" : "jpeg", LCC_MODALITY_IMAGE);
        if (!a || sweep_anchor_available(a, why, sizeof(why))) {
            printf("skip: %s\n", a ? why : "no anchor");
            return 77;
        }
    }
    snprintf(dir, sizeof(dir), "%s/lcc-sweep-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(data, sizeof(data), "%s/data", dir);
    mkdir(data, 0777);
    LccImage ims[2], gray;
    char path[512];
    for (int i = 0; i < 2; i++) {
        make_image(&ims[i], 3, i);
        snprintf(path, sizeof(path), "%s/%c.ppm", data, 'a' + i);
        CHECK(!sweep_write_pnm(NULL, path, &ims[i]));
    }
    make_image(&gray, 1, 7);
    snprintf(path, sizeof(path), "%s/d_gray.pgm", data);
    CHECK(!sweep_write_pnm(NULL, path, &gray));
    snprintf(path, sizeof(path), "%s/c_broken.png", data);
    FILE *f = fopen(path, "wb");
    fputs("\x89PNG\r\n\x1a\n this is not a PNG", f);
    fclose(f);
    /* media reading must work for the rest to mean anything */
    LccMedia probe = { 0 };
    snprintf(path, sizeof(path), "%s/a.ppm", data);
    const lcc_status perr = lcc_media_read(NULL, path, &probe);
    lcc_media_free(&probe);
    if (perr == LCC_ENOTSUP) {
        printf("skip: lcc_media_read is not available in this build\n");
        return 77;
    }

    char out[300];
    snprintf(out, sizeof(out), "%s/out", dir);
    SweepOptions o;
    memset(&o, 0, sizeof(o));
    o.data = data;
    o.outdir = out;
    o.profiles = "stored";
    o.anchors = "jpeg,webp";
    o.anchor_q[0] = "jpeg=30,80";
    o.anchor_q[1] = "webp=30,80";
    o.num_anchor_q = 2;
    o.threads = 2;
    o.quiet = 1;
    o.command = "test";
    CHECK(sweep_run(&o) == 0);
    SweepJson *root = load_json(out);
    CHECK(root != NULL);
    if (!root)
        return test_summary();
    const SweepJson *const files = sweep_json_get(root, "files");
    const SweepJson *fa = find_named(files, "name", "a.ppm"), *fc = find_named(files, "name", "c_broken.png"),
                    *fd = find_named(files, "name", "d_gray.pgm");
    CHECK(fa && !strcmp(sweep_json_get(fa, "status")->string, "ok") && num(fa, "width") == W);
    CHECK(fc && !strcmp(sweep_json_get(fc, "status")->string, "skipped") &&
          strstr(sweep_json_get(fc, "reason")->string, "unreadable"));
    CHECK(fd && !strcmp(sweep_json_get(fd, "status")->string, "skipped") &&
          strstr(sweep_json_get(fd, "reason")->string, "mixed set"));
    const SweepJson *const curves = sweep_json_get(root, "curves");
    const SweepJson *const cs = find_named(curves, "name", "stored"), *const cj = find_named(curves, "name", "jpeg"),
                    *const cw = find_named(curves, "name", "webp");
    CHECK(cs && cj && cw);
    if (cs && cj && cw) {
        const SweepJson *const sb = sweep_json_get(sweep_json_get(cs, "results"), "bpp");
        CHECK(sb && sb->child && !sb->child->next && sb->child->number > 24 && sb->child->number < 26);
        for (int k = 0; k < 2; k++) {
            const SweepJson *const r = sweep_json_get(k ? cw : cj, "results");
            const SweepJson *const b = sweep_json_get(r, "bpp"), *const p = sweep_json_get(r, "psnr-rgb"),
                            *const m = sweep_json_get(r, "ms-ssim-rgb"), *const n = sweep_json_get(r, "files");
            CHECK(b && b->child && b->child->next && !b->child->next->next);
            CHECK(b->child->number > 0.1 && b->child->number < b->child->next->number);
            CHECK(p->child->number > 20 && p->child->number < p->child->next->number);
            CHECK(m->child->number > 0.5 && m->child->number <= m->child->next->number && m->child->next->number < 1);
            CHECK(n->child->number == 2);
        }
    }
    CHECK(count_points(root, "cached", 0) == 10 && count_points(root, "cached", 1) == 0);
    independent(root, &ims[0], "jpeg", 80);
    independent(root, &ims[0], "webp", 80);
    independent(root, &ims[0], "jpeg", 30);
    sweep_json_free(root);

    CHECK(exists(out, "results.csv") && exists(out, "bd.md") && exists(out, "rd-psnr.svg") && exists(out, "rd-msssim.svg"));
    CHECK(exists(out, "curves/jpeg.json") && exists(out, "curves/stored.json"));
    {
        /* the per-curve files load back as published curves */
        SweepCurve *const cv = calloc(8, sizeof(*cv));
        int n = 0;
        char err[1024];
        snprintf(path, sizeof(path), "%s/curves", out);
        CHECK(cv && sweep_load_published(path, LCC_MODALITY_IMAGE, cv, &n, 8, err, sizeof(err)) == 3 && n == 3);
        CHECK(cv && !strcmp(cv[0].name, "jpeg") && cv[0].n == 2 && cv[0].rate[0] < cv[0].rate[1]);
        free(cv);
    }
    if (!access("/usr/bin/ffmpeg", X_OK))
        CHECK(exists(out, "rd-psnr.png") && exists(out, "rd-msssim.png"));
    size_t size;
    snprintf(path, sizeof(path), "%s/results.csv", out);
    char *text = slurp(path, &size);
    static const char head[] = "file,codec,kind,quality,status,bytes,bpp,psnr-rgb,psnr-y,ms-ssim-rgb,";
    CHECK(text && !strncmp(text, head, strlen(head)));
    int lines = 0;
    for (size_t i = 0; text && i < size; i++)
        lines += text[i] == '\n';
    CHECK(lines == 1 + 10 + 5);
    free(text);
    snprintf(path, sizeof(path), "%s/bd.md", out);
    text = slurp(path, &size);
    CHECK(text && strstr(text, "| **jpeg** |") && strstr(text, "n/a ("));
    free(text);

    /* resume: every point comes from the cache */
    CHECK(sweep_run(&o) == 0);
    root = load_json(out);
    CHECK(root && count_points(root, "cached", 1) == 10);
    sweep_json_free(root);

    /* a tool missing on the machine: that anchor is skipped with a reason */
    const char *const old = getenv("PATH");
    char *const saved = old ? strdup(old) : NULL;
    setenv("PATH", dir, 1);
    snprintf(out, sizeof(out), "%s/out2", dir);
    o.outdir = out;
    o.anchors = "jpeg,nosuch";
    CHECK(sweep_run(&o) == 0);
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
    root = load_json(out);
    const SweepJson *const codecs = root ? sweep_json_get(root, "codecs") : NULL;
    const SweepJson *const kj = find_named(codecs, "name", "jpeg"), *const kn = find_named(codecs, "name", "nosuch");
    CHECK(kj && !strcmp(sweep_json_get(kj, "status")->string, "skipped") &&
          strstr(sweep_json_get(kj, "reason")->string, "cjpeg not found"));
    CHECK(kn && !strcmp(sweep_json_get(kn, "status")->string, "skipped"));
    CHECK(root && find_named(sweep_json_get(root, "curves"), "name", "stored"));
    sweep_json_free(root);

    /* a profile with a model of fewer quality levels than the profile's
     * (the factorized wavelet-ae model: 8 of 10) is run at its own */
    snprintf(out, sizeof(out), "%s/out3", dir);
    o.outdir = out;
    o.profiles = "wavelet-ae:wavelet-ae-image.lccw";
    o.anchors = "none";
    CHECK(sweep_run(&o) == 0);
    root = load_json(out);
    int npoints = 0, nok = 0;
    for (const SweepJson *e = root ? sweep_json_get(root, "points")->child : NULL; e; e = e->next) {
        npoints++;
        nok += !strcmp(sweep_json_get(e, "status")->string, "ok");
    }
    CHECK_MSG(npoints == 2 * 8 && nok == npoints, "%d points, %d ok (want 16)", npoints, nok);
    sweep_json_free(root);
    o.profiles = "stored";

    /* no usable input: exit codes, no crash */
    o.data = "/nonexistent/dir";
    CHECK(sweep_run(&o) == 3);
    snprintf(path, sizeof(path), "%s/c_broken.png", data);
    o.data = path;
    CHECK(sweep_run(&o) == 2);

    for (int i = 0; i < 2; i++)
        free(ims[i].data);
    free(gray.data);
    char *rm[] = { "rm", "-rf", dir, NULL };
    sweep_spawn(rm, NULL, NULL, why, sizeof(why));
    return test_summary();
}
