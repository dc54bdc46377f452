/* Training sanity: (1) a SIREN fits a 64x64 image (the sample photo
 * downscaled 4x) to >= 30 dB PSNR; (2) a small conv autoencoder (GDN,
 * transposed convs, noise proxy) trained on 32x32 crops of the sample
 * photo reduces its loss by >= 5x. Each prints its wall time.
 * Usage: test_nn_train siren|autoencoder IMAGE.png */
#include <math.h>
#include <png.h>
#include <string.h>
#include <time.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/nn.h"
#include "tests/test.h"

static LccNn nn;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* RGB planes in [0, 1], channel-major. */
static float *load_rgb(const char *const path, int *const w, int *const h)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return NULL;
    img.format = PNG_FORMAT_RGB;
    uint8_t *const buf = malloc(PNG_IMAGE_SIZE(img));
    float *const out = malloc(sizeof(float) * 3 * img.width * img.height);
    if (!buf || !out || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        free(buf);
        free(out);
        return NULL;
    }
    *w = (int)img.width;
    *h = (int)img.height;
    const size_t P = (size_t)img.width * img.height;
    for (size_t i = 0; i < P; i++)
        for (int c = 0; c < 3; c++)
            out[c * P + i] = buf[3 * i + c] / 255.0f;
    free(buf);
    return out;
}

static double psnr(const float *const a, const float *const b, const size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = a[i] < 0 ? 0 : a[i] > 1 ? 1 : a[i];
        v -= b[i];
        s += v * v;
    }
    return 10.0 * log10(1.0 / (s / (double)n + 1e-20));
}

static void siren(const float *const img, const int W, const int H)
{
    const int S = 64, P = S * S, F = W / S;
    /* target: box-downscaled image, as [P][3] rows */
    float *const target = malloc(sizeof(float) * P * 3), *const coords = malloc(sizeof(float) * P * 2);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int i = 0; i < F; i++)
                    for (int j = 0; j < F; j++)
                        s += img[(size_t)c * W * H + (size_t)(y * F + i) * W + x * F + j];
                target[(y * S + x) * 3 + c] = (float)(s / (F * F));
            }
            coords[(y * S + x) * 2] = 2.0f * (x + 0.5f) / S - 1.0f;
            coords[(y * S + x) * 2 + 1] = 2.0f * (y + 0.5f) / S - 1.0f;
        }
    LccNet net;
    (void)!lcc_net_init(&net, 1234);
    const int width = 128;
    const float w0 = 30.0f;
    lcc_seq_linear(net.root, 2, width);
    lcc_seq_siren_init(net.root, 1, w0);
    lcc_seq_act(net.root, LCC_LAYER_SINE, w0);
    for (int l = 0; l < 2; l++) {
        lcc_seq_linear(net.root, width, width);
        lcc_seq_siren_init(net.root, 0, w0);
        lcc_seq_act(net.root, LCC_LAYER_SINE, w0);
    }
    lcc_seq_linear(net.root, width, 3);
    lcc_seq_siren_init(net.root, 0, w0);
    LccAdam o;
    lcc_adam_default(&o, 1e-3f);
    o.schedule = LCC_SCHED_COSINE;
    o.total_steps = 1500;
    o.final_frac = 0.05f;
    LccTensor x = { coords, P, 2, 1, 1 }, tgt = { target, P, 3, 1, 1 }, y;
    const double t0 = now();
    double best = 0;
    int it;
    for (it = 0; it < o.total_steps; it++) {
        lcc_nn_reset(&nn);
        lcc_params_zero_grad(&net.params);
        if (lcc_seq_forward(&nn, net.root, &x, &y, 1))
            break;
        const double p = psnr(y.d, target, (size_t)P * 3);
        if (p > best)
            best = p;
        if (it % 100 == 0)
            printf("siren step %4d  psnr %.2f dB  %.1f s\n", it, p, now() - t0);
        if (best >= 32.0)
            break;
        LccTensor dy = lcc_nn_tensor(&nn, y.n, y.c, y.h, y.w);
        (void)lcc_loss_mse(&y, &tgt, &dy, 1.0f);
        if (lcc_seq_backward(&nn, net.root, &dy, NULL))
            break;
        (void)lcc_adam_step(&o, &net.params);
    }
    const double t = now() - t0;
    printf("siren: %.2f dB after %d steps in %.1f s\n", best, it, t);
    CHECK_MSG(best >= 30.0, "SIREN reached only %.2f dB", best);
    lcc_net_free(&net);
    free(target);
    free(coords);
}

