/* Integer inference of a small conv net (convolutions with strides, 1x1,
 * a transposed convolution, ReLU and leaky ReLU): matches the float network within
 * the quantization error, and is bit-identical for every CPU level this
 * machine has and 1..3 threads. With --digest it prints only the sha256 of
 * the integer output (used to compare builds); with --compare BINARY it
 * also runs BINARY --digest under LCC_CPU=c (the test build compiled at
 * -O0) and requires the same digest. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/qnn.h"
#include "libcodec/sha256.h"
#include "tests/test.h"

#define N 2
#define C 3
#define H 19
#define W 23

static void build(LccNet *const net)
{
    (void)!lcc_net_init(net, 2024);
    lcc_seq_conv2d(net->root, C, 16, 3, 3, 1, 1, 1);
    lcc_seq_act(net->root, LCC_LAYER_RELU, 0);
    lcc_seq_conv2d(net->root, 16, 24, 5, 5, 2, 2, 1);
    lcc_seq_act(net->root, LCC_LAYER_LEAKY_RELU, 0.125f);
    lcc_seq_conv2d(net->root, 24, 12, 1, 1, 1, 0, 1);
    lcc_seq_act(net->root, LCC_LAYER_RELU, 0);
    lcc_seq_convt2d(net->root, 12, 8, 5, 2, 2, 1);     /* hyper-synthesis style up-sampling */
    lcc_seq_act(net->root, LCC_LAYER_RELU, 0);
    lcc_seq_conv2d(net->root, 8, 5, 3, 3, 1, 1, 1);
}

/* exactly representable input: multiples of 1/64 */
static void input(float *const x)
{
    for (int i = 0; i < N * C * H * W; i++)
        x[i] = (float)((i * 37 + (i / W) * 11) % 129 - 64) / 64.0f;
}

static int run_int(const LccQNet *const q, const int16_t *const xq, const unsigned flags, const int threads,
                   int16_t **out, size_t *count, uint8_t digest[32])
{
    LccNn nn;
    if (lcc_nn_init(&nn, NULL, threads, flags))
        return -1;
    LccTensor shape;
    int16_t *y;
    if (lcc_qnet_forward(&nn, q, xq, N, H, W, &y, &shape)) {
        lcc_nn_uninit(&nn);
        return -1;
    }
    *count = lcc_tensor_size(&shape);
    *out = malloc(*count * sizeof(int16_t));
    memcpy(*out, y, *count * sizeof(int16_t));
    uint8_t buf[2];
    LccSha256 s;
    lcc_sha256_init(&s);
    for (size_t i = 0; i < *count; i++) {   /* little-endian, whatever the host */
        lcc_wl16(buf, (uint16_t)(*out)[i]);
        lcc_sha256_update(&s, buf, 2);
    }
    lcc_sha256_final(&s, digest);
    lcc_nn_uninit(&nn);
    return 0;
}

/* lcc_qnet_forward_at (a 5x5 'same' convolution, then 1x1 layers, as the
 * wavelet-ae context network) gives exactly lcc_qnet_forward's values at
 * the positions asked for; other networks are refused. */
