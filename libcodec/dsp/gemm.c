/* GEMM drivers (packing, cache blocking, threads) and the C reference
 * micro-kernels. Goto/BLIS structure inside each task: for each NC-wide
 * column block and KC-deep slice of its slab of C, the task packs B into
 * nr-wide panels and, per MC-high row block, A into mr-high panels, then
 * runs the micro-kernel over the tiles (A micro-panel kept in L1, packed
 * B block in L2). Two ways to split the work, one pool dispatch per call:
 *  - slab grid: tasks are independent slabs of C (a grid over rows and
 *    columns, about two per thread), each packing its own A and B, no
 *    synchronisation (small M, one thread);
 *  - shared B (large M on several threads): B is packed once, by all
 *    threads together, and the tasks are tiles of C that read it; see
 *    shared_task.
 * Both go through the same K slices in the same order with the same
 * kernel, so the result does not depend on the path or the thread count. */
#include "config.h"

#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/dsp/gemm.h"
#include "lcc/common.h"

#define KC LCC_SGEMM_KC   /* upper bound; slices are balanced (see kc_step) */
#define MC_TARGET 192
#define NC_TARGET 768     /* KC x NC packed B block ~1 MB: stays in L2 */
#define MAX_MR 16
#define SHARED_NC_TARGET 512 /* shared-B path: KC x NC slice of B in L2 */
/* shared-B path from 8 row panels per thread (96 rows with AVX-512): below
 * that, splitting M leaves too few rows per task and the slab grid, which
 * splits N, is faster (measured: 64x4096x576 ~25% slower when split,
 * 192x256x4800 ~15% faster) */
#define SHARED_MIN_PANELS 8
#define SHARED_B_MAX ((size_t)1 << 25) /* shared-B path: at most 128 MB of packed B */
#define MAX_NR 64

/* ---- C reference kernels -------------------------------------------- */

#define C_MR 4
#define C_NR 8

/* Every kernel computes each element of C the same way: from zero, one
 * fused multiply-add per k in order, then added to C (acc) — so the C
 * reference is bit-identical to the SIMD kernels, and a float decoder
 * gives the same output on every CPU (fmaf rounds once, like vfmadd). */
decl_sgemm_kernel_fn(lcc_sgemm_kernel_c)
{
    float t[C_MR][C_NR];
    memset(t, 0, sizeof(t));
    for (int p = 0; p < kc; p++) {
        for (int i = 0; i < C_MR; i++) {
            const float ai = a[i];
            for (int j = 0; j < C_NR; j++)
                t[i][j] = fmaf(ai, b[j], t[i][j]);
        }
        a += C_MR;
        b += C_NR;
    }
    for (int i = 0; i < C_MR; i++) {
        float *const ci = c + i * ldc;
        if (acc)
            for (int j = 0; j < C_NR; j++)
                ci[j] += t[i][j];
        else
            for (int j = 0; j < C_NR; j++)
                ci[j] = t[i][j];
    }
}

decl_conv3_kernel_fn(lcc_conv3_kernel_c)
{
    for (int o = 0; o < m; o++)
        for (int x = 0; x < n; x++) {
            float t = 0.0f;
            for (int c = 0; c < cin; c++)
                for (int ki = 0; ki < 3; ki++)
                    for (int kj = 0; kj < 3; kj++)
                        t = fmaf(w[o * ldw + c * 9 + ki * 3 + kj], in[c * lds + ki * ldr + x + kj], t);
            y[o * ldy + x] = bias ? t + bias[o] : t;
        }
}

#define CQ_MR 4
#define CQ_NR 16

decl_qgemm_kernel_fn(lcc_qgemm_kernel_c)
{
    uint32_t t[CQ_MR][CQ_NR];
    memset(t, 0, sizeof(t));
    for (int p = 0; p < kc2; p++) {
        for (int i = 0; i < CQ_MR; i++) {
            const int32_t a0 = a[2 * i], a1 = a[2 * i + 1];
            for (int j = 0; j < CQ_NR; j++) {
                /* pair sum as vpmaddwd computes it: wraps only for
                 * (-32768)^2 * 2 */
                const uint32_t s = (uint32_t)(a0 * b[2 * j]) + (uint32_t)(a1 * b[2 * j + 1]);
                t[i][j] += s;
            }
        }
        a += 2 * CQ_MR;
        b += 2 * CQ_NR;
    }
    for (int i = 0; i < CQ_MR; i++)
        for (int j = 0; j < CQ_NR; j++)
            c[i * ldc + j] = (int32_t)t[i][j];
}

