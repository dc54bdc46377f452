/* Learning an HCLT in floating point: Chow-Liu tree + EM (mini-batch or
 * full-batch) with pseudocounts. The result is exported as the quantized
 * weight file (pc_model.c); only that file defines the coded probabilities,
 * so nothing here needs to be bit-exact across machines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/pc/pc.h"
#include "libcodec/internal.h"

/* Half-width of the value blur of the leaf prior (pc_train_em_step). */
#define PC_LEAF_BLUR 3

/* ---- deterministic PRNG (splitmix64) ------------------------------------ */

static uint64_t rng_next(uint64_t *const s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *const s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- Chow-Liu tree ------------------------------------------------------- */

/* Tree center: the middle of a longest path (two sweeps of BFS). */
static int tree_center(const uint32_t D, const int32_t *const adj_start, const int32_t *const adj,
                       uint32_t *const dist, int32_t *const from, uint32_t *const queue)
{
    uint32_t ends[2] = { 0, 0 };
    uint32_t start = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t v = 0; v < D; v++)
            dist[v] = UINT32_MAX;
        uint32_t qh = 0, qt = 0;
        queue[qt++] = start;
        dist[start] = 0;
        from[start] = -1;
        uint32_t far = start;
        while (qh < qt) {
            const uint32_t v = queue[qh++];
            if (dist[v] > dist[far])
                far = v;
            for (int32_t i = adj_start[v]; i < adj_start[v + 1]; i++) {
                const uint32_t u = (uint32_t)adj[i];
                if (dist[u] == UINT32_MAX) {
                    dist[u] = dist[v] + 1;
                    from[u] = (int32_t)v;
                    queue[qt++] = u;
                }
            }
        }
        ends[pass] = far;
        start = far;
    }
    /* Walk back half the diameter from the far end of the second sweep. */
    uint32_t v = ends[1];
    for (uint32_t k = dist[ends[1]] / 2; k > 0; k--)
        v = (uint32_t)from[v];
    return (int)v;
}

