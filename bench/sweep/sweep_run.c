/* The sweep driver: lists and probes the files, sets up the codecs, runs
 * every (file, codec) job on a pool of threads with a resumable cache,
 * then hands over to the writers (sweep_output.c). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/sweep/sweep_priv.h"
#include "config.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- input files ------------------------------------------------------------ */

static int media_ext(const char *const name)
{
    static const char *const exts[] = { "png", "jpg", "jpeg", "ppm", "pgm", "pnm", "pam", "bmp", "tif", "tiff",
                                        "y4m", "mkv", "mp4", "mov", "webm", "avi", "nut", "yuv",
                                        "wav", "flac", "ogg", "oga", "opus", "aif", "aiff", "mp3" };
    const char *const dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (!strcasecmp(dot + 1, exts[i]))
            return 1;
    return 0;
}

static int cmp_names(const void *const a, const void *const b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_files(Sweep *const s)
{
    const char *const data = s->o->data;
    struct stat st;
    if (stat(data, &st)) {
        fprintf(stderr, "lcc sweep: %s: %s\n", data, strerror(errno));
        return 3;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *const d = opendir(data);
        if (!d) {
            fprintf(stderr, "lcc sweep: %s: %s\n", data, strerror(errno));
            return 3;
        }
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.' || !media_ext(e->d_name))
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                char **const t = cap < 1000000 ? realloc(names, sizeof(*names) * (size_t)cap) : NULL;
                if (!t)
                    break;
                names = t;
            }
            const size_t len = strlen(data) + strlen(e->d_name) + 2;
            if (!(names[n] = malloc(len)))
                break;
            snprintf(names[n], len, "%s/%s", data, e->d_name);
            n++;
        }
        closedir(d);
        qsort(names, (size_t)n, sizeof(*names), cmp_names);
    } else {
        names = malloc(sizeof(*names));
        if (names && (names[0] = strdup(data)))
            n = 1;
    }
    if (s->o->subset > 0 && n > s->o->subset) {
        for (int i = s->o->subset; i < n; i++)
            free(names[i]);
        n = s->o->subset;
    }
    s->files = calloc((size_t)(n ? n : 1), sizeof(*s->files));
    if (!s->files) {
        for (int i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return 4;
    }
    for (int i = 0; i < n; i++) {
        SweepFile *const f = &s->files[i];
        f->path = names[i];
        f->name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
        stat(f->path, &f->st);
    }
    free(names);
    s->num_files = n;
    if (!n) {
        fprintf(stderr, "lcc sweep: %s: no media files\n", data);
        return 2;
    }
    return 0;
}

static double denominator(const LccMedia *const m)
{
    switch (m->modality) {
    case LCC_MODALITY_IMAGE: return (double)m->image.width * m->image.height;
    case LCC_MODALITY_VIDEO: return (double)m->video.width * m->video.height * m->video.frames;
    case LCC_MODALITY_AUDIO: return m->audio.sample_rate ? (double)m->audio.frames / m->audio.sample_rate : 0;
    default: return 0;
    }
}

/* Read every file once: its geometry, and the modality of the set. Files
 * that do not read, or whose kind differs from the set (modality; images:
 * channels or bit depth; video: chroma or bit depth, where PSNRs of
 * different kinds would be averaged) are skipped with a reason. Audio
 * files may differ in rate and channels (kbit/s and SNR still average). */
