/* wavelet-ae: the model graph's backward passes against central finite
 * differences, and codec round trips with the shipped models (odd sizes,
 * gray, alpha, 16-bit; the decode bit-identical with any thread count
 * and kernel set); the
 * hyperprior and context models' latents entropy-decode identically with
 * every kernel set and thread count at every quality, and are the
 * encoder's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entropy/factorized.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/walloc.h"
#include "test.h"
#include "wavelet/wavelet.h"

static LccNn nn;
static uint64_t seed;

static float frnd(void)
{
    return (float)((double)(test_rand(&seed) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* L = sum r * synthesis(analysis(X)) with the rounding left out, so the
 * chain is differentiable: checks analysis_backward and
 * synthesis_backward together. */
static double chain_loss(WallocNet *const m, const LccTensor *const X, const float *const r, const int q)
{
    lcc_nn_reset(&nn);
    LccTensor y, Xh;
    if (walloc_analysis(&nn, m, X, q, &y, 0) || walloc_synthesis(&nn, m, &y, q, &Xh, 1))
        return NAN;
    double s = 0;
    for (size_t i = 0; i < lcc_tensor_size(&Xh); i++)
        s += (double)r[i] * Xh.d[i];
    return s;
}

static void gradient_check(const int ana_n)
{
    const WallocConfig cfg = { 1, 1, 3, 4, 1, 2, 0, .ana_n = ana_n };
    WallocNet m;
    CHECK(!walloc_init(&m, &cfg, 7));
    const int K = m.bands, H = 3, W = 5, q = 1;
    /* D's last layer starts at zero: give it weights so its path counts. */
    LccParams *const P = &m.net.params;
    for (int i = 0; i < P->n; i++)
        for (size_t k = 0; k < P->p[i]->size; k++)
            P->p[i]->w[k] = 0.5f * frnd();
    float xd[4 * 3 * 5], r[4 * 3 * 5];
    for (int i = 0; i < K * H * W; i++) {
        xd[i] = 2 * frnd();
        r[i] = frnd();
    }
    const LccTensor X = { xd, 1, K, H, W };
    /* analytic */
    lcc_params_zero_grad(P);
    lcc_nn_reset(&nn);
    LccTensor y, Xh, dy;
    CHECK(!walloc_analysis(&nn, &m, &X, q, &y, 1));
    CHECK(!walloc_synthesis(&nn, &m, &y, q, &Xh, 1));
    LccTensor dXh = lcc_nn_tensor(&nn, 1, K, H, W);
    memcpy(dXh.d, r, sizeof(r));
    CHECK(!walloc_synthesis_backward(&nn, &m, &y, q, &dXh, &dy));
    CHECK(!walloc_analysis_backward(&nn, &m, &X, &y, q, &dy));
    /* numeric, every parameter element */
    double worst = 0;
    for (int i = 0; i < P->n; i++) {
        LccParam *const p = P->p[i];
        double num2 = 0, diff2 = 0, ana2 = 0;
        for (size_t k = 0; k < p->size; k++) {
            const float v = p->w[k], e = 1e-2f;
            p->w[k] = v + e;
            const double lp = chain_loss(&m, &X, r, q);
            p->w[k] = v - e;
            const double lm = chain_loss(&m, &X, r, q);
            p->w[k] = v;
            const double num = (lp - lm) / (2.0 * e), ana = p->g[k];
            num2 += num * num;
            ana2 += ana * ana;
            diff2 += (num - ana) * (num - ana);
        }
        const double den = sqrt(num2 > ana2 ? num2 : ana2);
        const double rel = den < 1e-9 ? sqrt(diff2) : sqrt(diff2) / den;
        if (rel > worst)
            worst = rel;
        CHECK_MSG(rel < 1e-2, "parameter %s: relative gradient error %.2e", p->name, rel);
    }
    printf("walloc graph%s: worst relative gradient error %.2e\n", ana_n ? " (nonlinear analysis)" : "", worst);
    walloc_free(&m);
}