int pc_chow_liu(const PcData *const d, const unsigned mi_bits, const double alpha, int32_t *const parent)
{
    const uint32_t D = d->nvars, n = d->n, L = 1u << mi_bits;
    const unsigned shift = 8 - mi_bits;
    double *const mi = calloc((size_t)D * D, sizeof(*mi));
    uint32_t *const cnt = calloc((size_t)D * L, sizeof(*cnt));
    uint32_t *const joint = calloc((size_t)D * L * L, sizeof(*joint));
    uint8_t *const xq = malloc((size_t)n * D);
    double *const lg = malloc(((size_t)n + 1) * sizeof(*lg));
    int root = -1;
    if (!mi || !cnt || !joint || !xq || !lg)
        goto done;
    for (size_t i = 0; i < (size_t)n * D; i++)
        xq[i] = (uint8_t)(d->x[i] >> shift);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t v = 0; v < D; v++)
            cnt[(size_t)v * L + xq[(size_t)i * D + v]]++;
    const double tot = n + alpha;
    const double pa = alpha / L, pab = alpha / ((double)L * L);
    for (uint32_t u = 0; u + 1 < D; u++) {
        memset(joint, 0, (size_t)D * L * L * sizeof(*joint));
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *const row = xq + (size_t)i * D;
            const uint32_t a = row[u];
            for (uint32_t v = u + 1; v < D; v++)
                joint[((size_t)v * L + a) * L + row[v]]++;
        }
        for (uint32_t v = u + 1; v < D; v++) {
            double s = 0;
            for (uint32_t a = 0; a < L; a++) {
                const double qa = (cnt[(size_t)u * L + a] + pa) / tot;
                for (uint32_t b = 0; b < L; b++) {
                    const uint32_t c = joint[((size_t)v * L + a) * L + b];
                    if (!c)
                        continue;   /* the pseudocount-only cells add ~0 */
                    const double qab = (c + pab) / tot;
                    const double qb = (cnt[(size_t)v * L + b] + pa) / tot;
                    s += qab * log(qab / (qa * qb));
                }
            }
            mi[(size_t)u * D + v] = mi[(size_t)v * D + u] = s;
        }
    }
    /* Prim: maximum spanning tree from variable 0, ties to the lower index. */
    {
        double *const best = malloc(D * sizeof(*best));
        int32_t *const link = malloc(D * sizeof(*link));
        uint8_t *const in = calloc(D, 1);
        int32_t *const adj_start = calloc(D + 1, sizeof(*adj_start));
        int32_t *const adj = malloc(2 * (size_t)D * sizeof(*adj));
        uint32_t *const dist = malloc(D * sizeof(*dist));
        int32_t *const from = malloc(D * sizeof(*from));
        uint32_t *const queue = malloc(D * sizeof(*queue));
        int32_t *const fill = malloc((D + 1) * sizeof(*fill));
        int ok = best && link && in && adj_start && adj && dist && from && queue && fill;
        if (ok) {
            for (uint32_t v = 0; v < D; v++) {
                best[v] = -1;
                link[v] = -1;
            }
            best[0] = 0;
            for (uint32_t it = 0; it < D; it++) {
                uint32_t pick = UINT32_MAX;
                for (uint32_t v = 0; v < D; v++)
                    if (!in[v] && (pick == UINT32_MAX || best[v] > best[pick]))
                        pick = v;
                in[pick] = 1;
                for (uint32_t v = 0; v < D; v++)
                    if (!in[v] && mi[(size_t)pick * D + v] > best[v]) {
                        best[v] = mi[(size_t)pick * D + v];
                        link[v] = (int32_t)pick;
                    }
            }
            for (uint32_t v = 1; v < D; v++) {
                adj_start[v + 1]++;
                adj_start[link[v] + 1]++;
            }
            for (uint32_t v = 0; v < D; v++)
                adj_start[v + 1] += adj_start[v];
            memcpy(fill, adj_start, (D + 1) * sizeof(*fill));
            for (uint32_t v = 1; v < D; v++) {
                adj[fill[v]++] = link[v];
                adj[fill[link[v]]++] = (int32_t)v;
            }
            root = tree_center(D, adj_start, adj, dist, from, queue);
            /* Orient the edges away from the root (BFS). */
            for (uint32_t v = 0; v < D; v++)
                dist[v] = UINT32_MAX;
            uint32_t qh = 0, qt = 0;
            queue[qt++] = (uint32_t)root;
            dist[root] = 0;
            parent[root] = -1;
            while (qh < qt) {
                const uint32_t v = queue[qh++];
                for (int32_t i = adj_start[v]; i < adj_start[v + 1]; i++) {
                    const uint32_t u = (uint32_t)adj[i];
                    if (dist[u] == UINT32_MAX) {
                        dist[u] = dist[v] + 1;
                        parent[u] = (int32_t)v;
                        queue[qt++] = u;
                    }
                }
            }
        }
        free(best);
        free(link);
        free(in);
        free(adj_start);
        free(adj);
        free(dist);
        free(from);
        free(queue);
        free(fill);
        if (!ok)
            root = -1;
    }
done:
    free(mi);
    free(cnt);
    free(joint);
    free(xq);
    free(lg);
    return root;
}

/* ---- float model ---------------------------------------------------------- */

void pc_train_free(PcTrain *const t)
{
    if (!t)
        return;
    free(t->parent);
    free(t->prior);
    free(t->trans);
    free(t->leaf);
    memset(t, 0, sizeof(*t));
}

static int train_alloc(PcTrain *const t, const uint32_t D, const uint32_t S, const uint32_t H)
{
    memset(t, 0, sizeof(*t));
    t->nvars = D;
    t->nsyms = S;
    t->nstates = H;
    t->parent = malloc(D * sizeof(*t->parent));
    t->prior = malloc(H * sizeof(*t->prior));
    t->trans = malloc((size_t)D * H * H * sizeof(*t->trans));
    t->leaf = malloc((size_t)D * H * S * sizeof(*t->leaf));
    if (!t->parent || !t->prior || !t->trans || !t->leaf) {
        pc_train_free(t);
        return -ENOMEM;
    }
    return 0;
}

