/* lcc train pc: learn a hidden Chow-Liu tree on IDX images and write the
 * pc weight file. Structure (mutual information on 2^mi_bits levels,
 * maximum spanning tree, centered root), then mini-batch EM epochs with a
 * decaying step, then full-batch EM epochs. A checkpoint (exact float
 * state) can be written after every epoch and resumed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "encoders/train.h"
#include "entropy/pc/pc.h"
#include "entropy/pc/pc_image.h"
#include "libcodec/io/idx.h"

const char lcc_train_pc_usage[] =
    "Usage: lcc train pc --data IMAGES -o OUT.lccw [options]\n"
    "Learn a hidden Chow-Liu tree (HCLT) over the pixels of same-size 8-bit gray\n"
    "images and write the quantized weights for the pc profile.\n\n"
    "  --data F          training images: an IDX file of unsigned bytes (3 dimensions,\n"
    "                    uncompressed, e.g. train-images-idx3-ubyte)\n"
    "  -o, --output F    the weight file to write (atomically)\n"
    "  --images DIR      instead of --data: a context model for natural images of any\n"
    "                    size (gray and RGB), learned from the images in DIR (any format\n"
    "                    lcc reads; 8-bit gray or RGB); see --samples\n"
    "  --samples N       pixels sampled from the --images (default 300000)\n"
    "  --context N       context model variant for --images: 1 (9 variables, stream\n"
    "                    scheme 1), 2 (13 variables, scheme 2; default) or 3 (14\n"
    "                    variables, scheme 3: blended prediction)\n"
    "  --valid F         IDX images to report held-out bits/dim on (never trained on)\n"
    "  --limit N         use only the first N training images\n"
    "  --states H        latent states per variable, 2..256 (default 32)\n"
    "  --epochs N        mini-batch EM epochs (default 8)\n"
    "  --full-epochs N   full-batch EM epochs after them (default 4)\n"
    "  --batch N         mini-batch size (default 500)\n"
    "  --step0 X, --step1 X  mini-batch EM step, decaying geometrically from X0 to X1\n"
    "                    over the mini-batch epochs (default 0.8, 0.1)\n"
    "  --alpha-trans X   pseudocount of each transition row (default 0.1)\n"
    "  --alpha-leaf X    pseudocount of each leaf distribution (default 1.0)\n"
    "  --shift P         augmentation in the mini-batch epochs: each image moves by one\n"
    "                    pixel in one of the 8 directions with probability P (default 0)\n"
    "  --mi-bits N       pixel bits used for mutual information, 1..8 (default 4)\n"
    "  --leaf-step N     export the leaf probabilities in steps of N/8 bit (1, 2, 4\n"
    "                    or 8; default 1): coarser steps make a smaller file\n"
    "  --seed N          seed of the initial parameters and batch order (default 1)\n"
    "  --name S          model name stored in the file (default: the output's base name)\n"
    "  --checkpoint F    write the exact training state to F after every epoch\n"
    "  --resume          continue from --checkpoint F instead of starting over\n"
    "Progress goes to stderr on a terminal; --json prints one object per epoch.\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct Images {
    uint8_t *x;
    uint32_t n, w, h;
} Images;

static int load_images(LccContext *const c, const char *const path, const uint32_t limit, Images *const im)
{
    LccMedia m = { 0 };
    const lcc_status err = lcc_idx_read(c, path, &m);
    if (err) {
        fprintf(stderr, "lcc train pc: %s: %s\n", path, lcc_last_error(c));
        return err == LCC_EIO || err == LCC_ENOENT ? 3 : 2;
    }
    im->w = m.video.width;
    im->h = m.video.height;
    im->n = limit && limit < m.video.frames ? limit : m.video.frames;
    const size_t total = (size_t)im->n * im->w * im->h;
    im->x = malloc(total);
    if (!im->x) {
        lcc_media_free(&m);
        fprintf(stderr, "lcc train pc: out of memory\n");
        return 4;
    }
    for (size_t i = 0; i < total; i++)
        im->x[i] = (uint8_t)m.video.data[i];
    lcc_media_free(&m);
    return 0;
}

/* Residual contexts (pc_image.h) of random pixels of the images in dir:
 * n rows of PC_CTX_VARS (variant 1), PC_CTX2_VARS (variant 2) or
 * PC_CTX3_VARS (variant 3) bytes. */
