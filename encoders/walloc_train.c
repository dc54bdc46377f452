/* lcc train image: trains the wavelet-ae (WaLLoC) image model.
 *
 * Rate-distortion loss bpp + lambda_q * 255^2 * MSE over random crops of
 * photos, one quality level q drawn per step (gain units: one network for
 * every rate). Rate: factorized prior of quality q on the noisy latent
 * (y + U(-1/2, 1/2)); distortion: the decoder fed round(y) with a
 * straight-through gradient. The linear part (A, S) starts from a PCA of
 * the wavelet bands, so step 0 is already a working linear codec.
 * Checkpoints (every --every steps and at the end) resume to the identical
 * state with --resume. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "encoders/train.h"
#include "encoders/wae_pca.h"
#include "encoders/walloc.h"
#include "entropy/factorized.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/sha256.h"
#include "wavelet/wavelet.h"

/* Latent units per wavelet-coefficient unit at the middle quality. */
static const float pca_scale = 32.0f;

/* Initial width of the priors' densities (most latents are small). */
static const float prior_init_scale = 4.0f;

typedef struct Photo {
    int w, h;
    uint8_t *rgb;       /* interleaved */
} Photo;

typedef struct Data {
    Photo *p;
    int n, cap;
} Data;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int is_image_name(const char *const n)
{
    return lcc_has_ext(n, "jpg") || lcc_has_ext(n, "jpeg") || lcc_has_ext(n, "png") || lcc_has_ext(n, "ppm");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every photo of dir (sorted by name, so the order is reproducible)
 * at least crop x crop in size. */
static lcc_status load_dir(LccContext *const c, const char *const dir, const int crop, Data *const d)
{
    DIR *const dp = opendir(dir);
    if (!dp)
        return lcc_error(c, LCC_ENOENT, "%s: cannot open the directory", dir);
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || !is_image_name(e->d_name))
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
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    lcc_status err = LCC_OK;
    for (int i = 0; i < n; i++) {
        LccMedia m = { 0 };
        if (!err && !lcc_media_read(c, names[i], &m) && m.modality == LCC_MODALITY_IMAGE &&
            (int)m.image.width >= crop && (int)m.image.height >= crop) {
            if (d->n == d->cap) {
                d->cap = d->cap ? 2 * d->cap : 256;
                Photo *const t = realloc(d->p, sizeof(*t) * (size_t)d->cap);
                if (!t)
                    err = LCC_ENOMEM;
                else
                    d->p = t;
            }
            const size_t px = (size_t)m.image.width * m.image.height;
            uint8_t *const rgb = err ? NULL : malloc(px * 3);
            if (rgb) {
                const LccImage *const im = &m.image;
                const int shift = im->bit_depth > 8 ? (int)im->bit_depth - 8 : 0;
                for (size_t k = 0; k < px; k++)
                    for (int ch = 0; ch < 3; ch++) {
                        const unsigned src = im->channels >= 3 ? (unsigned)ch : 0;
                        rgb[3 * k + ch] = (uint8_t)(im->data[k * im->channels + src] >> shift);
                    }
                d->p[d->n++] = (Photo){ (int)m.image.width, (int)m.image.height, rgb };
            } else if (!err) {
                err = LCC_ENOMEM;
            }
        }
        lcc_media_free(&m);
        free(names[i]);
    }
    free(names);
    lcc_clear_error(c);
    return err;
}

/* A random crop (with a random horizontal flip) as planar floats in
 * [-1/2, 1/2]. */
static void random_crop(const Data *const d, LccRng *const r, const int s, float *const out)
{
    const Photo *const p = &d->p[lcc_rng_u64(r) % (uint64_t)d->n];
    const int ox = (int)(lcc_rng_u64(r) % (uint64_t)(p->w - s + 1));
    const int oy = (int)(lcc_rng_u64(r) % (uint64_t)(p->h - s + 1));
    const int flip = (int)(lcc_rng_u64(r) & 1);
    for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++) {
                const int sx = flip ? ox + s - 1 - x : ox + x;
                out[((size_t)ch * s + y) * s + x] = p->rgb[((size_t)(oy + y) * p->w + sx) * 3 + ch] / 255.0f - 0.5f;
            }
}

/* The PCA codec (wae_pca.h) from 64 random crops (the inverse gains carry
 * the 1/s, so that D sees coefficient-sized inputs). */
static lcc_status pca_init(WallocNet *const m, const Data *const d, LccRng *const r, const int crop,
                           const float scale)
{
    const int K = m->bands, L = m->cfg.latent, s = crop;
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, m->cfg.levels, 3, s, s };
    const size_t ncoef = wavelet_coef_count(&spec), hw = ncoef / (size_t)K;
    float *const x = malloc(sizeof(float) * 3 * s * s), *const X = malloc(sizeof(float) * ncoef);
    void *const ws = malloc(wavelet_workspace_bytes(&spec));
    WaePca p;
    lcc_status err = x && X && ws ? wae_pca_begin(&p, K) : LCC_ENOMEM;
    const int ok = !err;
    for (int i = 0; i < 64 && !err; i++) {
        random_crop(d, r, s, x);
        if (wavelet_forward(&spec, x, X, ws))
            err = LCC_EINTERNAL;
        else
            wae_pca_add(&p, X, hw);
    }
    if (!err && !(err = wae_pca_finish(&p, L, scale, m->ana_w, m->ana_b, m->syn_w, m->syn_b)))
        printf("pca init: %d of %d bands keep %.4f%% of the variance\n", L, K, 100 * wae_pca_kept(&p, L));
    if (ok)
        wae_pca_free(&p);
    free(x);
    free(X);
    free(ws);
    return err;
}

typedef struct Trainer {
    WallocNet m;
    LccFactorized prior[WALLOC_MAX_QUALITIES];
    const float *lambdas;       /* [quality] */
    LccAdam opt;                /* the transforms */
    LccAdam fast;               /* priors: their own learning rate */
    LccAdam gain;               /* gains: the priors' learning rate */
    LccAdam hyp;                /* hyperprior networks */
    LccParams slow_set, fast_set, gain_set, hyp_set; /* views of m.net.params (not owning) */
    int64_t warmup;             /* hyperprior: steps that train only ha, hs and the priors */
    int64_t origin;             /* step from which the Adam moments accumulate (resumed
                                   from a checkpoint without them: that step) */
    float hyper_lr;             /* of ha, hs during the warm-up; then the transforms'
                                   unless hyper_lr_after */
    int hyper_lr_after;         /* --hyper-lr given: it holds after the warm-up too */
    LccNn nn;
    LccRng data_rng;
} Trainer;

static void trainer_free(Trainer *const t)
{
    for (int q = 0; q < WALLOC_MAX_QUALITIES; q++) {
        /* the priors' arrays belong to the network's parameters */
        t->prior[q].params = NULL;
        t->prior[q].grads = NULL;
        lcc_factorized_free(&t->prior[q]);
    }
    free(t->slow_set.p);
    free(t->fast_set.p);
    free(t->gain_set.p);
    free(t->hyp_set.p);
    walloc_free(&t->m);
    lcc_nn_uninit(&t->nn);
}