/* Initial state of a pixel's latent: its value's bin (0 alone, then
 * H - 1 equal ranges of 1..S-1). */
static uint32_t init_bin(const uint32_t x, const uint32_t S, const uint32_t H)
{
    if (H < 2)
        return 0;
    return x == 0 ? 0 : 1 + (uint32_t)((uint64_t)(x - 1) * (H - 1) / (S - 1));
}

int pc_train_init(PcTrain *const t, const PcData *const d, const int32_t *const parent, const uint32_t S,
                  const uint32_t H, const uint64_t seed)
{
    /* The latents start as the binned values of their pixels: the model is
     * then the Chow-Liu tree of the binned image with a distribution of the
     * value inside each bin, a far better start for EM than near-uniform
     * parameters. A little noise (seeded) breaks ties. */
    const uint32_t D = d->nvars;
    if (train_alloc(t, D, S, H))
        return -ENOMEM;
    uint64_t rs = seed;
    t->root = 0;
    for (uint32_t v = 0; v < D; v++) {
        t->parent[v] = parent[v];
        if (parent[v] < 0)
            t->root = v;
    }
    double *const marg = calloc(S, sizeof(*marg));
    double *const pair = calloc((size_t)H * H, sizeof(*pair));
    if (!marg || !pair) {
        free(marg);
        free(pair);
        pc_train_free(t);
        return -ENOMEM;
    }
    for (uint32_t h = 0; h < H; h++)
        t->prior[h] = 1.0;
    for (uint32_t i = 0; i < d->n; i++)
        t->prior[init_bin(d->x[(size_t)i * D + t->root], S, H)] += 1.0;
    {
        double s = 0;
        for (uint32_t h = 0; h < H; h++)
            s += t->prior[h];
        for (uint32_t h = 0; h < H; h++)
            t->prior[h] /= s;
    }
    for (uint32_t v = 0; v < D; v++) {
        /* Transitions: binned co-occurrence with the parent, smoothed. */
        if (parent[v] >= 0) {
            for (size_t k = 0; k < (size_t)H * H; k++)
                pair[k] = 0.5 + 0.1 * rng_unit(&rs);
            for (uint32_t i = 0; i < d->n; i++) {
                const uint8_t *const x = d->x + (size_t)i * D;
                pair[(size_t)init_bin(x[parent[v]], S, H) * H + init_bin(x[v], S, H)] += 1.0;
            }
            for (uint32_t hp = 0; hp < H; hp++) {
                double s = 0;
                for (uint32_t h = 0; h < H; h++)
                    s += pair[(size_t)hp * H + h];
                for (uint32_t h = 0; h < H; h++)
                    t->trans[((size_t)v * H + hp) * H + h] = pair[(size_t)hp * H + h] / s;
            }
        } else {
            for (size_t k = 0; k < (size_t)H * H; k++)
                t->trans[(size_t)v * H * H + k] = 1.0 / H;
        }
        /* Leaves: 0.9 x the values inside the bin (counts + 0.5) + 0.1 x the
         * pixel's smoothed marginal. */
        for (uint32_t s = 0; s < S; s++)
            marg[s] = 1.0 / S;
        for (uint32_t i = 0; i < d->n; i++)
            marg[d->x[(size_t)i * D + v]] += 1.0;
        double ms = 0;
        for (uint32_t s = 0; s < S; s++)
            ms += marg[s];
        for (uint32_t h = 0; h < H; h++) {
            double *const row = t->leaf + ((size_t)v * H + h) * S;
            double in = 0;
            for (uint32_t s = 0; s < S; s++)
                in += row[s] = init_bin(s, S, H) == h ? marg[s] - 1.0 / S + 0.5 : 0;
            double sum = 0;
            for (uint32_t s = 0; s < S; s++)
                sum += row[s] = (in > 0 ? 0.9 * row[s] / in : 0) + (in > 0 ? 0.1 : 1.0) * marg[s] / ms;
            for (uint32_t s = 0; s < S; s++)
                row[s] /= sum;
        }
    }
    free(marg);
    free(pair);
    return 0;
}