/* L = sum r * post(x) for the post-filter. */
static double post_loss(WallocNet *const m, const float *const x, const float *const r, const int n)
{
    lcc_nn_reset(&nn);
    LccTensor t = lcc_nn_tensor(&nn, 1, m->cfg.channels, 4, 7);
    memcpy(t.d, x, sizeof(float) * (size_t)n);
    if (walloc_post(&nn, m, &t, 0))
        return NAN;
    double s = 0;
    for (int i = 0; i < n; i++)
        s += (double)r[i] * t.d[i];
    return s;
}

/* The post-filter's backward (parameters and input) against central
 * differences. */
static void post_gradient_check(void)
{
    const WallocConfig cfg = { 2, 1, 3, 4, 1, 2, 0, .post_n = 3 };
    WallocNet m;
    CHECK(!walloc_init(&m, &cfg, 7));
    CHECK(m.pf != NULL);
    enum { N = 2 * 4 * 7 };
    float x[N], r[N];
    for (int i = 0; i < N; i++) {
        x[i] = frnd();
        r[i] = frnd();
    }
    LccParams *const P = &m.net.params;
    for (int i = 0; i < P->n; i++) /* the last layer starts at zero: give it weights */
        for (size_t k = 0; k < P->p[i]->size; k++)
            P->p[i]->w[k] = 0.5f * frnd();
    lcc_params_zero_grad(P);
    lcc_nn_reset(&nn);
    LccTensor t = lcc_nn_tensor(&nn, 1, 2, 4, 7), dt = lcc_nn_tensor(&nn, 1, 2, 4, 7);
    memcpy(t.d, x, sizeof(x));
    CHECK(!walloc_post(&nn, &m, &t, 1));
    memcpy(dt.d, r, sizeof(r));
    CHECK(!walloc_post_backward(&nn, &m, &dt));
    float dx[N];
    memcpy(dx, dt.d, sizeof(dx));
    double worst = 0;
    const float e = 1e-3f;
    const double l0 = post_loss(&m, x, r, N);
    int checked = 0, kinks = 0;
    for (int i = -1; i < P->n; i++) {
        if (i >= 0 && strncmp(P->p[i]->name, "pf.", 3))
            continue;
        float *const w = i < 0 ? x : P->p[i]->w;
        const size_t size = i < 0 ? N : P->p[i]->size;
        double num2 = 0, diff2 = 0, ana2 = 0;
        for (size_t k = 0; k < size; k++) {
            const float v = w[k];
            w[k] = v + e;
            const double lp = post_loss(&m, x, r, N);
            w[k] = v - e;
            const double lm = post_loss(&m, x, r, N);
            w[k] = v;
            /* a step across a leaky ReLU's kink: the one-sided differences
             * disagree, and neither is the derivative; skip the element */
            const double up = (lp - l0) / e, down = (l0 - lm) / e;
            checked++;
            if (fabs(up - down) > 1e-3 * (fabs(up) + fabs(down)) + 1e-3) {
                kinks++;
                continue;
            }
            const double num = (lp - lm) / (2.0 * e), ana = i < 0 ? dx[k] : P->p[i]->g[k];
            num2 += num * num;
            ana2 += ana * ana;
            diff2 += (num - ana) * (num - ana);
        }
        const double rel = sqrt(diff2) / sqrt(num2 > ana2 ? num2 : ana2);
        worst = rel > worst ? rel : worst;
        CHECK_MSG(rel < 1e-2, "post-filter %s: relative gradient error %.2e", i < 0 ? "input" : P->p[i]->name, rel);
    }
    CHECK_MSG(kinks * 10 < checked, "%d of %d elements at a kink", kinks, checked);
    printf("walloc post-filter: worst relative gradient error %.2e (%d of %d elements at a kink)\n", worst, kinks,
           checked);
    walloc_free(&m);
}

/* The decoder's post-filter in strips of rows (walloc_post_image) is the
 * whole image's (walloc_post) bit for bit, for any strip height. */
