/* Fork-join thread pool: workers sleep on a condition variable, wake on a
 * new generation, take tasks from a shared atomic counter, and the caller
 * waits until every worker has checked out of the generation. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "libcodec/thread.h"

#define MAX_THREADS 64

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SPIN_PAUSE() _mm_pause()
#else
#define SPIN_PAUSE() ((void)0)
#endif

struct LccThreadPool {
    int nthreads;                 /* including the caller */
    pthread_t tid[MAX_THREADS];
    int started;                  /* workers created */
    pthread_mutex_t lock;
    pthread_cond_t wake, done_cond;
    unsigned generation;          /* under lock */
    atomic_uint gen_seen;         /* copy of generation for spinning workers */
    int quit;                     /* under lock */
    int active;                   /* workers inside run_tasks, under lock */
    /* The current run. fn/arg/ntasks are written before `claim` publishes
     * the new generation and stay fixed until every task is done. */
    LccTaskFn fn;
    void *arg;
    atomic_int ntasks;
    _Atomic uint64_t claim;       /* generation << 32 | next task */
    atomic_int done;              /* tasks finished in this generation */
};

/* Take and run tasks of generation gen until none is left. A worker that
 * wakes late finds the generation gone (its claim fails) and goes back to
 * sleep, so the caller never waits for a thread that has no task. */
static void run_tasks(LccThreadPool *const p, const uint32_t gen, const int thread)
{
    for (;;) {
        uint64_t c = atomic_load_explicit(&p->claim, memory_order_acquire);
        if ((uint32_t)(c >> 32) != gen)
            return;
        const int ntasks = atomic_load_explicit(&p->ntasks, memory_order_relaxed);
        const uint32_t t = (uint32_t)c;
        if (t >= (uint32_t)ntasks)
            return;
        if (!atomic_compare_exchange_weak_explicit(&p->claim, &c, c + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        p->fn(p->arg, (int)t, thread);
        if (atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1 == ntasks) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done_cond);
            pthread_mutex_unlock(&p->lock);
        }
    }
}

typedef struct WorkerStart {
    LccThreadPool *p;
    int index;
} WorkerStart;

static void *worker_main(void *const v)
{
    WorkerStart *const ws = v;
    LccThreadPool *const p = ws->p;
    const int index = ws->index;
    free(ws);
    unsigned seen = 0;
    for (;;) {
        /* spin briefly before sleeping: back-to-back runs (layers of one
         * pass) then start without a wake-up latency; ~0.1 ms at most */
        for (int i = 0; i < 1500 && atomic_load_explicit(&p->gen_seen, memory_order_acquire) == seen; i++)
            SPIN_PAUSE();
        pthread_mutex_lock(&p->lock);
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->quit) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        seen = p->generation;
        p->active++;
        pthread_mutex_unlock(&p->lock);
        run_tasks(p, seen, index);
        /* check out: lcc_pool_run waits for this before it changes the job */
        pthread_mutex_lock(&p->lock);
        if (--p->active == 0)
            pthread_cond_signal(&p->done_cond);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

int lcc_default_threads(void)
{
    const char *const e = getenv("LCC_THREADS");
    if (e && *e) {
        const long n = strtol(e, NULL, 10);
        if (n >= 1)
            return n > MAX_THREADS ? MAX_THREADS : (int)n;
    }
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

lcc_status lcc_pool_create(LccThreadPool **const out, int nthreads)
{
    *out = NULL;
    if (nthreads < 0)
        return LCC_EINVAL;
    if (nthreads == 0)
        nthreads = lcc_default_threads();
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    LccThreadPool *const p = calloc(1, sizeof(*p));
    if (!p)
        return LCC_ENOMEM;
    p->nthreads = nthreads;
    atomic_init(&p->claim, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->ntasks, 0);
    atomic_init(&p->gen_seen, 0);
    if (pthread_mutex_init(&p->lock, NULL)) {
        free(p);
        return LCC_ENOMEM;
    }
    if (pthread_cond_init(&p->wake, NULL)) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return LCC_ENOMEM;
    }
    if (pthread_cond_init(&p->done_cond, NULL)) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return LCC_ENOMEM;
    }
    for (int i = 1; i < nthreads; i++) {
        WorkerStart *const ws = malloc(sizeof(*ws));
        if (!ws)
            goto error;
        ws->p = p;
        ws->index = i;
        if (pthread_create(&p->tid[i], NULL, worker_main, ws)) {
            free(ws);
            goto error;
        }
        p->started++;
    }
    *out = p;
    return LCC_OK;
error:
    lcc_pool_free(&(LccThreadPool *){ p });
    return LCC_ENOMEM;
}

void lcc_pool_free(LccThreadPool **const pp)
{
    LccThreadPool *const p = pp ? *pp : NULL;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 1; i <= p->started; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done_cond);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pp = NULL;
}

int lcc_pool_threads(const LccThreadPool *const p)
{
    return p ? p->started + 1 : 1;
}

void lcc_pool_run(LccThreadPool *const p, const int ntasks, const LccTaskFn fn, void *const arg)
{
    if (ntasks <= 0)
        return;
    if (!p || !p->started || ntasks == 1) {
        for (int t = 0; t < ntasks; t++)
            fn(arg, t, 0);
        return;
    }
    pthread_mutex_lock(&p->lock);
    /* A worker still inside run_tasks for the previous generation may hold
     * a stale claim; if the job fields changed under it, its claim check
     * could pass against the new task count and run a new task with an
     * old index. Wait until every worker has checked out. */
    while (p->active > 0)
        pthread_cond_wait(&p->done_cond, &p->lock);
    p->fn = fn;
    p->arg = arg;
    atomic_store_explicit(&p->ntasks, ntasks, memory_order_relaxed);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    const uint32_t gen = ++p->generation;
    atomic_store_explicit(&p->claim, (uint64_t)gen << 32, memory_order_release);
    atomic_store_explicit(&p->gen_seen, gen, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    run_tasks(p, gen, 0);
    pthread_mutex_lock(&p->lock);
    while (atomic_load_explicit(&p->done, memory_order_acquire) < ntasks)
        pthread_cond_wait(&p->done_cond, &p->lock);
    pthread_mutex_unlock(&p->lock);
}
