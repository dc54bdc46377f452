/* The neural-network core (DESIGN.md §6): float32 tensors in NCHW (NCW is
 * NCHW with H = 1), an arena for activations, layers with forward and
 * backward, sequential networks with residual and attention blocks,
 * losses, Adam/AdamW, checkpoints and *.lccw weight files. The integer
 * inference path for networks whose outputs decide probabilities is in
 * qnn.h.
 *
 * Ownership: an LccNn engine owns its arena and GEMM buffers; a network
 * owns its layers and parameters. Tensors returned by forward passes live
 * in the engine's arena until the next lcc_nn_reset(). One thread uses an
 * engine at a time; the engine's own pool parallelises inside calls. */
#ifndef LCC_NN_NN_H
#define LCC_NN_NN_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/dsp/gemm.h"
#include "libcodec/internal.h"
#include "libcodec/thread.h"

/* ---- random numbers (seeded, identical everywhere) --------------------- */

typedef struct LccRng {
    uint64_t s;
} LccRng;

void lcc_rng_seed(LccRng *r, uint64_t seed);
uint64_t lcc_rng_u64(LccRng *r);
/* Uniform in [0, 1), 24 bits. */
float lcc_rng_uniform(LccRng *r);
/* Standard normal (Box-Muller on two uniforms). */
float lcc_rng_normal(LccRng *r);

/* ---- arena --------------------------------------------------------------- */

/* A bump allocator. When a pass outgrows the current block, more blocks
 * are chained; lcc_arena_reset() then replaces them with one block of the
 * peak size, so that from the second pass on nothing is allocated. */
typedef struct LccArenaBlock LccArenaBlock;
typedef struct LccArena {
    LccArenaBlock *blocks;
    size_t peak, used;      /* bytes over all blocks */
} LccArena;

void *lcc_arena_alloc(LccArena *a, size_t bytes);      /* 64-byte aligned; NULL on OOM */
float *lcc_arena_floats(LccArena *a, size_t n);        /* zeroed */
void lcc_arena_reset(LccArena *a);
void lcc_arena_free(LccArena *a);
/* Number of malloc calls the arena has made (tests check it stays flat). */
size_t lcc_arena_mallocs(void);

/* ---- tensors ------------------------------------------------------------- */

typedef struct LccTensor {
    float *d;
    int n, c, h, w;
} LccTensor;

static inline size_t lcc_tensor_size(const LccTensor *t)
{
    return (size_t)t->n * t->c * t->h * t->w;
}

/* ---- engine ---------------------------------------------------------------- */

typedef struct LccNn {
    LccGemm gemm;
    LccThreadPool *pool;    /* owned */
    LccArena arena;
    LccContext *ctx;        /* for error messages; may be NULL */
} LccNn;

/* threads: 0 = all cores (or LCC_THREADS), < 0 = the context's
 * LccSettings.threads (--threads of the CLI); cpu_flags: lcc_cpu_flags()
 * or a subset (LCC_CPU and lcc_cpu_set_flags_mask() already applied). */
lcc_status lcc_nn_init(LccNn *nn, LccContext *ctx, int threads, unsigned cpu_flags);
void lcc_nn_uninit(LccNn *nn);
/* Forget all activations (start of a new pass). */
void lcc_nn_reset(LccNn *nn);
/* A zeroed tensor from the arena; d == NULL on OOM. */
LccTensor lcc_nn_tensor(LccNn *nn, int n, int c, int h, int w);

/* ---- parameters ----------------------------------------------------------- */

#define LCC_PARAM_NAME 64

typedef struct LccParam {
    char name[LCC_PARAM_NAME];
    int ndim, shape[4];
    size_t size;
    float *w, *g;           /* values and gradients */
    float *m, *v;           /* Adam moments */
    float decay;            /* 1: AdamW weight decay applies, 0: not (biases, GDN) */
} LccParam;

typedef struct LccParams {
    LccParam **p;
    int n, cap;
} LccParams;

/* Add a parameter of the given shape (ndim <= 4), zero-initialised. The
 * name must be unique in the set (checked). NULL on error. */
LccParam *lcc_params_add(LccParams *s, const char *name, int ndim, const int *shape, float decay);
LccParam *lcc_params_find(const LccParams *s, const char *name);
void lcc_params_zero_grad(LccParams *s);
void lcc_params_free(LccParams *s);
size_t lcc_params_count(const LccParams *s);
/* Uniform in [-bound, bound). */
void lcc_param_uniform(LccParam *p, LccRng *r, float bound);
void lcc_param_fill(LccParam *p, float v);

/* ---- layers ------------------------------------------------------------------ */