/* EM runs in float (messages and transition counts; twice the SIMD width
 * of double) on float copies of the parameters; leaf counts and the
 * M-step stay in double. Every message vector is rescaled by its maximum
 * (the log of the scales is the log-likelihood), so nothing underflows. */
typedef struct EmWork {
    float *a, *g, *beta, *o, *q;
    float *trans, *leaf, *prior;     /* float copies of the parameters */
    uint32_t *order;
} EmWork;

static int make_order(const PcTrain *const t, uint32_t *const order)
{
    /* Preorder by BFS (any order with parents first works here). */
    const uint32_t D = t->nvars;
    uint32_t *const cs = calloc(D + 1, sizeof(*cs));
    uint32_t *const ch = malloc(D * sizeof(*ch));
    uint32_t *const fill = malloc((D + 1) * sizeof(*fill));
    if (!cs || !ch || !fill) {
        free(cs);
        free(ch);
        free(fill);
        return -1;
    }
    for (uint32_t v = 0; v < D; v++)
        if (t->parent[v] >= 0)
            cs[t->parent[v] + 1]++;
    for (uint32_t v = 0; v < D; v++)
        cs[v + 1] += cs[v];
    memcpy(fill, cs, (D + 1) * sizeof(*fill));
    for (uint32_t v = 0; v < D; v++)
        if (t->parent[v] >= 0)
            ch[fill[t->parent[v]]++] = v;
    uint32_t qh = 0, qt = 0;
    order[qt++] = t->root;
    while (qh < qt) {
        const uint32_t v = order[qh++];
        for (uint32_t i = cs[v]; i < cs[v + 1]; i++)
            order[qt++] = ch[i];
    }
    free(cs);
    free(ch);
    free(fill);
    return qt == D ? 0 : -1;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
/* Training only (never coding): let the hot loops use AVX2/FMA where the CPU has them. */
#define PC_HOT __attribute__((target_clones("arch=haswell", "default")))
#else
#define PC_HOT
#endif

PC_HOT static double upward(const uint32_t D, const uint32_t H, const uint32_t S, const int32_t *const parent,
                            const uint32_t root, const uint8_t *const x, EmWork *const w)
{
    double ll = 0;
    for (uint32_t v = 0; v < D; v++) {
        float *const a = w->a + (size_t)v * H;
        const float *const lf = w->leaf + (size_t)v * H * S + x[v];
        for (uint32_t h = 0; h < H; h++)
            a[h] = lf[(size_t)h * S];
    }
    for (uint32_t i = D; i-- > 0;) {
        const uint32_t v = w->order[i];
        float *const a = w->a + (size_t)v * H;
        /* a[v] holds leaf x prod of the children's g (children come later
         * in the order); rescale it, then g = W a, rescaled too. */
        float am = 0;
        for (uint32_t h = 0; h < H; h++)
            am = a[h] > am ? a[h] : am;
        if (!(am > 0))
            return -INFINITY;
        const float iam = 1.0f / am;
        for (uint32_t h = 0; h < H; h++)
            a[h] *= iam;
        ll += log((double)am);
        if (parent[v] < 0)
            continue;
        float *const g = w->g + (size_t)v * H;
        const float *const W = w->trans + (size_t)v * H * H;
        float mx = 0;
        for (uint32_t hp = 0; hp < H; hp++) {
            const float *const row = W + (size_t)hp * H;
            float s = 0;
            for (uint32_t h = 0; h < H; h++)
                s += row[h] * a[h];
            g[hp] = s;
            mx = s > mx ? s : mx;
        }
        if (!(mx > 0))
            return -INFINITY;
        const float inv = 1.0f / mx;
        for (uint32_t hp = 0; hp < H; hp++)
            g[hp] *= inv;
        ll += log((double)mx);
        float *const ap = w->a + (size_t)parent[v] * H;
        for (uint32_t h = 0; h < H; h++)
            ap[h] *= g[h];
    }
    const float *const ar = w->a + (size_t)root * H;
    double z = 0;
    for (uint32_t h = 0; h < H; h++)
        z += (double)w->prior[h] * ar[h];
    return ll + log(z);
}

static int work_alloc(const PcTrain *const t, EmWork *const w)
{
    const size_t DH = (size_t)t->nvars * t->nstates, H = t->nstates;
    w->a = malloc(DH * sizeof(float));
    w->g = malloc(DH * sizeof(float));
    w->beta = malloc(DH * sizeof(float));
    w->o = malloc(H * sizeof(float));
    w->q = malloc(H * sizeof(float));
    w->prior = malloc(H * sizeof(float));
    w->trans = malloc(DH * H * sizeof(float));
    w->leaf = malloc(DH * t->nsyms * sizeof(float));
    w->order = malloc(t->nvars * sizeof(uint32_t));
    if (!w->a || !w->g || !w->beta || !w->o || !w->q || !w->prior || !w->trans || !w->leaf || !w->order ||
        make_order(t, w->order))
        return -1;
    for (size_t i = 0; i < H; i++)
        w->prior[i] = (float)t->prior[i];
    for (size_t i = 0; i < DH * H; i++)
        w->trans[i] = (float)t->trans[i];
    for (size_t i = 0; i < DH * t->nsyms; i++)
        w->leaf[i] = (float)t->leaf[i];
    return 0;
}

static void work_free(EmWork *const w)
{
    free(w->a);
    free(w->g);
    free(w->beta);
    free(w->o);
    free(w->q);
    free(w->prior);
    free(w->trans);
    free(w->leaf);
    free(w->order);
}

double pc_train_loglik(const PcTrain *const t, const PcData *const d, const uint32_t first, const uint32_t n)
{
    EmWork w = { 0 };
    double s = NAN;
    if (!work_alloc(t, &w)) {
        s = 0;
        for (uint32_t i = first; i < first + n; i++)
            s += upward(t->nvars, t->nstates, t->nsyms, t->parent, t->root, d->x + (size_t)i * d->nvars, &w);
        s /= n;
    }
    work_free(&w);
    return s;
}

/* Downward pass of one sample after upward(): expected counts. */
PC_HOT static void downward(const uint32_t D, const uint32_t H, const uint32_t S, const int32_t *const parent,
                            const uint8_t *const x, EmWork *const w, double *const cp, float *const ct,
                            double *const cl)
{
    float *const q = w->q;
    for (uint32_t i = 0; i < D; i++) {
        const uint32_t v = w->order[i];
        const float *const a = w->a + (size_t)v * H;
        float *const b = w->beta + (size_t)v * H;
        if (parent[v] >= 0) {
            /* Edge p -> v: o[hp] = beta_p a_p / g_v; beta_v = W^T o;
             * xi[hp][h] = o[hp] W[hp][h] a_v[h] / sum_h beta_v[h] a_v[h]. */
            const uint32_t p = (uint32_t)parent[v];
            const float *const ap = w->a + (size_t)p * H;
            const float *const bp = w->beta + (size_t)p * H;
            const float *const gv = w->g + (size_t)v * H;
            const float *const W = w->trans + (size_t)v * H * H;
            float *const C = ct + (size_t)v * H * H;
            for (uint32_t hp = 0; hp < H; hp++)
                w->o[hp] = bp[hp] * ap[hp] / gv[hp];
            for (uint32_t h = 0; h < H; h++)
                b[h] = 0;
            for (uint32_t hp = 0; hp < H; hp++) {
                const float ov = w->o[hp];
                const float *const row = W + (size_t)hp * H;
                for (uint32_t h = 0; h < H; h++)
                    b[h] += ov * row[h];
            }
            float zx = 0;
            for (uint32_t h = 0; h < H; h++)
                zx += b[h] * a[h];
            const float izx = 1.0f / zx;
            for (uint32_t hp = 0; hp < H; hp++) {
                const float ov = w->o[hp] * izx;
                const float *const row = W + (size_t)hp * H;
                float *const crow = C + (size_t)hp * H;
                for (uint32_t h = 0; h < H; h++)
                    crow[h] += ov * row[h] * a[h];
            }
        } else {
            memcpy(b, w->prior, H * sizeof(float));
        }
        /* Posterior of Z_v, then rescale beta_v (only ratios matter). */
        float z = 0, mx = 0;
        for (uint32_t h = 0; h < H; h++) {
            z += q[h] = b[h] * a[h];
            mx = b[h] > mx ? b[h] : mx;
        }
        const float iz = 1.0f / z;
        double *const lrow = cl + (size_t)v * H * S + x[v];
        for (uint32_t h = 0; h < H; h++)
            lrow[(size_t)h * S] += q[h] * iz;
        if (parent[v] < 0)
            for (uint32_t h = 0; h < H; h++)
                cp[h] += q[h] * iz;
        const float imx = 1.0f / mx;
        for (uint32_t h = 0; h < H; h++)
            b[h] *= imx;
    }
}

double pc_train_em_step(PcTrain *const t, const PcData *const d, const uint32_t *const idx, const uint32_t n,
                        const double step, const double alpha_trans, const double alpha_leaf)
{
    const uint32_t D = t->nvars, H = t->nstates, S = t->nsyms;
    EmWork w = { 0 };
    double *const cp = calloc(H, sizeof(*cp));
    float *const ct = calloc((size_t)D * H * H, sizeof(*ct));
    double *const cl = calloc((size_t)D * H * S, sizeof(*cl));
    double *const m = malloc(S * sizeof(*m));
    double ll = NAN;
    if (!cp || !ct || !cl || !m || work_alloc(t, &w))
        goto done;
    ll = 0;
    for (uint32_t k = 0; k < n; k++) {
        const uint8_t *const x = d->x + (size_t)idx[k] * D;
        ll += upward(D, H, S, t->parent, t->root, x, &w);
        downward(D, H, S, t->parent, x, &w, cp, ct, cl);
    }
    ll /= n;
    /* M-step, blended with the current parameters. */
    {
        double s = 0;
        for (uint32_t h = 0; h < H; h++)
            s += cp[h];
        for (uint32_t h = 0; h < H; h++)
            t->prior[h] = (1 - step) * t->prior[h] + step * (cp[h] + alpha_trans / H) / (s + alpha_trans);
    }
    for (uint32_t v = 0; v < D; v++) {
        if (t->parent[v] < 0)
            continue;
        for (uint32_t hp = 0; hp < H; hp++) {
            const float *const crow = ct + ((size_t)v * H + hp) * H;
            double *const row = t->trans + ((size_t)v * H + hp) * H;
            double s = 0;
            for (uint32_t h = 0; h < H; h++)
                s += crow[h];
            for (uint32_t h = 0; h < H; h++)
                row[h] = (1 - step) * row[h] + step * (crow[h] + alpha_trans / H) / (s + alpha_trans);
        }
    }
    /* Leaves: Dirichlet prior of mass alpha_leaf centred on m = 0.9 x the
     * counts blurred over neighbouring values (triangle of half-width
     * PC_LEAF_BLUR) + 0.1 x uniform: nearby intensities share strength. */
    for (size_t r = 0; r < (size_t)D * H; r++) {
        const double *const crow = cl + r * S;
        double *const row = t->leaf + r * S;
        double s = 0;
        for (uint32_t x = 0; x < S; x++)
            s += crow[x];
        double ms = 0;
        for (uint32_t x = 0; x < S; x++) {
            double b = 0;
            for (int j = -PC_LEAF_BLUR; j <= PC_LEAF_BLUR; j++) {
                const int y = (int)x + j;
                if (y >= 0 && y < (int)S)
                    b += crow[y] * (PC_LEAF_BLUR + 1 - (j < 0 ? -j : j));
            }
            ms += m[x] = b;
        }
        for (uint32_t x = 0; x < S; x++)
            m[x] = ms > 0 ? 0.9 * m[x] / ms + 0.1 / S : 1.0 / S;
        for (uint32_t x = 0; x < S; x++)
            row[x] = (1 - step) * row[x] + step * (crow[x] + alpha_leaf * m[x]) / (s + alpha_leaf);
    }
done:
    work_free(&w);
    free(cp);
    free(ct);
    free(cl);
    free(m);
    return ll;
}

/* ---- checkpoints ----------------------------------------------------------- */

#define CK_MAGIC "LCCPCCK1"

int pc_train_save_checkpoint(const PcTrain *const t, const uint64_t epoch, uint8_t **const out,
                             size_t *const size)
{
    const uint32_t D = t->nvars, S = t->nsyms, H = t->nstates;
    LccBuf b = { 0 };
    lcc_buf_append(&b, CK_MAGIC, 8);
    lcc_buf_u64(&b, epoch);
    lcc_buf_u32(&b, D);
    lcc_buf_u32(&b, S);
    lcc_buf_u32(&b, H);
    lcc_buf_u32(&b, t->root);
    lcc_buf_u32(&b, t->width);
    lcc_buf_u32(&b, t->height);
    for (uint32_t v = 0; v < D; v++)
        lcc_buf_u32(&b, (uint32_t)t->parent[v]);
    const double *const arrays[3] = { t->prior, t->trans, t->leaf };
    const size_t counts[3] = { H, (size_t)D * H * H, (size_t)D * H * S };
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < counts[k]; i++) {
            uint64_t u;
            memcpy(&u, &arrays[k][i], 8);
            lcc_buf_u64(&b, u);
        }
    if (!b.failed)
        lcc_buf_u32(&b, lcc_crc32(0, b.data, b.size));
    if (b.failed) {
        lcc_buf_free(&b);
        return -ENOMEM;
    }
    *out = b.data;
    *size = b.size;
    return 0;
}

