/* Sequential networks: construction with seeded initialisation, forward
 * (keeping activations in the arena) and backward. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/nn/nn.h"

static LccSeq *seq_new(LccParams *const params, LccRng *const rng, const char *const prefix)
{
    LccSeq *const s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    s->rng = rng;
    snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
    return s;
}

static void seq_free(LccSeq *const s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        seq_free(s->l[i].body);
        seq_free(s->l[i].mask);
    }
    free(s->l);
    free(s->act);
    free(s);
}

lcc_status lcc_net_init(LccNet *const net, const uint64_t seed)
{
    memset(net, 0, sizeof(*net));
    lcc_rng_seed(&net->rng, seed);
    net->root = seq_new(&net->params, &net->rng, "");
    return net->root ? LCC_OK : LCC_ENOMEM;
}

LccSeq *lcc_net_seq(LccNet *const net, const char *const prefix)
{
    if (net->nseq == LCC_NET_MAX_SEQS || strlen(prefix) >= sizeof(net->root->prefix))
        return NULL;
    LccSeq *const s = seq_new(&net->params, &net->rng, prefix);
    if (s)
        net->seq[net->nseq++] = s;
    return s;
}

void lcc_net_free(LccNet *const net)
{
    for (int i = 0; i < net->nseq; i++)
        seq_free(net->seq[i]);
    seq_free(net->root);
    lcc_params_free(&net->params);
    memset(net, 0, sizeof(*net));
}

static LccLayer *append(LccSeq *const s, const LccLayerType type)
{
    if (s->n == s->cap) {
        const int cap = s->cap ? 2 * s->cap : 8;
        LccLayer *const nl = realloc(s->l, (size_t)cap * sizeof(*nl));
        if (!nl)
            return NULL;
        s->l = nl;
        s->cap = cap;
    }
    LccLayer *const l = &s->l[s->n++];
    memset(l, 0, sizeof(*l));
    l->type = type;
    l->groups = 1;
    return l;
}

/* Parameter names: prefix + layer index + role, e.g. "3.w" or "5.body.0.b". */
static LccParam *add_param(LccSeq *const s, const char *const role, const int ndim, const int *const shape,
                           const float decay)
{
    char name[LCC_PARAM_NAME];
    if (snprintf(name, sizeof(name), "%s%d.%s", s->prefix, s->n - 1, role) >= (int)sizeof(name))
        return NULL;
    return lcc_params_add(s->params, name, ndim, shape, decay);
}

static LccLayer *fail(LccSeq *const s)
{
    s->n--;
    return NULL;
}

LccLayer *lcc_seq_conv2d(LccSeq *const s, const int cin, const int cout, const int kh, const int kw,
                         const int stride, const int pad, const int groups)
{
    if (cin <= 0 || cout <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0 || groups <= 0 || cin % groups ||
        cout % groups)
        return NULL;
    LccLayer *const l = append(s, LCC_LAYER_CONV2D);
    if (!l)
        return NULL;
    l->cin = cin, l->cout = cout, l->kh = kh, l->kw = kw, l->sh = l->sw = stride;
    l->ph = kh > 1 ? pad : 0, l->pw = kw > 1 ? pad : 0, l->groups = groups;
    const int wshape[4] = { cout, cin / groups, kh, kw }, bshape[1] = { cout };
    if (!(l->w = add_param(s, "w", 4, wshape, 1.0f)) || !(l->b = add_param(s, "b", 1, bshape, 0.0f)))
        return fail(s);
    const int fan_in = cin / groups * kh * kw;
    lcc_param_uniform(l->w, s->rng, sqrtf(3.0f / (float)fan_in));   /* variance preserving */
    lcc_param_uniform(l->b, s->rng, 1.0f / sqrtf((float)fan_in));
    return l;
}

static LccLayer *convt_make(LccSeq *const s, const int cin, const int cout, const int kh, const int kw,
                           const int sh, const int sw, const int ph, const int pw, const int oph, const int opw)
{
    if (cin <= 0 || cout <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0 || oph < 0 ||
        opw < 0 || oph >= sh || opw >= sw)
        return NULL;
    LccLayer *const l = append(s, LCC_LAYER_CONVT2D);
    if (!l)
        return NULL;
    l->cin = cin, l->cout = cout, l->kh = kh, l->kw = kw, l->sh = sh, l->sw = sw;
    l->ph = ph, l->pw = pw, l->oph = oph, l->opw = opw;
    const int wshape[4] = { cin, cout, kh, kw }, bshape[1] = { cout };
    if (!(l->w = add_param(s, "w", 4, wshape, 1.0f)) || !(l->b = add_param(s, "b", 1, bshape, 0.0f)))
        return fail(s);
    /* fan-in of each output: cin * kh * kw / (sh * sw) taps on average */
    const float fan_in = (float)cin * kh * kw / (float)(sh * sw);
    lcc_param_uniform(l->w, s->rng, sqrtf(3.0f / fan_in));
    lcc_param_uniform(l->b, s->rng, 1.0f / sqrtf(fan_in));
    return l;
}