typedef enum LccLayerType {
    LCC_LAYER_CONV2D,       /* any kernel, stride, padding, groups        */
    LCC_LAYER_CONVT2D,      /* transposed convolution                     */
    LCC_LAYER_LINEAR,       /* on the flattened C*H*W of each item        */
    LCC_LAYER_GDN,
    LCC_LAYER_IGDN,
    LCC_LAYER_RELU,
    LCC_LAYER_LEAKY_RELU,
    LCC_LAYER_GELU,
    LCC_LAYER_SINE,         /* sin(w0 * x), SIREN                         */
    LCC_LAYER_SIGMOID,
    LCC_LAYER_PIXEL_SHUFFLE,
    LCC_LAYER_PIXEL_UNSHUFFLE,
    LCC_LAYER_UPSAMPLE,     /* bilinear, integer factor, half-pixel centres */
    LCC_LAYER_NOISE,        /* training: + U(-0.5, 0.5); inference: round  */
    LCC_LAYER_ROUND_STE,    /* round, straight-through gradient            */
    LCC_LAYER_RESIDUAL,     /* x + body(x)                                 */
    LCC_LAYER_ATTENTION,    /* x + trunk(x) * sigmoid(mask(x)) (lightweight) */
    LCC_LAYER_SPATIAL_ATTENTION, /* x + Wo V softmax(K^T Q / sqrt(d)): dot-product
                                    attention over positions, one head       */
    LCC_LAYER_TYPES
} LccLayerType;

typedef struct LccSeq LccSeq;

typedef struct LccLayer {
    LccLayerType type;
    int cin, cout, kh, kw, sh, sw, ph, pw, groups, oph, opw;  /* conv geometry */
    int factor;                 /* shuffle / upsample */
    int dk;                     /* attention key width */
    float slope;                /* leaky ReLU */
    float w0;                   /* sine */
    LccParam *w, *b, *beta, *gamma, *wq, *wk, *wv, *wo;
    LccSeq *body, *mask;        /* residual body / attention trunk and mask */
    LccRng *noise;              /* NOISE: the network's generator */
} LccLayer;

/* Output shape of layer l for input shape x (n, c, h, w); 0 or
 * LCC_EINVAL if the input does not fit the layer. */
lcc_status lcc_layer_shape(const LccLayer *l, const LccTensor *x, LccTensor *y);

/* ---- sequential networks --------------------------------------------------- */

struct LccSeq {
    LccLayer *l;
    int n, cap;
    LccParams *params;          /* where layers register their parameters */
    LccRng *rng;                /* init and noise */
    char prefix[32];
    /* activations of the last forward pass (arena), n + 1 of them */
    LccTensor *act;
    int act_cap;
    int training;
};

/* A network: a root sequence plus its parameter set and generator. */
#define LCC_NET_MAX_SEQS 8

typedef struct LccNet {
    LccSeq *root;
    LccParams params;
    LccRng rng;
    LccSeq *seq[LCC_NET_MAX_SEQS];  /* further top-level sequences (lcc_net_seq) */
    int nseq;
} LccNet;

lcc_status lcc_net_init(LccNet *net, uint64_t seed);
/* Another top-level sequence of the network (e.g. a hyperprior's
 * analysis beside a decoder): its parameters join net->params, named
 * prefix + "<layer>.<role>"; freed with the network. NULL on error. */
LccSeq *lcc_net_seq(LccNet *net, const char *prefix);
void lcc_net_free(LccNet *net);

/* Layer constructors append to seq and initialise parameters from its
 * generator (He-uniform for convolutions, SIREN init for sine networks).
 * They return the new layer (valid until the next append), or NULL. */
LccLayer *lcc_seq_conv2d(LccSeq *s, int cin, int cout, int kh, int kw, int stride, int pad, int groups);
LccLayer *lcc_seq_convt2d(LccSeq *s, int cin, int cout, int k, int stride, int pad, int out_pad);
/* 1-d (NCW = NCHW with H = 1): a 1 x k kernel along W. */
LccLayer *lcc_seq_conv1d(LccSeq *s, int cin, int cout, int k, int stride, int pad, int groups);
LccLayer *lcc_seq_convt1d(LccSeq *s, int cin, int cout, int k, int stride, int pad, int out_pad);
LccLayer *lcc_seq_linear(LccSeq *s, int in, int out);
LccLayer *lcc_seq_gdn(LccSeq *s, int c, int inverse);
LccLayer *lcc_seq_act(LccSeq *s, LccLayerType type, float param);  /* ReLU, leaky (slope), GELU, sine (w0), sigmoid */
LccLayer *lcc_seq_shuffle(LccSeq *s, int factor, int inverse);
LccLayer *lcc_seq_upsample(LccSeq *s, int factor);
LccLayer *lcc_seq_quant(LccSeq *s, LccLayerType type);            /* NOISE or ROUND_STE */
/* Residual block: returns the body sequence to append layers to. */
LccSeq *lcc_seq_residual(LccSeq *s);
/* Attention block: returns the trunk in *trunk and the mask in *mask. */
lcc_status lcc_seq_attention(LccSeq *s, LccSeq **trunk, LccSeq **mask);
LccLayer *lcc_seq_spatial_attention(LccSeq *s, int c, int dk);
/* SIREN initialisation of the last linear layer: first = 1 for the first
 * layer (U(-1/in, 1/in)), else U(-sqrt(6/in)/w0, sqrt(6/in)/w0). */