void lcc_gemm_dsp_init(GemmDSPContext *const c, const unsigned cpu_flags)
{
    c->sgemm = lcc_sgemm_kernel_c;
    c->smr = C_MR;
    c->snr = C_NR;
    c->qgemm = lcc_qgemm_kernel_c;
    c->qmr = CQ_MR;
    c->qnr = CQ_NR;
    c->conv3 = NULL;
    c->flags = cpu_flags;
#if HAVE_SIMD && ARCH_X86_64
    lcc_gemm_dsp_init_x86(c, cpu_flags);
#endif
}

/* ---- engine ------------------------------------------------------------ */

void lcc_gemm_init(LccGemm *const g, const unsigned cpu_flags, LccThreadPool *const pool)
{
    memset(g, 0, sizeof(*g));
    lcc_gemm_dsp_init(&g->dsp, cpu_flags);
    g->pool = pool;
}

void lcc_gemm_uninit(LccGemm *const g)
{
    for (int i = 0; i < 64; i++) {
        free(g->abuf[i]);
        free(g->bpbuf[i]);
    }
    free(g->sbuf[0]);
    free(g->sync);
    free(g->qbuf);
    memset(g, 0, sizeof(*g));
}

static void *alloc_aligned(const size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64))
        return NULL;
    return p;
}

static int reserve(LccGemm *const g, const size_t bfloats, const size_t afloats, const int nthreads)
{
    if (afloats > g->abuf_size || bfloats > g->bbuf_size) {
        for (int i = 0; i < 64; i++) {
            free(g->abuf[i]);
            free(g->bpbuf[i]);
            g->abuf[i] = g->bpbuf[i] = NULL;
        }
        g->abuf_size = afloats > g->abuf_size ? afloats : g->abuf_size;
        g->bbuf_size = bfloats > g->bbuf_size ? bfloats : g->bbuf_size;
    }
    for (int i = 0; i < nthreads; i++) {
        if (!g->abuf[i] && !(g->abuf[i] = alloc_aligned(g->abuf_size * sizeof(float))))
            return LCC_ENOMEM;
        if (!g->bpbuf[i] && !(g->bpbuf[i] = alloc_aligned(g->bbuf_size * sizeof(float))))
            return LCC_ENOMEM;
    }
    return 0;
}

typedef struct SgemmJob {
    LccGemm *g;
    int transa, transb;
    int m, n, k;
    float alpha;
    const float *a, *b;
    ptrdiff_t lda, ldb, ldc;
    float *c;
    int first_overwrites;
    int mc, nc, kstep;     /* cache blocks */
    int mparts, nparts;    /* the task grid: slabs of rows x columns */
    LccPackB packb;        /* NULL: B is a matrix */
    const void *packb_ctx;
    int mstep, nstep;      /* slab sizes (multiples of mr, nr) */
    /* row-split path (see split_task) */
    int rparts, kslices, chunk;
    atomic_int *sync;
} SgemmJob;

/* Pack B[p0..p0+kc)[col0..col0+w) into nr-wide panels, zero-padded.
 * Writes are sequential; a transposed B is read as nr row streams. */
static void pack_b(const SgemmJob *const j, float *dst, const int p0, const int kc, const int col0,
                   const int w)
{
    const int nr = j->g->dsp.snr;
    for (int q0 = 0; q0 < w; q0 += nr) {
        const int wq = w - q0 < nr ? w - q0 : nr;
        if (j->packb) {
            j->packb(j->packb_ctx, dst, p0, kc, col0 + q0, wq, nr);
            dst += (size_t)nr * kc;
        } else if (!j->transb) {
            for (int p = 0; p < kc; p++) {
                const float *const src = j->b + (ptrdiff_t)(p0 + p) * j->ldb + col0 + q0;
                int q = 0;
                for (; q < wq; q++)
                    dst[q] = src[q];
                for (; q < nr; q++)
                    dst[q] = 0.0f;
                dst += nr;
            }
        } else {
            const float *src[MAX_NR];
            for (int q = 0; q < wq; q++)
                src[q] = j->b + (ptrdiff_t)(col0 + q0 + q) * j->ldb + p0;
            for (int p = 0; p < kc; p++) {
                int q = 0;
                for (; q < wq; q++)
                    dst[q] = src[q][p];
                for (; q < nr; q++)
                    dst[q] = 0.0f;
                dst += nr;
            }
        }
    }
}