/* Split the network's parameters into the optimisers' views. */
static lcc_status split_params(Trainer *const t)
{
    const LccParams *const all = &t->m.net.params;
    LccParams *const sets[4] = { &t->slow_set, &t->fast_set, &t->gain_set, &t->hyp_set };
    for (int k = 0; k < 4; k++) {
        sets[k]->p = calloc((size_t)all->n + 1, sizeof(*sets[k]->p));
        if (!sets[k]->p)
            return LCC_ENOMEM;
        sets[k]->cap = all->n + 1;
    }
    for (int i = 0; i < all->n; i++) {
        const char *const name = all->p[i]->name;
        const int k = !strncmp(name, "prior.", 6) ? 1 : !strncmp(name, "gain.", 5) ? 2
                    : !strncmp(name, "ha.", 3) || !strncmp(name, "hs.", 3) || !strncmp(name, "cx.", 3) ? 3 : 0;
        sets[k]->p[sets[k]->n++] = all->p[i];
    }
    return LCC_OK;
}

/* One optimiser step of every parameter group; t->opt.t counts the steps.
 * During the warm-up only the priors and the hyperprior networks learn
 * (at --hyper-lr, which holds throughout if given or for channel-slice
 * models, else --lr after the warm-up);
 * the transforms and gains start afterwards with Adam's bias correction
 * counted from there (their moments start at zero then: counting from the
 * global step would multiply their first updates by up to ~6). */
static lcc_status optimize(Trainer *const t)
{
    const int64_t T = t->opt.t, start = t->warmup > t->origin ? t->warmup : t->origin;
    const int frozen = T < t->warmup;
    LccAdam slow = t->opt;
    slow.t = t->gain.t = frozen ? 0 : T - start;
    t->fast.t = t->hyp.t = T - t->origin;
    t->hyp.lr = frozen || t->m.cfg.ctx_slices || t->hyper_lr_after ? t->hyper_lr : t->opt.lr;
    if ((!frozen && (lcc_adam_step(&slow, &t->slow_set) < 0 || lcc_adam_step(&t->gain, &t->gain_set) < 0)) ||
        lcc_adam_step(&t->fast, &t->fast_set) < 0 || lcc_adam_step(&t->hyp, &t->hyp_set) < 0)
        return LCC_ENOMEM;
    t->opt.t = T + 1;
    return LCC_OK;
}

/* Rate of v under the factorized prior f on noisy values: fills vn = v +
 * U(-1/2, 1/2) (from r) and vq = round(v), returns the bits and writes
 * d(bits / npx)/dv into dv (lik: scratch of v's shape). */
static double noisy_rate(LccFactorized *const f, LccRng *const r, const LccTensor *const v, LccTensor *const vn,
                         LccTensor *const vq, LccTensor *const lik, LccTensor *const dv, const size_t npx)
{
    const size_t n = lcc_tensor_size(v), spatial = (size_t)v->h * v->w;
    for (size_t i = 0; i < n; i++) {
        vn->d[i] = v->d[i] + lcc_rng_uniform(r) - 0.5f;
        vq->d[i] = roundf(v->d[i]);
    }
    lcc_factorized_likelihood(f, vn->d, (size_t)v->n, spatial, lik->d);
    double bits = 0;
    const float rate_scale = (float)(1.0 / ((double)npx * log(2.0)));
    for (size_t i = 0; i < n; i++) {
        const float p = lik->d[i] > 1e-9f ? lik->d[i] : 1e-9f;
        bits -= log2(p);
        lik->d[i] = -rate_scale / p; /* now d(bpp)/d(lik) */
    }
    lcc_factorized_backward(f, vn->d, (size_t)v->n, spatial, lik->d, dv->d);
    return bits;
}

/* Distortion of quality q's decode of yq against the crops x (B x 3 x s x
 * s): the synthesis, the inverse transform and lambda_q 255^2 MSE, then
 * back to d(loss)/d(yq) in *dyq. */
static lcc_status distortion(Trainer *const t, const LccTensor *const yq, const int q, const float *const x,
                             const WaveletSpec *const spec, void *const ws, const int s, double *const mse,
                             LccTensor *const dyq)
{
    LccNn *const nn = &t->nn;
    WallocNet *const m = &t->m;
    const int B = yq->n;
    const size_t npx = (size_t)B * s * s;
    LccTensor Xh, xh = lcc_nn_tensor(nn, B, 3, s, s);
    if (!xh.d)
        return LCC_ENOMEM;
    lcc_status err = walloc_synthesis(nn, m, yq, q, &Xh, 1);
    if (err)
        return err;
    if (wavelet_inverse(spec, Xh.d, xh.d, ws))
        return LCC_EINTERNAL;
    if ((err = walloc_post(nn, m, &xh, 1)))
        return err;
    double se = 0;
    const float lambda = t->lambdas[q] * 255.0f * 255.0f;
    const float dscale = 2.0f * lambda / (float)(npx * 3);
    for (size_t i = 0; i < npx * 3; i++) {
        const float e = xh.d[i] - x[i];
        se += (double)e * e;
        xh.d[i] = dscale * e; /* now d(loss)/d(xh) */
    }
    *mse = se / (double)(npx * 3);
    if ((err = walloc_post_backward(nn, m, &xh)))
        return err;
    LccTensor dXh = lcc_nn_tensor(nn, B, m->bands, yq->h, yq->w);
    if (!dXh.d)
        return LCC_ENOMEM;
    if (wavelet_inverse_adjoint(spec, xh.d, dXh.d, ws))
        return LCC_EINTERNAL;
    return walloc_synthesis_backward(nn, m, yq, q, &dXh, dyq);
}

/* One training step at quality q; returns the loss, and bpp / mse. */
static lcc_status train_step(Trainer *const t, const float *const x, const int B, const int s, const int q,
                             const WaveletSpec *const spec, void *const ws, double *const bpp, double *const mse)
{
    LccNn *const nn = &t->nn;
    WallocNet *const m = &t->m;
    const int K = m->bands, L = m->cfg.latent, hs = s >> m->cfg.levels;
    const size_t npx = (size_t)B * s * s;
    lcc_nn_reset(nn);
    lcc_params_zero_grad(&m->net.params);
    LccTensor X = lcc_nn_tensor(nn, B, K, hs, hs);
    if (!X.d)
        return LCC_ENOMEM;
    if (wavelet_forward(spec, x, X.d, ws))
        return LCC_EINTERNAL;
    LccTensor y, dyq;
    lcc_status err = walloc_analysis(nn, m, &X, q, &y, 1);
    if (err)
        return err;
    const size_t ny = lcc_tensor_size(&y);
    LccTensor yn = lcc_nn_tensor(nn, B, L, hs, hs), yq = lcc_nn_tensor(nn, B, L, hs, hs);
    LccTensor lik = lcc_nn_tensor(nn, B, L, hs, hs), dy = lcc_nn_tensor(nn, B, L, hs, hs);
    if (!yn.d || !yq.d || !lik.d || !dy.d)
        return LCC_ENOMEM;
    /* rate */
    *bpp = noisy_rate(&t->prior[q], &m->net.rng, &y, &yn, &yq, &lik, &dy, npx) / (double)npx;
    /* distortion */
    if ((err = distortion(t, &yq, q, x, spec, ws, s, mse, &dyq)))
        return err;
    for (size_t i = 0; i < ny; i++)
        dy.d[i] += dyq.d[i]; /* straight-through: d round(y) / dy = 1 */
    if ((err = walloc_analysis_backward(nn, m, &X, &y, q, &dy)))
        return err;
    return optimize(t);
}

/* Channels [c0, c0 + C) of every item of p [n, 2C, h, w] into out [n, C, h, w],
 * or back (dir 1: out -> p). */
static void split_half(LccTensor *const p, LccTensor *const out, const int c0, const int dir)
{
    const size_t plane = (size_t)out->c * out->h * out->w;
    for (int n = 0; n < out->n; n++) {
        float *const a = p->d + ((size_t)n * p->c + c0) * p->h * p->w, *const b = out->d + (size_t)n * plane;
        memcpy(dir ? a : b, dir ? b : a, sizeof(float) * plane);
    }
}