static void autoencoder(const float *const img, const int W, const int H)
{
    const int B = 8, S = 32, N = 32, M = 48;
    LccNet net;
    (void)!lcc_net_init(&net, 99);
    LccSeq *const s = net.root;
    lcc_seq_conv2d(s, 3, N, 5, 5, 2, 2, 1);
    lcc_seq_gdn(s, N, 0);
    lcc_seq_conv2d(s, N, N, 5, 5, 2, 2, 1);
    lcc_seq_gdn(s, N, 0);
    lcc_seq_conv2d(s, N, M, 5, 5, 2, 2, 1);
    lcc_seq_quant(s, LCC_LAYER_NOISE);
    lcc_seq_convt2d(s, M, N, 5, 2, 2, 1);
    lcc_seq_gdn(s, N, 1);
    lcc_seq_convt2d(s, N, N, 5, 2, 2, 1);
    lcc_seq_gdn(s, N, 1);
    lcc_seq_convt2d(s, N, 3, 5, 2, 2, 1);
    LccAdam o;
    lcc_adam_default(&o, 1e-3f);
    o.clip_norm = 10.0f;
    float *const batch = malloc(sizeof(float) * B * 3 * S * S);
    LccRng crop;
    lcc_rng_seed(&crop, 5);
    LccTensor x = { batch, B, 3, S, S }, y;
    const int steps = 300;
    double first = 0, last = 0;
    const double t0 = now();
    for (int it = 0; it < steps; it++) {
        for (int b = 0; b < B; b++) {
            const int ox = (int)(lcc_rng_u64(&crop) % (uint64_t)(W - S)), oy = (int)(lcc_rng_u64(&crop) % (uint64_t)(H - S));
            for (int c = 0; c < 3; c++)
                for (int r = 0; r < S; r++)
                    memcpy(batch + (((size_t)b * 3 + c) * S + r) * S, img + (size_t)c * W * H + (size_t)(oy + r) * W + ox,
                           sizeof(float) * S);
        }
        lcc_nn_reset(&nn);
        lcc_params_zero_grad(&net.params);
        if (lcc_seq_forward(&nn, s, &x, &y, 1))
            break;
        LccTensor dy = lcc_nn_tensor(&nn, y.n, y.c, y.h, y.w);
        const double loss = lcc_loss_mse(&y, &x, &dy, 1.0f);
        if (it < 10)
            first += loss / 10;
        if (it >= steps - 20)
            last += loss / 20;
        if (it % 50 == 0)
            printf("autoencoder step %3d  mse %.5f  %.1f s\n", it, loss, now() - t0);
        if (lcc_seq_backward(&nn, s, &dy, NULL))
            break;
        (void)lcc_adam_step(&o, &net.params);
    }
    printf("autoencoder: mse %.5f (first 10 steps) -> %.5f (last 20), %.1fx, %.1f s\n", first, last,
           first / last, now() - t0);
    CHECK_MSG(last > 0 && first / last >= 5.0, "loss fell only %.2fx", first / last);
    lcc_net_free(&net);
    free(batch);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s siren|autoencoder IMAGE.png\n", argv[0]);
        return 1;
    }
    int w, h;
    float *const img = load_rgb(argv[2], &w, &h);
    CHECK_MSG(img && w >= 64 && h >= 64 && w % 64 == 0 && h == w, "cannot use %s", argv[2]);
    if (!img)
        return test_summary();
    if (lcc_nn_init(&nn, NULL, 0, lcc_cpu_flags()))
        return 1;
    printf("cpu %s, %d threads\n", lcc_cpu_name(lcc_cpu_flags()), lcc_pool_threads(nn.pool));
    if (!strcmp(argv[1], "siren"))
        siren(img, w, h);
    else
        autoencoder(img, w, h);
    lcc_nn_uninit(&nn);
    free(img);
    return test_summary();
}
