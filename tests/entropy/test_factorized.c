/* Factorized prior: finite-difference gradients (input and every
 * parameter), likelihoods summing to one, training with Adam on noisy
 * samples of three different sources until the rate approaches their
 * entropy, export to integer tables, and coding with them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/entropy.h"
#include "entropy/factorized.h"
#include "entropy/gaussian.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"
#include "test.h"

static uint64_t seed;

static double urand(void)
{
    return (double)(test_rand(&seed) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    const double u = urand() + 1e-300, v = urand();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* channel 0: Laplace(1.3, 3); 1: N(-0.4, 0.7); 2: mixture of N(+-4, 1) */
static double sample(int c)
{
    if (c == 0) {
        const double u = urand() - 0.5;
        return 1.3 - 3 * (u < 0 ? -1 : 1) * log(1 - 2 * fabs(u) + 1e-300);
    }
    if (c == 1)
        return -0.4 + 0.7 * gauss();
    return (test_rand(&seed) & 1 ? 4 : -4) + gauss();
}

static double loss_of(const LccFactorized *f, const float *x, const float *wt, size_t n, size_t sp)
{
    float *lik = malloc(n * (size_t)f->channels * sp * sizeof(float));
    lcc_factorized_likelihood(f, x, n, sp, lik);
    double l = 0;
    for (size_t i = 0; i < n * (size_t)f->channels * sp; i++)
        l += wt[i] * lik[i];
    free(lik);
    return l;
}

static void test_gradients(void)
{
    LccFactorized f;
    const int filters[2] = {3, 4};
    CHECK(lcc_factorized_init(&f, 2, filters, 2, 10, 7) == 0);
    for (size_t i = 0; i < f.nparams; i++)
        f.params[i] += (float)(0.3 * gauss());
    const size_t batch = 2, sp = 3, n = batch * 2 * sp;
    float x[12], wt[12], dx[12];
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)(gauss() * 2);
        wt[i] = (float)gauss();
    }
    lcc_factorized_zero_grad(&f);
    lcc_factorized_backward(&f, x, batch, sp, wt, dx);
    const float h = 1e-2f;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const float x0 = x[i];
        x[i] = x0 + h;
        const double lp = loss_of(&f, x, wt, batch, sp);
        x[i] = x0 - h;
        const double lm = loss_of(&f, x, wt, batch, sp);
        x[i] = x0;
        const double num = (lp - lm) / (2 * h);
        if (fabs(num - dx[i]) > 1e-3 + 1e-2 * fabs(num)) {
            bad++;
            fprintf(stderr, "dx[%zu]: %g vs numeric %g\n", i, dx[i], num);
        }
    }
    for (size_t i = 0; i < f.nparams; i++) {
        const float p0 = f.params[i];
        f.params[i] = p0 + h;
        const double lp = loss_of(&f, x, wt, batch, sp);
        f.params[i] = p0 - h;
        const double lm = loss_of(&f, x, wt, batch, sp);
        f.params[i] = p0;
        const double num = (lp - lm) / (2 * h);
        if (fabs(num - f.grads[i]) > 1e-3 + 2e-2 * fabs(num)) {
            bad++;
            fprintf(stderr, "dparam[%zu]: %g vs numeric %g\n", i, f.grads[i], num);
        }
    }
    CHECK(bad == 0);
    /* the density integrates to one and the cumulative is monotone */
    for (int c = 0; c < 2; c++) {
        double sum = 0;
        for (int k = -400; k <= 400; k++) {
            float xk = (float)k, lk;
            float xx[2] = {xk, xk}, ll[2];
            lcc_factorized_likelihood(&f, xx, 1, 1, ll);
            lk = ll[c];
            sum += lk;
        }
        CHECK_MSG(fabs(sum - 1) < 1e-3, "channel %d: sum %g", c, sum);
        int mono = 0;
        for (int k = -100; k < 100; k++)
            mono += lcc_factorized_logit(&f, c, k * 0.1) > lcc_factorized_logit(&f, c, (k + 1) * 0.1);
        CHECK(mono == 0);
    }
    lcc_factorized_free(&f);
}