/* Pack alpha * A[i0..i0+mh)[p0..p0+kc) into mr-high panels, zero-padded.
 * Writes are sequential; a non-transposed A is read as mr row streams. */
static void pack_a(const SgemmJob *const j, float *dst, const int i0, const int mh, const int p0, const int kc)
{
    const int mr = j->g->dsp.smr;
    const float alpha = j->alpha;
    for (int ir = 0; ir < mh; ir += mr) {
        const int h = mh - ir < mr ? mh - ir : mr;
        if (!j->transa) {
            const float *src[MAX_MR];
            for (int r = 0; r < h; r++)
                src[r] = j->a + (ptrdiff_t)(i0 + ir + r) * j->lda + p0;
            for (int p = 0; p < kc; p++) {
                int r = 0;
                for (; r < h; r++)
                    dst[r] = alpha * src[r][p];
                for (; r < mr; r++)
                    dst[r] = 0.0f;
                dst += mr;
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const float *const src = j->a + (ptrdiff_t)(p0 + p) * j->lda + i0 + ir;
                int r = 0;
                for (; r < h; r++)
                    dst[r] = alpha * src[r];
                for (; r < mr; r++)
                    dst[r] = 0.0f;
                dst += mr;
            }
        }
    }
}

/* C[ic..ic+mh)[jc..jc+nc) (+)= packed A block x packed B block: the A
 * micro-panel (mr x kc) stays in L1 while the B micro-panels stream from
 * the L2-resident packed block. */
static void macro_kernel(const SgemmJob *const j, const float *const abuf, const float *const bbuf, const int ic,
                         const int mh, const int jc, const int nc, const int kc, const int first)
{
    const GemmDSPContext *const d = &j->g->dsp;
    const int mr = d->smr, nr = d->snr;
    float tile[MAX_MR * MAX_NR] __attribute__((aligned(64)));
    for (int ir = 0; ir < mh; ir += mr) {
        const int h = mh - ir < mr ? mh - ir : mr;
        const float *const ap = abuf + (size_t)ir * kc;
        for (int jr = 0; jr < nc; jr += nr) {
            const int w = nc - jr < nr ? nc - jr : nr;
            const float *const bp = bbuf + (size_t)jr * kc;
            float *const cp = j->c + (ptrdiff_t)(ic + ir) * j->ldc + jc + jr;
            if (h == mr && w == nr) {
                d->sgemm(kc, ap, bp, cp, j->ldc, !first);
                continue;
            }
            d->sgemm(kc, ap, bp, tile, nr, 0);
            for (int r = 0; r < h; r++) {
                float *const cr = cp + (ptrdiff_t)r * j->ldc;
                const float *const tr = tile + r * nr;
                if (first)
                    for (int q = 0; q < w; q++)
                        cr[q] = tr[q];
                else
                    for (int q = 0; q < w; q++)
                        cr[q] += tr[q];
            }
        }
    }
}

/* One slab of C, computed with its own packing: no synchronisation with
 * other tasks. The k order (KC slices, kernel order) is the same for every
 * slab, so results do not depend on the task grid or thread count. */