/* The context network's output pc [n, 2L, h, w] and the parameters mu,
 * ls [n, L, h, w] at the non-anchor positions: dir 0 adds pc's halves to
 * mu and ls; dir 1 writes mu and ls (their gradients) into pc's halves
 * and zeros at the anchors. */
static void checkerboard(LccTensor *const pc, LccTensor *const mu, LccTensor *const ls, const int dir)
{
    const int L = mu->c, h = mu->h, w = mu->w;
    const size_t plane = (size_t)h * w;
    for (int n = 0; n < mu->n; n++)
        for (int l = 0; l < L; l++) {
            float *const a = mu->d + ((size_t)n * L + l) * plane, *const b = ls->d + ((size_t)n * L + l) * plane;
            float *const pa = pc->d + ((size_t)n * 2 * L + l) * plane, *const pb = pa + (size_t)L * plane;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    const size_t o = (size_t)i * w + j;
                    if (dir == 0 && !walloc_is_anchor(i, j)) {
                        a[o] += pa[o];
                        b[o] += pb[o];
                    } else if (dir == 1) {
                        const int na = !walloc_is_anchor(i, j);
                        pa[o] = na ? a[o] : 0;
                        pb[o] = na ? b[o] : 0;
                    }
                }
        }
}

/* Checkerboard context: R = round(y - mu) at the anchors (0 elsewhere)
 * through cx, whose output is added to mu and ln sigma (ls) at the other
 * positions. */
static lcc_status context_forward(Trainer *const t, const LccTensor *const y, LccTensor *const mu,
                                  LccTensor *const ls, LccTensor *const R)
{
    LccNn *const nn = &t->nn;
    *R = lcc_nn_tensor(nn, y->n, y->c, y->h, y->w);
    if (!R->d)
        return LCC_ENOMEM;
    const size_t plane = (size_t)y->h * y->w;
    for (size_t i = 0, n = lcc_tensor_size(y); i < n; i++)
        R->d[i] = walloc_is_anchor_at(i, plane, y->w) ? roundf(y->d[i] - mu->d[i])
                                                                                     : 0.0f;
    LccTensor pc;
    const lcc_status err = lcc_seq_forward(nn, t->m.cx, R, &pc, 1);
    if (err)
        return err;
    if (pc.c != 2 * y->c || pc.h != y->h || pc.w != y->w)
        return LCC_EINTERNAL;
    checkerboard(&pc, mu, ls, 0);
    return LCC_OK;
}

/* The end of a hyperprior model's step: dp (d loss / d hs's output) back
 * through hs into dz (which holds z^'s rate gradient), through ha, and
 * with dy (the rate's) and dyq (the distortion's) through the analysis
 * of X (y its output); then the optimiser step. */
static lcc_status hyper_backward(Trainer *const t, const LccTensor *const X, const LccTensor *const y, const int q,
                                 const LccTensor *const dp, LccTensor *const dz, LccTensor *const dy,
                                 const LccTensor *const dyq)
{
    LccNn *const nn = &t->nn;
    WallocNet *const m = &t->m;
    LccTensor dzq, dyh;
    lcc_status err = lcc_seq_backward(nn, m->hs, dp, &dzq);
    if (err)
        return err;
    for (size_t i = 0, nz = lcc_tensor_size(dz); i < nz; i++)
        dz->d[i] += dzq.d[i];
    if ((err = lcc_seq_backward(nn, m->ha, dz, &dyh)))
        return err;
    for (size_t i = 0, ny = lcc_tensor_size(dy); i < ny; i++)
        dy->d[i] += dyq->d[i] + dyh.d[i];
    if ((err = walloc_analysis_backward(nn, m, X, y, q, dy)))
        return err;
    /* the transforms and gains wait until the new entropy model fits them
     * (its rate gradients are meaningless before): see optimize() */
    return optimize(t);
}

/* One training step of a hyperprior model: rate of z^ under the
 * factorized prior of quality q (noisy z) plus rate of y under the
 * Gaussian conditional with (mu, ln sigma) = hs(round(z)) (noisy y); the
 * decoder is fed mu + round(y - mu); straight-through gradients through
 * both roundings. */
static lcc_status train_step_hp(Trainer *const t, const float *const x, const int B, const int s, const int q,
                                const WaveletSpec *const spec, void *const ws, double *const bpp, double *const mse,
                                double *const zbpp)
{
    LccNn *const nn = &t->nn;
    WallocNet *const m = &t->m;
    const int K = m->bands, L = m->cfg.latent, hs = s >> m->cfg.levels;
    const size_t npx = (size_t)B * s * s;
    lcc_nn_reset(nn);
    lcc_params_zero_grad(&m->net.params);
    LccTensor X = lcc_nn_tensor(nn, B, K, hs, hs);
    if (!X.d)
        return LCC_ENOMEM;
    if (wavelet_forward(spec, x, X.d, ws))
        return LCC_EINTERNAL;
    LccTensor y, z, p, dyq;
    lcc_status err = walloc_analysis(nn, m, &X, q, &y, 1);
    if (!err)
        err = walloc_hyper_analysis(nn, m, &y, &z, 1);
    if (err)
        return err;
    const size_t ny = lcc_tensor_size(&y);
    LccTensor zn = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w), zq = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w);
    LccTensor lik = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w), dz = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w);
    if (!zn.d || !zq.d || !lik.d || !dz.d)
        return LCC_ENOMEM;
    /* rate of z^ */
    double bits = noisy_rate(&t->prior[q], &m->net.rng, &z, &zn, &zq, &lik, &dz, npx);
    *zbpp = bits / (double)npx;
    /* rate of y under hs(z^) */
    if ((err = lcc_seq_forward(nn, m->hs, &zq, &p, 1)))
        return err;
    if (p.c != 2 * L || p.h != hs || p.w != hs)
        return LCC_EINTERNAL;
    LccTensor mu = lcc_nn_tensor(nn, B, L, hs, hs), sg = lcc_nn_tensor(nn, B, L, hs, hs);
    LccTensor dmu = lcc_nn_tensor(nn, B, L, hs, hs), dsg = lcc_nn_tensor(nn, B, L, hs, hs);
    LccTensor yn = lcc_nn_tensor(nn, B, L, hs, hs), yq = lcc_nn_tensor(nn, B, L, hs, hs);
    LccTensor dy = lcc_nn_tensor(nn, B, L, hs, hs), dp = lcc_nn_tensor(nn, p.n, p.c, p.h, p.w);
    if (!mu.d || !sg.d || !dmu.d || !dsg.d || !yn.d || !yq.d || !dy.d || !dp.d)
        return LCC_ENOMEM;
    split_half(&p, &mu, 0, 0);
    split_half(&p, &sg, L, 0);
    LccTensor R = { 0 }, dR;
    if (m->cx && (err = context_forward(t, &y, &mu, &sg, &R)))
        return err;
    for (size_t i = 0; i < ny; i++) /* hs (+ cx) predicts ln sigma */
        sg.d[i] = expf(sg.d[i] < 30.0f ? sg.d[i] : 30.0f);
    for (size_t i = 0; i < ny; i++) {
        yn.d[i] = y.d[i] + lcc_rng_uniform(&m->net.rng) - 0.5f;
        yq.d[i] = mu.d[i] + roundf(y.d[i] - mu.d[i]);
    }
    bits += lcc_loss_rate_gaussian(&yn, &mu, &sg, &dy, &dmu, &dsg, (float)(1.0 / (double)npx));
    *bpp = bits / (double)npx;
    /* distortion */
    if ((err = distortion(t, &yq, q, x, spec, ws, s, mse, &dyq)))
        return err;
    /* back through hs (straight-through round of z) and ha */
    for (size_t i = 0; i < ny; i++)
        dsg.d[i] *= sg.d[i];
    if (m->cx) {
        /* back through cx, and straight through r = round(y - mu) */
        LccTensor dpc = lcc_nn_tensor(nn, B, 2 * L, hs, hs);
        if (!dpc.d)
            return LCC_ENOMEM;
        checkerboard(&dpc, &dmu, &dsg, 1);
        if ((err = lcc_seq_backward(nn, m->cx, &dpc, &dR)))
            return err;
        const size_t plane = (size_t)hs * hs;
        for (size_t i = 0; i < ny; i++)
            if (walloc_is_anchor_at(i, plane, hs)) {
                dy.d[i] += dR.d[i];
                dmu.d[i] -= dR.d[i];
            }
    }
    split_half(&dp, &dmu, 0, 1);
    split_half(&dp, &dsg, L, 1);
    return hyper_backward(t, &X, &y, q, &dp, &dz, &dy, &dyq);
}