static int load_contexts(const char *const dir, const uint32_t n, const uint64_t seed, const unsigned variant,
                         Images *const im)
{
    const unsigned nvars = variant == 3 ? PC_CTX3_VARS : variant == 2 ? PC_CTX2_VARS : PC_CTX_VARS;
    DIR *const d = opendir(dir);
    if (!d) {
        fprintf(stderr, "lcc train pc: %s: cannot open the directory\n", dir);
        return 3;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    const struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            char **const nn = realloc(names, cap * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
        }
        names[count] = malloc(strlen(dir) + strlen(de->d_name) + 2);
        if (!names[count])
            break;
        sprintf(names[count], "%s/%s", dir, de->d_name);
        count++;
    }
    closedir(d);
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *const t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    im->x = malloc((size_t)n * nvars);
    im->w = im->h = 0;
    im->n = 0;
    LccContext *c = NULL;
    int rc = !im->x || lcc_open(&c, NULL) ? 4 : 0;
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    size_t used = 0;
    for (size_t f = 0; f < count && !rc; f++) {
        LccMedia m = { 0 };
        if (lcc_media_read(c, names[f], &m) || m.modality != LCC_MODALITY_IMAGE || m.image.bit_depth != 8 ||
            (m.image.channels != 1 && m.image.channels != 3)) {
            lcc_media_free(&m);
            lcc_clear_error(c);
            continue;
        }
        used++;
        const uint32_t w = m.image.width, h = m.image.height, nc = m.image.channels;
        const size_t np = (size_t)w * h;
        static const unsigned order[3] = { 1, 0, 2 };
        uint8_t *const planes = malloc(np * 3), *const res = malloc(np * 3);
        int16_t *const gerr = malloc(np * sizeof(*gerr));
        /* Variant 3: the blend's state evolves pixel by pixel, so every
         * pixel's context row is kept from the sequential pass. */
        uint8_t *const rows = variant == 3 ? malloc(np * nc * PC_CTX3_VARS) : NULL;
        PcBlend bl = { 0 };
        if (!planes || !res || !gerr || (variant == 3 && (!rows || pc_blend_init(&bl, w, h)))) {
            rc = 4;
        } else {
            for (size_t i = 0; i < np; i++)
                for (uint32_t k = 0; k < nc; k++)
                    planes[k * np + i] = (uint8_t)m.image.data[i * nc + k];
            for (uint32_t pi = 0; pi < nc; pi++) {
                const unsigned ch = nc == 3 ? order[pi] : 0, kind = nc == 3 ? pi : 0;
                const uint8_t *const p = planes + ch * np;
                uint8_t *const r = res + (size_t)pi * np;
                for (uint32_t y = 0; y < h; y++)
                    for (uint32_t x = 0; x < w; x++) {
                        const size_t i = (size_t)y * w + x;
                        int pred;
                        if (variant == 3) {
                            const uint8_t *const g = kind ? planes + np : NULL;
                            pred = pc_blend_predict(&bl, p, g, kind == 2 ? planes : NULL, x, y);
                            uint16_t v[PC_CTX3_VARS];
                            pc_context3(v, r, kind ? res : NULL, kind == 2 ? res + np : NULL, p, g, w, x, y, kind,
                                        pred, bl.energy, bl.spread);
                            v[0] = (uint16_t)((p[i] - pred + 128) & 255);
                            for (unsigned q = 0; q < PC_CTX3_VARS; q++)
                                rows[((size_t)pi * np + i) * PC_CTX3_VARS + q] = (uint8_t)v[q];
                            pc_blend_update(&bl, x, y, p[i]);
                        } else {
                            pred = pc_predict12(p, planes + np, gerr, w, x, y, kind, variant == 2);
                            if (kind == 0)
                                gerr[i] = (int16_t)(p[i] - pred);
                        }
                        r[i] = (uint8_t)((p[i] - pred + 128) & 255);
                    }
            }
            /* This image's share of the samples. */
            const uint32_t want = (uint32_t)((uint64_t)n * (f + 1) / count - (uint64_t)n * f / count);
            for (uint32_t k = 0; k < want && im->n < n; k++) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                const uint32_t pi = (uint32_t)(s % nc);
                const size_t i = (size_t)((s >> 8) % np);
                const uint32_t x = (uint32_t)(i % w), y = (uint32_t)(i / w);
                uint16_t v[PC_CTX3_VARS];
                const unsigned kind = nc == 3 ? pi : 0;
                if (variant == 3) {
                    for (unsigned q = 0; q < PC_CTX3_VARS; q++)
                        v[q] = rows[((size_t)pi * np + i) * PC_CTX3_VARS + q];
                } else if (variant == 2) {
                    const uint8_t *const p = planes + (size_t)(nc == 3 ? order[pi] : 0) * np;
                    const int pred = kind ? pc_predict_diff(p, planes + np, w, x, y) : pc_predict(p, w, x, y);
                    pc_context2(v, res + (size_t)pi * np, kind ? res : NULL, kind == 2 ? res + np : NULL, p,
                                kind ? planes + np : NULL, w, x, y, kind, pred);
                } else {
                    pc_context(v, res + (size_t)pi * np, kind ? res : NULL, w, x, y, kind);
                }
                v[0] = res[(size_t)pi * np + i];   /* equal to the row's X0 in variant 3 */
                for (unsigned q = 0; q < nvars; q++)
                    im->x[(size_t)im->n * nvars + q] = (uint8_t)v[q];
                im->n++;
            }
        }
        free(planes);
        free(res);
        free(gerr);
        free(rows);
        pc_blend_free(&bl);
        lcc_media_free(&m);
    }
    lcc_close(&c);
    for (size_t f = 0; f < count; f++)
        free(names[f]);
    free(names);
    if (!rc && !im->n) {
        fprintf(stderr, "lcc train pc: no 8-bit gray or RGB image readable in %s\n", dir);
        rc = 2;
    }
    if (!rc)
        fprintf(stderr, "%u contexts from %zu images\n", im->n, used);
    return rc;
}

