/* Adam/AdamW, schedules, clipping, and checkpoints that resume to the
 * identical state (bit-identical weights after resuming). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/nn.h"
#include "libcodec/sha256.h"
#include "tests/test.h"

static LccNn nn;

static void test_adam_quadratic(void)
{
    /* minimise sum (w - target)^2 */
    LccParams s = { 0 };
    const int shape[1] = { 8 };
    LccParam *const p = lcc_params_add(&s, "w", 1, shape, 1.0f);
    CHECK(p != NULL);
    CHECK(lcc_params_add(&s, "w", 1, shape, 1.0f) == NULL);   /* duplicate name */
    LccAdam o;
    lcc_adam_default(&o, 0.05f);
    for (int it = 0; it < 2000; it++) {
        for (int i = 0; i < 8; i++)
            p->g[i] = 2.0f * (p->w[i] - (float)(i - 3));
        CHECK(lcc_adam_step(&o, &s) >= 0);
    }
    double e = 0;
    for (int i = 0; i < 8; i++)
        e += fabs(p->w[i] - (float)(i - 3));
    CHECK_MSG(e < 1e-2, "adam did not converge: %g", e);
    CHECK(o.t == 2000);
    /* AdamW: with zero gradient, weights decay by (1 - lr * wd) per step
     * (Adam's update of a zero gradient stays zero once moments are zero) */
    LccParams s2 = { 0 };
    LccParam *const q = lcc_params_add(&s2, "q", 1, shape, 1.0f);
    LccParam *const bias = lcc_params_add(&s2, "b", 1, shape, 0.0f);
    lcc_param_fill(q, 1.0f);
    lcc_param_fill(bias, 1.0f);
    LccAdam w;
    lcc_adam_default(&w, 0.1f);
    w.weight_decay = 0.5f;
    for (int it = 0; it < 3; it++)
        (void)lcc_adam_step(&w, &s2);
    CHECK(fabsf(q->w[0] - 0.95f * 0.95f * 0.95f) < 1e-6f);
    CHECK(bias->w[0] == 1.0f);   /* no decay on biases */
    /* clipping: the returned norm is the unclipped one; the first Adam step
     * moves every weight by lr whatever the gradient scale, so check the
     * moments instead */
    LccParams s3 = { 0 };
    LccParam *const r = lcc_params_add(&s3, "r", 1, shape, 1.0f);
    for (int i = 0; i < 8; i++)
        r->g[i] = 3.0f;      /* norm = 3 * sqrt(8) */
    LccAdam cl;
    lcc_adam_default(&cl, 0.01f);
    cl.clip_norm = 1.0f;
    const double n = lcc_adam_step(&cl, &s3);
    CHECK(fabs(n - 3.0 * sqrt(8.0)) < 1e-5);
    CHECK(fabsf(r->m[0] - 0.1f * (float)(1.0 / sqrt(8.0))) < 1e-6f);
    lcc_params_free(&s);
    lcc_params_free(&s2);
    lcc_params_free(&s3);
}

static void test_schedules(void)
{
    LccAdam o;
    lcc_adam_default(&o, 1.0f);
    o.schedule = LCC_SCHED_COSINE;
    o.total_steps = 100;
    o.final_frac = 0.0f;
    o.t = 0;
    CHECK(fabsf(lcc_adam_lr(&o) - 1.0f) < 1e-6f);
    o.t = 50;
    CHECK(fabsf(lcc_adam_lr(&o) - 0.5f) < 1e-6f);
    o.t = 100;
    CHECK(fabsf(lcc_adam_lr(&o)) < 1e-6f);
    o.t = 500;
    CHECK(fabsf(lcc_adam_lr(&o)) < 1e-6f);
    o.schedule = LCC_SCHED_STEP;
    o.step_size = 10;
    o.gamma = 0.5f;
    o.t = 25;
    CHECK(fabsf(lcc_adam_lr(&o) - 0.25f) < 1e-6f);
    o.schedule = LCC_SCHED_CONSTANT;
    o.warmup = 10;
    o.t = 4;
    CHECK(fabsf(lcc_adam_lr(&o) - 0.5f) < 1e-6f);
    o.t = 10;
    CHECK(fabsf(lcc_adam_lr(&o) - 1.0f) < 1e-6f);
}

static void build(LccNet *const net, const uint64_t seed)
{
    (void)!lcc_net_init(net, seed);
    lcc_seq_conv2d(net->root, 1, 4, 3, 3, 1, 1, 1);
    lcc_seq_gdn(net->root, 4, 0);
    lcc_seq_quant(net->root, LCC_LAYER_NOISE);   /* uses the generator */
    lcc_seq_conv2d(net->root, 4, 1, 3, 3, 1, 1, 1);
}

static void train_steps_sized(LccNet *const net, LccAdam *const o, const int steps, const int size)
{
    float *const xv = malloc(sizeof(float) * (size_t)size * size);
    for (int i = 0; i < size * size; i++)
        xv[i] = sinf(0.3f * (float)i);
    LccTensor x = { xv, 1, 1, size, size }, y;
    for (int it = 0; it < steps; it++) {
        lcc_nn_reset(&nn);
        lcc_params_zero_grad(&net->params);
        CHECK(!lcc_seq_forward(&nn, net->root, &x, &y, 1));
        LccTensor dy = lcc_nn_tensor(&nn, y.n, y.c, y.h, y.w);
        (void)lcc_loss_mse(&y, &x, &dy, 1.0f);
        CHECK(!lcc_seq_backward(&nn, net->root, &dy, NULL));
        (void)lcc_adam_step(o, &net->params);
    }
    free(xv);
}