/* The input of cx in pass p of a channel-slice model (walloc.h) for item
 * b: S mask planes, then e = y^ - mu_hs where known before the pass, 0
 * elsewhere. e [n, L, h, w], in [n, S + L, h, w]. */
static void slice_input(const WallocConfig *const cfg, const LccTensor *const e, const int b, const int pass,
                        LccTensor *const in)
{
    const int L = e->c, S = cfg->ctx_slices, per = L / S;
    const size_t plane = (size_t)e->h * e->w;
    float *const o = in->d + (size_t)b * (S + L) * plane;
    const float *const v = e->d + (size_t)b * L * plane;
    for (int c = 0; c < S + L; c++) {
        const int k = c < S ? c : (c - S) / per;
        const int known[2] = { walloc_slice_known(cfg, pass, k, 0), walloc_slice_known(cfg, pass, k, 1) };
        for (size_t i = 0; i < plane; i++)
            o[(size_t)c * plane + i] = !known[walloc_is_anchor_at(i, plane, e->w)] ? 0.0f
                                       : c < S ? 1.0f : v[(size_t)(c - S) * plane + i];
    }
}

/* One training step of a channel-slice model. Each crop draws one of the
 * 2S passes; the rate of that pass's symbols (noisy y under hs's mean and
 * scale plus cx's), times 2S, estimates y's rate without bias, also in
 * its gradients (cx's input, e = round(y - mu) of the earlier passes,
 * passes straight through to y and mu). cx sees e under hs's mean: the
 * decoder's e differs by the earlier passes' mean corrections, by less
 * than the rounding. During the warm-up (the model starts from a trained
 * checkerboard or hyperprior model: --init-from) only cx learns, on
 * frozen transforms; then everything, with the rate of z^ and the
 * distortion as in train_step_hp. *bpp receives y's estimated rate, *base
 * y's under hs alone, *zbpp z^'s and *mse the distortion (0 during the
 * warm-up). */
static lcc_status train_step_cs(Trainer *const t, const float *const x, const int B, const int s, const int q,
                                const WaveletSpec *const spec, void *const ws, double *const bpp, double *const zbpp,
                                double *const mse, double *const base)
{
    LccNn *const nn = &t->nn;
    WallocNet *const m = &t->m;
    const int K = m->bands, L = m->cfg.latent, S = m->cfg.ctx_slices, hs = s >> m->cfg.levels, per = L / S;
    *mse = 0;
    const int joint = t->opt.t >= t->warmup;
    const size_t npx = (size_t)B * s * s, plane = (size_t)hs * hs, ny = (size_t)B * L * plane;
    lcc_nn_reset(nn);
    lcc_params_zero_grad(&m->net.params);
    LccTensor X = lcc_nn_tensor(nn, B, K, hs, hs), y, z, p, pc, din;
    if (!X.d)
        return LCC_ENOMEM;
    if (wavelet_forward(spec, x, X.d, ws))
        return LCC_EINTERNAL;
    lcc_status err = walloc_analysis(nn, m, &X, q, &y, 1);
    if (!err)
        err = walloc_hyper_analysis(nn, m, &y, &z, joint);
    if (err)
        return err;
    const size_t nz = lcc_tensor_size(&z);
    LccTensor zn = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w), zq = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w);
    LccTensor lik = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w), dz = lcc_nn_tensor(nn, z.n, z.c, z.h, z.w);
    if (!zn.d || !zq.d || !lik.d || !dz.d)
        return LCC_ENOMEM;
    double zbits = 0;
    if (joint)
        zbits = noisy_rate(&t->prior[q], &m->net.rng, &z, &zn, &zq, &lik, &dz, npx);
    else
        for (size_t i = 0; i < nz; i++)
            zq.d[i] = roundf(z.d[i]);
    if ((err = lcc_seq_forward(nn, m->hs, &zq, &p, joint)))
        return err;
    if (p.c != 2 * L || p.h != hs || p.w != hs)
        return LCC_EINTERNAL;
    LccTensor yh = lcc_nn_tensor(nn, B, L, hs, hs), e = lcc_nn_tensor(nn, B, L, hs, hs);
    LccTensor in = lcc_nn_tensor(nn, B, S + L, hs, hs);
    LccTensor dy = lcc_nn_tensor(nn, B, L, hs, hs), dp = lcc_nn_tensor(nn, B, 2 * L, hs, hs);
    LccTensor dpc = lcc_nn_tensor(nn, B, 2 * L, hs, hs);
    const size_t nsel = (size_t)B * per * ((plane + 1) / 2);
    LccTensor sel[8];
    for (int k = 0; k < 8; k++)
        sel[k] = lcc_nn_tensor(nn, 1, 1, 1, (int)nsel);
    LccTensor *const sy = &sel[0], *const smu = &sel[1], *const ssg = &sel[2], *const s0mu = &sel[3];
    LccTensor *const s0sg = &sel[4], *const dmu = &sel[5], *const dsg = &sel[6], *const dsy = &sel[7];
    size_t *const at = lcc_arena_alloc(&nn->arena, sizeof(size_t) * nsel);
    int *const pass = lcc_arena_alloc(&nn->arena, sizeof(int) * (size_t)B);
    int ok = yh.d && e.d && in.d && dy.d && dp.d && dpc.d && at && pass;
    for (int k = 0; k < 8; k++)
        ok = ok && sel[k].d;
    if (!ok)
        return LCC_ENOMEM;
    /* e = round(y - mu): what cx sees; y^ = mu + e: what the decoder gets */
    for (int b = 0; b < B; b++)
        for (size_t i = 0; i < (size_t)L * plane; i++) {
            const size_t o = (size_t)b * L * plane + i;
            const float mu = p.d[((size_t)b * 2 * L) * plane + i];
            e.d[o] = roundf(y.d[o] - mu);
            yh.d[o] = mu + e.d[o];
        }
    for (int b = 0; b < B; b++) {
        pass[b] = (int)(lcc_rng_u64(&m->net.rng) % (uint64_t)(2 * S));
        slice_input(&m->cfg, &e, b, pass[b], &in);
    }
    if ((err = lcc_seq_forward(nn, m->cx, &in, &pc, 1)))
        return err;
    if (pc.c != 2 * L || pc.h != hs || pc.w != hs)
        return LCC_EINTERNAL;
    /* the drawn passes' symbols (at: their offsets into y) */
    size_t k = 0;
    for (int b = 0; b < B; b++)
        for (int l = pass[b] % S * per; l < (pass[b] % S + 1) * per; l++)
            for (size_t i = 0; i < plane; i++)
                if (walloc_is_anchor_at(i, plane, hs) == (pass[b] < S)) {
                    const size_t o = (size_t)b * L * plane + (size_t)l * plane + i;
                    const size_t po = (size_t)b * 2 * L * plane + (size_t)l * plane + i, so = po + (size_t)L * plane;
                    at[k] = o;
                    sy->d[k] = y.d[o] + lcc_rng_uniform(&m->net.rng) - 0.5f;
                    s0mu->d[k] = p.d[po];
                    s0sg->d[k] = expf(fminf(p.d[so], 30.0f));
                    smu->d[k] = p.d[po] + pc.d[po];
                    ssg->d[k] = expf(fminf(p.d[so] + pc.d[so], 30.0f));
                    k++;
                }
    for (int j = 0; j < 8; j++)
        sel[j].w = (int)k;
    memset(dmu->d, 0, sizeof(float) * k);
    memset(dsg->d, 0, sizeof(float) * k);
    memset(dsy->d, 0, sizeof(float) * k);
    const float scale = (float)(2.0 * S / (double)npx);
    *bpp = lcc_loss_rate_gaussian(sy, smu, ssg, dsy, dmu, dsg, scale) * 2 * S / (double)npx;
    *zbpp = zbits / (double)npx;
    *base = lcc_loss_rate_gaussian(sy, s0mu, s0sg, NULL, NULL, NULL, scale) * 2 * S / (double)npx;
    /* back through cx (d ln sigma = d sigma * sigma) */
    memset(dpc.d, 0, sizeof(float) * lcc_tensor_size(&dpc));
    memset(dy.d, 0, sizeof(float) * ny);
    for (size_t j = 0; j < k; j++) {
        const size_t b = at[j] / ((size_t)L * plane), r = at[j] % ((size_t)L * plane);
        const size_t po = b * 2 * L * plane + r;
        dpc.d[po] = dmu->d[j];
        dpc.d[po + (size_t)L * plane] = dsg->d[j] * ssg->d[j];
        dy.d[at[j]] = dsy->d[j];
    }
    if ((err = lcc_seq_backward(nn, m->cx, &dpc, &din)))
        return err;
    if (!joint) /* the warm-up: optimize() steps the entropy networks only */
        return optimize(t);
    /* hs's outputs get what cx's got (they are summed); cx's input e =
     * round(y - mu) passes straight through to y and mu */
    memcpy(dp.d, dpc.d, sizeof(float) * lcc_tensor_size(&dp));
    for (int b = 0; b < B; b++)
        for (size_t i = 0; i < (size_t)L * plane; i++) {
            const float g = din.d[((size_t)b * (S + L) + S) * plane + i];
            dy.d[(size_t)b * L * plane + i] += g;
            dp.d[(size_t)b * 2 * L * plane + i] -= g;
        }
    LccTensor dyq;
    if ((err = distortion(t, &yh, q, x, spec, ws, s, mse, &dyq)))
        return err;
    return hyper_backward(t, &X, &y, q, &dp, &dz, &dy, &dyq);
}