static int probe_files(Sweep *const s)
{
    LccContext *c;
    if (lcc_open(&c, NULL))
        return 4;
    int count[4] = { 0 };
    for (int i = 0; i < s->num_files; i++) {
        SweepFile *const f = &s->files[i];
        LccMedia m = { 0 };
        lcc_clear_error(c);
        const lcc_status err = lcc_media_read(c, f->path, &m);
        if (err) {
            snprintf(f->reason, sizeof(f->reason), "unreadable: %s", *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
            continue;
        }
        f->geo = m;
        f->geo.image.data = NULL;
        f->geo.video.data = NULL;
        f->geo.audio.data = NULL;
        lcc_media_free(&m);
        f->denom = denominator(&f->geo);
        if (!(f->denom > 0)) {
            snprintf(f->reason, sizeof(f->reason), "empty media");
            continue;
        }
        f->ok = 1;
        if (f->geo.modality >= 1 && f->geo.modality <= 3)
            count[f->geo.modality]++;
    }
    lcc_close(&c);
    s->mod = LCC_MODALITY_NONE;
    for (int m = 1; m <= 3; m++)
        if (count[m] > (s->mod ? count[s->mod] : 0))
            s->mod = (LccModality)m;
    const SweepFile *first = NULL;
    for (int i = 0; i < s->num_files; i++) {
        SweepFile *const f = &s->files[i];
        if (!f->ok)
            continue;
        if (f->geo.modality != s->mod) {
            f->ok = 0;
            snprintf(f->reason, sizeof(f->reason), "mixed set: %s among %s files", lcc_modality_name(f->geo.modality),
                     lcc_modality_name(s->mod));
            continue;
        }
        if (!first) {
            first = f;
            continue;
        }
        const LccMedia *const a = &first->geo, *const b = &f->geo;
        char what[160] = "";
        if (s->mod == LCC_MODALITY_IMAGE && (a->image.channels != b->image.channels || a->image.bit_depth != b->image.bit_depth))
            snprintf(what, sizeof(what), "%u channels, %u bit (the set: %u channels, %u bit, as %s)", b->image.channels,
                     b->image.bit_depth, a->image.channels, a->image.bit_depth, first->name);
        else if (s->mod == LCC_MODALITY_VIDEO && (a->video.chroma != b->video.chroma || a->video.bit_depth != b->video.bit_depth))
            snprintf(what, sizeof(what), "chroma %d, %u bit (the set: chroma %d, %u bit, as %s)", (int)b->video.chroma,
                     b->video.bit_depth, (int)a->video.chroma, a->video.bit_depth, first->name);
        if (what[0]) {
            f->ok = 0;
            snprintf(f->reason, sizeof(f->reason), "mixed set: %s", what);
        }
    }
    int usable = 0;
    for (int i = 0; i < s->num_files; i++) {
        if (s->files[i].ok)
            usable++;
        else if (!s->o->quiet)
            fprintf(stderr, "lcc sweep: %s: skipped: %s\n", s->files[i].path, s->files[i].reason);
    }
    if (!usable) {
        fprintf(stderr, "lcc sweep: no usable input file in %s\n", s->o->data);
        return 2;
    }
    return 0;
}

/* ---- codecs ----------------------------------------------------------------- */

static int parse_list(const char *str, int *const v, const int max)
{
    int n = 0;
    while (str && *str) {
        char *end;
        const long x = strtol(str, &end, 10);
        if (end == str || x < -1000000 || x > 1000000 || n >= max || (*end && *end != ','))
            return -1;
        v[n++] = (int)x;
        str = *end ? end + 1 : end;
    }
    return n;
}

static int in_list(const char *const list, const char *const name)
{
    const size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const size_t l = strcspn(p, ",");
        if (l == len && !strncmp(p, name, len))
            return 1;
        p += l;
        if (*p)
            p++;
    }
    return 0;
}

static SweepCodec *add_codec(Sweep *const s, const char *const name, const SweepKind kind)
{
    if (s->num_codecs >= SWEEP_MAX_CODECS) {
        fprintf(stderr, "lcc sweep: more than %d codecs; %s ignored\n", SWEEP_MAX_CODECS, name);
        return NULL;
    }
    SweepCodec *const k = &s->codecs[s->num_codecs++];
    memset(k, 0, sizeof(*k));
    snprintf(k->name, sizeof(k->name), "%s", name);
    k->kind = kind;
    k->ok = 1;
    return k;
}

/* A profile run with another model may have fewer quality levels than
 * the profile lists (the factorized wavelet-ae image model: 8 of 10):
 * each of k's qualities is tried on a small image, and those the encoder
 * rejects as invalid are left out (other failures stay, to be reported
 * with the points). Images only. */
static void model_qualities(const Sweep *const s, SweepCodec *const k)
{
    if (s->mod != LCC_MODALITY_IMAGE || !k->model[0])
        return;
    LccSettings set;
    lcc_default_settings(&set);
    set.threads = 1;
    set.model_dir = s->o->model_dir;
    LccContext *c = NULL;
    LccMedia m = { .modality = LCC_MODALITY_IMAGE };
    m.image = (LccImage){ 16, 16, 3, 8, NULL };
    if (lcc_open(&c, &set) || lcc_media_alloc(&m, NULL)) {
        lcc_close(&c);
        return;
    }
    for (size_t i = 0; i < (size_t)16 * 16 * 3; i++)
        m.image.data[i] = (uint16_t)(i * 7 % 256);
    int n = 0;
    for (int j = 0; j < k->nq; j++) {
        LccEncodeParams ep;
        lcc_default_encode_params(&ep);
        ep.profile = k->profile;
        ep.model = k->model;
        ep.quality = k->q[j];
        uint8_t *buf = NULL;
        size_t size = 0;
        if (lcc_encode(c, &m, &ep, &buf, &size) != LCC_EINVAL)
            k->q[n++] = k->q[j];
        free(buf);
    }
    k->nq = n;
    lcc_media_free(&m);
    lcc_close(&c);
}