static void post_strips_check(void)
{
    const WallocConfig cfg = { 3, 1, 3, 4, 1, 2, 0, .post_n = 5 };
    WallocNet m;
    CHECK(!walloc_init(&m, &cfg, 9));
    LccParams *const P = &m.net.params;
    for (int i = 0; i < P->n; i++)
        for (size_t k = 0; k < P->p[i]->size; k++)
            P->p[i]->w[k] = 0.5f * frnd();
    enum { W = 37, H = 23, N = 3 * W * H };
    float *const x = malloc(sizeof(float) * N), *const y = malloc(sizeof(float) * N);
    for (int i = 0; i < N && x; i++)
        x[i] = frnd() * 0.5f;
    CHECK(x && y);
    const int rows[] = { 1, 2, 4, 7, 22, 23, 0 };
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]) && x && y; k++) {
        memcpy(y, x, sizeof(float) * N);
        CHECK(!walloc_post_image(&nn, &m, y, W, H, rows[k]));
        lcc_nn_reset(&nn);
        LccTensor t = lcc_nn_tensor(&nn, 1, 3, H, W);
        memcpy(t.d, x, sizeof(float) * N);
        CHECK(!walloc_post(&nn, &m, &t, 0));
        CHECK_MSG(!memcmp(t.d, y, sizeof(float) * N), "post-filter in strips of %d rows differs", rows[k]);
        CHECK(memcmp(x, y, sizeof(float) * N)); /* the filter did something */
    }
    free(x);
    free(y);
    walloc_free(&m);
}

/* Encode with wavelet-ae and decode; checks geometry, alpha (lossless)
 * and a PSNR floor. */
static void test_image(LccMedia *const m, const uint32_t w, const uint32_t h, const uint32_t ch,
                       const uint32_t depth)
{
    *m = (LccMedia){ .modality = LCC_MODALITY_IMAGE };
    m->image = (LccImage){ w, h, ch, depth, NULL };
    CHECK(!lcc_media_alloc(m, NULL));
    const uint32_t maxv = (1u << depth) - 1;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t k = 0; k < ch; k++) /* smooth content plus a little noise */
                m->image.data[((size_t)y * w + x) * ch + k] =
                    (uint16_t)(maxv * (0.5 + 0.3 * sin(0.05 * x + 0.9 * k) * cos(0.07 * y)) +
                               (test_rand(&seed) % 3));
}

static const char *model_name = NULL;   /* NULL: the encoder's default */

static void roundtrip(LccContext *const c, const uint32_t w, const uint32_t h, const uint32_t ch,
                      const uint32_t depth, const int q, const double min_psnr)
{
    LccMedia m;
    test_image(&m, w, h, ch, depth);
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "wavelet-ae";
    p.quality = q;
    p.model = model_name;
    uint8_t *buf = NULL;
    size_t size = 0;
    lcc_status err = lcc_encode(c, &m, &p, &buf, &size);
    CHECK_MSG(!err, "%ux%u x%u %u-bit q%d: encode: %s", w, h, ch, depth, q, lcc_last_error(c));
    LccMedia d = { 0 };
    if (!err)
        err = lcc_decode(c, buf, size, &d);
    CHECK_MSG(!err, "%ux%u: decode: %s", w, h, lcc_last_error(c));
    if (!err) {
        CHECK(d.image.width == w && d.image.height == h && d.image.channels == ch && d.image.bit_depth == depth);
        int alpha_ok = 1;
        const int has_alpha = ch == 2 || ch == 4;
        for (size_t i = 0; has_alpha && i < (size_t)w * h; i++)
            alpha_ok &= d.image.data[i * ch + ch - 1] == m.image.data[i * ch + ch - 1];
        CHECK_MSG(alpha_ok, "%ux%u x%u: alpha is not lossless", w, h, ch);
        LccQuality qq;
        CHECK(!lcc_compare(c, &m, &d, &qq));
        CHECK_MSG(qq.psnr >= min_psnr, "%ux%u x%u %u-bit q%d: PSNR %.2f < %.2f", w, h, ch, depth, q, qq.psnr,
                  min_psnr);
        /* the decode is bit-identical with 1 thread and with every kernel
         * set (float synthesis included: the GEMM kernels agree bit for bit) */
        const char *const cpus[3] = { NULL, "c", "avx2" };
        for (int k = 0; k < 3; k++) {
            LccSettings s;
            lcc_default_settings(&s);
            s.threads = 1;
            LccContext *c1;
            LccMedia d1 = { 0 };
            lcc_cpu_set_flags_mask(cpus[k] ? (unsigned)lcc_cpu_mask_from_name(cpus[k]) : LCC_CPU_FLAGS_ALL);
            CHECK(!lcc_open(&c1, &s));
            CHECK_MSG(!lcc_decode(c1, buf, size, &d1) && lcc_media_equal(&d, &d1),
                      "%ux%u q%d: decode with 1 thread, cpu %s differs", w, h, q, cpus[k] ? cpus[k] : "default");
            lcc_media_free(&d1);
            lcc_close(&c1);
        }
        lcc_cpu_set_flags_mask(LCC_CPU_FLAGS_ALL);
    }
    lcc_media_free(&d);
    lcc_media_free(&m);
    free(buf);
}