LccLayer *lcc_seq_convt2d(LccSeq *const s, const int cin, const int cout, const int k, const int stride,
                          const int pad, const int out_pad)
{
    return convt_make(s, cin, cout, k, k, stride, stride, pad, pad, out_pad, out_pad);
}

LccLayer *lcc_seq_conv1d(LccSeq *const s, const int cin, const int cout, const int k, const int stride,
                         const int pad, const int groups)
{
    return lcc_seq_conv2d(s, cin, cout, 1, k, stride, pad, groups);
}

LccLayer *lcc_seq_convt1d(LccSeq *const s, const int cin, const int cout, const int k, const int stride,
                          const int pad, const int out_pad)
{
    return convt_make(s, cin, cout, 1, k, 1, stride, 0, pad, 0, out_pad);
}

LccLayer *lcc_seq_linear(LccSeq *const s, const int in, const int out)
{
    if (in <= 0 || out <= 0)
        return NULL;
    LccLayer *const l = append(s, LCC_LAYER_LINEAR);
    if (!l)
        return NULL;
    l->cin = in, l->cout = out;
    const int wshape[2] = { out, in }, bshape[1] = { out };
    if (!(l->w = add_param(s, "w", 2, wshape, 1.0f)) || !(l->b = add_param(s, "b", 1, bshape, 0.0f)))
        return fail(s);
    lcc_param_uniform(l->w, s->rng, sqrtf(3.0f / (float)in));
    lcc_param_uniform(l->b, s->rng, 1.0f / sqrtf((float)in));
    return l;
}

void lcc_seq_siren_init(LccSeq *const s, const int first, const float w0)
{
    if (!s->n || s->l[s->n - 1].type != LCC_LAYER_LINEAR)
        return;
    LccLayer *const l = &s->l[s->n - 1];
    const float in = (float)l->cin;
    lcc_param_uniform(l->w, s->rng, first ? 1.0f / in : sqrtf(6.0f / in) / w0);
    lcc_param_uniform(l->b, s->rng, 1.0f / sqrtf(in));
}

LccLayer *lcc_seq_gdn(LccSeq *const s, const int c, const int inverse)
{
    if (c <= 0)
        return NULL;
    LccLayer *const l = append(s, inverse ? LCC_LAYER_IGDN : LCC_LAYER_GDN);
    if (!l)
        return NULL;
    l->cin = l->cout = c;
    const int bshape[1] = { c }, gshape[2] = { c, c };
    if (!(l->beta = add_param(s, "beta", 1, bshape, 0.0f)) || !(l->gamma = add_param(s, "gamma", 2, gshape, 0.0f)))
        return fail(s);
    lcc_param_fill(l->beta, 1.0f);
    for (int i = 0; i < c; i++)
        l->gamma->w[i * c + i] = sqrtf(0.1f);
    return l;
}

LccLayer *lcc_seq_act(LccSeq *const s, const LccLayerType type, const float param)
{
    if (type != LCC_LAYER_RELU && type != LCC_LAYER_LEAKY_RELU && type != LCC_LAYER_GELU &&
        type != LCC_LAYER_SINE && type != LCC_LAYER_SIGMOID)
        return NULL;
    LccLayer *const l = append(s, type);
    if (!l)
        return NULL;
    l->slope = type == LCC_LAYER_LEAKY_RELU ? param : 0.0f;
    l->w0 = type == LCC_LAYER_SINE ? param : 1.0f;
    return l;
}

LccLayer *lcc_seq_shuffle(LccSeq *const s, const int factor, const int inverse)
{
    if (factor < 1 || factor > 16)
        return NULL;
    LccLayer *const l = append(s, inverse ? LCC_LAYER_PIXEL_UNSHUFFLE : LCC_LAYER_PIXEL_SHUFFLE);
    if (l)
        l->factor = factor;
    return l;
}

LccLayer *lcc_seq_upsample(LccSeq *const s, const int factor)
{
    if (factor < 1 || factor > 16)
        return NULL;
    LccLayer *const l = append(s, LCC_LAYER_UPSAMPLE);
    if (l)
        l->factor = factor;
    return l;
}

LccLayer *lcc_seq_quant(LccSeq *const s, const LccLayerType type)
{
    if (type != LCC_LAYER_NOISE && type != LCC_LAYER_ROUND_STE)
        return NULL;
    LccLayer *const l = append(s, type);
    if (l)
        l->noise = s->rng;
    return l;
}

