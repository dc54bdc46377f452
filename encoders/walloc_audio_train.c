/* lcc train audio: trains the wavelet-ae (WaLLoC) audio model.
 *
 * One mono model for every channel. Rate-distortion loss
 *     bits per sample + lambda_q * MSE   (samples in [-1, 1))
 * over random segments of the training audio (each channel of each file is
 * one mono signal; random gain and polarity), one quality level q drawn per
 * step (gain units: one network for every rate). Rate: factorized prior of
 * quality q on the noisy latent (y + U(-1/2, 1/2)); distortion: the decoder
 * fed round(y) with a straight-through gradient, measured on the signal
 * after the inverse wavelet packet. The linear part (A, S) starts from a
 * PCA of the 2^J wavelet bands, so step 0 is already a working linear
 * codec. Checkpoints (every --every steps and at the end) resume to the
 * identical state with --resume (the data of step t depends only on the
 * seed and t). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encoders/train.h"
#include "encoders/wae_pca.h"
#include "entropy/factorized.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/walloc_audio.h"
#include "libcodec/sha256.h"
#include "wavelet/wavelet.h"

/* Latent units per wavelet-coefficient unit at the middle quality. */
static const float pca_scale = 32.0f;
static const float prior_init_scale = 4.0f;
/* lambda of quality 1..8 (loss = bits/sample + lambda * MSE on [-1, 1)
 * samples), x2.4 per level: ~12..~96 kbps for stereo music. */
static const float waudio_lambdas[WAUDIO_QUALITIES] = { 50.0f, 120.0f, 280.0f, 650.0f,
                                                        1500.0f, 3600.0f, 8500.0f, 20000.0f };

/* Every channel of every training file, as 16-bit mono signals. */
typedef struct Signals {
    int16_t **s;
    size_t *len;
    int n, cap;
    uint64_t total;
} Signals;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static lcc_status add_signal(Signals *const d, int16_t *const s, const size_t len)
{
    if (d->n == d->cap) {
        const int cap = d->cap ? 2 * d->cap : 256;
        int16_t **const t = realloc(d->s, sizeof(*t) * (size_t)cap);
        if (!t)
            return LCC_ENOMEM;
        d->s = t;
        size_t *const l = realloc(d->len, sizeof(*l) * (size_t)cap);
        if (!l)
            return LCC_ENOMEM;
        d->len = l;
        d->cap = cap;
    }
    d->s[d->n] = s;
    d->len[d->n++] = len;
    d->total += len;
    return LCC_OK;
}

/* Load every WAV/FLAC of dir (sorted by name) at least min_len long. */
static lcc_status load_dir(LccContext *const c, const char *const dir, const size_t min_len, Signals *const d)
{
    DIR *const dp = opendir(dir);
    if (!dp)
        return lcc_error(c, LCC_ENOENT, "%s: cannot open the directory", dir);
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || !(lcc_has_ext(e->d_name, "wav") || lcc_has_ext(e->d_name, "flac")))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **const t = realloc(names, sizeof(*names) * (size_t)cap);
            if (!t)
                break;
            names = t;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!names[n])
            break;
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(dp);
    if (n)
        qsort(names, (size_t)n, sizeof(*names), cmp_str);
    lcc_status err = LCC_OK;
    for (int i = 0; i < n; i++) {
        LccMedia m = { 0 };
        if (!err && !lcc_media_read(c, names[i], &m) && m.modality == LCC_MODALITY_AUDIO &&
            m.audio.frames >= min_len) {
            const LccAudio *const a = &m.audio;
            const int shift = (int)a->bit_depth - 16;
            for (uint32_t ch = 0; ch < a->channels && !err; ch++) {
                int16_t *const s = malloc(sizeof(int16_t) * a->frames);
                if (!s) {
                    err = LCC_ENOMEM;
                    break;
                }
                for (uint64_t t = 0; t < a->frames; t++) {
                    const int32_t v = a->data[t * a->channels + ch];
                    s[t] = (int16_t)(shift >= 0 ? v >> shift : v * (1 << -shift));
                }
                if ((err = add_signal(d, s, a->frames)))
                    free(s);
            }
        }
        lcc_media_free(&m);
        free(names[i]);
    }
    free(names);
    lcc_clear_error(c);
    return err;
}