/* A context keeps the models it loaded (libcodec/internal.h): after c
 * has coded with several models, its streams equal a fresh context's. */
static void cache_check(LccContext *const c)
{
    LccMedia m;
    test_image(&m, 40, 30, 3, 8);
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "wavelet-ae";
    p.quality = 5;
    uint8_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    LccContext *fresh;
    CHECK(!lcc_open(&fresh, NULL));
    CHECK(!lcc_encode(c, &m, &p, &a, &na));
    CHECK(!lcc_encode(fresh, &m, &p, &b, &nb));
    CHECK_MSG(na == nb && a && b && !memcmp(a, b, na), "a context's cached model gives another stream");
    LccMedia d1 = { 0 }, d2 = { 0 };
    CHECK(a && !lcc_decode(c, a, na, &d1) && !lcc_decode(fresh, a, na, &d2) && lcc_media_equal(&d1, &d2));
    lcc_media_free(&d1);
    lcc_media_free(&d2);
    lcc_close(&fresh);
    free(a);
    free(b);
    lcc_media_free(&m);
}

/* The encoder's choices with the default model: rate-distortion rounding
 * (the default) against nearest rounding (--no-rdoq), and refinement
 * (--refine). Each stream decodes; the objective bpp + lambda 255^2 MSE
 * of the rounding is lower than nearest rounding's, with a smaller stream,
 * and refinement's is not worse than the default's (it keeps the best
 * latent it measured; the decoded samples' rounding allows 1%). */
static void encoder_choice_check(LccContext *const c)
{
    enum { W = 192, H = 128, Q = 5 };
    LccMedia m;
    test_image(&m, W, H, 3, 8);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) /* texture: files of some size */
        m.image.data[i] = (uint16_t)(m.image.data[i] * 3 / 4 + test_rand(&seed) % 64);
    double J[3] = { 0, 0, 0 };
    size_t bytes[3] = { 0, 0, 0 };
    for (int k = 0; k < 3; k++) {
        LccEncodeParams p;
        lcc_default_encode_params(&p);
        p.profile = "wavelet-ae";
        p.quality = Q;
        p.no_rdoq = k == 0;
        p.refine = k == 2 ? 8 : 0;
        uint8_t *buf = NULL;
        LccMedia d = { 0 };
        LccQuality qq;
        if (lcc_encode(c, &m, &p, &buf, &bytes[k]) || lcc_decode(c, buf, bytes[k], &d) ||
            lcc_compare(c, &m, &d, &qq)) {
            CHECK_MSG(0, "encoder choice %d: %s", k, lcc_last_error(c));
            free(buf);
            lcc_media_free(&d);
            break;
        }
        J[k] = 8.0 * (double)bytes[k] / (W * H) + walloc_hp_lambdas[Q - 1] * 255.0 * 255.0 * pow(10.0, -qq.psnr / 10);
        free(buf);
        lcc_media_free(&d);
    }
    printf("encoder choices, objective: nearest %.4f (%zu bytes), rd rounding %.4f (%zu), refined %.4f (%zu)\n", J[0],
           bytes[0], J[1], bytes[1], J[2], bytes[2]);
    CHECK_MSG(J[1] < J[0] && bytes[1] < bytes[0], "rd rounding: objective %.4f, nearest rounding %.4f", J[1], J[0]);
    CHECK_MSG(J[2] <= J[1] * 1.01, "refine: objective %.4f, unrefined %.4f", J[2], J[1]);
    lcc_media_free(&m);
}

