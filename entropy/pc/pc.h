/* Probabilistic circuits for lossless coding: hidden Chow-Liu trees (HCLT).
 *
 * Model. D discrete variables X_0..X_{D-1} with S symbols each (S = 256 for
 * 8-bit pixels), a tree over them (parent[v], root), and one latent Z_v with
 * H states per variable. Z_root ~ prior; Z_c | Z_p ~ trans[c][Z_p][.] for a
 * tree edge p -> c; X_v | Z_v ~ leaf[v][Z_v][.]. Compiled as a circuit, each
 * variable holds H product units (leaf x children's sums) and H sum units
 * (mixtures over the child's products): smooth, decomposable, and with
 * |p| ~ D * H^2 edges. Marginals are exact: an unobserved leaf is 1.
 *
 * Two representations:
 *  - PcTrain: float parameters, learned by pc_learn.c (mutual information,
 *    maximum spanning tree, EM). Training need not be bit-exact.
 *  - PcModel: the fixed-point model that the coder uses. It is built only
 *    from the quantized weight file (pc_model.c), and every probability that
 *    reaches the range coder is computed from it in integer arithmetic
 *    (pc_infer.c), so encoder and decoder agree on any machine.
 *
 * The conditional of a variable given any set of observed variables is
 * defined canonically (conformance/SPEC.md, pc section); the three
 * evaluation schemes below (naive full pass, path update, tree order) give
 * bit-identical results and differ only in cost. */
#ifndef LCC_ENTROPY_PC_H
#define LCC_ENTROPY_PC_H

#include <stddef.h>
#include <stdint.h>

#define PC_MAX_VARS 65536
#define PC_MAX_SYMS 256
#define PC_MAX_STATES 256

/* Fixed-point constants of the integer model. */
#define PC_TRANS_BITS 16      /* prior and transition rows sum to 2^16, entries >= 1 */
#define PC_LEAF_BITS 30       /* leaf pmfs sum to 2^30, entries >= 1 */

/* ---- fixed-point model (what the coder uses) --------------------------- */

typedef struct PcModel {
    uint32_t nvars, nsyms, nstates;
    uint32_t root;
    uint32_t width, height;   /* pixel geometry the model was trained on (0 = none) */
    int32_t *parent;          /* [nvars], -1 at the root */
    uint32_t *child_start;    /* [nvars + 1] CSR of children, increasing ids */
    uint32_t *children;       /* [nvars - 1] */
    uint32_t *order;          /* [nvars] coding order: preorder of the tree */
    uint32_t *depth;          /* [nvars] edges from the root */
    uint32_t *prior;          /* [H] */
    uint32_t *trans;          /* [nvars][H][H], trans[c][hp][h]; the root's row unused */
    uint32_t *cum;            /* [nvars][nsyms + 1][H] cumulative leaf pmfs */
    uint8_t sha256[32];       /* of the weight file; the first 8 bytes are the model id */
    char name[64];
} PcModel;

/* Parse a weight file (pc_model.c has the layout; SPEC.md describes it).
 * Every field is validated; returns 0 or a negative LCC_E* code and writes a
 * one-line reason to err (may be NULL). */
int pc_model_parse(PcModel *m, const uint8_t *buf, size_t size, char *err, size_t errlen);
void pc_model_free(PcModel *m);

/* ---- conditionals -> integer CDF --------------------------------------- */

/* Scratch of an evaluator for one model (not shared between threads). */
typedef struct PcEval PcEval;

PcEval *pc_eval_new(const PcModel *m);
void pc_eval_free(PcEval *e);

/* The integer CDF bound F(s) of the conditional with posterior post (of the
 * variable's latent, as computed by the schemes below):
 * F(0) = 0, F(nsyms) = 2^prec_bits, F(s+1) - F(s) >= 1. prec_bits in
 * [9, 31]. */
uint32_t pc_cdf_at(const PcModel *m, uint32_t var, const uint32_t *post, unsigned prec_bits, uint32_t s);
/* The symbol s with F(s) <= target < F(s+1) (binary search). */
uint32_t pc_cdf_find(const PcModel *m, uint32_t var, const uint32_t *post, unsigned prec_bits, uint32_t target,
                     uint32_t *lo, uint32_t *hi);

/* Scheme "tree order" (the fast one): code the variables in m->order. For
 * each step i = 0..nvars-1, pc_seq_post gives the latent posterior of
 * variable m->order[i] given all variables coded before it, and
 * pc_seq_observe records its value. Cost O(nvars * H^2) for all steps
 * together: each step reuses the messages of the completed subtrees. */
void pc_seq_begin(PcEval *e);
const uint32_t *pc_seq_post(PcEval *e, uint32_t *var);
void pc_seq_observe(PcEval *e, uint32_t value);

