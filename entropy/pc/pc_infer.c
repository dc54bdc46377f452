/* Integer evaluation of an HCLT: latent posteriors and integer CDFs.
 *
 * Every vector of H latent values is an array of uint32 "normalized" so
 * that its largest entry lies in [2^30, 2^31) (norm64 below). Products are
 * formed in 64 bits and renormalized by a shift found from the highest set
 * bit, so nothing here depends on the platform: no floats, no libm, no
 * summation-order freedom (every loop has one fixed order).
 *
 * Canonical messages (SPEC.md, pc): with E the observed variables,
 *   lv_v       = norm(leaf_v[x_v][.])                       (v in E)
 *   up_v       = fold(lv_v or ONE, g_c for children c of v with evidence)
 *   g_v        = norm(trans_v . up_v)    (defined iff subtree(v) meets E)
 *   d_root     = norm(prior)
 *   m_{v->c}   = fold(v in E ? mul(d_v, lv_v) : d_v,
 *                     g_c' for children c' != c of v with evidence)
 *   d_c        = norm(trans_c^T . m_{v->c})
 *   post_k     = fold(d_k, g_c for children c of k with evidence)
 * where fold(a, [b1, b2, ..]) = mul(..mul(mul(a, b1), b2)..), children in
 * increasing id order, fold(ONE, []) = ONE, fold(ONE, [b1, ..]) starts at b1,
 * and mul(a, b) = norm(a[h] * b[h]). The schemes differ only in caching. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/pc/pc.h"

struct PcEval {
    const PcModel *m;
    uint32_t H;
    uint16_t *x;              /* [nvars] */
    uint8_t *obs;             /* [nvars] */
    uint8_t *has_ev;          /* [nvars] subtree(v) meets the evidence */
    uint32_t *g;              /* [nvars][H] upward message of v to its parent */
    uint32_t *d;              /* [nvars][H] downward message into v */
    uint32_t *run;            /* [nvars][H] tree order: fold for the next child */
    uint32_t *up;             /* [nvars][H] tree order: upward fold */
    uint32_t *stack;          /* [nvars] */
    uint32_t *path;           /* [nvars] */
    uint32_t sp, pos;
    uint32_t cur;             /* tree order: variable of the pending post */
    uint32_t *tmp, *tmp2, *post, *prior_n;  /* [H] each */
    uint64_t *acc;            /* [H] */
    uint32_t **gtab;          /* [nvars]: for childless v, g_v for each value [S][H] (or NULL) */
};

/* Largest memory spent on the tables of childless variables' messages. */
#define PC_GTAB_MAX_BYTES ((size_t)64 << 20)

static inline unsigned bits64(const uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
#else
    unsigned n = 0;
    for (uint64_t t = v; t; t >>= 1)
        n++;
    return n;
#endif
}

/* out = y scaled by a power of two so that max(out) is in [2^30, 2^31). */
static void norm64(const uint64_t *const y, uint32_t *const out, const uint32_t H)
{
    uint64_t any = 0;
    for (uint32_t h = 0; h < H; h++)
        any |= y[h];
    const unsigned b = bits64(any);
    if (!b) {                       /* cannot happen (see pc.h); stay defined */
        for (uint32_t h = 0; h < H; h++)
            out[h] = 1u << 30;
        return;
    }
    if (b >= 31) {
        const unsigned s = b - 31;
        for (uint32_t h = 0; h < H; h++)
            out[h] = (uint32_t)(y[h] >> s);
    } else {
        const unsigned s = 31 - b;
        for (uint32_t h = 0; h < H; h++)
            out[h] = (uint32_t)(y[h] << s);
    }
}

static void vmul(PcEval *const e, const uint32_t *const a, const uint32_t *const b, uint32_t *const out)
{
    uint64_t *const y = e->acc;
    for (uint32_t h = 0; h < e->H; h++)
        y[h] = (uint64_t)a[h] * b[h];
    norm64(y, out, e->H);
}

