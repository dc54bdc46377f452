/* A small fork-join thread pool (pthreads).
 *
 * lcc_pool_run(p, n, fn, arg) calls fn(arg, task, thread) once for each
 * task in [0, n) on the pool's threads (the caller is thread 0 and works
 * too) and returns when all are done. Which thread runs which task is not
 * fixed, so results must not depend on it: a task writes only its own
 * outputs and uses per-thread scratch indexed by `thread` (in
 * [0, lcc_pool_threads(p))). A NULL pool runs everything on the caller. */
#ifndef LCC_THREAD_H
#define LCC_THREAD_H

#include "lcc/common.h"

typedef struct LccThreadPool LccThreadPool;
typedef void (*LccTaskFn)(void *arg, int task, int thread);

/* nthreads: total threads including the caller; 0 = LCC_THREADS from the
 * environment if set, else the number of online cores. Capped at 64. */
lcc_status lcc_pool_create(LccThreadPool **out, int nthreads);
/* Join the workers and free *p; sets *p to NULL. NULL is a no-op. */
void lcc_pool_free(LccThreadPool **p);
/* Number of threads (>= 1); 1 for a NULL pool. */
int lcc_pool_threads(const LccThreadPool *p);
/* See above. Not reentrant: one run at a time per pool. */
void lcc_pool_run(LccThreadPool *p, int ntasks, LccTaskFn fn, void *arg);
/* The thread count lcc_pool_create(.., 0) would use. */
int lcc_default_threads(void);

#endif /* LCC_THREAD_H */