/* A random segment (weighted by length) with a random gain in
 * [-24, +6] dB and a random polarity, as floats. */
static void random_segment(const Signals *const d, LccRng *const r, const int len, float *const out)
{
    const uint64_t pos = lcc_rng_u64(r) % d->total;
    uint64_t acc = 0;
    int i = 0;
    while (i < d->n - 1 && acc + d->len[i] <= pos)
        acc += d->len[i++];
    const uint64_t o = lcc_rng_u64(r) % (uint64_t)(d->len[i] - (size_t)len + 1);
    const float db = -24.0f + 30.0f * lcc_rng_uniform(r);
    const float g = powf(10.0f, db / 20.0f) / 32768.0f * ((lcc_rng_u64(r) & 1) ? -1.0f : 1.0f);
    for (int k = 0; k < len; k++)
        out[k] = g * (float)d->s[i][o + (uint64_t)k];
}

/* The PCA codec (wae_pca.h) from 256 random segments. */
static lcc_status pca_init(WaudioNet *const m, const Signals *const d, LccRng *const r, const int seg,
                           const float scale)
{
    const int K = m->bands, L = m->cfg.latent;
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, m->cfg.levels, 1, seg, 1 };
    const size_t ncoef = wavelet_coef_count(&spec), hw = ncoef / (size_t)K;
    float *const x = malloc(sizeof(float) * (size_t)seg), *const X = malloc(sizeof(float) * ncoef);
    void *const ws = malloc(wavelet_workspace_bytes(&spec));
    WaePca p;
    lcc_status err = x && X && ws ? wae_pca_begin(&p, K) : LCC_ENOMEM;
    const int ok = !err;
    for (int i = 0; i < 256 && !err; i++) {
        random_segment(d, r, seg, x);
        if (wavelet_forward(&spec, x, X, ws))
            err = LCC_EINTERNAL;
        else
            wae_pca_add(&p, X, hw);
    }
    if (!err && !(err = wae_pca_finish(&p, L, scale, m->ana_w, m->ana_b, m->syn_w, m->syn_b))) {
        printf("pca init: %d of %d bands keep %.4f%% of the variance (", L, K, 100 * wae_pca_kept(&p, L));
        for (int n = 32; n <= K; n *= 2)
            printf("%s%d: %.2f dB", n > 32 ? ", " : "", n, -10 * log10(1 - wae_pca_kept(&p, n) + 1e-30));
        printf(" ceiling)\n");
    }
    if (ok)
        wae_pca_free(&p);
    free(x);
    free(X);
    free(ws);
    return err;
}

typedef struct Trainer {
    WaudioNet m;
    LccFactorized prior[WAUDIO_QUALITIES];
    LccAdam opt;                  /* the transforms */
    LccAdam fast;                 /* the priors */
    LccAdam gain;                 /* the gains (encoder and decoder halves) */
    LccParams slow_set, fast_set, gain_set; /* views of m.net.params (not owning) */
    LccNn nn;
    LccRng data_rng;
} Trainer;

static void trainer_free(Trainer *const t)
{
    for (int q = 0; q < WAUDIO_QUALITIES; q++) {
        t->prior[q].params = NULL;  /* they belong to the network's parameters */
        t->prior[q].grads = NULL;
        lcc_factorized_free(&t->prior[q]);
    }
    free(t->slow_set.p);
    free(t->fast_set.p);
    free(t->gain_set.p);
    waudio_free(&t->m);
    lcc_nn_uninit(&t->nn);
}

static lcc_status split_params(Trainer *const t)
{
    const LccParams *const all = &t->m.net.params;
    LccParams *const sets[3] = { &t->slow_set, &t->fast_set, &t->gain_set };
    for (int k = 0; k < 3; k++) {
        sets[k]->p = calloc((size_t)all->n + 1, sizeof(*sets[k]->p));
        if (!sets[k]->p)
            return LCC_ENOMEM;
        sets[k]->cap = all->n + 1;
    }
    for (int i = 0; i < all->n; i++) {
        const char *const name = all->p[i]->name;
        const int set = !strncmp(name, "prior.", 6) ? 1 : !strncmp(name, "gain.", 5) ? 2 : 0;
        LccParams *const s = sets[set];
        s->p[s->n++] = all->p[i];
    }
    return LCC_OK;
}