/* The model files of make_hp_model's kinds. */
static const char *const hp_files[3] = { WALLOC_IMAGE_HP_MODEL_FILE, WALLOC_IMAGE_CB_MODEL_FILE,
                                         WALLOC_IMAGE_CS_MODEL_FILE };

/* A hyperprior model with random weights (its integer hyper-synthesis
 * calibrated on random z^) written as dir/wavelet-ae-image-hp.lccw, or
 * with the checkerboard context too (context 1: its cx random, calibrated
 * on random anchor residuals) as dir/wavelet-ae-image-cb.lccw, or with the
 * channel-slice context (context 2: cx calibrated on random masks and
 * values) as dir/wavelet-ae-image-cs.lccw: the test does not depend on
 * the state of training. */
static int make_hp_model(const char *const dir, const int context)
{
    WallocConfig cfg = context == 2 ? walloc_image_cs_config : context ? walloc_image_cb_config
                                                                       : walloc_image_hp_config;
    LccFactorized f;
    if (lcc_factorized_init(&f, cfg.hyper_m, NULL, 0, 4.0f, 3))
        return 1;
    cfg.prior_params = (int)f.per_channel;
    WallocNet m;
    LccQNet hsq = { 0 }, cxq = { 0 };
    LccwWriter w = { { 0 }, 0 };
    LccBuf out = { 0 };
    int bad = walloc_init(&m, &cfg, 11) != LCC_OK;
    for (int q = 0; !bad && q < cfg.qualities; q++) /* latents of a few units */
        for (int l = 0; l < cfg.latent; l++)
            m.loggain->w[q * cfg.latent + l] = 1.5f + 0.3f * (float)q;
    lcc_nn_reset(&nn);
    LccTensor calib = lcc_nn_tensor(&nn, 4, cfg.hyper_m, 6, 6);
    for (size_t i = 0; !bad && i < lcc_tensor_size(&calib); i++)
        calib.d[i] = (float)((int)(test_rand(&seed) % 17) - 8);
    bad = bad || !calib.d || lcc_qnet_from_seq(&nn, m.hs, &calib, &hsq);
    if (!bad && context) {
        /* cx's last layer starts at 0: give the context something to say */
        lcc_param_uniform(m.cx->l[m.cx->n - 1].w, &m.net.rng, 0.05f);
        const int S = cfg.ctx_slices;
        LccTensor r = lcc_nn_tensor(&nn, 4, S + cfg.latent, 8, 8);
        for (size_t i = 0; r.d && i < lcc_tensor_size(&r); i++) {
            const int ch = (int)(i / 64 % (size_t)(S + cfg.latent));
            r.d[i] = ch < S ? (float)(test_rand(&seed) & 1)
                     : S || walloc_is_anchor((int)(i % 64) / 8, (int)(i % 8))
                         ? (float)((int)(test_rand(&seed) % 9) - 4)
                         : 0;
        }
        bad = !r.d || lcc_qnet_from_seq(&nn, m.cx, &r, &cxq);
    }
    if (!bad)
        walloc_write(&m, &hsq, &cxq, &w);
    for (int q = 0; !bad && q < cfg.qualities; q++) {
        LccCdfBank bank = { 0 };
        LccBuf b = { 0 };
        char name[32];
        snprintf(name, sizeof(name), "cdf.%d", q);
        bad = lcc_factorized_export(&f, LCC_CDF_DEFAULT_PRECISION, 1e-9, &bank) != LCC_OK;
        if (!bad) {
            lcc_cdf_bank_write(&bank, &b);
            lcc_lccw_add(&w, name, LCCW_I8, 1, (const uint32_t[]){ (uint32_t)b.size }, b.data);
        }
        lcc_buf_free(&b);
        lcc_cdf_bank_free(&bank);
    }
    uint8_t id[32];
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, hp_files[context]);
    bad = bad || lcc_lccw_finish(NULL, &w, &out, id);
    FILE *const fp = bad ? NULL : fopen(path, "wb");
    bad = bad || !fp || fwrite(out.data, 1, out.size, fp) != out.size;
    if (fp)
        bad |= fclose(fp) != 0;
    lcc_buf_free(&out);
    lcc_qnet_free(&hsq);
    lcc_qnet_free(&cxq);
    walloc_free(&m);
    lcc_factorized_free(&f);
    return bad;
}