/* The integer hyper-synthesis (and context network) of an export,
 * calibrated on z^ (and the anchors' residuals) of training crops at every
 * quality: the ranges their activations must hold. */
static lcc_status quantize_nets(LccContext *const c, Trainer *const t, const Data *const d, const int crop,
                                LccQNet *const hsq, LccQNet *const cxq)
{
    WallocNet *const m = &t->m;
    LccNn *const nn = &t->nn;
    const int Q = m->cfg.qualities, per = 4, B = per * Q, L = m->cfg.latent;
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, m->cfg.levels, 3, crop, crop };
    float *const x = malloc(sizeof(float) * 3 * crop * crop);
    void *const ws = malloc(wavelet_workspace_bytes(&spec));
    LccRng r;
    lcc_rng_seed(&r, 0xca11b8a7eull);
    lcc_nn_reset(nn);
    const int hs = crop >> m->cfg.levels, zs = (hs + WALLOC_HYPER_DOWN - 1) / WALLOC_HYPER_DOWN;
    LccTensor calib = lcc_nn_tensor(nn, B, m->cfg.hyper_m, zs, zs);
    const int S = m->cfg.ctx_slices;
    LccTensor calr = m->cx ? lcc_nn_tensor(nn, B, S + L, hs, hs) : (LccTensor){ 0 };
    LccTensor X = lcc_nn_tensor(nn, 1, m->bands, hs, hs);
    lcc_status err = x && ws && calib.d && X.d && (!m->cx || calr.d) ? LCC_OK : LCC_ENOMEM;
    for (int b = 0; b < B && !err; b++) {
        random_crop(d, &r, crop, x);
        if (wavelet_forward(&spec, x, X.d, ws)) {
            err = LCC_EINTERNAL;
            break;
        }
        LccTensor y, z, p;
        if ((err = walloc_analysis(nn, m, &X, b / per, &y, 0)) || (err = walloc_hyper_analysis(nn, m, &y, &z, 0)))
            break;
        const size_t nz = lcc_tensor_size(&z), plane = (size_t)hs * hs;
        for (size_t i = 0; i < nz; i++)
            z.d[i] = calib.d[(size_t)b * nz + i] = roundf(z.d[i]);
        if (!m->cx || (err = lcc_seq_forward(nn, m->hs, &z, &p, 0)))
            continue;
        if (S) {
            /* e = round(y - mu) under the float hs, as cx sees it in pass
             * b mod 2S */
            LccTensor e = { y.d, 1, L, hs, hs }, one = { calr.d + (size_t)b * (S + L) * plane, 1, S + L, hs, hs };
            for (size_t i = 0; i < (size_t)L * plane; i++)
                y.d[i] = roundf(y.d[i] - p.d[i]);
            slice_input(&m->cfg, &e, 0, b % (2 * S), &one);
            continue;
        }
        /* the anchors' residuals under the float hs's mu */
        for (size_t i = 0; i < (size_t)L * plane; i++)
            calr.d[(size_t)b * L * plane + i] = walloc_is_anchor_at(i, plane, hs)
                                                    ? roundf(y.d[i] - p.d[i])
                                                    : 0.0f;
    }
    if (!err)
        err = lcc_qnet_from_seq(nn, m->hs, &calib, hsq);
    if (!err && m->cx)
        err = lcc_qnet_from_seq(nn, m->cx, &calr, cxq);
    free(x);
    free(ws);
    if (err)
        return lcc_error(c, err, "cannot quantize the hyperprior or context network: %s", lcc_last_error(c));
    return LCC_OK;
}