void lcc_seq_siren_init(LccSeq *s, int first, float w0);

/* Forward pass. training: keep activations for backward and draw noise
 * (NOISE layers); 0: NOISE rounds. *y lives in the engine's arena. */
lcc_status lcc_seq_forward(LccNn *nn, LccSeq *s, const LccTensor *x, LccTensor *y, int training);
/* Backward after a training forward pass: accumulates parameter gradients;
 * writes d(loss)/dx into *dx if dx != NULL (arena). dy has y's shape. */
lcc_status lcc_seq_backward(LccNn *nn, LccSeq *s, const LccTensor *dy, LccTensor *dx);

/* Single-layer forward/backward (used by sequences and by the gradient
 * tests). y must have lcc_layer_shape's shape. For backward, x and y are
 * the forward's input and output; dx (may be NULL) is overwritten. */
lcc_status lcc_layer_forward(LccNn *nn, LccLayer *l, const LccTensor *x, LccTensor *y, int training);
lcc_status lcc_layer_backward(LccNn *nn, LccLayer *l, const LccTensor *x, const LccTensor *y,
                              const LccTensor *dy, LccTensor *dx);

/* ---- free-standing ops (forward and backward) --------------------------------- */

/* y = a + b (same shapes); backward: da += dy, db += dy. */
void lcc_op_add(const LccTensor *a, const LccTensor *b, LccTensor *y);
void lcc_op_add_backward(const LccTensor *dy, LccTensor *da, LccTensor *db);
/* Concatenate along channels: y = [a, b]; backward splits dy into da, db. */
lcc_status lcc_op_concat(const LccTensor *a, const LccTensor *b, LccTensor *y);
lcc_status lcc_op_concat_backward(const LccTensor *dy, LccTensor *da, LccTensor *db);

/* ---- losses ------------------------------------------------------------------------ */

/* Mean squared error over all elements; writes d(mse)/dy * scale into dy
 * if not NULL. */
double lcc_loss_mse(const LccTensor *y, const LccTensor *target, LccTensor *dy, float scale);
/* Rate of a latent under a Gaussian conditional entropy model: the
 * likelihood of y with mean mu and scale sigma is Phi((y-mu+.5)/s) -
 * Phi((y-mu-.5)/s), s = max(sigma, 0.11) (the gradient passes the floor
 * only where it would raise sigma), floored at 1e-9 (where floored, the
 * gradient is that of the tail's asymptote v^2 / (2 s^2 ln 2) + log2 s,
 * so that far-off means and scales are pulled back). Returns bits
 * (-sum log2 p) and, if the gradients are not NULL, adds scale * d(bits)
 * to dy, dmu, dsigma. mu may be NULL (zero mean). */
double lcc_loss_rate_gaussian(const LccTensor *y, const LccTensor *mu, const LccTensor *sigma,
                              LccTensor *dy, LccTensor *dmu, LccTensor *dsigma, float scale);
/* Rate from likelihoods p fed by any entropy model: -sum log2 max(p, 1e-9),
 * gradient -1 / (p ln 2) * scale added to dp. */
double lcc_loss_rate(const LccTensor *p, LccTensor *dp, float scale);

/* ---- optimiser ---------------------------------------------------------------------- */

typedef enum LccSchedule {
    LCC_SCHED_CONSTANT,
    LCC_SCHED_COSINE,       /* lr * (final + (1 - final) * (1 + cos(pi t / T)) / 2) */
    LCC_SCHED_STEP,         /* lr * gamma^(t / step) */
} LccSchedule;

typedef struct LccAdam {
    float lr, beta1, beta2, eps;
    float weight_decay;     /* 0 = Adam; > 0 = AdamW (decoupled, params with decay=1) */
    float clip_norm;        /* > 0: scale gradients to at most this global L2 norm */
    LccSchedule schedule;
    int warmup;             /* linear warm-up steps */
    int total_steps;        /* cosine: T */
    int step_size;          /* step schedule */
    float gamma;            /* step schedule factor */
    float final_frac;       /* cosine: final lr fraction */
    int64_t t;              /* steps taken */
} LccAdam;

