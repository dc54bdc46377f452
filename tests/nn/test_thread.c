/* Thread pool: every task runs exactly once per dispatch, on a valid thread
 * index, for many back-to-back dispatches of varying sizes and pool sizes
 * 1..4 (and a NULL pool); per-thread scratch is never shared. */
#include <stdatomic.h>
#include <string.h>

#include "libcodec/thread.h"
#include "tests/test.h"

#define MAX_TASKS 97

typedef struct Job {
    atomic_int runs[MAX_TASKS];
    atomic_int busy[8];          /* tasks running on each thread index */
    int nthreads;
    atomic_int bad;
} Job;

static void task(void *const arg, const int t, const int thread)
{
    Job *const j = arg;
    if (thread < 0 || thread >= j->nthreads || t < 0 || t >= MAX_TASKS) {
        atomic_fetch_add(&j->bad, 1);
        return;
    }
    if (atomic_fetch_add(&j->busy[thread], 1) != 0)   /* two tasks at once on one index */
        atomic_fetch_add(&j->bad, 1);
    volatile unsigned x = (unsigned)t;
    for (int i = 0; i < (t % 7) * 50; i++)
        x = x * 1664525u + 1013904223u;
    atomic_fetch_add(&j->runs[t], 1);
    atomic_fetch_sub(&j->busy[thread], 1);
}

int main(void)
{
    uint64_t seed = test_seed();
    for (int n = 0; n <= 4; n++) {
        LccThreadPool *p = NULL;
        if (n)
            CHECK(!lcc_pool_create(&p, n));
        CHECK(lcc_pool_threads(p) == (n ? n : 1));
        static Job j;
        int ok = 1;
        for (int it = 0; it < 3000; it++) {
            const int ntasks = (int)(test_rand(&seed) % (MAX_TASKS + 1));
            memset(&j, 0, sizeof(j));
            j.nthreads = lcc_pool_threads(p);
            lcc_pool_run(p, ntasks, task, &j);
            for (int t = 0; t < MAX_TASKS; t++)
                ok &= atomic_load(&j.runs[t]) == (t < ntasks);
            ok &= atomic_load(&j.bad) == 0;
        }
        CHECK_MSG(ok, "pool of %d threads: a task ran twice, never, or on a bad index", n);
        lcc_pool_free(&p);
        CHECK(p == NULL);
        lcc_pool_free(&p);   /* NULL is a no-op */
    }
    LccThreadPool *p;
    CHECK(lcc_pool_create(&p, -1) == LCC_EINVAL);
    CHECK(lcc_pool_create(&p, 0) == LCC_OK && lcc_pool_threads(p) >= 1);
    lcc_pool_free(&p);
    return test_summary();
}