/* Scheme "path" (any order): evidence is added one variable at a time in
 * any order; pc_path_post(k) gives the posterior of Z_k given the evidence
 * so far, in O(depth(k) * H^2) using cached upward messages, and
 * pc_path_observe(k, x) updates the upward messages on the path from k to
 * the root, also O(depth(k) * H^2). */
void pc_path_begin(PcEval *e);
const uint32_t *pc_path_post(PcEval *e, uint32_t k);
void pc_path_observe(PcEval *e, uint32_t k, uint32_t value);

/* Scheme "naive": the posterior of Z_k given the variables with observed[v]
 * != 0 (values x[v]), recomputing every message: O(nvars * H^2). */
const uint32_t *pc_naive_post(PcEval *e, const uint8_t *observed, const uint16_t *x, uint32_t k);

/* The posterior of the root's latent given every other variable (x[v] for
 * v != root): the conditional of a context model whose root is the coded
 * variable. Same values as pc_naive_post(all but the root observed, root),
 * without the root's own upward message: O((nvars - 1) * H^2). */
const uint32_t *pc_root_post(PcEval *e, const uint16_t *x);

/* Exact log2-probability of a fully observed x under the fixed-point model
 * at precision prec_bits (sum of -log2 of the coded frequencies): what the
 * range coder will spend, in bits, without coding. */
double pc_code_bits(PcEval *e, const uint16_t *x, unsigned prec_bits);

/* ---- float model and learning (pc_learn.c) ------------------------------ */

typedef struct PcTrain {
    uint32_t nvars, nsyms, nstates, root;
    uint32_t width, height;
    int32_t *parent;          /* [nvars] */
    double *prior;            /* [H] */
    double *trans;            /* [nvars][H][H] */
    double *leaf;             /* [nvars][H][nsyms] */
} PcTrain;

/* Data: n samples of nvars symbols each, row-major bytes. */
typedef struct PcData {
    const uint8_t *x;
    uint32_t n, nvars;
} PcData;

/* Chow-Liu tree: pairwise mutual information of the variables quantized to
 * 2^mi_bits levels (x >> (8 - mi_bits)), pseudocount alpha, then a maximum
 * spanning tree (Prim, ties to the lower index), rooted at its center.
 * parent[] receives the tree; returns the root, or -1 on allocation failure. */
int pc_chow_liu(const PcData *d, unsigned mi_bits, double alpha, int32_t *parent);

/* Allocate t for a tree and H states with perturbed initial parameters
 * (leaves start from the smoothed marginals of the data). 0 or -ENOMEM. */
int pc_train_init(PcTrain *t, const PcData *d, const int32_t *parent, uint32_t nsyms, uint32_t nstates,
                  uint64_t seed);
void pc_train_free(PcTrain *t);

/* Average log-likelihood (nats per sample) of samples [first, first+n). */
double pc_train_loglik(const PcTrain *t, const PcData *d, uint32_t first, uint32_t n);

/* One EM step on samples idx[0..n): expected counts, M-step with
 * pseudocounts (alpha_trans per row spread uniformly, alpha_leaf per leaf
 * likewise), then theta <- (1 - step) * theta + step * theta_new.
 * Returns the average log-likelihood (nats) of the batch before the step,
 * or NaN on allocation failure. */
double pc_train_em_step(PcTrain *t, const PcData *d, const uint32_t *idx, uint32_t n, double step,
                        double alpha_trans, double alpha_leaf);

/* Serialize t as a weight file (quantized; the PcModel parsed from it is
 * what coding uses). *out is malloc'ed. 0 or a negative errno. */
int pc_train_export(const PcTrain *t, const char *name, uint8_t **out, size_t *size);
/* The same with the leaf bytes rounded to multiples of leaf_step (1, 2, 4
 * or 8; pc_train_export uses 1): a smaller file for a little precision.
 * The format is unchanged (any byte is valid there). */
int pc_train_export_step(const PcTrain *t, const char *name, unsigned leaf_step, uint8_t **out, size_t *size);

/* The leaf block of a weight file from n log-quantized bytes in rows of
 * row bytes (pc_model.c, SPEC.md): appended to b. 0 or -1. */
struct LccBuf;
int pc_leaves_encode(struct LccBuf *b, const uint8_t *q, size_t n, uint32_t row);

/* Checkpoint of the float state (exact): save/load. */
int pc_train_save_checkpoint(const PcTrain *t, uint64_t epoch, uint8_t **out, size_t *size);
int pc_train_load_checkpoint(PcTrain *t, uint64_t *epoch, const uint8_t *buf, size_t size);

#endif /* LCC_ENTROPY_PC_H */