static void test_train_export_code(void)
{
    const int C = 3;
    LccFactorized f;
    CHECK(lcc_factorized_init(&f, C, NULL, 0, 10, 1) == 0);
    CHECK(f.per_channel == 3 + 3 + 3 + 9 + 3 + 3 + 9 + 3 + 3 + 3 + 1);
    float *m = calloc(f.nparams, sizeof(float)), *v = calloc(f.nparams, sizeof(float));
    const size_t B = 256;
    float *x = malloc(B * C * sizeof(float)), *lik = malloc(B * C * sizeof(float)),
          *dl = malloc(B * C * sizeof(float));
    const double lr = 0.02, beta1 = 0.9, beta2 = 0.999;
    for (int step = 1; step <= 1500; step++) {
        for (size_t n = 0; n < B; n++)
            for (int c = 0; c < C; c++)
                x[n * C + c] = (float)(sample(c) + urand() - 0.5);   /* noisy latents */
        lcc_factorized_likelihood(&f, x, B, 1, lik);
        for (size_t i = 0; i < B * C; i++)
            dl[i] = (float)(-1.0 / (lik[i] * log(2.0) * B));   /* d(mean bits)/dlik */
        lcc_factorized_zero_grad(&f);
        lcc_factorized_backward(&f, x, B, 1, dl, NULL);
        const double a = step > 1000 ? lr * 0.2 : lr;
        for (size_t i = 0; i < f.nparams; i++) {
            m[i] = (float)(beta1 * m[i] + (1 - beta1) * f.grads[i]);
            v[i] = (float)(beta2 * v[i] + (1 - beta2) * f.grads[i] * f.grads[i]);
            const double mh = m[i] / (1 - pow(beta1, step)), vh = v[i] / (1 - pow(beta2, step));
            f.params[i] -= (float)(a * mh / (sqrt(vh) + 1e-8));
        }
    }
    /* held-out quantized samples: model rate vs empirical entropy */
    const size_t N = 100000;
    float *y = malloc(N * C * sizeof(float)), *ly = malloc(N * C * sizeof(float));
    int32_t *sym = malloc(N * C * sizeof(int32_t));
    for (size_t n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            y[n * C + c] = (float)sample(c);
    lcc_meanscale_quantize(y, NULL, N * C, sym);
    /* (N, C, 1) layout: lay the quantized values back as floats */
    for (size_t i = 0; i < N * C; i++)
        y[i] = (float)sym[i];
    lcc_factorized_likelihood(&f, y, N, 1, ly);
    LccCdfBank bank;
    CHECK(lcc_factorized_export(&f, 16, 1e-4, &bank) == 0);
    CHECK(bank.count == (uint32_t)C);
    for (int c = 0; c < C; c++) {
        int hist[4096] = {0};
        double model = 0, table = 0, ent = 0;
        int32_t *plane = malloc(N * sizeof(int32_t)), *out = malloc(N * sizeof(int32_t));
        for (size_t n = 0; n < N; n++) {
            plane[n] = sym[n * C + c];
            hist[(plane[n] + 2048) & 4095]++;
            model -= log2(ly[n * C + c]);
            table += lcc_cdf_cost_bits(&bank.t[c], plane[n]);
        }
        for (int k = 0; k < 4096; k++)
            if (hist[k])
                ent -= hist[k] * log2(hist[k] / (double)N);
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        lcc_rans_enc_put_array(&e, &bank.t[c], plane, N);
        LccBuf buf = {0};
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        LccRansDec d;
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, N) == 0);
        lcc_rans_dec_get_array(&d, &bank.t[c], out, N);
        CHECK(lcc_rans_dec_finish(&d) == 0);
        CHECK(memcmp(plane, out, N * sizeof(int32_t)) == 0);
        const double bits = buf.size * 8.0;
        printf("channel %d: entropy %.4f, model %.4f, table %.4f, coded %.4f bits/symbol "
               "(table %d symbols from %d)\n", c, ent / N, model / N, table / N, bits / N,
               (int)bank.t[c].nsym - 1, bank.t[c].offset);
        CHECK(model <= ent * 1.03 + 0.01 * N);   /* trained close to the source */
        CHECK(table <= model * 1.01 + 0.001 * N); /* the integer table loses little */
        CHECK(bits <= table * 1.005);            /* the coder loses less than 0.5% */
        lcc_buf_free(&buf);
        lcc_rans_enc_free(&e);
        free(plane);
        free(out);
    }
    /* the whole (N, C, 1) tensor through the channel-plane interface */
    {
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        lcc_entropy_encode_planes(&e, &bank, sym, N, (size_t)C, 1);
        LccBuf buf = {0};
        CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
        int32_t *back = malloc(N * C * sizeof(int32_t));
        LccRansDec d;
        CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, N * C) == 0);
        lcc_entropy_decode_planes(&d, &bank, back, N, (size_t)C, 1);
        CHECK(lcc_rans_dec_finish(&d) == 0);
        CHECK(memcmp(back, sym, N * C * sizeof(int32_t)) == 0);
        lcc_entropy_decode_planes(&d, &bank, back, 1, (size_t)C + 1, 1);   /* too many channels */
        CHECK(d.error);
        free(back);
        lcc_buf_free(&buf);
        lcc_rans_enc_free(&e);
    }
    /* export is deterministic; the bank round-trips as data */
    LccCdfBank b2, b3;
    CHECK(lcc_factorized_export(&f, 16, 1e-4, &b2) == 0);
    CHECK(lcc_cdf_bank_hash(&b2) == lcc_cdf_bank_hash(&bank));
    LccBuf ser = {0};
    lcc_cdf_bank_write(&bank, &ser);
    size_t used;
    CHECK(lcc_cdf_bank_read(&b3, ser.data, ser.size, &used, NULL) == 0);
    CHECK(lcc_cdf_bank_hash(&b3) == lcc_cdf_bank_hash(&bank));
    /* low precision caps the support but still codes everything */
    LccCdfBank b4;
    CHECK(lcc_factorized_export(&f, 4, 1e-4, &b4) == 0);
    for (int c = 0; c < C; c++)
        CHECK(b4.t[c].nsym - 1 <= 7);
    CHECK(lcc_factorized_export(&f, 16, 0, &b4) == LCC_EINVAL);
    lcc_cdf_bank_free(&b4);
    lcc_buf_free(&ser);
    lcc_cdf_bank_free(&b3);
    lcc_cdf_bank_free(&b2);
    lcc_cdf_bank_free(&bank);
    free(y);
    free(ly);
    free(sym);
    free(x);
    free(lik);
    free(dl);
    free(m);
    free(v);
    lcc_factorized_free(&f);
}

int main(void)
{
    seed = test_seed();
    LccFactorized f;
    CHECK(lcc_factorized_init(&f, 0, NULL, 0, 10, 1) == LCC_EINVAL);
    const int wide[1] = {17};
    CHECK(lcc_factorized_init(&f, 1, wide, 1, 10, 1) == LCC_EINVAL);
    CHECK(lcc_factorized_init(&f, 1, NULL, 2, 10, 1) == LCC_EINVAL);
    CHECK(lcc_factorized_init(&f, 1, NULL, 0, 0, 1) == LCC_EINVAL);
    test_gradients();
    test_train_export_code();
    /* degenerate parameters still export valid (if useless) tables */
    CHECK(lcc_factorized_init(&f, 2, NULL, 0, 10, 3) == 0);
    for (size_t i = 0; i < f.nparams; i++)
        f.params[i] = i % 2 ? NAN : 1e30f;
    LccCdfBank b;
    CHECK(lcc_factorized_export(&f, 16, 1e-4, &b) == 0);
    for (uint32_t c = 0; c < b.count; c++)
        CHECK(b.t[c].cdf[b.t[c].nsym] == 65536);
    lcc_cdf_bank_free(&b);
    lcc_factorized_free(&f);
    return test_summary();
}