int pc_train_load_checkpoint(PcTrain *const t, uint64_t *const epoch, const uint8_t *const buf,
                             const size_t size)
{
    if (size < 44 || memcmp(buf, CK_MAGIC, 8) || lcc_rl32(buf + size - 4) != lcc_crc32(0, buf, size - 4))
        return -EBADMSG;
    const uint32_t D = lcc_rl32(buf + 16), S = lcc_rl32(buf + 20), H = lcc_rl32(buf + 24);
    if (D < 1 || D > PC_MAX_VARS || S < 2 || S > PC_MAX_SYMS || H < 1 || H > PC_MAX_STATES)
        return -EBADMSG;
    const uint64_t need = 40 + 4ull * D + 8ull * (H + (uint64_t)D * H * H + (uint64_t)D * H * S) + 4;
    if (size != need)
        return -EBADMSG;
    if (train_alloc(t, D, S, H))
        return -ENOMEM;
    *epoch = lcc_rl64(buf + 8);
    t->root = lcc_rl32(buf + 28);
    t->width = lcc_rl32(buf + 32);
    t->height = lcc_rl32(buf + 36);
    const uint8_t *p = buf + 40;
    for (uint32_t v = 0; v < D; v++, p += 4)
        t->parent[v] = (int32_t)lcc_rl32(p);
    double *const arrays[3] = { t->prior, t->trans, t->leaf };
    const size_t counts[3] = { H, (size_t)D * H * H, (size_t)D * H * S };
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < counts[k]; i++, p += 8) {
            const uint64_t u = lcc_rl64(p);
            memcpy(&arrays[k][i], &u, 8);
        }
    if (t->root >= D) {
        pc_train_free(t);
        return -EBADMSG;
    }
    return 0;
}