static const char *hp_dir = NULL;   /* the random hyperprior model's directory */

/* Latents of one stream under a kernel set and thread count. */
static int32_t *latents(const uint8_t *const buf, const size_t size, const unsigned mask, const int threads,
                        uint32_t shape[3])
{
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = threads;
    s.model_dir = hp_dir;
    LccContext *c;
    int32_t *out = NULL;
    lcc_cpu_set_flags_mask(mask);
    CHECK(!lcc_open(&c, &s));
    CHECK_MSG(!lcc_decode_latents(c, buf, size, &out, shape), "latents: %s", lcc_last_error(c));
    lcc_close(&c);
    lcc_cpu_set_flags_mask(LCC_CPU_FLAGS_ALL);
    return out;
}

/* The encoder's unrounded latent y of m (the model file in dir): what the
 * decoded y^ must be within 1/2 of (mu + round(y - mu)). */
static float *encoder_latent(const char *const path, const LccMedia *const m, const int q, size_t *const n)
{
    FILE *const fp = fopen(path, "rb");
    uint8_t *data = malloc(8 << 20);
    const size_t size = fp && data ? fread(data, 1, 8 << 20, fp) : 0;
    if (fp)
        fclose(fp);
    WallocNet net;
    uint8_t id[32];
    const uint8_t *cdf[WALLOC_MAX_QUALITIES];
    size_t cdf_size[WALLOC_MAX_QUALITIES];
    float *out = NULL;
    if (size && !walloc_load(NULL, &net, data, size, id, cdf, cdf_size)) {
        const LccImage *const im = &m->image;
        const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, net.cfg.levels, 3, (int)im->width,
                                   (int)im->height };
        int K, mh, mw;
        wavelet_coef_shape(&spec, &K, &mh, &mw);
        const size_t px = (size_t)im->width * im->height;
        float *const x = malloc(sizeof(float) * wavelet_signal_count(&spec));
        void *const ws = malloc(wavelet_workspace_bytes(&spec));
        lcc_nn_reset(&nn);
        LccTensor X = lcc_nn_tensor(&nn, 1, K, mh, mw), y;
        for (size_t i = 0; x && i < 3 * px; i++)
            x[i] = (float)im->data[(i % px) * im->channels + i / px] / 255.0f - 0.5f;
        if (x && ws && X.d && !wavelet_forward(&spec, x, X.d, ws) && !walloc_analysis(&nn, &net, &X, q - 1, &y, 0)) {
            *n = lcc_tensor_size(&y);
            out = malloc(sizeof(float) * *n);
            if (out)
                memcpy(out, y.d, sizeof(float) * *n);
        }
        free(x);
        free(ws);
        walloc_free(&net);
    }
    free(data);
    return out;
}

/* The hyperprior's (and context model's) means and scale indexes come from
 * integer arithmetic: the decoded latents must not depend on the kernels
 * or threads, and must be the encoder's (within the rounding of y^). */