static void slab_task(void *const arg, const int task, const int thread)
{
    const SgemmJob *const j = arg;
    const GemmDSPContext *const d = &j->g->dsp;
    const int mr = d->smr, nr = d->snr;
    const int ms = (task % j->mparts) * j->mstep, ns = (task / j->mparts) * j->nstep;
    const int me = ms + j->mstep < j->m ? ms + j->mstep : j->m;
    const int ne = ns + j->nstep < j->n ? ns + j->nstep : j->n;
    float *const abuf = j->g->abuf[thread], *const bbuf = j->g->bpbuf[thread];
    float tile[MAX_MR * MAX_NR] __attribute__((aligned(64)));
    /* Few rows (one row block): B is used by few kernels, so each nr-wide
     * micro-panel is packed right before its use and stays in L1 instead
     * of making a round trip through L2/L3 as a whole packed block. */
    const int fused = me - ms <= j->mc;
    for (int pc = 0; fused && pc < j->k; pc += j->kstep) {
        const int kc = j->k - pc < j->kstep ? j->k - pc : j->kstep;
        const int first = pc == 0 && j->first_overwrites;
        const int mh = me - ms;
        pack_a(j, abuf, ms, mh, pc, kc);
        for (int jr = ns; jr < ne; jr += nr) {
            const int w = ne - jr < nr ? ne - jr : nr;
            pack_b(j, bbuf, pc, kc, jr, w);
            for (int ir = 0; ir < mh; ir += mr) {
                const int h = mh - ir < mr ? mh - ir : mr;
                const float *const ap = abuf + (size_t)ir * kc;
                float *const cp = j->c + (ptrdiff_t)(ms + ir) * j->ldc + jr;
                if (h == mr && w == nr) {
                    d->sgemm(kc, ap, bbuf, cp, j->ldc, !first);
                    continue;
                }
                d->sgemm(kc, ap, bbuf, tile, nr, 0);
                for (int r = 0; r < h; r++) {
                    float *const cr = cp + (ptrdiff_t)r * j->ldc;
                    const float *const tr = tile + r * nr;
                    if (first)
                        for (int q = 0; q < w; q++)
                            cr[q] = tr[q];
                    else
                        for (int q = 0; q < w; q++)
                            cr[q] += tr[q];
                }
            }
        }
    }
    for (int jc = ns; jc < ne && !fused; jc += j->nc) {
        const int nc = ne - jc < j->nc ? ne - jc : j->nc;
        for (int pc = 0; pc < j->k; pc += j->kstep) {
            const int kc = j->k - pc < j->kstep ? j->k - pc : j->kstep;
            const int first = pc == 0 && j->first_overwrites;
            pack_b(j, bbuf, pc, kc, jc, nc);
            for (int ic = ms; ic < me; ic += j->mc) {
                const int mh = me - ic < j->mc ? me - ic : j->mc;
                pack_a(j, abuf, ic, mh, pc, kc);
                macro_kernel(j, abuf, bbuf, ic, mh, jc, nc, kc, first);
            }
        }
    }
}


/* ---- shared-B path --------------------------------------------------------
 * Large M on several threads: B is packed once, cooperatively, for the
 * whole call (every KC slice of every NC-wide column block, in nr-wide
 * panels, chunk by chunk), instead of once per task that needs it; tasks
 * are (column block, row part) tiles of C, each going through the K
 * slices in order with its own packed A, so the k order of every element
 * is the one of the single-thread path. A task about to use a slice of B
 * first packs the chunks of it nobody has claimed yet, then waits for the
 * ones other threads are packing (a packer never waits, so nothing
 * deadlocks, even if one thread ends up running every task). */

enum { SY_CLAIM, SY_PACKED, SY_N };   /* counters per (column block, K slice) */

static void wait_at_least(atomic_int *const v, const int target)
{
    for (int spins = 0; atomic_load_explicit(v, memory_order_acquire) < target; spins++) {
        if (spins < 2000) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield();  /* the packer may have been descheduled */
        }
    }
}

