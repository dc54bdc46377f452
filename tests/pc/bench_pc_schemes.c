/* Benchmark of the three ways to get every per-variable conditional of one
 * sample (what coding needs) as the number of variables D grows:
 *   naive: a full pass over the circuit for each variable, O(D |p|) per sample;
 *   path:  cached upward messages updated along the path to the root, and
 *          the downward message along the same path, O(depth |p| / D) per
 *          variable, i.e. O(log D |p|) per sample on trees of depth O(log D);
 *   tree:  tree (preorder) coding order, each message computed once,
 *          O(|p|) per sample.
 * All three give bit-identical posteriors (checked here on every run).
 * Trees are random recursive trees (node v links to a uniform earlier
 * node), whose depth grows as O(log D).
 * Usage: bench_pc_schemes [H [maxD]]   (defaults 16 and 4096) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entropy/pc/pc.h"

static uint64_t rs = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 16);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int make_model(const uint32_t D, const uint32_t H, const uint32_t S, PcModel *const m)
{
    PcTrain t = { 0 };
    t.nvars = D;
    t.nsyms = S;
    t.nstates = H;
    t.root = 0;
    t.parent = malloc(D * sizeof(*t.parent));
    t.prior = malloc(H * sizeof(double));
    t.trans = malloc((size_t)D * H * H * sizeof(double));
    t.leaf = malloc((size_t)D * H * S * sizeof(double));
    if (!t.parent || !t.prior || !t.trans || !t.leaf)
        return -1;
    t.parent[0] = -1;
    for (uint32_t v = 1; v < D; v++)
        t.parent[v] = (int32_t)(rnd() % v);
    for (uint32_t h = 0; h < H; h++)
        t.prior[h] = 1.0 + rnd() % 100;
    for (size_t i = 0; i < (size_t)D * H * H; i++)
        t.trans[i] = 1.0 + rnd() % 100;
    for (size_t i = 0; i < (size_t)D * H * S; i++)
        t.leaf[i] = 1.0 + rnd() % 1000;
    uint8_t *file = NULL;
    size_t size = 0;
    int r = pc_train_export(&t, "bench", &file, &size);
    if (!r)
        r = pc_model_parse(m, file, size, NULL, 0);
    free(file);
    pc_train_free(&t);
    return r;
}

int main(int argc, char **argv)
{
    const uint32_t H = argc > 1 ? (uint32_t)atoi(argv[1]) : 16;
    const uint32_t maxD = argc > 2 ? (uint32_t)atoi(argv[2]) : 4096;
    const uint32_t S = 256;
    printf("H = %u states, S = %u symbols; microseconds per sample (all D conditionals), median of 5\n", H, S);
    printf("%6s %6s %12s %12s %12s %10s %10s %s\n", "D", "depth", "naive", "path", "tree", "naive/path",
           "naive/tree", "identical");
    for (uint32_t D = 16; D <= maxD; D *= 4) {
        PcModel m;
        if (make_model(D, H, S, &m)) {
            fprintf(stderr, "cannot build a model of %u variables\n", D);
            return 1;
        }
        uint32_t maxdepth = 0;
        for (uint32_t v = 0; v < D; v++)
            maxdepth = m.depth[v] > maxdepth ? m.depth[v] : maxdepth;
        PcEval *const e = pc_eval_new(&m);
        uint16_t *const x = malloc(D * sizeof(*x));
        uint8_t *const obs = calloc(D, 1);
        uint32_t *const ref = malloc((size_t)D * H * sizeof(*ref));
        for (uint32_t v = 0; v < D; v++)
            x[v] = (uint16_t)(rnd() % S);
        double t_naive[5], t_path[5], t_tree[5];
        int same = 1;
        /* The naive scheme gets fewer samples when D is large. */
        const int reps = D <= 256 ? 5 : D <= 1024 ? 3 : 1;
        for (int r = 0; r < 5; r++) {
            double t0 = now();
            pc_seq_begin(e);
            for (uint32_t i = 0; i < D; i++) {
                uint32_t v;
                const uint32_t *const p = pc_seq_post(e, &v);
                memcpy(ref + (size_t)i * H, p, H * sizeof(*p));
                pc_seq_observe(e, x[v]);
            }
            t_tree[r] = now() - t0;
            t0 = now();
            pc_path_begin(e);
            for (uint32_t i = 0; i < D; i++) {
                const uint32_t v = m.order[i];
                const uint32_t *const p = pc_path_post(e, v);
                same &= !memcmp(ref + (size_t)i * H, p, H * sizeof(*p));
                pc_path_observe(e, v, x[v]);
            }
            t_path[r] = now() - t0;
            if (r < reps) {
                t0 = now();
                memset(obs, 0, D);
                for (uint32_t i = 0; i < D; i++) {
                    const uint32_t v = m.order[i];
                    const uint32_t *const p = pc_naive_post(e, obs, x, v);
                    same &= !memcmp(ref + (size_t)i * H, p, H * sizeof(*p));
                    obs[v] = 1;
                }
                t_naive[r] = now() - t0;
            } else {
                t_naive[r] = t_naive[r % reps];
            }
        }
        /* Medians. */
        double *const arr[3] = { t_naive, t_path, t_tree };
        for (int k = 0; k < 3; k++)
            for (int i = 1; i < 5; i++)
                for (int j = i; j > 0 && arr[k][j - 1] > arr[k][j]; j--) {
                    const double tmp = arr[k][j];
                    arr[k][j] = arr[k][j - 1];
                    arr[k][j - 1] = tmp;
                }
        printf("%6u %6u %12.1f %12.1f %12.1f %10.1f %10.1f %s\n", D, maxdepth, 1e6 * t_naive[2], 1e6 * t_path[2],
               1e6 * t_tree[2], t_naive[2] / t_path[2], t_naive[2] / t_tree[2], same ? "yes" : "NO");
        free(x);
        free(obs);
        free(ref);
        pc_eval_free(e);
        pc_model_free(&m);
        if (!same)
            return 1;
    }
    return 0;
}