static void hyper_determinism(const int context)
{
    const char *const file = hp_files[context];
    char dir[] = "/tmp/lcc-test-hp-XXXXXX";
    if (!mkdtemp(dir) || make_hp_model(dir, context)) {
        CHECK_MSG(0, "cannot write the random %s model", file);
        return;
    }
    hp_dir = dir;
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    LccSettings st;
    lcc_default_settings(&st);
    st.model_dir = dir;
    LccContext *c;
    CHECK(!lcc_open(&c, &st));
    LccMedia m;
    test_image(&m, 150, 101, 3, 8);
    for (int q = 1; q <= WALLOC_HP_QUALITIES; q++) {
        LccEncodeParams p;
        lcc_default_encode_params(&p);
        p.profile = "wavelet-ae";
        p.quality = q;
        p.model = file;
        uint8_t *buf = NULL;
        size_t size = 0;
        if (lcc_encode(c, &m, &p, &buf, &size)) {
            CHECK_MSG(0, "%s encode q%d: %s", file, q, lcc_last_error(c));
            break;
        }
        uint32_t s0[3], s1[3], s2[3];
        int32_t *const a = latents(buf, size, LCC_CPU_FLAGS_ALL, 2, s0);
        int32_t *const b = latents(buf, size, (unsigned)lcc_cpu_mask_from_name("c"), 1, s1);
        int32_t *const d = latents(buf, size, (unsigned)lcc_cpu_mask_from_name("avx2"), 2, s2);
        size_t ny = 0;
        float *const y = encoder_latent(path, &m, q, &ny);
        CHECK(a && b && d && y && !memcmp(s0, s1, sizeof(s0)) && !memcmp(s0, s2, sizeof(s0)) &&
              ny == (size_t)s0[0] * s0[1] * s0[2]);
        if (a && b && d && y && ny == (size_t)s0[0] * s0[1] * s0[2]) {
            CHECK_MSG(!memcmp(a, b, sizeof(int32_t) * ny) && !memcmp(a, d, sizeof(int32_t) * ny),
                      "%s q%d: latents differ between kernel sets", file, q);
            size_t far = 0; /* latents (rounded y^) more than 1 from y */
            for (size_t i = 0; i < ny; i++)
                far += fabsf((float)a[i] - y[i]) > 1.0f + 1e-3f;
            CHECK_MSG(far == 0, "%s q%d: %zu decoded latents are not the encoder's", file, q, far);
        }
        free(a);
        free(b);
        free(d);
        free(y);
        free(buf);
    }
    lcc_media_free(&m);
    lcc_close(&c);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    seed = test_seed();
    if (lcc_nn_init(&nn, NULL, 1, lcc_cpu_flags()))
        return 1;
    gradient_check(0);
    gradient_check(3);
    post_gradient_check();
    post_strips_check();
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = 2;
    LccContext *c;
    CHECK(!lcc_open(&c, &s));
    roundtrip(c, 1, 1, 3, 8, 4, 10);
    roundtrip(c, 1, 17, 1, 8, 4, 10);
    roundtrip(c, 13, 7, 4, 8, 1, 10);
    roundtrip(c, 64, 48, 3, 8, 8, 28);
    roundtrip(c, 33, 20, 2, 16, 6, 20);
    roundtrip(c, 200, 170, 3, 8, 2, 24);
    /* both shipped models: the factorized one (syntax 1) explicitly */
    model_name = WALLOC_IMAGE_MODEL_FILE;
    roundtrip(c, 13, 7, 4, 8, 1, 10);
    roundtrip(c, 64, 48, 3, 8, 8, 28);
    roundtrip(c, 200, 170, 3, 8, 2, 24);
    model_name = NULL;
    cache_check(c);
    encoder_choice_check(c);
    hyper_determinism(0);
    hyper_determinism(1);
    hyper_determinism(2);
    lcc_close(&c);
    lcc_nn_uninit(&nn);
    return test_summary();
}