static void shared_task(void *const arg, const int task, const int thread)
{
    const SgemmJob *const j = arg;
    const int jb = task / j->rparts, r = task % j->rparts;
    const int jc = jb * j->nc, nc = j->n - jc < j->nc ? j->n - jc : j->nc;
    const int nr = j->g->dsp.snr, ncpad = (nc + nr - 1) / nr * nr;
    const int nchunks = (nc + j->chunk - 1) / j->chunk;
    const int ms = r * j->mstep, me = ms + j->mstep < j->m ? ms + j->mstep : j->m;
    float *const abuf = j->g->abuf[thread];
    for (int ps = 0; ps < j->kslices; ps++) {
        const int pc = ps * j->kstep, kc = j->k - pc < j->kstep ? j->k - pc : j->kstep;
        float *const bbuf = j->g->sbuf[0] + (size_t)jc * j->k + (size_t)pc * ncpad;
        atomic_int *const sy = j->sync + ((size_t)jb * j->kslices + ps) * SY_N;
        if (atomic_load_explicit(&sy[SY_PACKED], memory_order_acquire) < nchunks) {
            for (;;) {
                const int ch = atomic_fetch_add_explicit(&sy[SY_CLAIM], 1, memory_order_relaxed);
                if (ch >= nchunks)
                    break;
                const int c0 = ch * j->chunk, w = nc - c0 < j->chunk ? nc - c0 : j->chunk;
                pack_b(j, bbuf + (size_t)c0 * kc, pc, kc, jc + c0, w);
                atomic_fetch_add_explicit(&sy[SY_PACKED], 1, memory_order_release);
            }
            wait_at_least(&sy[SY_PACKED], nchunks);
        }
        const int first = pc == 0 && j->first_overwrites;
        for (int ic = ms; ic < me; ic += j->mc) {
            const int mh = me - ic < j->mc ? me - ic : j->mc;
            pack_a(j, abuf, ic, mh, pc, kc);
            macro_kernel(j, abuf, bbuf, ic, mh, jc, nc, kc, first);
        }
    }
}

/* Sizes the shared-B path; returns 0 to use it, 1 to use the slab grid,
 * or LCC_ENOMEM. */
static int setup_shared(LccGemm *const g, SgemmJob *const j, const int nthreads)
{
    const int mr = g->dsp.smr, nr = g->dsp.snr;
    const int mpanels = (j->m + mr - 1) / mr;
    const int npad = (j->n + nr - 1) / nr * nr;
    if (nthreads < 2 || mpanels < SHARED_MIN_PANELS * nthreads || (size_t)npad * j->k > SHARED_B_MAX)
        return 1;
    /* row parts of at most MC_TARGET rows, at least two per thread */
    int rparts = (mpanels * mr + MC_TARGET - 1) / MC_TARGET;
    if (rparts < 2 * nthreads)
        rparts = 2 * nthreads;
    if (rparts > mpanels)
        rparts = mpanels;
    j->mstep = (mpanels + rparts - 1) / rparts * mr;
    j->rparts = (j->m + j->mstep - 1) / j->mstep;
    j->mc = j->mstep;
    const int njc = (j->n + SHARED_NC_TARGET - 1) / SHARED_NC_TARGET;
    j->nc = ((j->n + njc - 1) / njc + nr - 1) / nr * nr;
    const int ncb = (j->n + j->nc - 1) / j->nc;
    j->kslices = (j->k + j->kstep - 1) / j->kstep;
    j->chunk = 4 * nr;
    const size_t nsync = (size_t)ncb * j->kslices * SY_N;
    if (nsync > g->sync_size) {
        free(g->sync);
        g->sync = alloc_aligned(nsync * sizeof(atomic_int));
        g->sync_size = g->sync ? nsync : 0;
        if (!g->sync)
            return LCC_ENOMEM;
    }
    j->sync = g->sync;
    for (size_t i = 0; i < nsync; i++)
        atomic_init(&j->sync[i], 0);
    const size_t bsize = (size_t)npad * j->k;
    if (bsize > g->sbuf_size) {
        free(g->sbuf[0]);
        g->sbuf_size = 0;
        if (!(g->sbuf[0] = alloc_aligned(bsize * sizeof(float))))
            return LCC_ENOMEM;
        g->sbuf_size = bsize;
    }
    j->nparts = ncb;   /* tasks: ncb x rparts */
    return 0;
}