/* out = norm(W . a): out[hp] = sum_h W[hp][h] a[h] (upward). */
static void matvec_up(PcEval *const e, const uint32_t *const W, const uint32_t *const a, uint32_t *const out)
{
    const uint32_t H = e->H;
    uint64_t *const y = e->acc;
    for (uint32_t hp = 0; hp < H; hp++) {
        const uint32_t *const row = W + (size_t)hp * H;
        uint64_t s = 0;
        for (uint32_t h = 0; h < H; h++)
            s += (uint64_t)row[h] * a[h];
        y[hp] = s;
    }
    norm64(y, out, H);
}

/* out = norm(W^T . m): out[h] = sum_hp m[hp] W[hp][h] (downward). */
static void matvec_down(PcEval *const e, const uint32_t *const W, const uint32_t *const m, uint32_t *const out)
{
    const uint32_t H = e->H;
    uint64_t *const y = e->acc;
    memset(y, 0, H * sizeof(*y));
    for (uint32_t hp = 0; hp < H; hp++) {
        const uint64_t mv = m[hp];
        const uint32_t *const row = W + (size_t)hp * H;
        for (uint32_t h = 0; h < H; h++)
            y[h] += mv * row[h];
    }
    norm64(y, out, H);
}

static void leaf_vec(PcEval *const e, const uint32_t v, const uint32_t x, uint32_t *const out)
{
    const PcModel *const m = e->m;
    const uint32_t H = e->H;
    const uint32_t *const c0 = m->cum + ((size_t)v * (m->nsyms + 1) + x) * H;
    const uint32_t *const c1 = c0 + H;
    uint64_t *const y = e->acc;
    for (uint32_t h = 0; h < H; h++)
        y[h] = c1[h] - c0[h];
    norm64(y, out, H);
}

PcEval *pc_eval_new(const PcModel *const m)
{
    PcEval *const e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    const size_t n = m->nvars, H = m->nstates;
    e->m = m;
    e->H = m->nstates;
    e->x = calloc(n, sizeof(*e->x));
    e->obs = calloc(n, 1);
    e->has_ev = calloc(n, 1);
    e->g = calloc(n * H, sizeof(uint32_t));
    e->d = calloc(n * H, sizeof(uint32_t));
    e->run = calloc(n * H, sizeof(uint32_t));
    e->up = calloc(n * H, sizeof(uint32_t));
    e->stack = calloc(n, sizeof(uint32_t));
    e->path = calloc(n, sizeof(uint32_t));
    e->tmp = calloc(H, sizeof(uint32_t));
    e->tmp2 = calloc(H, sizeof(uint32_t));
    e->post = calloc(H, sizeof(uint32_t));
    e->prior_n = calloc(H, sizeof(uint32_t));
    e->acc = calloc(H, sizeof(uint64_t));
    if (!e->x || !e->obs || !e->has_ev || !e->g || !e->d || !e->run || !e->up || !e->stack || !e->path ||
        !e->tmp || !e->tmp2 || !e->post || !e->prior_n || !e->acc) {
        pc_eval_free(e);
        return NULL;
    }
    for (uint32_t h = 0; h < e->H; h++)
        e->acc[h] = m->prior[h];
    norm64(e->acc, e->prior_n, e->H);
    /* Tables of g_v = norm(trans_v . norm(leaf_v[x])) for the childless
     * variables: the same values update_up would compute, looked up. */
    size_t leaves = 0;
    for (uint32_t v = 0; v < m->nvars; v++)
        leaves += v != m->root && m->child_start[v] == m->child_start[v + 1];
    if (leaves && leaves * m->nsyms * H * sizeof(uint32_t) <= PC_GTAB_MAX_BYTES) {
        e->gtab = calloc(n, sizeof(*e->gtab));
        uint32_t *const all = e->gtab ? malloc(leaves * m->nsyms * H * sizeof(uint32_t)) : NULL;
        if (!all) {
            free(e->gtab);
            e->gtab = NULL;
        } else {
            uint32_t *p = all;
            for (uint32_t v = 0; v < m->nvars; v++) {
                if (v == m->root || m->child_start[v] != m->child_start[v + 1])
                    continue;
                e->gtab[v] = p;
                for (uint32_t x = 0; x < m->nsyms; x++, p += H) {
                    leaf_vec(e, v, x, e->tmp);
                    matvec_up(e, m->trans + (size_t)v * H * H, e->tmp, p);
                }
            }
        }
    }
    return e;
}

