/* State of one sweep, shared by the driver (sweep_run.c) and the output
 * writers (sweep_output.c). Not part of the sweep's interface. */
#ifndef LCC_BENCH_SWEEP_PRIV_H
#define LCC_BENCH_SWEEP_PRIV_H

#include <pthread.h>
#include <sys/stat.h>

#include "bench/sweep/sweep.h"

typedef struct SweepFile {
    char *path;
    const char *name;          /* base name inside path */
    struct stat st;
    int ok;                    /* usable */
    char reason[SWEEP_REASON];
    LccMedia geo;              /* geometry only (data NULL) */
    double denom;              /* pixels (image), frame pixels (video), seconds (audio) */
} SweepFile;

typedef struct SweepCodec {
    char name[64];              /* profiles: "profile" or "profile:model-file" */
    char profile[64], model[64]; /* profiles: name split at ':' (model "" = default) */
    int refine;                 /* profiles: "+refine=N" at the end of the name */
    int no_rdoq;                /* profiles: "+no-rdoq" at the end of the name */
    SweepKind kind;
    const SweepAnchor *anchor;
    char settings[512];
    int nq;
    int q[SWEEP_MAX_POINTS];
    int ok;
    char reason[SWEEP_REASON];
    char last_failure[SWEEP_REASON];  /* the last failure printed (under Sweep.lock) */
    long repeats;                     /* failures not printed: same reason as last_failure */
} SweepCodec;

typedef struct SweepPoint {
    int done, ok, cached;
    char reason[SWEEP_REASON];
    uint64_t bytes;
    double rate;
    double metric[SWEEP_NUM_METRICS];
    double enc_s, dec_s;
} SweepPoint;

typedef struct Sweep {
    const SweepOptions *o;
    LccModality mod;
    SweepFile *files;
    int num_files;
    SweepCodec codecs[SWEEP_MAX_CODECS];
    int num_codecs;
    SweepPoint *points;        /* [file][codec][q] */
    char cachedir[4096], tmpdir[4096];
    int threads;
    int maxq;                  /* largest nq: the stride of points */
    uint64_t profile_fp;       /* profile_fingerprint() */
    /* job queue */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int next_job, num_jobs, running;
    long total_points, done_points, cached_points;
    double start;
} Sweep;

static inline SweepPoint *point_at(const Sweep *const s, const int f, const int k, const int qi)
{
    return &s->points[((size_t)f * (size_t)s->num_codecs + (size_t)k) * (size_t)s->maxq + (size_t)qi];
}

/* Average the curves, load the published ones and write every output
 * file of the sweep (and the BENCHMARKS.md section if asked). Returns a
 * CLI exit code. */
int sweep_write_outputs(Sweep *s, double wall);

#endif /* LCC_BENCH_SWEEP_PRIV_H */