/* Freeze the priors into integer CDF tables and write the weight file. */
static lcc_status export_model(LccContext *const c, Trainer *const t, const Data *const d, const int crop,
                               const char *const path)
{
    LccwWriter w = { { 0 }, 0 };
    LccQNet hsq = { 0 }, cxq = { 0 };
    lcc_status err = t->m.cfg.hyper_m ? quantize_nets(c, t, d, crop, &hsq, &cxq) : LCC_OK;
    if (!err)
        walloc_write(&t->m, &hsq, &cxq, &w);
    lcc_qnet_free(&hsq);
    lcc_qnet_free(&cxq);
    if (err)
        return err;
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

/* A wider post-filter (--post) from a narrower one: q's values go to the
 * leading block of p (a convolution's weights [O, I, kh, kw] or a bias
 * [O]); every weight that reads one of the new input channels starts at
 * 0 and the rest of the new output channels keep their initial values,
 * so the filter computes what q's did. 0 if q does not fit so. */
static int widen(LccParam *const p, const LccParam *const q)
{
    if (q->ndim != p->ndim || (p->ndim != 1 && p->ndim != 4) || q->size >= p->size ||
        q->shape[0] > p->shape[0] || (p->ndim == 4 && (q->shape[1] > p->shape[1] || q->shape[2] != p->shape[2] ||
                                                       q->shape[3] != p->shape[3])))
        return 0;
    if (p->ndim == 1) {
        memcpy(p->w, q->w, sizeof(float) * q->size);
        return 1;
    }
    const int O0 = q->shape[0], I0 = q->shape[1], I = p->shape[1];
    const size_t k = (size_t)p->shape[2] * p->shape[3];
    for (int o = 0; o < p->shape[0]; o++) {
        float *const row = p->w + (size_t)o * I * k;
        if (o < O0)
            memcpy(row, q->w + (size_t)o * I0 * k, sizeof(float) * I0 * k);
        memset(row + I0 * k, 0, sizeof(float) * (I - I0) * k);
    }
    return 1;
}

/* Copy every parameter of another model's checkpoint (the factorized,
 * hyperprior or checkerboard model, with the default blocks of D or m's)
 * that m has too (same name and shape). */
static lcc_status init_from_checkpoint(LccContext *const c, WallocNet *const m, const char *const path)
{
    WallocNet src;
    LccAdam o;
    lcc_status err = LCC_EINVAL;
    WallocConfig cfg;
    char why[256] = "";   /* the last attempt's reason */
    /* the source's post-filter width: the size of its first bias */
    uint64_t post = 0;
    if ((err = lcc_checkpoint_tensor_size(c, path, "pf.0.b", &post)))
        return err;
    if (post > 1024)
        return lcc_error(c, LCC_EMODEL, "%s: a post-filter of width %llu", path, (unsigned long long)post);
    err = LCC_EINVAL;
    for (int k = 0; k < 12 && err; k++) {
        cfg = k % 3 == 0 ? walloc_image_cb_config : k % 3 == 1 ? walloc_image_hp_config : walloc_image_config;
        if ((k % 6 >= 3 && cfg.blocks == m->cfg.blocks) || (k >= 6 && !m->cfg.ana_n))
            continue;
        cfg.blocks = k % 6 >= 3 ? m->cfg.blocks : cfg.blocks;
        cfg.ana_n = k >= 6 ? m->cfg.ana_n : 0;
        cfg.post_n = (int)post;
        LccFactorized f;
        if ((err = lcc_factorized_init(&f, cfg.hyper_m ? cfg.hyper_m : cfg.latent, NULL, 0, prior_init_scale, 1)))
            return err;
        cfg.prior_params = (int)f.per_channel;
        lcc_factorized_free(&f);
        lcc_adam_default(&o, 1e-4f);
        if ((err = walloc_init(&src, &cfg, 1)))
            return err;
        if ((err = lcc_checkpoint_load(c, path, &src.net, &o))) {
            walloc_free(&src);
            snprintf(why, sizeof(why), "%s", lcc_last_error(c));
            lcc_clear_error(c);
        }
    }
    if (err)
        return lcc_error(c, err, "%s: not a checkpoint of a wavelet-ae image model (factorized, hyperprior or "
                         "checkerboard; %d blocks in D or --blocks): %s", path, walloc_image_config.blocks, why);
    int copied = 0;
    /* gains: the source's levels are the top ones of m (m adds lower
     * rates), the missing lower levels continue the lowest two linearly */
    const int L = cfg.latent, Q = m->cfg.qualities, off = Q - cfg.qualities;
    if (m->cfg.latent == L && off >= 0) {
        LccParam *const dst[2] = { m->loggain, m->ilog };
        const LccParam *const srcp[2] = { src.loggain, src.ilog };
        for (int k = 0; k < 2; k++) {
            for (int q = 0; q < cfg.qualities; q++)
                memcpy(dst[k]->w + (size_t)(q + off) * L, srcp[k]->w + (size_t)q * L, sizeof(float) * L);
            for (int q = off - 1; q >= 0; q--)
                for (int l = 0; l < L; l++)
                    dst[k]->w[q * L + l] = 2 * dst[k]->w[(q + 1) * L + l] - dst[k]->w[(q + 2) * L + l];
        }
        copied += 2;
    }
    /* a deeper synthesis network D (--blocks): the source's blocks come
     * first, its last layer becomes the last layer, and the new blocks
     * start as the identity (their second convolution at 0) */
    const int b0 = cfg.blocks, b1 = m->cfg.blocks;
    char last[2][16];
    snprintf(last[0], sizeof(last[0]), "%d.", 2 + b0);
    const size_t nl = (size_t)snprintf(last[1], sizeof(last[1]), "%d.", 2 + b1);
    for (int i = 0; i < m->net.params.n; i++) {
        LccParam *const p = m->net.params.p[i];
        int block = -1, conv = -1;
        if (sscanf(p->name, "%d.body.%d.", &block, &conv) == 2 && block - 2 >= b0 && conv == 2) {
            lcc_param_fill(p, 0);
            continue;
        }
        char name[sizeof(p->name)];
        if (b1 != b0 && !strncmp(p->name, last[1], nl))
            snprintf(name, sizeof(name), "%s%s", last[0], p->name + nl);
        else
            snprintf(name, sizeof(name), "%s", p->name);
        const LccParam *const q = lcc_params_find(&src.net.params, name);
        if (!strncmp(p->name, "gain.", 5))
            continue;
        const int S = m->cfg.ctx_slices, L = m->cfg.latent;
        if (S && q && !strcmp(p->name, "cx.0.w") && q->ndim == 4 && p->ndim == 4 && q->shape[0] == p->shape[0] &&
            q->shape[1] == L && p->shape[1] == S + L && q->shape[2] == p->shape[2] && q->shape[3] == p->shape[3]) {
            /* a checkerboard model's first layer: its taps that read the
             * anchors for the other positions ((ki + kj) odd, the kernel
             * odd-sized); the rest (never trained there) and the masks' at 0 */
            const int C = p->shape[0], kh = p->shape[2], kw = p->shape[3];
            memset(p->w, 0, sizeof(float) * p->size);
            for (int o = 0; o < C; o++)
                for (int l = 0; l < L; l++)
                    for (int ki = 0; ki < kh; ki++)
                        for (int kj = 0; kj < kw; kj++)
                            if ((ki + kj) & 1)
                                p->w[(((size_t)o * (S + L) + S + l) * kh + ki) * kw + kj] =
                                    q->w[(((size_t)o * L + l) * kh + ki) * kw + kj];
            copied++;
            continue;
        }
        if (q && !strncmp(p->name, "pf.", 3) && widen(p, q)) {
            copied++;
            continue;
        }
        if (!q || q->size != p->size || q->ndim != p->ndim ||
            memcmp(q->shape, p->shape, sizeof(p->shape)))
            continue;
        memcpy(p->w, q->w, sizeof(float) * p->size);
        copied++;
    }
    printf("init from %s (%s model, step %lld): %d tensors%s%s\n", path,
           cfg.ctx_n ? "checkerboard" : cfg.hyper_m ? "hyperprior" : "factorized", (long long)o.t, copied,
           b1 > b0 ? " (new blocks of D start as the identity)" : "",
           cfg.post_n && m->cfg.post_n > cfg.post_n ? " (the post-filter's new channels start without effect)" : "");
    walloc_free(&src);
    return LCC_OK;
}

const char lcc_train_image_usage[] =
    "Usage: lcc train image --data DIR [--data DIR ...] --checkpoint FILE [options]\n"
    "Train the wavelet-ae image model (all quality levels at once).\n"
    "  --data DIR        folder of training photos (JPEG/PNG/PPM, >= crop size); repeatable.\n"
    "                    Never an evaluation set (Kodak).\n"
    "  --checkpoint F    checkpoint file, written every --every steps and at the end\n"
    "  --resume          continue from the checkpoint (same data, same options)\n"
    "  --export F        write the weight file (*.lccw, entropy tables frozen) of the\n"
    "                    checkpoint and stop (no training; a hyperprior model needs --data\n"
    "                    to calibrate its integer hyper-synthesis)\n"
    "  --hyperprior      the mean-scale hyperprior model (wavelet-ae-image-hp.lccw)\n"
    "                    instead of the factorized-prior one; crop a multiple of 32\n"
    "  --context         the hyperprior model with the checkerboard context model\n"
    "                    (wavelet-ae-image-cb.lccw; implies --hyperprior)\n"
    "  --slices S        the channel-slice context model (syntax 4, wavelet-ae-image-cs.lccw,\n"
    "                    not shipped): the checkerboard with S slices of the latent\n"
    "                    channels (S divides 64; implies --context). Start it from a\n"
    "                    checkerboard checkpoint with --init-from; during --warmup\n"
    "                    only cx learns, on frozen transforms\n"
    "  --blocks N        residual blocks of the synthesis network D (default 2, the\n"
    "                    shipped models'); give it again on --resume and --export\n"
    "  --analysis E      a nonlinear analysis of width E added to the linear one\n"
    "                    (encoder side only; default 0: none; give it again on\n"
    "                    --resume and --export); grown by --init-from, it starts at 0\n"
    "  --post F          a full-resolution post-filter of width F on the decoded\n"
    "                    image (decoder side; default 0: none; give it again on\n"
    "                    --resume and --export); grown by --init-from, it starts at 0\n"
    "  --init-from F     start a new run from every tensor of another checkpoint\n"
    "                    (factorized, hyperprior or checkerboard model, with or\n"
    "                    without the --analysis given, with or without a post-filter)\n"
    "                    that the new model has; with more --blocks, the new blocks\n"
    "                    of D start as the identity; with a wider --post, the\n"
    "                    filter's new channels start without effect\n"
    "  --hyper-lr X      Adam learning rate of the hyperprior and context networks\n"
    "                    (default: 3e-4 during the warm-up, then --lr; given, it\n"
    "                    holds throughout)\n"
    "  --warmup N        hyperprior: the first N steps train only the hyperprior\n"
    "                    networks and the priors (default 2000); --slices: only cx\n"
    "  --steps N         train until the checkpoint has N steps (default 1000)\n"
    "  --every N         checkpoint interval in steps (default 200)\n"
    "  --batch N         crops per step (default 8)\n"
    "  --crop N          crop size, a multiple of 8 (default 128)\n"
    "  --lr X            Adam learning rate of the transforms (default 1e-4; a\n"
    "                    resumed run keeps the checkpoint's unless --lr is given)\n"
    "  --prior-lr X      Adam learning rate of the priors (default 1e-2)\n"
    "  --gain-lr X       Adam learning rate of the gains (default 1e-3; the models\n"
    "                    shipped before 2026-11-27 used 1e-2, which let the encoder\n"
    "                    and decoder gains of a level drift apart between steps)\n"
    "  --seed N          seed of the initialisation and the data order (default 1)\n"
    "  --threads N       worker threads of the training engine (default 1)\n";

int lcc_train_image(int argc, char **argv, const LccTrainGlobal *const g)
{
    const int json = g->json;
    int threads = g->threads;
    const char *dirs[16], *ckpt = NULL, *export_path = NULL, *init_from = NULL;
    int ndirs = 0, resume = 0, steps = 1000, every = 200, B = 8, crop = 128, hyper = 0, context = 0, lr_given = 0;
    int slices = 0, blocks = 0, hyper_lr_given = 0, ana_n = 0, post_n = 0;
    float lr = 1e-4f, fast_lr = 1e-2f, gain_lr = 1e-3f, hyper_lr = 3e-4f;
    int64_t warmup = -1;
    uint64_t seed = 1;
    threads = threads > 0 ? threads : 1;
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
        else if (!strcmp(a, "--hyperprior"))
            hyper = 1;
        else if (!strcmp(a, "--context"))
            hyper = context = 1;
        else if (!strcmp(a, "--slices") && has)
            hyper = context = 1, slices = atoi(argv[++i]);
        else if (!strcmp(a, "--blocks") && has)
            blocks = atoi(argv[++i]);
        else if (!strcmp(a, "--analysis") && has)
            ana_n = atoi(argv[++i]);
        else if (!strcmp(a, "--post") && has)
            post_n = atoi(argv[++i]);
        else if (!strcmp(a, "--init-from") && has)
            init_from = argv[++i];
        else if (!strcmp(a, "--hyper-lr") && has)
            hyper_lr = (float)atof(argv[++i]), hyper_lr_given = 1;
        else if (!strcmp(a, "--warmup") && has)
            warmup = atoll(argv[++i]);
        else if (!strcmp(a, "--steps") && has)
            steps = atoi(argv[++i]);
        else if (!strcmp(a, "--every") && has)
            every = atoi(argv[++i]);
        else if (!strcmp(a, "--batch") && has)
            B = atoi(argv[++i]);
        else if (!strcmp(a, "--crop") && has)
            crop = atoi(argv[++i]);
        else if (!strcmp(a, "--lr") && has)
            lr = (float)atof(argv[++i]), lr_given = 1;
        else if (!strcmp(a, "--prior-lr") && has)
            fast_lr = (float)atof(argv[++i]);
        else if (!strcmp(a, "--gain-lr") && has)
            gain_lr = (float)atof(argv[++i]);
        else if (!strcmp(a, "--seed") && has)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--threads") && has)
            threads = atoi(argv[++i]);
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lcc_train_image_usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "lcc train image: unknown option or missing value '%s'\n%s", a, lcc_train_image_usage);
            return 1;
        }
    }
    if (export_path) {
        resume = 1;
        init_from = NULL;
        if (!ndirs && !hyper)
            dirs[ndirs++] = ".";  /* no data needed */
    }
    if (!ndirs || !ckpt || steps < 1 || every < 1 || B < 1 || B > 64 || crop < 16 || crop % (hyper ? 32 : 8) ||
        crop > 1024 || blocks < 0 || blocks > 16 || ana_n < 0 || ana_n > 1024 || post_n < 0 || post_n > 1024 || slices < 0 || slices > 64 || (slices && 64 % slices) || !(lr > 0) || !(fast_lr > 0) || !(gain_lr > 0) || threads < 1 || threads > 64) {
        fprintf(stderr, "lcc train image: needs --data and --checkpoint, and sane values\n%s", lcc_train_image_usage);
        return 1;
    }
    LccContext *c;
    if (lcc_open(&c, NULL))
        return 4;
    Data d = { 0 };
    lcc_status err = LCC_OK;
    const int need_data = !export_path || hyper;
    for (int i = 0; i < ndirs && !err && need_data; i++)
        err = load_dir(c, dirs[i], crop, &d);
    if (!err && d.n == 0 && need_data)
        err = lcc_error(c, LCC_EINVAL, "no photo of at least %dx%d in the --data folders", crop, crop);
    if (err) {
        fprintf(stderr, "lcc train image: %s\n", lcc_last_error(c));
        lcc_close(&c);
        return 2;
    }
    if (!export_path)
        printf("data: %d photos\n", d.n);

    Trainer t;
    memset(&t, 0, sizeof(t));
    WallocConfig cfg = context ? walloc_image_cb_config : hyper ? walloc_image_hp_config : walloc_image_config;
    cfg.ctx_slices = slices;
    cfg.blocks = blocks ? blocks : cfg.blocks;
    cfg.ana_n = ana_n;
    cfg.post_n = post_n;
    t.lambdas = hyper ? walloc_hp_lambdas : walloc_lambdas;
    const int prior_channels = hyper ? cfg.hyper_m : cfg.latent;
    err = lcc_factorized_init(&t.prior[0], prior_channels, NULL, 0, prior_init_scale, seed);
    cfg.prior_params = err ? 0 : (int)t.prior[0].per_channel;
    lcc_factorized_free(&t.prior[0]);
    if (!err)
        err = walloc_init(&t.m, &cfg, seed);
    for (int q = 0; q < cfg.qualities && !err; q++) {
        LccFactorized *const f = &t.prior[q];
        if (!(err = lcc_factorized_init(f, prior_channels, NULL, 0, prior_init_scale, seed + 1 + (uint64_t)q))) {
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
    lcc_adam_default(&t.hyp, hyper_lr);
    t.hyp.clip_norm = 1.0f;
    t.warmup = warmup >= 0 ? warmup : hyper ? 2000 : 0;
    t.hyper_lr = hyper_lr;
    t.hyper_lr_after = hyper_lr_given;
    if (!err)
        err = split_params(&t);
    lcc_rng_seed(&t.data_rng, seed ^ 0x5eedull);
    if (!err)
        err = lcc_nn_init(&t.nn, c, threads, lcc_cpu_flags());
    if (!err && resume) {
        err = lcc_checkpoint_load(c, ckpt, &t.m.net, &t.opt);
        t.fast.t = t.gain.t = t.hyp.t = t.opt.t;
        /* a checkpoint without moments restarts Adam here */
        int moments = 0;
        for (int i = 0; i < t.m.net.params.n; i++)
            moments |= t.m.net.params.p[i]->m != NULL;
        t.origin = moments ? 0 : t.opt.t;
        /* the checkpoint keeps the learning rate; --lr changes it */
        if (lr_given)
            t.opt.lr = lr;
    } else if (!err && init_from) {
        err = init_from_checkpoint(c, &t.m, init_from);
    } else if (!err) {
        /* log-spaced starting gains: step size ~ lambda^(-1/2) */
        double lref = 0;
        for (int q = 0; q < cfg.qualities; q++)
            lref += log(t.lambdas[q]) / cfg.qualities;
        for (int q = 0; q < cfg.qualities; q++)
            for (int l = 0; l < cfg.latent; l++) {
                const float g = (float)(0.5 * (log(t.lambdas[q]) - lref));
                t.m.loggain->w[q * cfg.latent + l] = g;
                t.m.ilog->w[q * cfg.latent + l] = -g - logf(pca_scale);
            }
        err = pca_init(&t.m, &d, &t.data_rng, crop, pca_scale);
    }
    if (!err && export_path) {
        err = export_model(c, &t, &d, crop, export_path);
        steps = 0; /* no training */
    }
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, cfg.levels, 3 * B, crop, crop };
    void *const ws = malloc(wavelet_workspace_bytes(&spec));
    float *const x = malloc(sizeof(float) * 3 * (size_t)B * crop * crop);
    if (!err && (!ws || !x))
        err = LCC_ENOMEM;
    if (!export_path)
        printf("model: %zu parameters, %d threads, cpu %s, lr %g, batch %d x %dx%d, from step %lld\n",
           lcc_params_count(&t.m.net.params), threads, lcc_cpu_name(lcc_cpu_flags()), (double)t.opt.lr, B, crop, crop,
           (long long)t.opt.t);
    double acc_bpp[WALLOC_MAX_QUALITIES] = { 0 }, acc_psnr[WALLOC_MAX_QUALITIES] = { 0 };
    double acc_zbpp[WALLOC_MAX_QUALITIES] = { 0 }, acc_base[WALLOC_MAX_QUALITIES] = { 0 };
    int acc_n[WALLOC_MAX_QUALITIES] = { 0 };
    const double t0 = now();
    const int64_t first = t.opt.t;
    while (!err && t.opt.t < steps) {
        /* the data of step t depends on (seed, t) only, so a resumed run
         * sees what an uninterrupted one would */
        lcc_rng_seed(&t.data_rng, seed * 0x9e3779b97f4a7c15ull + (uint64_t)t.opt.t);
        for (int b = 0; b < B; b++)
            random_crop(&d, &t.data_rng, crop, x + (size_t)b * 3 * crop * crop);
        const int q = (int)(lcc_rng_u64(&t.data_rng) % (uint64_t)cfg.qualities);
        double bpp, mse, zbpp = 0;
        double base = 0;
        err = slices  ? train_step_cs(&t, x, B, crop, q, &spec, ws, &bpp, &zbpp, &mse, &base)
              : hyper ? train_step_hp(&t, x, B, crop, q, &spec, ws, &bpp, &mse, &zbpp)
                      : train_step(&t, x, B, crop, q, &spec, ws, &bpp, &mse);
        if (err)
            break;
        acc_bpp[q] += bpp;
        acc_zbpp[q] += zbpp;
        acc_base[q] += base;
        acc_psnr[q] += mse > 0 ? 10 * log10(1.0 / (mse > 1e-12 ? mse : 1e-12)) : 0; /* 0: not measured */
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
                if (json && slices)
                    printf("%s{\"q\": %d, \"y_bpp\": %.4f, \"y_bpp_hs\": %.4f, \"side_bpp\": %.4f, \"psnr\": %.3f}",
                           k ? ", " : "", k + 1, acc_bpp[k] / nb, acc_base[k] / nb, acc_zbpp[k] / nb,
                           acc_psnr[k] / nb);
                else if (json)
                    printf("%s{\"q\": %d, \"bpp\": %.4f, \"side_bpp\": %.4f, \"psnr\": %.3f}", k ? ", " : "", k + 1,
                           acc_bpp[k] / nb, acc_zbpp[k] / nb, acc_psnr[k] / nb);
                else if (acc_n[k] && slices)
                    printf("  q%d  y bpp %.4f, hs alone %.4f (%+.2f%%), side %.4f  psnr %.2f dB  (%d steps)\n", k + 1,
                           acc_bpp[k] / nb, acc_base[k] / nb, 100 * (acc_bpp[k] / acc_base[k] - 1), acc_zbpp[k] / nb,
                           acc_psnr[k] / nb, acc_n[k]);
                else if (acc_n[k])
                    printf("  q%d  train bpp %.4f (side %.4f)  psnr %.2f dB  (%d steps)\n", k + 1, acc_bpp[k] / nb,
                           acc_zbpp[k] / nb, acc_psnr[k] / nb, acc_n[k]);
                acc_bpp[k] = acc_psnr[k] = acc_zbpp[k] = acc_base[k] = 0;
                acc_n[k] = 0;
            }
            if (json)
                printf("]}\n");
            fflush(stdout);
            /* hyperprior checkpoints keep the weights only (the repository
             * holds them: 3 MB rather than 9) */
            err = hyper ? lcc_checkpoint_save_weights(c, ckpt, &t.m.net, &t.opt)
                        : lcc_checkpoint_save(c, ckpt, &t.m.net, &t.opt);
        }
    }
    int rc = 0;
    if (err) {
        fprintf(stderr, "lcc train image: %s\n", *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
        rc = err == LCC_ENOMEM || err == LCC_EINTERNAL ? 4 : 2;
    }
    free(ws);
    free(x);
    trainer_free(&t);
    for (int i = 0; i < d.n; i++)
        free(d.p[i].rgb);
    free(d.p);
    lcc_close(&c);
    return rc;
}