void pc_eval_free(PcEval *const e)
{
    if (!e)
        return;
    free(e->x);
    free(e->obs);
    free(e->has_ev);
    free(e->g);
    free(e->d);
    free(e->run);
    free(e->up);
    free(e->stack);
    free(e->path);
    free(e->tmp);
    free(e->tmp2);
    free(e->post);
    free(e->prior_n);
    free(e->acc);
    if (e->gtab) {
        /* One block holds every table: the first non-NULL entry owns it. */
        for (uint32_t v = 0; v < e->m->nvars; v++)
            if (e->gtab[v]) {
                free(e->gtab[v]);
                break;
            }
        free(e->gtab);
    }
    free(e);
}

/* ---- integer CDF ------------------------------------------------------- */

/* C(s) = sum_h (post[h] >> 7) * cum[var][s][h] < 2^62. */
static uint64_t cum_mass(const PcModel *const m, const uint32_t var, const uint32_t *const post, const uint32_t s)
{
    const uint32_t H = m->nstates;
    const uint32_t *const c = m->cum + ((size_t)var * (m->nsyms + 1) + s) * H;
    uint64_t acc = 0;
    for (uint32_t h = 0; h < H; h++)
        acc += (uint64_t)(post[h] >> 7) * c[h];
    return acc;
}

typedef struct CdfCtx {
    unsigned r;
    uint64_t total;           /* C(S) >> r, in (0, 2^32) */
    uint64_t spread;          /* 2^prec - S */
} CdfCtx;

static void cdf_ctx(const PcModel *const m, const uint32_t var, const uint32_t *const post, const unsigned prec,
                    CdfCtx *const k)
{
    const uint64_t all = cum_mass(m, var, post, m->nsyms);
    const unsigned b = bits64(all);
    k->r = b > 32 ? b - 32 : 0;
    k->total = all >> k->r;
    k->spread = ((uint64_t)1 << prec) - m->nsyms;
}

static uint32_t cdf_eval(const PcModel *const m, const uint32_t var, const uint32_t *const post,
                         const CdfCtx *const k, const uint32_t s)
{
    if (s == 0)
        return 0;
    const uint64_t c = s >= m->nsyms ? k->total : cum_mass(m, var, post, s) >> k->r;
    return (uint32_t)(s + c * k->spread / k->total);
}

uint32_t pc_cdf_at(const PcModel *const m, const uint32_t var, const uint32_t *const post, const unsigned prec,
                   const uint32_t s)
{
    CdfCtx k;
    cdf_ctx(m, var, post, prec, &k);
    return cdf_eval(m, var, post, &k, s);
}

uint32_t pc_cdf_find(const PcModel *const m, const uint32_t var, const uint32_t *const post, const unsigned prec,
                     const uint32_t target, uint32_t *const lo_out, uint32_t *const hi_out)
{
    CdfCtx k;
    cdf_ctx(m, var, post, prec, &k);
    /* F(mid) <= target  <=>  mid <= target and
     * (C(mid) >> r) * spread < (target - mid + 1) * total: no division in
     * the search (both products < 2^56). */
    uint32_t lo = 0, hi = m->nsyms;          /* F(lo) <= target < F(hi) */
    while (hi - lo > 1) {
        const uint32_t mid = lo + (hi - lo) / 2;
        const int le = mid <= target &&
                       (cum_mass(m, var, post, mid) >> k.r) * k.spread < (uint64_t)(target - mid + 1) * k.total;
        if (le)
            lo = mid;
        else
            hi = mid;
    }
    *lo_out = cdf_eval(m, var, post, &k, lo);
    *hi_out = cdf_eval(m, var, post, &k, hi);
    return lo;
}

/* ---- shared folds ------------------------------------------------------- */