static void train_steps(LccNet *const net, LccAdam *const o, const int steps)
{
    train_steps_sized(net, o, steps, 8);
}

static void digest(const LccNet *const net, uint8_t out[32])
{
    LccSha256 s;
    lcc_sha256_init(&s);
    for (int i = 0; i < net->params.n; i++) {
        const LccParam *const p = net->params.p[i];
        lcc_sha256_update(&s, p->w, p->size * sizeof(float));
        if (p->m)
            lcc_sha256_update(&s, p->m, p->size * sizeof(float));
    }
    lcc_sha256_update(&s, &net->rng.s, sizeof(net->rng.s));
    lcc_sha256_final(&s, out);
}

static void test_checkpoint(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/lcc-nn-ckpt-%d.lcck", (int)getpid());
    LccNet a, b;
    LccAdam oa, ob;
    build(&a, 42);
    lcc_adam_default(&oa, 0.01f);
    oa.schedule = LCC_SCHED_COSINE;
    oa.total_steps = 40;
    oa.warmup = 5;
    oa.weight_decay = 0.01f;
    oa.clip_norm = 5.0f;
    train_steps(&a, &oa, 20);
    CHECK(!lcc_checkpoint_save(NULL, path, &a, &oa));
    train_steps(&a, &oa, 20);
    uint8_t da[32], db[32];
    digest(&a, da);

    /* resume: a fresh network with another seed, then the checkpoint */
    build(&b, 7);
    lcc_adam_default(&ob, 1.0f);
    CHECK(!lcc_checkpoint_load(NULL, path, &b, &ob));
    CHECK(ob.t == 20 && ob.schedule == LCC_SCHED_COSINE && ob.warmup == 5);
    train_steps(&b, &ob, 20);
    digest(&b, db);
    CHECK_MSG(!memcmp(da, db, 32), "resumed training differs from the uninterrupted run");
    /* a tensor's size, read without the network */
    uint64_t n = 1;
    const LccParam *const last = a.params.p[a.params.n - 1];
    CHECK(!lcc_checkpoint_tensor_size(NULL, path, last->name, &n) && n == last->size);
    CHECK(!lcc_checkpoint_tensor_size(NULL, path, "no.such", &n) && n == 0);

    /* damaged or mismatched checkpoints are refused, the network unchanged */
    uint8_t *data;
    size_t size;
    CHECK(!lcc_read_file(NULL, path, 1 << 24, &data, &size));
    data[size / 2] ^= 1;
    CHECK(!lcc_write_file_atomic(NULL, path, data, size));
    LccContext *ctx;
    CHECK(!lcc_open(&ctx, NULL));
    CHECK(lcc_checkpoint_load(ctx, path, &b, &ob) == LCC_EBADMSG);
    CHECK(strstr(lcc_last_error(ctx), "sha256") != NULL);
    CHECK(lcc_checkpoint_tensor_size(ctx, path, last->name, &n) == LCC_EBADMSG && n == 0);
    data[size / 2] ^= 1;
    CHECK(!lcc_write_file_atomic(NULL, path, data, size));
    LccNet other;
    (void)!lcc_net_init(&other, 1);
    lcc_seq_conv2d(other.root, 1, 5, 3, 3, 1, 1, 1);
    lcc_clear_error(ctx);
    CHECK(lcc_checkpoint_load(ctx, path, &other, &ob) == LCC_EMODEL);
    printf("mismatch: %s\n", lcc_last_error(ctx));
    lcc_close(&ctx);
    free(data);
    unlink(path);
    lcc_net_free(&a);
    lcc_net_free(&b);
    lcc_net_free(&other);
}

/* Training is bit-identical with 1 and 3 threads (same kernels). */
static void test_threads_identical(void)
{
    uint8_t d[2][32];
    const int threads[2] = { 1, 3 };
    LccNn saved = nn;
    for (int i = 0; i < 2; i++) {
        LccNn n2;
        CHECK(!lcc_nn_init(&n2, NULL, threads[i], lcc_cpu_flags()));
        nn = n2;
        LccNet net;
        LccAdam o;
        /* big enough that GEMMs and im2col split across threads */
        (void)!lcc_net_init(&net, 11);
        lcc_seq_conv2d(net.root, 1, 24, 3, 3, 1, 1, 1);
        lcc_seq_gdn(net.root, 24, 0);
        lcc_seq_quant(net.root, LCC_LAYER_NOISE);
        lcc_seq_conv2d(net.root, 24, 24, 3, 3, 1, 1, 1);
        lcc_seq_act(net.root, LCC_LAYER_GELU, 0);
        lcc_seq_conv2d(net.root, 24, 1, 3, 3, 1, 1, 1);
        lcc_adam_default(&o, 0.01f);
        train_steps_sized(&net, &o, 3, 64);
        digest(&net, d[i]);
        lcc_net_free(&net);
        lcc_nn_uninit(&nn);
    }
    nn = saved;
    CHECK_MSG(!memcmp(d[0], d[1], 32), "training with 3 threads differs from 1 thread");
}

int main(void)
{
    if (lcc_nn_init(&nn, NULL, 0, 0))
        return 1;
    test_adam_quadratic();
    test_schedules();
    test_checkpoint();
    test_threads_identical();
    lcc_nn_uninit(&nn);
    return test_summary();
}