static int setup_codecs(Sweep *const s)
{
    const SweepOptions *const o = s->o;
    int qlist[SWEEP_MAX_POINTS], nql = -1;
    if (o->qualities && (nql = parse_list(o->qualities, qlist, SWEEP_MAX_POINTS)) < 1) {
        fprintf(stderr, "lcc sweep: bad --quality list '%s'\n", o->qualities);
        return 1;
    }
    /* profiles */
    if (!o->profiles || strcmp(o->profiles, "none")) {
        if (o->profiles) {
            for (const char *p = o->profiles; *p;) {
                const size_t l = strcspn(p, ",");
                char name[64];
                snprintf(name, sizeof(name), "%.*s", (int)(l < 63 ? l : 63), p);
                p += l;
                if (*p)
                    p++;
                if (!name[0])
                    continue;
                SweepCodec *const k = add_codec(s, name, SWEEP_PROFILE);
                if (!k)
                    break;
                /* "profile:model-file" measures a profile with another model,
                 * "...+no-rdoq" with nearest rounding, "...+refine=N" with
                 * encoder-side latent refinement */
                char base[64];
                snprintf(base, sizeof(base), "%s", name);
                char *const nr = strstr(base, "+no-rdoq");
                if (nr) {
                    k->no_rdoq = 1;
                    memmove(nr, nr + 8, strlen(nr + 8) + 1);
                }
                char *const plus = strstr(base, "+refine=");
                if (plus) {
                    k->refine = atoi(plus + 8);
                    *plus = 0;
                }
                const size_t pl = strcspn(base, ":");
                snprintf(k->profile, sizeof(k->profile), "%.*s", (int)pl, base);
                snprintf(k->model, sizeof(k->model), "%s", base[pl] ? base + pl + 1 : "");
                const LccProfileInfo *const pi = lcc_profile_find(k->profile, s->mod);
                if (!pi) {
                    k->ok = 0;
                    snprintf(k->reason, sizeof(k->reason), "no %s profile named '%s' in this build", lcc_modality_name(s->mod), name);
                } else if (!pi->can_encode) {
                    k->ok = 0;
                    snprintf(k->reason, sizeof(k->reason), "profile '%s' cannot encode in this build", name);
                }
            }
        } else {
            for (int i = 0; i < lcc_profile_count(); i++) {
                const LccProfileInfo *const pi = lcc_profile_get(i);
                SweepCodec *k;
                if (pi && pi->modality == s->mod && pi->can_encode && (k = add_codec(s, pi->name, SWEEP_PROFILE)))
                    snprintf(k->profile, sizeof(k->profile), "%s", pi->name);
            }
        }
        for (int i = 0; i < s->num_codecs; i++) {
            SweepCodec *const k = &s->codecs[i];
            const LccProfileInfo *const pi = lcc_profile_find(k->profile, s->mod);
            if (!k->ok || !pi)
                continue;
            snprintf(k->settings, sizeof(k->settings), "lcc %s profile '%s' (%s)%s%s%s%s, in process, 1 thread per job",
                     lcc_version(), pi->name, pi->description ? pi->description : "", k->model[0] ? ", model " : "",
                     k->model, k->refine ? ", encoder-side latent refinement (--refine)" : "",
                     k->no_rdoq ? ", nearest rounding (--no-rdoq)" : "");
            for (int j = 0; j < pi->num_qualities && k->nq < SWEEP_MAX_POINTS; j++) {
                int want = nql < 0;
                for (int t = 0; t < nql && !want; t++)
                    want = qlist[t] == pi->qualities[j];
                if (want)
                    k->q[k->nq++] = pi->qualities[j];
            }
            model_qualities(s, k);
            if (!k->nq) {
                k->ok = 0;
                snprintf(k->reason, sizeof(k->reason), "none of the --quality values is a quality of '%s'", k->name);
            }
        }
    }
    /* anchors */
    if (!o->anchors || strcmp(o->anchors, "none")) {
        for (int i = 0;; i++) {
            const SweepAnchor *const a = sweep_anchor_get(s->mod, i);
            if (!a)
                break;
            if (o->anchors && !in_list(o->anchors, sweep_anchor_name(a)))
                continue;
            SweepCodec *const k = add_codec(s, sweep_anchor_name(a), SWEEP_ANCHOR);
            if (!k)
                break;
            k->anchor = a;
            k->nq = sweep_anchor_default_qualities(a, k->q, SWEEP_MAX_POINTS);
            char version[200] = "";
            if (sweep_anchor_available(a, k->reason, sizeof(k->reason)))
                k->ok = 0;
            else
                sweep_anchor_version(a, s->tmpdir, version, sizeof(version));
            /* the version is part of the settings, hence of the cache key */
            snprintf(k->settings, sizeof(k->settings), "%s%s%s%s", sweep_anchor_settings(a), version[0] ? " [" : "",
                     version, version[0] ? "]" : "");
        }
        for (const char *p = o->anchors; p && *p;) {
            const size_t l = strcspn(p, ",");
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(l < 63 ? l : 63), p);
            if (name[0] && !sweep_anchor_find(name, s->mod)) {
                SweepCodec *const k = add_codec(s, name, SWEEP_ANCHOR);
                if (k) {
                    k->ok = 0;
                    snprintf(k->reason, sizeof(k->reason), "no %s anchor named '%s'", lcc_modality_name(s->mod), name);
                }
            }
            p += l;
            if (*p)
                p++;
        }
    }
    for (int i = 0; i < o->num_anchor_q; i++) {
        const char *const eq = strchr(o->anchor_q[i], '=');
        int found = 0;
        for (int j = 0; eq && j < s->num_codecs; j++) {
            SweepCodec *const k = &s->codecs[j];
            if (k->kind != SWEEP_ANCHOR || strlen(k->name) != (size_t)(eq - o->anchor_q[i]) ||
                strncmp(k->name, o->anchor_q[i], (size_t)(eq - o->anchor_q[i])))
                continue;
            found = 1;
            const int n = parse_list(eq + 1, k->q, SWEEP_MAX_POINTS);
            if (n < 1) {
                fprintf(stderr, "lcc sweep: bad --anchor-quality '%s'\n", o->anchor_q[i]);
                return 1;
            }
            k->nq = n;
        }
        if (!found && !o->quiet)
            fprintf(stderr, "lcc sweep: --anchor-quality %s: no such anchor in this sweep\n", o->anchor_q[i]);
    }
    for (int i = 0; i < s->num_codecs; i++)
        if (!s->codecs[i].ok && !o->quiet)
            fprintf(stderr, "lcc sweep: %s: skipped: %s\n", s->codecs[i].name, s->codecs[i].reason);
    return 0;
}