/* out = fold(start, g_c for children c != skip with evidence). start NULL
 * means ONE. Returns 0 if the result is ONE (nothing to fold). */
static int fold_children(PcEval *const e, const uint32_t v, const uint32_t skip, const uint32_t *const start,
                         uint32_t *const out)
{
    const PcModel *const m = e->m;
    const uint32_t H = e->H;
    int have = 0;
    if (start) {
        if (start != out)
            memcpy(out, start, H * sizeof(*out));
        have = 1;
    }
    for (uint32_t i = m->child_start[v]; i < m->child_start[v + 1]; i++) {
        const uint32_t c = m->children[i];
        if (c == skip || !e->has_ev[c])
            continue;
        if (have) {
            vmul(e, out, e->g + (size_t)c * H, out);
        } else {
            memcpy(out, e->g + (size_t)c * H, H * sizeof(*out));
            have = 1;
        }
    }
    return have;
}

/* Recompute g_v from the current evidence and the children's g. */
static void update_up(PcEval *const e, const uint32_t v)
{
    const uint32_t H = e->H;
    if (e->gtab && e->gtab[v]) {          /* childless: g_v depends on x_v alone */
        e->has_ev[v] = e->obs[v];
        if (e->obs[v])
            memcpy(e->g + (size_t)v * H, e->gtab[v] + (size_t)e->x[v] * H, H * sizeof(uint32_t));
        return;
    }
    const uint32_t *start = NULL;
    if (e->obs[v]) {
        leaf_vec(e, v, e->x[v], e->tmp2);
        start = e->tmp2;
    }
    e->has_ev[v] = (uint8_t)fold_children(e, v, UINT32_MAX, start, e->tmp);
    if (e->has_ev[v])
        matvec_up(e, e->m->trans + (size_t)v * H * H, e->tmp, e->g + (size_t)v * H);
}

/* post = posterior of Z_k from the cached g (has_ev, g valid for all). */
static const uint32_t *down_path(PcEval *const e, const uint32_t k)
{
    const PcModel *const m = e->m;
    const uint32_t H = e->H;
    uint32_t n = 0;
    for (int32_t v = (int32_t)k; v >= 0; v = m->parent[v])
        e->path[n++] = (uint32_t)v;
    uint32_t *const d = e->post;
    memcpy(d, e->prior_n, H * sizeof(*d));
    for (uint32_t i = n - 1; i > 0; i--) {
        const uint32_t v = e->path[i], c = e->path[i - 1];
        if (e->obs[v]) {
            leaf_vec(e, v, e->x[v], e->tmp2);
            vmul(e, d, e->tmp2, e->tmp);
        } else {
            memcpy(e->tmp, d, H * sizeof(*d));
        }
        fold_children(e, v, c, e->tmp, e->tmp);
        matvec_down(e, m->trans + (size_t)c * H * H, e->tmp, d);
    }
    fold_children(e, k, UINT32_MAX, d, d);
    return d;
}

/* ---- scheme: naive ------------------------------------------------------ */

const uint32_t *pc_naive_post(PcEval *const e, const uint8_t *const observed, const uint16_t *const x,
                              const uint32_t k)
{
    const PcModel *const m = e->m;
    for (uint32_t v = 0; v < m->nvars; v++) {
        e->obs[v] = observed[v] && v != k;
        e->x[v] = x[v];
    }
    /* Children before parents: reverse preorder. */
    for (uint32_t i = m->nvars; i-- > 0;)
        update_up(e, m->order[i]);
    return down_path(e, k);
}

const uint32_t *pc_root_post(PcEval *const e, const uint16_t *const x)
{
    const PcModel *const m = e->m;
    for (uint32_t v = 0; v < m->nvars; v++) {
        e->obs[v] = v != m->root;
        e->x[v] = x[v];
    }
    for (uint32_t i = m->nvars; i-- > 1;)    /* order[0] is the root */
        update_up(e, m->order[i]);
    uint32_t *const d = e->post;
    memcpy(d, e->prior_n, e->H * sizeof(*d));
    fold_children(e, m->root, UINT32_MAX, d, d);
    return d;
}