/* Re-root a tree (parent[]) at r. */
static void reroot(int32_t *const parent, const uint32_t D, const uint32_t r)
{
    int32_t prev = -1, v = (int32_t)r;
    while (v >= 0) {
        const int32_t up = parent[v];
        parent[v] = prev;
        prev = v;
        v = up;
    }
    (void)D;
}

static int parse_u(const char *const s, unsigned long *const v)
{
    char *end;
    *v = strtoul(s, &end, 10);
    return !*s || *end || s[0] == '-';
}

static int parse_d(const char *const s, double *const v)
{
    char *end;
    *v = strtod(s, &end);
    return !*s || *end || !(*v >= 0);
}

static int usage_err(const char *const msg, const char *const arg)
{
    fprintf(stderr, "lcc train pc: %s%s%s\n(lcc train pc --help lists the options)\n", msg, arg ? " " : "",
            arg ? arg : "");
    return 1;
}

static int write_all(const char *const path, const uint8_t *const buf, const size_t size)
{
    LccContext *c = NULL;
    if (lcc_open(&c, NULL))
        return -1;
    const lcc_status err = lcc_write_file_atomic(c, path, buf, size);
    if (err)
        fprintf(stderr, "lcc train pc: %s: %s\n", path, lcc_last_error(c));
    lcc_close(&c);
    return err ? -1 : 0;
}