static void test_forward_at(const LccQNet *const strided, const int16_t *const xq)
{
    LccNet net;
    (void)!lcc_net_init(&net, 7);
    lcc_seq_conv2d(net.root, C, 16, 5, 5, 1, 2, 1);
    lcc_seq_act(net.root, LCC_LAYER_LEAKY_RELU, 0.25f);
    lcc_seq_conv2d(net.root, 16, 12, 1, 1, 1, 0, 1);
    lcc_seq_act(net.root, LCC_LAYER_RELU, 0);
    lcc_seq_conv2d(net.root, 12, 6, 1, 1, 1, 0, 1);
    float xf[N * C * H * W];
    input(xf);
    LccTensor x = { xf, 1, C, H, W };
    LccNn nn;
    if (lcc_nn_init(&nn, NULL, 2, lcc_cpu_flags()))
        return;
    LccQNet q;
    CHECK(!lcc_qnet_from_seq(&nn, net.root, &x, &q));
    int16_t *full, *at;
    LccTensor shape;
    CHECK(!lcc_qnet_forward(&nn, &q, xq, 1, H, W, &full, &shape) && shape.c == 6);
    int32_t pos[H * W];
    int np = 0;
    for (int i = 0; i < H * W; i++)   /* one parity of the checkerboard, and every 7th of the other */
        if (((i / W + i % W) & 1) || i % 7 == 0)
            pos[np++] = i;
    CHECK(!lcc_qnet_forward_at(&nn, &q, xq, H, W, pos, np, &at));
    int same = 1;
    for (int o = 0; o < 6; o++)
        for (int k = 0; k < np; k++)
            same &= at[o * np + k] == full[o * H * W + pos[k]];
    CHECK_MSG(same, "forward_at differs from forward at the same positions");
    /* the first cin channels only: forward on the input with the others
     * zeroed, for every cin */
    for (int cin = 1; cin <= C; cin++) {
        int16_t xz[C * H * W];
        for (int i = 0; i < C * H * W; i++)
            xz[i] = i < cin * H * W ? xq[i] : 0;
        int16_t *zfull;
        CHECK(!lcc_qnet_forward(&nn, &q, xz, 1, H, W, &zfull, &shape));
        CHECK(!lcc_qnet_forward_at_cin(&nn, &q, xz, cin, H, W, pos, np, &at));
        same = 1;
        for (int o = 0; o < 6; o++)
            for (int k = 0; k < np; k++)
                same &= at[o * np + k] == zfull[o * H * W + pos[k]];
        CHECK_MSG(same, "forward_at_cin(%d) differs from forward with the other channels zeroed", cin);
    }
    CHECK(lcc_qnet_forward_at_cin(&nn, &q, xq, 0, H, W, pos, np, &at) == LCC_EINVAL);
    /* an input large enough for several chunks of positions */
    {
        enum { BH = 61, BW = 97 };
        int16_t *const xb = malloc(sizeof(int16_t) * C * BH * BW);
        int32_t *const pb = malloc(sizeof(int32_t) * BH * BW);
        int16_t *bfull = NULL;
        int nb = 0;
        for (int i = 0; xb && i < C * BH * BW; i++)
            xb[i] = (int16_t)((i * 7919 + i / BW * 31) % 129 - 64) * 8;
        for (int i = 0; pb && i < BH * BW; i++)
            if ((i / BW + i % BW) & 1 || i % 3 != 0)
                pb[nb++] = i;
        CHECK(xb && pb && !lcc_qnet_forward(&nn, &q, xb, 1, BH, BW, &bfull, &shape));
        CHECK(xb && pb && bfull && !lcc_qnet_forward_at(&nn, &q, xb, BH, BW, pb, nb, &at));
        same = xb && pb && bfull;
        for (int o = 0; same && o < 6; o++)
            for (int k = 0; k < nb; k++)
                same &= at[o * nb + k] == bfull[o * BH * BW + pb[k]];
        CHECK_MSG(same && nb > 2 * 2048, "forward_at over several chunks differs from forward");
        free(xb);
        free(pb);
    }
    CHECK(lcc_qnet_forward_at_cin(&nn, &q, xq, C + 1, H, W, pos, np, &at) == LCC_EINVAL);
    const int32_t outside[1] = { H * W };
    CHECK(lcc_qnet_forward_at(&nn, &q, xq, H, W, outside, 1, &at) == LCC_EINVAL);
    CHECK(lcc_qnet_forward_at(&nn, strided, xq, H, W, pos, np, &at) == LCC_EINVAL);
    lcc_qnet_free(&q);
    lcc_nn_uninit(&nn);
    lcc_net_free(&net);
}