/* ---- scheme: path ------------------------------------------------------- */

void pc_path_begin(PcEval *const e)
{
    memset(e->obs, 0, e->m->nvars);
    memset(e->has_ev, 0, e->m->nvars);
}

const uint32_t *pc_path_post(PcEval *const e, const uint32_t k)
{
    return down_path(e, k);
}

void pc_path_observe(PcEval *const e, const uint32_t k, const uint32_t value)
{
    e->obs[k] = 1;
    e->x[k] = (uint16_t)value;
    for (int32_t v = (int32_t)k; v >= 0; v = e->m->parent[v])
        update_up(e, (uint32_t)v);
}

/* ---- scheme: tree order -------------------------------------------------
 * Variables come in preorder. A stack holds the ancestors of the current
 * variable; when the next variable's parent is reached, the popped nodes are
 * complete: their g is final and is folded into the parent's two running
 * folds (run: for the next children's downward message, up: for the
 * parent's own upward message). Both folds follow the children's id order,
 * which is the preorder's, so the results equal the canonical ones. */

void pc_seq_begin(PcEval *const e)
{
    e->sp = 0;
    e->pos = 0;
    memset(e->obs, 0, e->m->nvars);
    memset(e->has_ev, 0, e->m->nvars);
}

static void seq_pop(PcEval *const e)
{
    const PcModel *const m = e->m;
    const uint32_t H = e->H;
    const uint32_t w = e->stack[--e->sp];
    if (e->gtab && e->gtab[w])
        memcpy(e->g + (size_t)w * H, e->gtab[w] + (size_t)e->x[w] * H, H * sizeof(uint32_t));
    else
        matvec_up(e, m->trans + (size_t)w * H * H, e->up + (size_t)w * H, e->g + (size_t)w * H);
    e->has_ev[w] = 1;
    const int32_t q = m->parent[w];
    if (q >= 0) {
        vmul(e, e->run + (size_t)q * H, e->g + (size_t)w * H, e->run + (size_t)q * H);
        vmul(e, e->up + (size_t)q * H, e->g + (size_t)w * H, e->up + (size_t)q * H);
    }
}

const uint32_t *pc_seq_post(PcEval *const e, uint32_t *const var)
{
    const PcModel *const m = e->m;
    const uint32_t H = e->H;
    const uint32_t u = m->order[e->pos];
    const int32_t p = m->parent[u];
    while (e->sp && (int32_t)e->stack[e->sp - 1] != p)
        seq_pop(e);
    uint32_t *const d = e->d + (size_t)u * H;
    if (p < 0)
        memcpy(d, e->prior_n, H * sizeof(*d));
    else
        matvec_down(e, m->trans + (size_t)u * H * H, e->run + (size_t)p * H, d);
    e->cur = u;
    *var = u;
    return d;
}

void pc_seq_observe(PcEval *const e, const uint32_t value)
{
    const uint32_t H = e->H;
    const uint32_t u = e->cur;
    e->obs[u] = 1;
    e->x[u] = (uint16_t)value;
    uint32_t *const up = e->up + (size_t)u * H;
    leaf_vec(e, u, value, up);
    vmul(e, e->d + (size_t)u * H, up, e->run + (size_t)u * H);
    e->stack[e->sp++] = u;
    e->pos++;
    if (e->pos == e->m->nvars)
        while (e->sp)
            seq_pop(e);
}

double pc_code_bits(PcEval *const e, const uint16_t *const x, const unsigned prec)
{
    /* A report, not a coding decision: a float log is fine here. */
    const PcModel *const m = e->m;
    double bits = 0;
    pc_seq_begin(e);
    for (uint32_t i = 0; i < m->nvars; i++) {
        uint32_t v;
        const uint32_t *const post = pc_seq_post(e, &v);
        const uint32_t lo = pc_cdf_at(m, v, post, prec, x[v]);
        const uint32_t hi = pc_cdf_at(m, v, post, prec, x[v] + 1);
        bits += (double)prec - log2((double)(hi - lo));
        pc_seq_observe(e, x[v]);
    }
    return bits;
}