/* ---- cache ------------------------------------------------------------------ */

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    return h;
}

static uint64_t fnv1a_mix(uint64_t h, const char *p)
{
    for (; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    return h;
}

/* What the lcc profiles' output depends on besides the input: this
 * program (size and time of /proc/self/exe: a rebuild invalidates the
 * cache) and the model files it may load (name, size, time of every
 * *.lccw in the model directories). */
static uint64_t profile_fingerprint(const SweepOptions *const o)
{
    uint64_t h = 0xcbf29ce484222325ull;
    char buf[4400];
    struct stat st;
    if (!stat("/proc/self/exe", &st)) {
        snprintf(buf, sizeof(buf), "exe %lld %lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec);
        h = fnv1a_mix(h, buf);
    }
    const char *dirs[8] = { o->model_dir, NULL, LCC_MODEL_DIR_SOURCE, LCC_MODEL_DIR_INSTALLED };
    char env[4096] = "";
    if (getenv("LCC_MODEL_PATH"))
        snprintf(env, sizeof(env), "%s", getenv("LCC_MODEL_PATH"));
    int nd = 4;
    for (char *p = env, *tok; nd < 8 && (tok = strsep(&p, ":"));)
        if (*tok)
            dirs[nd++] = tok;
    for (int i = 0; i < nd; i++) {
        if (!dirs[i])
            continue;
        h = fnv1a_mix(h, dirs[i]);
        DIR *const d = opendir(dirs[i]);
        char *names[512];
        int n = 0;
        for (struct dirent *e; d && (e = readdir(d)) && n < 512;) {
            const size_t len = strlen(e->d_name);
            if (len > 5 && !strcmp(e->d_name + len - 5, ".lccw") && (names[n] = strdup(e->d_name)))
                n++;
        }
        if (d)
            closedir(d);
        qsort(names, (size_t)n, sizeof(*names), cmp_names);
        for (int k = 0; k < n; k++) {
            snprintf(buf, sizeof(buf), "%s/%s", dirs[i], names[k]);
            if (!stat(buf, &st)) {
                snprintf(buf, sizeof(buf), "|%s %lld %lld.%09ld", names[k], (long long)st.st_size,
                         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
                h = fnv1a_mix(h, buf);
            }
            free(names[k]);
        }
    }
    return h;
}

static void cache_key(const Sweep *const s, const SweepFile *const f, const SweepCodec *const k, const int q,
                      char *const key, const size_t size)
{
    char abs[4096];
    if (!realpath(f->path, abs))
        snprintf(abs, sizeof(abs), "%s", f->path);
    snprintf(key, size, "lcc-sweep-1|%s|%lld|%lld.%09ld|%s|%d|%s|q=%d|%016llx", abs, (long long)f->st.st_size,
             (long long)f->st.st_mtim.tv_sec, f->st.st_mtim.tv_nsec, k->name, (int)k->kind, k->settings, q,
             k->kind == SWEEP_PROFILE ? (unsigned long long)s->profile_fp : 0ull);
}

static void cache_path(const Sweep *const s, const char *const key, char *const path, const size_t size)
{
    snprintf(path, size, "%s/%016llx.txt", s->cachedir, (unsigned long long)fnv1a(key));
}

static int cache_load(const Sweep *const s, const char *const key, SweepPoint *const p)
{
    char path[4200], line[8192];
    cache_path(s, key, path, sizeof(path));
    FILE *const f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = 0;
    if (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strcmp(line, key) && fgets(line, sizeof(line), f)) {
            unsigned long long bytes;
            double v[9];
            if (sscanf(line, "%llu %lf %lf %lf %lf %lf %lf %lf %lf", &bytes, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                       &v[6], &v[7]) == 9) {
                p->bytes = bytes;
                p->rate = v[0];
                for (int m = 0; m < SWEEP_NUM_METRICS; m++)
                    p->metric[m] = v[1 + m];
                p->enc_s = v[6];
                p->dec_s = v[7];
                p->ok = p->done = p->cached = 1;
                ok = 1;
            }
        }
    }
    fclose(f);
    return ok;
}

static void cache_store(const Sweep *const s, const char *const key, const SweepPoint *const p)
{
    char path[4200];
    SweepText t = { 0 };
    cache_path(s, key, path, sizeof(path));
    sweep_text_printf(&t, "%s\n%llu %.17g", key, (unsigned long long)p->bytes, p->rate);
    for (int m = 0; m < SWEEP_NUM_METRICS; m++)
        sweep_text_printf(&t, " %.17g", p->metric[m]);
    sweep_text_printf(&t, " %.17g %.17g\n", p->enc_s, p->dec_s);
    if (!t.failed && lcc_write_file_atomic(NULL, path, t.data, t.size) && !s->o->quiet)
        fprintf(stderr, "lcc sweep: cannot write the cache file %s\n", path);
    sweep_text_free(&t);
}

/* ---- one measurement ---------------------------------------------------------- */

/* Make test comparable with ref: images with a different channel layout
 * (alpha added or dropped, gray decoded as RGB), audio a few frames longer
 * or shorter (codec delay). Returns 0, or -1 with why. */
static int conform(const LccMedia *const ref, LccMedia *const test, char *const why, const size_t whysize)
{
    if (ref->modality != test->modality) {
        snprintf(why, whysize, "decoded %s, expected %s", lcc_modality_name(test->modality), lcc_modality_name(ref->modality));
        return -1;
    }
    if (ref->modality == LCC_MODALITY_IMAGE) {
        const LccImage *const a = &ref->image;
        LccImage *const b = &test->image;
        if (a->width != b->width || a->height != b->height || a->bit_depth != b->bit_depth) {
            snprintf(why, whysize, "decoded %ux%u %u bit, expected %ux%u %u bit", b->width, b->height, b->bit_depth,
                     a->width, a->height, a->bit_depth);
            return -1;
        }
        if (a->channels == b->channels)
            return 0;
        const size_t px = (size_t)a->width * a->height;
        uint16_t *const d = malloc(px * a->channels * sizeof(uint16_t));
        if (!d) {
            snprintf(why, whysize, "out of memory");
            return -1;
        }
        const int ac = (int)a->channels, bc = (int)b->channels;
        const int acol = ac >= 3 ? 3 : 1, bcol = bc >= 3 ? 3 : 1;
        for (size_t i = 0; i < px; i++) {
            for (int k = 0; k < acol; k++)
                d[i * ac + k] = b->data[i * bc + (bcol == 3 ? k : 0)];
            if (ac == 2 || ac == 4) /* alpha is ignored by lcc_compare: take the reference's */
                d[i * ac + ac - 1] = a->data[i * ac + ac - 1];
        }
        free(b->data);
        b->data = d;
        b->channels = a->channels;
        return 0;
    }
    if (ref->modality == LCC_MODALITY_AUDIO) {
        const LccAudio *const a = &ref->audio;
        LccAudio *const b = &test->audio;
        if (a->channels != b->channels || a->sample_rate != b->sample_rate) {
            snprintf(why, whysize, "decoded %u ch %u Hz, expected %u ch %u Hz", b->channels, b->sample_rate, a->channels,
                     a->sample_rate);
            return -1;
        }
        if (b->bit_depth != a->bit_depth) {
            const int sh = (int)a->bit_depth - (int)b->bit_depth;
            for (uint64_t i = 0; i < b->frames * b->channels; i++)
                b->data[i] = sh > 0 ? b->data[i] * (1 << sh) : b->data[i] >> -sh;
            b->bit_depth = a->bit_depth;
        }
        if (a->frames == b->frames)
            return 0;
        const uint64_t diff = a->frames > b->frames ? a->frames - b->frames : b->frames - a->frames;
        if (diff > a->frames / 50 + 2048) {
            snprintf(why, whysize, "decoded %llu frames, expected %llu", (unsigned long long)b->frames,
                     (unsigned long long)a->frames);
            return -1;
        }
        int32_t *const d = calloc((size_t)a->frames * a->channels, sizeof(int32_t));
        if (!d) {
            snprintf(why, whysize, "out of memory");
            return -1;
        }
        memcpy(d, b->data, (size_t)(a->frames < b->frames ? a->frames : b->frames) * a->channels * sizeof(int32_t));
        free(b->data);
        b->data = d;
        b->frames = a->frames;
        return 0;
    }
    return 0;
}

static void measure(Sweep *const s, LccContext *const c, const SweepFile *const f, const LccMedia *const ref,
                    const SweepCodec *const k, const int q, const char *const tmpdir, SweepPoint *const p)
{
    LccMedia dec = { 0 };
    lcc_status err;
    lcc_clear_error(c);
    if (k->kind == SWEEP_PROFILE) {
        LccEncodeParams ep;
        lcc_default_encode_params(&ep);
        ep.profile = k->profile;
        ep.model = k->model[0] ? k->model : NULL;
        ep.refine = k->refine;
        ep.no_rdoq = k->no_rdoq;
        ep.quality = q;
        uint8_t *buf = NULL;
        size_t size = 0;
        const double t0 = now_s();
        err = lcc_encode(c, ref, &ep, &buf, &size);
        const double t1 = now_s();
        if (!err)
            err = lcc_decode(c, buf, size, &dec);
        const double t2 = now_s();
        free(buf);
        p->bytes = size;
        p->enc_s = t1 - t0;
        p->dec_s = t2 - t1;
        if (err)
            snprintf(p->reason, sizeof(p->reason), "%s", *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
    } else {
        err = sweep_anchor_run(c, k->anchor, q, f->path, ref, tmpdir, &p->bytes, &dec, &p->enc_s, &p->dec_s, p->reason,
                               sizeof(p->reason));
    }
    if (!err && conform(ref, &dec, p->reason, sizeof(p->reason)))
        err = LCC_EINVAL;
    LccQuality qm;
    if (!err) {
        lcc_clear_error(c);
        err = lcc_compare(c, ref, &dec, &qm);
        if (err)
            snprintf(p->reason, sizeof(p->reason), "compare: %s", *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
    }
    lcc_media_free(&dec);
    for (int m = 0; m < SWEEP_NUM_METRICS; m++)
        p->metric[m] = NAN;
    p->done = 1;
    if (err)
        return;
    p->ok = 1;
    p->rate = (double)p->bytes * 8 / f->denom / (s->mod == LCC_MODALITY_AUDIO ? 1000 : 1);
    if (s->mod == LCC_MODALITY_AUDIO) {
        p->metric[SWEEP_M_SNR] = qm.snr;
        p->metric[SWEEP_M_SISDR] = qm.si_sdr;
    } else {
        p->metric[SWEEP_M_PSNR] = qm.psnr;
        p->metric[SWEEP_M_PSNR_Y] = qm.psnr_y;
        p->metric[SWEEP_M_MSSSIM] = qm.ms_ssim;
    }
}

static void rm_tree_flat(const char *const dir)
{
    DIR *const d = opendir(dir);
    if (d) {
        for (struct dirent *e; (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[4600];
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Print a failed point, once per run of identical reasons of one codec
 * (a missing model fails every point the same way). */
static void report_failure(Sweep *const s, const SweepFile *const f, SweepCodec *const k, const int q,
                           const char *const reason)
{
    if (s->o->quiet)
        return;
    pthread_mutex_lock(&s->lock);
    if (!strcmp(k->last_failure, reason)) {
        k->repeats++;
    } else {
        fprintf(stderr, "%slcc sweep: %s %s q=%d: %s\n", s->o->progress == 1 ? "\r\033[K" : "", f->name, k->name, q,
                reason);
        snprintf(k->last_failure, sizeof(k->last_failure), "%s", reason);
    }
    pthread_mutex_unlock(&s->lock);
}

static void run_job(Sweep *const s, LccContext *const c, const int job)
{
    const int fi = job / s->num_codecs, ki = job % s->num_codecs;
    const SweepFile *const f = &s->files[fi];
    SweepCodec *const k = &s->codecs[ki];
    if (!f->ok || !k->ok)
        return;
    char keys[SWEEP_MAX_POINTS][5000];
    int todo = 0;
    for (int qi = 0; qi < k->nq; qi++) {
        SweepPoint *const p = point_at(s, fi, ki, qi);
        cache_key(s, f, k, k->q[qi], keys[qi], sizeof(keys[qi]));
        if (!s->o->no_cache && cache_load(s, keys[qi], p)) {
            pthread_mutex_lock(&s->lock);
            s->done_points++;
            s->cached_points++;
            pthread_mutex_unlock(&s->lock);
        } else {
            todo++;
        }
    }
    if (!todo)
        return;
    LccMedia ref = { 0 };
    lcc_clear_error(c);
    lcc_status err = lcc_media_read(c, f->path, &ref);
    char tmpdir[4200];
    snprintf(tmpdir, sizeof(tmpdir), "%s/job-XXXXXX", s->tmpdir);
    char failure[SWEEP_REASON] = "";
    if (err)
        snprintf(failure, sizeof(failure), "cannot read the file again: %s", lcc_last_error(c));
    else if (!mkdtemp(tmpdir)) {
        snprintf(failure, sizeof(failure), "cannot create a directory in %.150s: %s", s->tmpdir, strerror(errno));
        err = LCC_EIO;
    }
    for (int qi = 0; qi < k->nq; qi++) {
        SweepPoint *const p = point_at(s, fi, ki, qi);
        if (p->done)
            continue;
        if (err) {
            p->done = 1;
            snprintf(p->reason, sizeof(p->reason), "%s", failure);
        } else {
            measure(s, c, f, &ref, k, k->q[qi], tmpdir, p);
            if (p->ok)
                cache_store(s, keys[qi], p);
        }
        if (!p->ok)
            report_failure(s, f, k, k->q[qi], p->reason);
        pthread_mutex_lock(&s->lock);
        s->done_points++;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
    }
    if (!err)
        rm_tree_flat(tmpdir);
    lcc_media_free(&ref);
}

static void *worker(void *const arg)
{
    Sweep *const s = arg;
    LccSettings set;
    lcc_default_settings(&set);
    set.threads = 1;
    set.model_dir = s->o->model_dir;
    LccContext *c = NULL;
    const lcc_status err = lcc_open(&c, &set);
    if (err)
        fprintf(stderr, "lcc sweep: a worker cannot create a context: %s\n", lcc_strerror(err));
    for (;;) {
        pthread_mutex_lock(&s->lock);
        const int job = s->next_job < s->num_jobs ? s->next_job++ : -1;
        pthread_mutex_unlock(&s->lock);
        if (job < 0 || err)
            break;
        run_job(s, c, job);
    }
    lcc_close(&c);
    pthread_mutex_lock(&s->lock);
    s->running--;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void fmt_secs(const double t, char *const out, const size_t size)
{
    if (!isfinite(t) || t < 0)
        snprintf(out, size, "?");
    else if (t < 60)
        snprintf(out, size, "%.0fs", t);
    else if (t < 3600)
        snprintf(out, size, "%dm%02ds", (int)t / 60, (int)t % 60);
    else
        snprintf(out, size, "%dh%02dm", (int)t / 3600, (int)t % 3600 / 60);
}

static void progress_line(Sweep *const s, const int final)
{
    const double el = now_s() - s->start;
    const long fresh = s->done_points - s->cached_points;
    const long left = s->total_points - s->done_points;
    char e1[32], e2[32];
    fmt_secs(el, e1, sizeof(e1));
    fmt_secs(fresh > 0 ? el / fresh * left : NAN, e2, sizeof(e2));
    fprintf(stderr, "%ssweep: %ld/%ld points (%.0f%%, %ld cached)  %s elapsed  ETA %s%s",
            s->o->progress == 1 ? "\r\033[K" : "", s->done_points, s->total_points,
            s->total_points ? 100.0 * s->done_points / s->total_points : 100.0, s->cached_points, e1,
            final ? "0s" : e2, final ? "\n" : "");
    fflush(stderr);
}

static int run_jobs(Sweep *const s)
{
    s->num_jobs = s->num_files * s->num_codecs;
    s->total_points = 0;
    for (int i = 0; i < s->num_files; i++)
        for (int k = 0; k < s->num_codecs; k++)
            if (s->files[i].ok && s->codecs[k].ok)
                s->total_points += s->codecs[k].nq;
    int nt = s->o->threads > 0 ? s->o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1)
        nt = 1;
    if (nt > 64)
        nt = 64;
    if (nt > s->num_jobs)
        nt = s->num_jobs > 0 ? s->num_jobs : 1;
    s->threads = nt;
    pthread_t tids[64];
    s->start = now_s();
    int started = 0;
    for (int i = 0; i < nt; i++) {
        pthread_mutex_lock(&s->lock);
        s->running++;
        pthread_mutex_unlock(&s->lock);
        if (pthread_create(&tids[i], NULL, worker, s)) {
            pthread_mutex_lock(&s->lock);
            s->running--;
            pthread_mutex_unlock(&s->lock);
            break;
        }
        started++;
    }
    if (!started) {
        fprintf(stderr, "lcc sweep: cannot start a thread\n");
        return 4;
    }
    long last_decile = 0;
    pthread_mutex_lock(&s->lock);
    while (s->running > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
        if (s->o->progress == 1) {
            progress_line(s, 0);
        } else if (s->o->progress == 2 && s->total_points &&
                   s->done_points * 10 / s->total_points > last_decile && s->done_points < s->total_points) {
            /* not a terminal: one line per 10 % */
            last_decile = s->done_points * 10 / s->total_points;
            progress_line(s, 0);
            fputc('\n', stderr);
        }
    }
    if (s->o->progress)
        progress_line(s, 1);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    return 0;
}

int sweep_run(const SweepOptions *const o)
{
    Sweep *const s = calloc(1, sizeof(*s));
    if (!s)
        return 4;
    s->o = o;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    int rc = 0;
    if (mkdir(o->outdir, 0777) && errno != EEXIST) {
        fprintf(stderr, "lcc sweep: cannot create %s: %s\n", o->outdir, strerror(errno));
        rc = 3;
    }
    snprintf(s->cachedir, sizeof(s->cachedir), "%s/cache", o->outdir);
    snprintf(s->tmpdir, sizeof(s->tmpdir), "%s/tmp", o->outdir);
    if (!rc && ((mkdir(s->cachedir, 0777) && errno != EEXIST) || (mkdir(s->tmpdir, 0777) && errno != EEXIST))) {
        fprintf(stderr, "lcc sweep: cannot create %s: %s\n", s->cachedir, strerror(errno));
        rc = 3;
    }
    if (!rc) {
        /* scratch directories left by an interrupted run */
        DIR *const d = opendir(s->tmpdir);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (!strncmp(e->d_name, "job-", 4)) {
                char p[4400];
                snprintf(p, sizeof(p), "%s/%s", s->tmpdir, e->d_name);
                rm_tree_flat(p);
            }
        }
        if (d)
            closedir(d);
        rc = list_files(s);
    }
    if (!rc)
        rc = probe_files(s);
    if (!rc)
        rc = setup_codecs(s);
    if (!rc) {
        s->maxq = 1;
        for (int k = 0; k < s->num_codecs; k++)
            s->maxq = s->codecs[k].nq > s->maxq ? s->codecs[k].nq : s->maxq;
        s->points = calloc((size_t)s->num_files * (size_t)(s->num_codecs ? s->num_codecs : 1) * (size_t)s->maxq,
                           sizeof(*s->points));
        if (!s->points)
            rc = 4;
    }
    if (!rc)
        s->profile_fp = profile_fingerprint(o);
    const double t0 = now_s();
    if (!rc)
        rc = run_jobs(s);
    if (!rc)
        rc = sweep_write_outputs(s, now_s() - t0);
    rmdir(s->tmpdir);
    if (!rc) {
        long ok = 0, failed = 0;
        for (int fi = 0; fi < s->num_files; fi++)
            for (int ki = 0; ki < s->num_codecs; ki++)
                for (int qi = 0; qi < s->codecs[ki].nq; qi++) {
                    const SweepPoint *const p = point_at(s, fi, ki, qi);
                    ok += p->done && p->ok;
                    failed += p->done && !p->ok;
                }
        for (int ki = 0; ki < s->num_codecs && !o->quiet; ki++)
            if (s->codecs[ki].repeats)
                fprintf(stderr, "lcc sweep: %s: %ld more points failed with the same reason as printed\n",
                        s->codecs[ki].name, s->codecs[ki].repeats);
        if (!o->quiet)
            fprintf(stderr, "lcc sweep: %ld points measured (%ld from the cache), %ld failed; results in %s\n", ok,
                    s->cached_points, failed, o->outdir);
        if (!ok) {
            fprintf(stderr, "lcc sweep: nothing was measured (see the reasons above and in results.json)\n");
            rc = 2;
        }
    }
    for (int i = 0; i < s->num_files; i++)
        free(s->files[i].path);
    free(s->files);
    free(s->points);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
    return rc;
}