int lcc_train_pc(const int argc, char **const argv, const LccTrainGlobal *const g)
{
    const char *data = NULL, *out = NULL, *valid = NULL, *ckpt = NULL, *name = NULL, *images = NULL;
    unsigned long states = 32, epochs = 8, full_epochs = 4, batch = 500, mi_bits = 4, seed = 1, limit = 0;
    unsigned long samples = 300000, variant = 2, leaf_step = 1;
    double step0 = 0.8, step1 = 0.1, alpha_trans = 0.1, alpha_leaf = 1.0, shift = 0;
    int resume = 0;
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        const char *const v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--resume")) {
            resume = 1;
            continue;
        }
        if (!v)
            return usage_err("missing value or unknown option:", a);
        i++;
        if (!strcmp(a, "--data"))
            data = v;
        else if (!strcmp(a, "--images"))
            images = v;
        else if (!strcmp(a, "--leaf-step"))
            bad = parse_u(v, &leaf_step) || (leaf_step != 1 && leaf_step != 2 && leaf_step != 4 && leaf_step != 8);
        else if (!strcmp(a, "--context"))
            bad = parse_u(v, &variant) || variant < 1 || variant > 3;
        else if (!strcmp(a, "--samples"))
            bad = parse_u(v, &samples) || samples < 100 || samples > 100000000;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--valid"))
            valid = v;
        else if (!strcmp(a, "--checkpoint"))
            ckpt = v;
        else if (!strcmp(a, "--name"))
            name = v;
        else if (!strcmp(a, "--states"))
            bad = parse_u(v, &states) || states < 2 || states > PC_MAX_STATES;
        else if (!strcmp(a, "--epochs"))
            bad = parse_u(v, &epochs) || epochs > 100000;
        else if (!strcmp(a, "--full-epochs"))
            bad = parse_u(v, &full_epochs) || full_epochs > 100000;
        else if (!strcmp(a, "--batch"))
            bad = parse_u(v, &batch) || batch < 1;
        else if (!strcmp(a, "--mi-bits"))
            bad = parse_u(v, &mi_bits) || mi_bits < 1 || mi_bits > 8;
        else if (!strcmp(a, "--seed"))
            bad = parse_u(v, &seed);
        else if (!strcmp(a, "--limit"))
            bad = parse_u(v, &limit);
        else if (!strcmp(a, "--step0"))
            bad = parse_d(v, &step0) || step0 > 1 || step0 <= 0;
        else if (!strcmp(a, "--step1"))
            bad = parse_d(v, &step1) || step1 > 1 || step1 <= 0;
        else if (!strcmp(a, "--alpha-trans"))
            bad = parse_d(v, &alpha_trans);
        else if (!strcmp(a, "--shift"))
            bad = parse_d(v, &shift) || shift > 1;
        else if (!strcmp(a, "--alpha-leaf"))
            bad = parse_d(v, &alpha_leaf);
        else
            return usage_err("unknown option", a);
        if (bad)
            return usage_err("invalid value for", a);
    }
    if (argc == 0) {
        fputs(lcc_train_pc_usage, stderr);
        return 1;
    }
    if ((!data == !images) || !out)
        return usage_err("needs one of --data IDX and --images DIR, and -o OUT.lccw", NULL);
    if (images && valid)
        return usage_err("--valid goes with --data", NULL);
    if (resume && !ckpt)
        return usage_err("--resume needs --checkpoint F", NULL);

    LccContext *c = NULL;
    if (lcc_open(&c, NULL))
        return 4;
    Images tr = { 0 }, va = { 0 };
    int rc = images ? load_contexts(images, (uint32_t)samples, seed, (unsigned)variant, &tr) : load_images(c, data, (uint32_t)limit, &tr);
    if (!rc && valid)
        rc = load_images(c, valid, 0, &va);
    lcc_close(&c);
    if (rc) {
        free(tr.x);
        free(va.x);
        return rc;
    }
    if (valid && (va.w != tr.w || va.h != tr.h)) {
        free(tr.x);
        free(va.x);
        return usage_err("--valid images differ in size from --data", NULL);
    }
    const uint32_t D = images ? (variant == 3   ? PC_CTX3_VARS
                                 : variant == 2 ? PC_CTX2_VARS
                                                : PC_CTX_VARS)
                              : tr.w * tr.h;
    if (D > PC_MAX_VARS || (uint64_t)D * 257 * states > (1u << 27)) {
        free(tr.x);
        free(va.x);
        fprintf(stderr, "lcc train pc: %u pixels x %lu states is too large a model\n", D, states);
        return 2;
    }
    const PcData pd = { tr.x, tr.n, D };
    const PcData pv = { va.x, va.n, D };
    PcTrain t = { 0 };
    uint64_t epoch = 0;
    uint32_t *const idx = malloc((size_t)tr.n * sizeof(*idx));
    int32_t *const parent = malloc(D * sizeof(*parent));
    uint8_t *const aug = malloc((size_t)(batch < tr.n ? batch : tr.n) * D);
    uint32_t *const aidx = malloc((size_t)(batch < tr.n ? batch : tr.n) * sizeof(*aidx));
    rc = 4;
    if (!idx || !parent || !aug || !aidx)
        goto done;
    const double t0 = now_s();
    if (resume) {
        uint8_t *buf = NULL;
        size_t size = 0;
        LccContext *rc_ctx = NULL;
        if (lcc_open(&rc_ctx, NULL))
            goto done;
        const lcc_status err = lcc_read_file(rc_ctx, ckpt, (size_t)1 << 34, &buf, &size);
        if (err)
            fprintf(stderr, "lcc train pc: %s: %s\n", ckpt, lcc_last_error(rc_ctx));
        lcc_close(&rc_ctx);
        if (err) {
            rc = 3;
            goto done;
        }
        const int e = pc_train_load_checkpoint(&t, &epoch, buf, size);
        free(buf);
        if (e || t.nvars != D) {
            fprintf(stderr, "lcc train pc: %s: not a checkpoint of this data's size\n", ckpt);
            rc = 2;
            goto done;
        }
        if (!g->quiet)
            fprintf(stderr, "resumed from %s at epoch %llu\n", ckpt, (unsigned long long)epoch);
    } else {
        if (!g->quiet)
            fprintf(stderr, "structure: mutual information of %u variables on %u images...\n", D, tr.n);
        if (pc_chow_liu(&pd, images ? 8 : (unsigned)mi_bits, 0.1, parent) < 0)
            goto done;
        if (images)   /* the coded variable is the root (pc_root_post) */
            reroot(parent, D, 0);
        if (pc_train_init(&t, &pd, parent, 256, (uint32_t)states, seed))
            goto done;
        t.width = tr.w;
        t.height = tr.h;
        if (!g->quiet)
            fprintf(stderr, "structure done in %.1f s (root %u)\n", now_s() - t0, t.root);
    }
    const uint64_t total = epochs + full_epochs;
    uint64_t rs = seed * 0x9e3779b97f4a7c15ull + 7;
    for (; epoch < total; epoch++) {
        const double te = now_s();
        for (uint32_t i = 0; i < tr.n; i++)
            idx[i] = i;
        double step = 1.0;
        uint32_t bs = tr.n;
        if (epoch < epochs) {
            /* Shuffle with a per-epoch seed so resuming gives the same order. */
            uint64_t s = rs ^ (epoch * 0xd1b54a32d192ed03ull);
            for (uint32_t i = tr.n; i > 1; i--) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                const uint32_t j = (uint32_t)(s % i);
                const uint32_t tmp = idx[i - 1];
                idx[i - 1] = idx[j];
                idx[j] = tmp;
            }
            step = epochs > 1 ? step0 * pow(step1 / step0, (double)epoch / (double)(epochs - 1)) : step0;
            bs = (uint32_t)(batch < tr.n ? batch : tr.n);
        }
        double ll = 0;
        uint32_t done_n = 0;
        for (uint32_t b0 = 0; b0 < tr.n; b0 += bs) {
            const uint32_t nb = tr.n - b0 < bs ? tr.n - b0 : bs;
            double l;
            if (shift > 0 && epoch < epochs && !images) {
                /* Augmentation: each image of the batch moves by one pixel
                 * in a random direction with probability --shift. */
                uint64_t s = rs ^ (epoch * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)b0 << 20);
                for (uint32_t k = 0; k < nb; k++) {
                    s = s * 6364136223846793005ull + 1442695040888963407ull;
                    const uint8_t *const src = tr.x + (size_t)idx[b0 + k] * D;
                    uint8_t *const dst = aug + (size_t)k * D;
                    int dx = 0, dy = 0;
                    if ((double)(s >> 11) * (1.0 / 9007199254740992.0) < shift) {
                        const unsigned dir = (unsigned)(s >> 3) % 8;   /* the 8 neighbours */
                        dx = (int)(dir % 3) - 1;
                        dy = dir < 3 ? -1 : dir < 5 ? 0 : 1;
                        if (dir == 3)
                            dx = -1;
                        else if (dir == 4)
                            dx = 1;
                    }
                    for (uint32_t y = 0; y < tr.h; y++)
                        for (uint32_t x = 0; x < tr.w; x++) {
                            const int sy = (int)y - dy, sx = (int)x - dx;
                            dst[y * tr.w + x] = sy >= 0 && sy < (int)tr.h && sx >= 0 && sx < (int)tr.w
                                                    ? src[(uint32_t)sy * tr.w + (uint32_t)sx]
                                                    : 0;
                        }
                    aidx[k] = k;
                }
                const PcData pa = { aug, nb, D };
                l = pc_train_em_step(&t, &pa, aidx, nb, step, alpha_trans, alpha_leaf);
            } else {
                l = pc_train_em_step(&t, &pd, idx + b0, nb, step, alpha_trans, alpha_leaf);
            }
            if (isnan(l))
                goto done;
            ll += l * nb;
            done_n += nb;
            if (!g->quiet && isatty(STDERR_FILENO)) {
                const double frac = ((double)epoch + (double)done_n / tr.n) / (double)total;
                const double el = now_s() - t0;
                fprintf(stderr, "\rtraining: epoch %llu/%llu %5.1f%%  %.0fs elapsed ",
                        (unsigned long long)epoch + 1, (unsigned long long)total, 100 * frac, el);
            }
        }
        const double train_bpd = -ll / tr.n / (D * log(2.0));
        double valid_bpd = NAN;
        if (valid)
            valid_bpd = -pc_train_loglik(&t, &pv, 0, pv.n) / (D * log(2.0));
        if (ckpt) {
            uint8_t *buf = NULL;
            size_t size = 0;
            if (pc_train_save_checkpoint(&t, epoch + 1, &buf, &size) || write_all(ckpt, buf, size)) {
                free(buf);
                rc = 3;
                goto done;
            }
            free(buf);
        }
        if (g->json)
            printf("{\"epoch\": %llu, \"step\": %.4f, \"train_bpd\": %.5f, \"valid_bpd\": %.5f, \"seconds\": %.2f}\n",
                   (unsigned long long)epoch + 1, step, train_bpd, valid ? valid_bpd : -1.0, now_s() - te);
        else if (!g->quiet)
        {
            char vs[48] = "";
            if (valid)
                snprintf(vs, sizeof(vs), "  valid %.4f", valid_bpd);
            fprintf(stderr, "\repoch %llu/%llu  step %.3f  train %.4f bits/dim (before the step)%s  %.1f s\n",
                    (unsigned long long)epoch + 1, (unsigned long long)total, step, train_bpd, vs, now_s() - te);
        }
        fflush(stdout);
    }
    {
        char base[64] = "pc";
        if (name) {
            snprintf(base, sizeof(base), "%s", name);
        } else {
            const char *const sl = strrchr(out, '/');
            snprintf(base, sizeof(base), "%s", sl ? sl + 1 : out);
            char *const dot = strrchr(base, '.');
            if (dot)
                *dot = 0;
        }
        uint8_t *buf = NULL;
        size_t size = 0;
        if (pc_train_export_step(&t, base, (unsigned)leaf_step, &buf, &size))
            goto done;
        if (write_all(out, buf, size)) {
            free(buf);
            rc = 3;
            goto done;
        }
        /* Report the exact coded size of the fixed-point model on --valid. */
        PcModel m;
        char err[160];
        if (!pc_model_parse(&m, buf, size, err, sizeof(err))) {
            if (valid) {
                PcEval *const e = pc_eval_new(&m);
                uint16_t *const x = malloc(D * sizeof(*x));
                if (e && x) {
                    double bits = 0;
                    for (uint32_t i = 0; i < va.n; i++) {
                        for (uint32_t k = 0; k < D; k++)
                            x[k] = va.x[(size_t)i * D + k];
                        bits += pc_code_bits(e, x, 24);
                    }
                    if (!g->quiet)
                        fprintf(stderr, "fixed-point model: %.4f bits/dim on --valid (coder precision 24)\n",
                                bits / ((double)va.n * D));
                }
                free(x);
                pc_eval_free(e);
            }
            if (!g->quiet) {
                fprintf(stderr, "wrote %s: %zu bytes, model id ", out, size);
                for (int i = 0; i < 8; i++)
                    fprintf(stderr, "%02x", m.sha256[i]);
                fprintf(stderr, ", %.1f s in all\n", now_s() - t0);
            }
            pc_model_free(&m);
        } else {
            fprintf(stderr, "lcc train pc: the exported model does not parse: %s\n", err);
            free(buf);
            goto done;
        }
        free(buf);
    }
    rc = 0;
done:
    if (rc == 4)
        fprintf(stderr, "lcc train pc: out of memory\n");
    pc_train_free(&t);
    free(idx);
    free(parent);
    free(aug);
    free(aidx);
    free(tr.x);
    free(va.x);
    return rc;
}