/* One step at quality q on x [B][seg]; bits per sample, MSE and signal
 * power out. */
static lcc_status train_step(Trainer *const t, const float *const x, const int B, const int seg, const int q,
                             const WaveletSpec *const spec, void *const ws, double *const bps, double *const mse,
                             double *const pow_out)
{
    LccNn *const nn = &t->nn;
    WaudioNet *const m = &t->m;
    const int K = m->bands, L = m->cfg.latent, T = seg >> m->cfg.levels;
    const size_t ns = (size_t)B * seg, hw = (size_t)T;
    lcc_nn_reset(nn);
    lcc_params_zero_grad(&m->net.params);
    LccTensor X = lcc_nn_tensor(nn, B, K, 1, T), xh = lcc_nn_tensor(nn, B, 1, 1, seg);
    if (!X.d || !xh.d)
        return LCC_ENOMEM;
    if (wavelet_forward(spec, x, X.d, ws))
        return LCC_EINTERNAL;
    LccTensor y, Xh, dyq;
    lcc_status err = waudio_analysis(nn, m, &X, q, &y);
    if (err)
        return err;
    const size_t ny = lcc_tensor_size(&y);
    LccTensor yn = lcc_nn_tensor(nn, B, L, 1, T), yq = lcc_nn_tensor(nn, B, L, 1, T);
    LccTensor lik = lcc_nn_tensor(nn, B, L, 1, T), dy = lcc_nn_tensor(nn, B, L, 1, T);
    if (!yn.d || !yq.d || !lik.d || !dy.d)
        return LCC_ENOMEM;
    for (size_t i = 0; i < ny; i++) {
        yn.d[i] = y.d[i] + lcc_rng_uniform(&m->net.rng) - 0.5f;
        yq.d[i] = roundf(y.d[i]);
    }
    LccFactorized *const f = &t->prior[q];
    lcc_factorized_likelihood(f, yn.d, (size_t)B, hw, lik.d);
    double bits = 0;
    const float rate_scale = (float)(1.0 / ((double)ns * log(2.0)));
    for (size_t i = 0; i < ny; i++) {
        const float p = lik.d[i] > 1e-9f ? lik.d[i] : 1e-9f;
        bits -= log2(p);
        lik.d[i] = -rate_scale / p;
    }
    *bps = bits / (double)ns;
    lcc_factorized_backward(f, yn.d, (size_t)B, hw, lik.d, dy.d);
    if ((err = waudio_synthesis(nn, m, &yq, q, &Xh, 1)))
        return err;
    if (wavelet_inverse(spec, Xh.d, xh.d, ws))
        return LCC_EINTERNAL;
    double se = 0, pw = 0;
    const float dscale = 2.0f * waudio_lambdas[q] / (float)ns;
    for (size_t i = 0; i < ns; i++) {
        const float e = xh.d[i] - x[i];
        se += (double)e * e;
        pw += (double)x[i] * x[i];
        xh.d[i] = dscale * e;
    }
    *mse = se / (double)ns;
    *pow_out = pw / (double)ns;
    LccTensor dXh = lcc_nn_tensor(nn, B, K, 1, T);
    if (!dXh.d)
        return LCC_ENOMEM;
    if (wavelet_inverse_adjoint(spec, xh.d, dXh.d, ws))
        return LCC_EINTERNAL;
    if ((err = waudio_synthesis_backward(nn, m, &yq, q, &dXh, &dyq)))
        return err;
    for (size_t i = 0; i < ny; i++)
        dy.d[i] += dyq.d[i];
    if ((err = waudio_analysis_backward(nn, m, &X, &y, q, &dy)))
        return err;
    if (lcc_adam_step(&t->opt, &t->slow_set) < 0 || lcc_adam_step(&t->fast, &t->fast_set) < 0 ||
        lcc_adam_step(&t->gain, &t->gain_set) < 0)
        return LCC_ENOMEM;
    return LCC_OK;
}