void lcc_adam_default(LccAdam *o, float lr);
float lcc_adam_lr(const LccAdam *o);        /* learning rate of the next step */
/* One step over every parameter (allocates the moments on first use).
 * Returns the gradient norm before clipping, or a negative value on OOM. */
double lcc_adam_step(LccAdam *o, LccParams *s);

/* Checkpoint: parameters, moments, optimiser state and the network's
 * generator, written atomically; loading restores the identical state so
 * that a resumed run matches an uninterrupted one bit for bit. */
lcc_status lcc_checkpoint_save(LccContext *c, const char *path, const LccNet *net, const LccAdam *o);
/* The same without the Adam moments (a third of the size): a run resumed
 * from it restarts the moments (lcc_checkpoint_load frees them), so it
 * continues close to, not exactly as, an uninterrupted one. */
lcc_status lcc_checkpoint_save_weights(LccContext *c, const char *path, const LccNet *net, const LccAdam *o);
lcc_status lcc_checkpoint_load(LccContext *c, const char *path, LccNet *net, LccAdam *o);
/* *n: the element count of the checkpoint's tensor `name`, 0 if it has
 * none (to tell which network a checkpoint is of). */
lcc_status lcc_checkpoint_tensor_size(LccContext *c, const char *path, const char *name, uint64_t *n);

/* ---- weight files (*.lccw) --------------------------------------------------------- */

/* Format (little-endian), version 1:
 *   "LCCW" u32 version u32 count  u8[32] model id  u32 header crc32
 *   count records: u16 name length, name bytes, u8 type (0 = f32, 1 = i8,
 *     2 = i16, 3 = i32), u8 ndim, u32 dims[ndim], u64 byte size, data
 *   u8[32] sha256 of everything before it
 * The model id is the sha256 of the records (names, shapes and data), so
 * it identifies the weights. Readers check magic, version, the header
 * CRC, the model id against the records, bounds and sizes against shapes;
 * with the CRC and the id every byte before the trailing sha256 is
 * checked, so readers do not hash the file a second time for it. */
#define LCCW_VERSION 1

/* Serialise the parameters of s (float32) into buf; id receives the model
 * id. */
lcc_status lcc_lccw_write(LccContext *c, const char *path, const LccParams *s, uint8_t id[32]);
lcc_status lcc_lccw_encode(LccContext *c, const LccParams *s, LccBuf *out, uint8_t id[32]);
/* Load into the existing parameters of s: every parameter must be present
 * with the same shape (LCC_EMODEL with the name otherwise); extra tensors
 * in the file are an error too. expect_id (may be NULL) must match. */
lcc_status lcc_lccw_decode(LccContext *c, const uint8_t *data, size_t size, LccParams *s,
                           const uint8_t *expect_id, uint8_t id[32]);
lcc_status lcc_lccw_read(LccContext *c, const char *path, LccParams *s, const uint8_t *expect_id,
                         uint8_t id[32]);

/* Lower level, for models with integer tensors (qnn.h). */
enum { LCCW_F32 = 0, LCCW_I8 = 1, LCCW_I16 = 2, LCCW_I32 = 3 };

typedef struct LccwWriter {
    LccBuf rec;
    uint32_t count;
} LccwWriter;

/* Append a tensor (data in host order: float, int8_t, int16_t or int32_t).
 * Errors are sticky and reported by lcc_lccw_finish. */
void lcc_lccw_add(LccwWriter *w, const char *name, int type, int ndim, const uint32_t *dims, const void *data);
/* Write the header, records and trailer to out; frees the writer. */
lcc_status lcc_lccw_finish(LccContext *c, LccwWriter *w, LccBuf *out, uint8_t id[32]);

typedef struct LccwTensor {
    char name[LCC_PARAM_NAME];
    int type, ndim;
    uint32_t dims[4];
    uint64_t elems, bytes;
    const uint8_t *data;    /* little-endian, inside the parsed buffer */
} LccwTensor;

/* Validate a whole file and list its tensors (*out freed with free()). */
lcc_status lcc_lccw_parse(LccContext *c, const uint8_t *data, size_t size, const uint8_t *expect_id,
                          LccwTensor **out, uint32_t *count, uint8_t id[32]);
const LccwTensor *lcc_lccw_find(const LccwTensor *t, uint32_t count, const char *name);
/* LCC_EMODEL with a clear message unless t has this type and shape. */
lcc_status lcc_lccw_expect(LccContext *c, const LccwTensor *t, int type, int ndim, const uint32_t *dims);

#endif /* LCC_NN_NN_H */