int main(int argc, char **argv)
{
    const int digest_only = argc > 1 && !strcmp(argv[1], "--digest");
    LccNet net;
    build(&net);
    float xf[N * C * H * W];
    input(xf);
    LccTensor x = { xf, N, C, H, W };
    LccNn nn;
    if (lcc_nn_init(&nn, NULL, 1, lcc_cpu_flags()))
        return 1;
    LccQNet q;
    lcc_status err = lcc_qnet_from_seq(&nn, net.root, &x, &q);
    CHECK(!err);
    if (err)
        return test_summary();
    int16_t xq[N * C * H * W];
    lcc_qnet_quantize_input(&q, &x, xq);
    int16_t *ref;
    size_t count;
    uint8_t d0[32];
    char hex[65];
    CHECK(!run_int(&q, xq, lcc_cpu_flags(), 0, &ref, &count, d0));
    lcc_sha256_hex(d0, hex);
    if (digest_only) {
        printf("%s\n", hex);
        free(ref);
        lcc_qnet_free(&q);
        lcc_nn_uninit(&nn);
        lcc_net_free(&net);
        return 0;
    }
    printf("integer output sha256 %s (cpu %s)\n", hex, lcc_cpu_name(lcc_cpu_flags()));
    test_forward_at(&q, xq);

    /* every CPU level and thread count: identical bits */
    static const unsigned levels[] = { 0, LCC_CPU_FLAG_AVX2, LCC_CPU_FLAG_AVX2 | LCC_CPU_FLAG_AVX512,
                                       LCC_CPU_FLAGS_ALL };
    for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
        if ((levels[l] & lcc_cpu_flags()) != levels[l])
            continue;
        for (int t = 1; t <= 3; t++) {
            int16_t *o;
            size_t n2;
            uint8_t d[32];
            CHECK(!run_int(&q, xq, levels[l], t, &o, &n2, d));
            CHECK_MSG(n2 == count && !memcmp(o, ref, count * sizeof(int16_t)), "%s, %d threads differ",
                      lcc_cpu_name(levels[l]), t);
            free(o);
        }
    }

    /* float reference: the dequantized integer output is within the
     * quantization error (relative RMS error < 3%, and no gross outlier) */
    LccTensor yf;
    CHECK(!lcc_seq_forward(&nn, net.root, &x, &yf, 0));
    CHECK(lcc_tensor_size(&yf) == count);
    const double s = ldexp(1.0, -q.l[q.n - 1].fout);
    double e2 = 0, r2 = 0, emax = 0, rmax = 0;
    for (size_t i = 0; i < count; i++) {
        const double e = ref[i] * s - yf.d[i];
        e2 += e * e;
        r2 += (double)yf.d[i] * yf.d[i];
        emax = fmax(emax, fabs(e));
        rmax = fmax(rmax, fabs(yf.d[i]));
    }
    const double rel = sqrt(e2 / r2);
    printf("float vs integer: relative RMS error %.4f, max error %.4f of range %.3f (output step %.5f)\n", rel,
           emax, rmax, s);
    CHECK(rel < 0.03);
    CHECK(emax < 0.1 * rmax);
    /* a different input is not a copy of the calibration */
    int nonzero = 0;
    for (size_t i = 0; i < count; i++)
        nonzero += ref[i] != 0;
    CHECK(nonzero > (int)count / 4);

    /* through a .lccw file: same bits; damage is refused */
    {
        LccBuf b = { 0 };
        uint8_t id[32];
        CHECK(!lcc_qnet_encode(NULL, &q, &b, id));
        LccQNet q2;
        CHECK(!lcc_qnet_decode(NULL, b.data, b.size, id, &q2));
        int16_t *o;
        size_t n2;
        uint8_t d[32];
        CHECK(!run_int(&q2, xq, lcc_cpu_flags(), 2, &o, &n2, d));
        CHECK(!memcmp(d, d0, 32));
        free(o);
        lcc_qnet_free(&q2);
        /* every truncation is refused cleanly */
        int refused = 1;
        for (size_t k = 0; k < b.size; k += 3)
            refused &= lcc_qnet_decode(NULL, b.data, k, NULL, &q2) != LCC_OK;
        CHECK(refused);
        /* a float weight file is not an integer network */
        LccBuf f = { 0 };
        CHECK(!lcc_lccw_encode(NULL, &net.params, &f, NULL));
        LccContext *ctx;
        CHECK(!lcc_open(&ctx, NULL));
        CHECK(lcc_qnet_decode(ctx, f.data, f.size, NULL, &q2) == LCC_EMODEL);
        printf("float file as qnet: %s\n", lcc_last_error(ctx));
        /* a re-sealed file with broken chaining is refused by the checks */
        LccwWriter w = { { 0 }, 0 };
        const int32_t head[2] = { 2, q.fin };
        const uint32_t d2[1] = { 2 }, d16[1] = { 16 };
        lcc_lccw_add(&w, "qnet", LCCW_I32, 1, d2, head);
        for (int i = 0; i < 2; i++) {
            const LccQLayer *const l = &q.l[i == 0 ? 0 : 2];  /* layer 2 does not follow layer 0 */
            const int32_t g[16] = { l->cin, l->cout, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw,
                                    l->shift, l->act, l->slope_q8, l->fin, l->fout, 0, 0, 0 };
            const uint32_t K = (uint32_t)(l->cin * l->kh * l->kw), dw[2] = { (uint32_t)l->cout, K },
                           dc[1] = { (uint32_t)l->cout };
            int8_t *const w8 = calloc((size_t)l->cout * K, 1);
            char name[32];
            snprintf(name, sizeof(name), "q%d.geom", i);
            lcc_lccw_add(&w, name, LCCW_I32, 1, d16, g);
            snprintf(name, sizeof(name), "q%d.w", i);
            lcc_lccw_add(&w, name, LCCW_I8, 2, dw, w8);
            snprintf(name, sizeof(name), "q%d.bias", i);
            lcc_lccw_add(&w, name, LCCW_I32, 1, dc, l->bias);
            snprintf(name, sizeof(name), "q%d.mult", i);
            lcc_lccw_add(&w, name, LCCW_I32, 1, dc, l->mult);
            free(w8);
        }
        LccBuf bad = { 0 };
        CHECK(!lcc_lccw_finish(NULL, &w, &bad, NULL));
        lcc_clear_error(ctx);
        CHECK(lcc_qnet_decode(ctx, bad.data, bad.size, NULL, &q2) == LCC_EBADMSG);
        printf("broken chain: %s\n", lcc_last_error(ctx));
        lcc_close(&ctx);
        lcc_buf_free(&bad);
        lcc_buf_free(&f);
        lcc_buf_free(&b);
    }

    /* the -O0 build with LCC_CPU=c gives the same bits */
    if (argc > 2 && !strcmp(argv[1], "--compare")) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "LCC_CPU=c '%s' --digest", argv[2]);
        FILE *const p = popen(cmd, "r");
        char line[128] = "";
        CHECK(p != NULL);
        if (p) {
            if (!fgets(line, sizeof(line), p))
                line[0] = 0;
            CHECK(pclose(p) == 0);
        }
        line[strcspn(line, "\n")] = 0;
        printf("-O0 LCC_CPU=c build: %s\n", line);
        CHECK_MSG(!strcmp(line, hex), "-O0 C build differs: %s vs %s", line, hex);
    }
    free(ref);
    lcc_qnet_free(&q);
    lcc_nn_uninit(&nn);
    lcc_net_free(&net);
    return test_summary();
}