LccSeq *lcc_seq_residual(LccSeq *const s)
{
    LccLayer *const l = append(s, LCC_LAYER_RESIDUAL);
    if (!l)
        return NULL;
    char prefix[32];
    if (snprintf(prefix, sizeof(prefix), "%s%d.body.", s->prefix, s->n - 1) >= (int)sizeof(prefix) ||
        !(l->body = seq_new(s->params, s->rng, prefix))) {
        fail(s);
        return NULL;
    }
    return l->body;
}

lcc_status lcc_seq_attention(LccSeq *const s, LccSeq **const trunk, LccSeq **const mask)
{
    LccLayer *const l = append(s, LCC_LAYER_ATTENTION);
    if (!l)
        return LCC_ENOMEM;
    char prefix[32];
    if (snprintf(prefix, sizeof(prefix), "%s%d.trunk.", s->prefix, s->n - 1) < (int)sizeof(prefix))
        l->body = seq_new(s->params, s->rng, prefix);
    if (snprintf(prefix, sizeof(prefix), "%s%d.mask.", s->prefix, s->n - 1) < (int)sizeof(prefix))
        l->mask = seq_new(s->params, s->rng, prefix);
    if (!l->body || !l->mask) {
        seq_free(l->body);
        seq_free(l->mask);
        fail(s);
        return LCC_ENOMEM;
    }
    *trunk = l->body;
    *mask = l->mask;
    return LCC_OK;
}

LccLayer *lcc_seq_spatial_attention(LccSeq *const s, const int c, const int dk)
{
    if (c <= 0 || dk <= 0)
        return NULL;
    LccLayer *const l = append(s, LCC_LAYER_SPATIAL_ATTENTION);
    if (!l)
        return NULL;
    l->cin = l->cout = c;
    l->dk = dk;
    const int qshape[2] = { dk, c }, vshape[2] = { c, c };
    if (!(l->wq = add_param(s, "wq", 2, qshape, 1.0f)) || !(l->wk = add_param(s, "wk", 2, qshape, 1.0f)) ||
        !(l->wv = add_param(s, "wv", 2, vshape, 1.0f)) || !(l->wo = add_param(s, "wo", 2, vshape, 1.0f)))
        return fail(s);
    const float b = sqrtf(3.0f / (float)c);
    lcc_param_uniform(l->wq, s->rng, b);
    lcc_param_uniform(l->wk, s->rng, b);
    lcc_param_uniform(l->wv, s->rng, b);
    lcc_param_uniform(l->wo, s->rng, 0.1f * b);   /* start close to identity */
    return l;
}

lcc_status lcc_seq_forward(LccNn *const nn, LccSeq *const s, const LccTensor *const x, LccTensor *const y,
                           const int training)
{
    if (s->act_cap < s->n + 1) {
        LccTensor *const na = realloc(s->act, (size_t)(s->n + 1) * sizeof(*na));
        if (!na)
            return lcc_error(nn->ctx, LCC_ENOMEM, "nn: out of memory");
        s->act = na;
        s->act_cap = s->n + 1;
    }
    s->training = training;
    s->act[0] = *x;
    for (int i = 0; i < s->n; i++) {
        LccTensor o;
        if (lcc_layer_shape(&s->l[i], &s->act[i], &o))
            return lcc_error(nn->ctx, LCC_EINVAL, "nn: layer %s%d (type %d) does not accept a %dx%dx%dx%d input",
                             s->prefix, i, (int)s->l[i].type, s->act[i].n, s->act[i].c, s->act[i].h, s->act[i].w);
        o = lcc_nn_tensor(nn, o.n, o.c, o.h, o.w);
        if (!o.d)
            return lcc_error(nn->ctx, LCC_ENOMEM, "nn: out of memory");
        const lcc_status err = lcc_layer_forward(nn, &s->l[i], &s->act[i], &o, training);
        if (err)
            return err;
        s->act[i + 1] = o;
    }
    *y = s->act[s->n];
    return LCC_OK;
}

lcc_status lcc_seq_backward(LccNn *const nn, LccSeq *const s, const LccTensor *const dy, LccTensor *const dx)
{
    if (!s->training)
        return lcc_error(nn->ctx, LCC_EINVAL, "nn: backward needs a training forward pass");
    LccTensor cur = *dy;
    for (int i = s->n - 1; i >= 0; i--) {
        const LccTensor *const in = &s->act[i];
        LccTensor d = { NULL, in->n, in->c, in->h, in->w };
        if (i > 0 || dx) {
            d = lcc_nn_tensor(nn, in->n, in->c, in->h, in->w);
            if (!d.d)
                return lcc_error(nn->ctx, LCC_ENOMEM, "nn: out of memory");
        }
        const lcc_status err = lcc_layer_backward(nn, &s->l[i], in, &s->act[i + 1], &cur, d.d ? &d : NULL);
        if (err)
            return err;
        cur = d;
    }
    if (dx)
        *dx = s->n ? cur : *dy;
    return LCC_OK;
}