static lcc_status export_model(LccContext *const c, Trainer *const t, const char *const path)
{
    LccwWriter w = { { 0 }, 0 };
    waudio_write(&t->m, &w);
    lcc_status err = LCC_OK;
    for (int q = 0; q < t->m.cfg.qualities && !err; q++) {
        LccCdfBank bank = { 0 };
        LccBuf b = { 0 };
        err = lcc_factorized_export(&t->prior[q], LCC_CDF_DEFAULT_PRECISION, 1e-9, &bank);
        if (!err) {
            lcc_cdf_bank_write(&bank, &b);
            char name[32];
            snprintf(name, sizeof(name), "cdf.%d", q);
            err = b.failed ? LCC_ENOMEM : LCC_OK;
            if (!err)
                lcc_lccw_add(&w, name, LCCW_I8, 1, (const uint32_t[]){ (uint32_t)b.size }, b.data);
        }
        lcc_buf_free(&b);
        lcc_cdf_bank_free(&bank);
    }
    LccBuf out = { 0 };
    uint8_t id[32];
    if (!err)
        err = lcc_lccw_finish(c, &w, &out, id);
    else
        lcc_buf_free(&w.rec);
    if (!err)
        err = lcc_write_file_atomic(c, path, out.data, out.size);
    if (!err) {
        char hex[65];
        lcc_sha256_hex(id, hex);
        printf("exported %s: %zu bytes, model id %.16s (step %lld)\n", path, out.size, hex, (long long)t->opt.t);
    }
    lcc_buf_free(&out);
    return err;
}

const char lcc_train_audio_usage[] =
    "Usage: lcc train audio --data DIR [--data DIR ...] --checkpoint FILE [options]\n"
    "Train the wavelet-ae audio model (mono, every channel coded by it; all quality levels).\n"
    "  --data DIR        folder of training audio (WAV/FLAC); repeatable. Never the\n"
    "                    evaluation clips (../shared/datasets/audio): build a set with\n"
    "                    datasets/make_audio_train.sh\n"
    "  --checkpoint F    checkpoint file, written every --every steps and at the end\n"
    "  --resume          continue from the checkpoint (same data, same options)\n"
    "  --export F        write the weight file (*.lccw, entropy tables frozen) of the\n"
    "                    checkpoint and stop (no training)\n"
    "  --steps N         train until the checkpoint has N steps (default 1000)\n"
    "  --every N         checkpoint interval in steps (default 200)\n"
    "  --batch N         segments per step (default 16)\n"
    "  --frames N        latent frames per segment (segment = N * 256 samples; default 32)\n"
    "  --lr X            Adam learning rate of the transforms (default 3e-4; a\n"
    "                    resumed run keeps the checkpoint's unless --lr is given)\n"
    "  --prior-lr X      Adam learning rate of the priors (default 1e-2)\n"
    "  --gain-lr X       Adam learning rate of the gains (default 1e-3; at 1e-2 the\n"
    "                    encoder and decoder halves of a gain drift apart between steps)\n"
    "  --seed N          seed of the initialisation and the data order (default 1)\n"
    "  --threads N       worker threads of the training engine (default 1)\n";