static int sgemm(LccGemm *const g, const int transa, const int transb, const int m, const int n, const int k,
                 const float alpha, const float *const a, const ptrdiff_t lda, const float *const b,
                 const ptrdiff_t ldb, const LccPackB packb, const void *const packb_ctx, const float beta,
                 float *const c, const ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0)
        return 0;
    int first_overwrites = 1;
    if (k <= 0 || alpha == 0.0f || beta != 0.0f) {
        if (beta != 1.0f)
            for (int i = 0; i < m; i++) {
                float *const ci = c + (ptrdiff_t)i * ldc;
                for (int q = 0; q < n; q++)
                    ci[q] = beta == 0.0f ? 0.0f : beta * ci[q];
            }
        if (k <= 0 || alpha == 0.0f)
            return 0;
        first_overwrites = 0;
    }
    const int mr = g->dsp.smr, nr = g->dsp.snr;
    const int nthreads = lcc_pool_threads(g->pool);
    SgemmJob j = {
        .g = g, .transa = transa, .transb = transb, .m = m, .n = n, .k = k, .alpha = alpha,
        .a = a, .b = b, .lda = lda, .ldb = ldb, .ldc = ldc, .c = c, .first_overwrites = first_overwrites,
        .packb = packb, .packb_ctx = packb_ctx,
    };
    /* balanced K slices of at most KC: 576 -> 2 x 288 rather than 384 + 192 */
    const int kslices = (k + KC - 1) / KC;
    j.kstep = (k + kslices - 1) / kslices;
    const int split = setup_shared(g, &j, nthreads);
    if (split < 0)
        return split;
    if (!split) {
        if (reserve(g, 0, (size_t)j.mc * j.kstep, nthreads))
            return LCC_ENOMEM;
        lcc_pool_run(g->pool, j.nparts * j.rparts, shared_task, &j);
        return 0;
    }
    const int mpanels = (m + mr - 1) / mr, npanels = (n + nr - 1) / nr;
    /* Task grid: about 2 tasks per thread (a late thread costs little),
     * splitting the longer side first, never below one panel per slab;
     * each column slab at least 4 panels wide to amortise packing A. */
    int mparts = 1, nparts = 1;
    if (nthreads > 1) {
        const int want = 2 * nthreads;
        while (mparts * nparts < want) {
            const int mrows = (mpanels + mparts - 1) / mparts, ncols = (npanels + nparts - 1) / nparts;
            if (ncols >= 8 && (ncols * nr >= mrows * mr || mrows < 2))
                nparts++;
            else if (mrows >= 2)
                mparts++;
            else
                break;
        }
    }
    j.mstep = (mpanels + mparts - 1) / mparts * mr;
    j.nstep = (npanels + nparts - 1) / nparts * nr;
    j.mparts = (m + j.mstep - 1) / j.mstep;
    j.nparts = (n + j.nstep - 1) / j.nstep;
    j.mc = MC_TARGET / mr * mr;
    if (j.mc > j.mstep)
        j.mc = j.mstep;
    j.nc = NC_TARGET / nr * nr;
    if (j.nc > j.nstep)
        j.nc = j.nstep;
    const int kcmax = j.kstep;
    if (reserve(g, (size_t)j.nc * kcmax, (size_t)j.mc * kcmax, nthreads))
        return LCC_ENOMEM;
    lcc_pool_run(g->pool, j.mparts * j.nparts, slab_task, &j);
    return 0;
}

int lcc_sgemm(LccGemm *const g, const int transa, const int transb, const int m, const int n, const int k,
              const float alpha, const float *const a, const ptrdiff_t lda, const float *const b,
              const ptrdiff_t ldb, const float beta, float *const c, const ptrdiff_t ldc)
{
    return sgemm(g, transa, transb, m, n, k, alpha, a, lda, b, ldb, NULL, NULL, beta, c, ldc);
}

int lcc_sgemm_packb(LccGemm *const g, const int transa, const int m, const int n, const int k, const float alpha,
                    const float *const a, const ptrdiff_t lda, const LccPackB pack, const void *const ctx,
                    const float beta, float *const c, const ptrdiff_t ldc)
{
    return sgemm(g, transa, 0, m, n, k, alpha, a, lda, NULL, 0, pack, ctx, beta, c, ldc);
}

/* ---- integer GEMM ------------------------------------------------------ */

typedef struct QgemmJob {
    LccGemm *g;
    int m, n, k, k2;
    const int16_t *b;
    ptrdiff_t ldb, ldc;
    int32_t *c;
    const int16_t *apack;
    size_t bstride;     /* per thread, in int16 */
    int npanels, per;
} QgemmJob;