int lcc_train_audio(int argc, char **argv, const LccTrainGlobal *const g)
{
    const int json = g->json;
    int threads = g->threads > 0 ? g->threads : 1;
    const char *dirs[16], *ckpt = NULL, *export_path = NULL;
    int ndirs = 0, resume = 0, steps = 1000, every = 200, B = 16, frames = 32;
    float lr = 3e-4f, fast_lr = 1e-2f, gain_lr = 1e-3f;
    int lr_given = 0;
    uint64_t seed = 1;
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        const int has = i + 1 < argc;
        if (!strcmp(a, "--data") && has && ndirs < 16)
            dirs[ndirs++] = argv[++i];
        else if (!strcmp(a, "--checkpoint") && has)
            ckpt = argv[++i];
        else if (!strcmp(a, "--resume"))
            resume = 1;
        else if (!strcmp(a, "--export") && has)
            export_path = argv[++i];
        else if (!strcmp(a, "--steps") && has)
            steps = atoi(argv[++i]);
        else if (!strcmp(a, "--every") && has)
            every = atoi(argv[++i]);
        else if (!strcmp(a, "--batch") && has)
            B = atoi(argv[++i]);
        else if (!strcmp(a, "--frames") && has)
            frames = atoi(argv[++i]);
        else if (!strcmp(a, "--lr") && has) {
            lr = (float)atof(argv[++i]);
            lr_given = 1;
        } else if (!strcmp(a, "--prior-lr") && has)
            fast_lr = (float)atof(argv[++i]);
        else if (!strcmp(a, "--gain-lr") && has)
            gain_lr = (float)atof(argv[++i]);
        else if (!strcmp(a, "--seed") && has)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--threads") && has)
            threads = atoi(argv[++i]);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lcc_train_audio_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "lcc train audio: unknown option or missing value '%s'\n%s", a, lcc_train_audio_usage);
            return 1;
        }
    }
    if (export_path)
        resume = 1;
    if ((!ndirs && !export_path) || !ckpt || steps < 1 || every < 1 || B < 1 || B > 256 || frames < 1 ||
        frames > 1024 || !(lr > 0) || !(fast_lr > 0) || !(gain_lr > 0) || threads < 1 || threads > 64) {
        fprintf(stderr, "lcc train audio: needs --data and --checkpoint, and sane values\n%s", lcc_train_audio_usage);
        return 1;
    }
    LccContext *c;
    if (lcc_open(&c, NULL))
        return 4;
    WaudioConfig cfg = waudio_default_config;
    const int seg = frames << cfg.levels;
    Signals d = { 0 };
    lcc_status err = LCC_OK;
    for (int i = 0; i < ndirs && !err && !export_path; i++)
        err = load_dir(c, dirs[i], (size_t)seg, &d);
    if (!err && d.n == 0 && !export_path)
        err = lcc_error(c, LCC_EINVAL, "no audio of at least %d samples in the --data folders", seg);
    if (err) {
        fprintf(stderr, "lcc train audio: %s\n", lcc_last_error(c));
        lcc_close(&c);
        return 2;
    }
    if (!export_path)
        printf("data: %d mono signals, %.1f minutes at 44.1 kHz\n", d.n, (double)d.total / 44100.0 / 60.0);

    Trainer t;
    memset(&t, 0, sizeof(t));
    err = lcc_factorized_init(&t.prior[0], cfg.latent, NULL, 0, prior_init_scale, seed);
    cfg.prior_params = err ? 0 : (int)t.prior[0].per_channel;
    lcc_factorized_free(&t.prior[0]);
    if (!err)
        err = waudio_init(&t.m, &cfg, seed);
    for (int q = 0; q < cfg.qualities && !err; q++) {
        LccFactorized *const f = &t.prior[q];
        if (!(err = lcc_factorized_init(f, cfg.latent, NULL, 0, prior_init_scale, seed + 1 + (uint64_t)q))) {
            memcpy(t.m.prior[q]->w, f->params, sizeof(float) * f->nparams);
            free(f->params);
            free(f->grads);
            f->params = t.m.prior[q]->w;
            f->grads = t.m.prior[q]->g;
        }
    }
    lcc_adam_default(&t.opt, lr);
    t.opt.clip_norm = 1.0f;
    lcc_adam_default(&t.fast, fast_lr);
    lcc_adam_default(&t.gain, gain_lr);
    if (!err)
        err = split_params(&t);
    lcc_rng_seed(&t.data_rng, seed ^ 0x5eedull);
    if (!err)
        err = lcc_nn_init(&t.nn, c, threads, lcc_cpu_flags());
    if (!err && resume) {
        err = lcc_checkpoint_load(c, ckpt, &t.m.net, &t.opt);
        t.fast.t = t.gain.t = t.opt.t;
        /* the checkpoint keeps the learning rate; --lr changes it */
        if (lr_given)
            t.opt.lr = lr;
    } else if (!err) {
        double lref = 0;
        for (int q = 0; q < cfg.qualities; q++)
            lref += log(waudio_lambdas[q]) / cfg.qualities;
        for (int q = 0; q < cfg.qualities; q++)
            for (int l = 0; l < cfg.latent; l++) {
                const float gq = (float)(0.5 * (log(waudio_lambdas[q]) - lref));
                t.m.loggain->w[q * cfg.latent + l] = gq;
                t.m.ilog->w[q * cfg.latent + l] = -gq - logf(pca_scale);
            }
        err = pca_init(&t.m, &d, &t.data_rng, seg, pca_scale);
    }
    if (!err && export_path) {
        err = export_model(c, &t, export_path);
        steps = 0;
    }
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, cfg.levels, B, seg, 1 };
    void *const ws = malloc(wavelet_workspace_bytes(&spec));
    float *const x = malloc(sizeof(float) * (size_t)B * seg);
    if (!err && (!ws || !x))
        err = LCC_ENOMEM;
    if (!export_path)
        printf("model: %zu parameters, %d threads, cpu %s, lr %g, batch %d x %d samples, from step %lld\n",
               lcc_params_count(&t.m.net.params), threads, lcc_cpu_name(lcc_cpu_flags()), (double)t.opt.lr, B, seg,
               (long long)t.opt.t);
    double acc_bps[WAUDIO_QUALITIES] = { 0 }, acc_snr[WAUDIO_QUALITIES] = { 0 };
    int acc_n[WAUDIO_QUALITIES] = { 0 };
    const double t0 = now();
    const int64_t first = t.opt.t;
    while (!err && t.opt.t < steps) {
        lcc_rng_seed(&t.data_rng, seed * 0x9e3779b97f4a7c15ull + (uint64_t)t.opt.t);
        for (int b = 0; b < B; b++)
            random_segment(&d, &t.data_rng, seg, x + (size_t)b * seg);
        const int q = (int)(lcc_rng_u64(&t.data_rng) % (uint64_t)cfg.qualities);
        double bps, mse, pw;
        err = train_step(&t, x, B, seg, q, &spec, ws, &bps, &mse, &pw);
        if (err)
            break;
        acc_bps[q] += bps;
        acc_snr[q] += 10 * log10((pw + 1e-12) / (mse + 1e-12));
        acc_n[q]++;
        const int64_t done = t.opt.t;
        if (done % every == 0 || done == steps) {
            const double el = now() - t0, rate = (double)(done - first) / el;
            if (json)
                printf("{\"step\": %lld, \"seconds\": %.1f, \"steps_per_s\": %.4f, \"qualities\": [", (long long)done,
                       el, rate);
            else
                printf("step %lld  %.2f steps/s  ETA %.0f s  lr %.2e\n", (long long)done, rate,
                       (double)(steps - done) / rate, (double)lcc_adam_lr(&t.opt));
            for (int k = 0; k < cfg.qualities; k++) {
                const double nb = acc_n[k] ? acc_n[k] : 1;
                /* kbps of one 44.1 kHz channel */
                if (json)
                    printf("%s{\"q\": %d, \"kbps_mono\": %.3f, \"snr\": %.3f}", k ? ", " : "", k + 1,
                           acc_bps[k] / nb * 44.1, acc_snr[k] / nb);
                else if (acc_n[k])
                    printf("  q%d  train %.2f kbps/channel  SNR %.2f dB  (%d steps)\n", k + 1, acc_bps[k] / nb * 44.1,
                           acc_snr[k] / nb, acc_n[k]);
                acc_bps[k] = acc_snr[k] = 0;
                acc_n[k] = 0;
            }
            if (json)
                printf("]}\n");
            fflush(stdout);
            err = lcc_checkpoint_save(c, ckpt, &t.m.net, &t.opt);
        }
    }
    int rc = 0;
    if (err) {
        fprintf(stderr, "lcc train audio: %s\n", *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
        rc = err == LCC_ENOMEM || err == LCC_EINTERNAL ? 4 : 2;
    }
    free(ws);
    free(x);
    trainer_free(&t);
    for (int i = 0; i < d.n; i++)
        free(d.s[i]);
    free(d.s);
    free(d.len);
    lcc_close(&c);
    return rc;
}