static void qgemm_task(void *const arg, const int task, const int thread)
{
    const QgemmJob *const j = arg;
    const GemmDSPContext *const d = &j->g->dsp;
    const int mr = d->qmr, nr = d->qnr;
    int16_t *const bp = j->g->qbuf + (size_t)thread * j->bstride;
    int32_t tile[MAX_MR * MAX_NR];
    const int p0 = task * j->per, p1 = p0 + j->per < j->npanels ? p0 + j->per : j->npanels;
    for (int pnl = p0; pnl < p1; pnl++) {
        const int col0 = pnl * nr;
        const int w = j->n - col0 < nr ? j->n - col0 : nr;
        /* B pairs: for each pair of k, nr columns of (B[2p][q], B[2p+1][q]) */
        for (int p = 0; p < j->k2; p++) {
            int16_t *const dst = bp + (size_t)p * 2 * nr;
            for (int h = 0; h < 2; h++) {
                const int kk = 2 * p + h;
                if (kk >= j->k) {
                    for (int q = 0; q < nr; q++)
                        dst[2 * q + h] = 0;
                    continue;
                }
                const int16_t *const src = j->b + (ptrdiff_t)kk * j->ldb + col0;
                int q = 0;
                for (; q < w; q++)
                    dst[2 * q + h] = src[q];
                for (; q < nr; q++)
                    dst[2 * q + h] = 0;
            }
        }
        for (int i0 = 0; i0 < j->m; i0 += mr) {
            const int h = j->m - i0 < mr ? j->m - i0 : mr;
            const int16_t *const ap = j->apack + (size_t)i0 * 2 * j->k2;
            int32_t *const cp = j->c + (ptrdiff_t)i0 * j->ldc + col0;
            if (h == mr && w == nr) {
                d->qgemm(j->k2, ap, bp, cp, j->ldc);
            } else {
                d->qgemm(j->k2, ap, bp, tile, nr);
                for (int r = 0; r < h; r++)
                    memcpy(cp + (ptrdiff_t)r * j->ldc, tile + r * nr, (size_t)w * sizeof(*tile));
            }
        }
    }
}

int lcc_qgemm(LccGemm *const g, const int m, const int n, const int k, const int16_t *const a,
              const ptrdiff_t lda, const int16_t *const b, const ptrdiff_t ldb, int32_t *const c,
              const ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0)
        return 0;
    if (k <= 0) {
        for (int i = 0; i < m; i++)
            memset(c + (ptrdiff_t)i * ldc, 0, (size_t)n * sizeof(*c));
        return 0;
    }
    const int mr = g->dsp.qmr, nr = g->dsp.qnr;
    const int nthreads = lcc_pool_threads(g->pool);
    const int k2 = (k + 1) / 2;
    const int mpad = (m + mr - 1) / mr * mr;
    const size_t asize = (size_t)mpad * 2 * k2, bstride = ((size_t)k2 * 2 * nr + 31) / 32 * 32;
    const size_t need = asize + bstride * (size_t)nthreads;
    if (need > g->qbuf_size) {
        free(g->qbuf);
        g->qbuf = alloc_aligned(need * sizeof(int16_t));
        g->qbuf_size = g->qbuf ? need : 0;
        if (!g->qbuf)
            return LCC_ENOMEM;
    }
    /* A pairs: for each mr-row panel, for each pair of k, mr (A[r][2p], A[r][2p+1]) */
    int16_t *const apack = g->qbuf + bstride * (size_t)nthreads;
    for (int i0 = 0; i0 < mpad; i0 += mr) {
        int16_t *const dst = apack + (size_t)i0 * 2 * k2;
        for (int r = 0; r < mr; r++) {
            const int i = i0 + r;
            for (int kk = 0; kk < 2 * k2; kk++) {
                const int16_t v = i < m && kk < k ? a[(ptrdiff_t)i * lda + kk] : 0;
                dst[(size_t)(kk >> 1) * 2 * mr + 2 * r + (kk & 1)] = v;
            }
        }
    }
    QgemmJob j = {
        .g = g, .m = m, .n = n, .k = k, .k2 = k2, .b = b, .ldb = ldb, .ldc = ldc, .c = c,
        .apack = apack, .bstride = bstride,
    };
    j.npanels = (n + nr - 1) / nr;
    int ntasks = nthreads > 1 ? 4 * nthreads : 1;
    if (ntasks > j.npanels)
        ntasks = j.npanels;
    j.per = (j.npanels + ntasks - 1) / ntasks;
    ntasks = (j.npanels + j.per - 1) / j.per;
    lcc_pool_run(g->pool, ntasks, qgemm_task, &j);
    return 0;
}
