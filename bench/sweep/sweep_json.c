/* A small bounded JSON reader for result files, the text buffer used by
 * the writers, and the loader of CompressAI-layout curves. */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/sweep/sweep.h"

/* ---- text buffer ---------------------------------------------------------- */

void sweep_text_printf(SweepText *const t, const char *const fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const size_t room = t->cap - t->size;
        const int n = vsnprintf(t->data ? t->data + t->size : NULL, t->data ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->data && (size_t)n < room) {
            t->size += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap - t->size <= (size_t)n) {
            if (cap > ((size_t)1 << 30)) {
                t->failed = 1;
                return;
            }
            cap *= 2;
        }
        char *const p = realloc(t->data, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->data = p;
        t->cap = cap;
    }
}

void sweep_text_json_string(SweepText *const t, const char *s)
{
    sweep_text_printf(t, "\"");
    for (; s && *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            sweep_text_printf(t, "\\%c", ch);
        else if (ch < 0x20)
            sweep_text_printf(t, "\\u%04x", ch);
        else
            sweep_text_printf(t, "%c", ch);
    }
    sweep_text_printf(t, "\"");
}

void sweep_text_json_number(SweepText *const t, const double v)
{
    if (isfinite(v))
        sweep_text_printf(t, "%.17g", v);
    else
        sweep_text_printf(t, "null");
}

void sweep_text_free(SweepText *const t)
{
    free(t->data);
    memset(t, 0, sizeof(*t));
}

/* ---- JSON reader ------------------------------------------------------------ */

typedef struct Parser {
    const char *p, *end;
    int depth;
    long values;
    char *err;
    size_t errsize;
    int failed;
} Parser;

static void fail(Parser *const ps, const char *const what)
{
    if (!ps->failed && ps->err && ps->errsize)
        snprintf(ps->err, ps->errsize, "%s", what);
    ps->failed = 1;
}

static void skip_ws(Parser *const ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static char *parse_string(Parser *const ps)
{
    /* ps->p at the opening quote; escapes other than \uXXXX kept simple:
     * \u becomes '?' for non-ASCII. */
    const char *q = ++ps->p;
    size_t len = 0;
    while (q < ps->end && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
        len++;
    }
    if (q >= ps->end) {
        fail(ps, "unterminated string");
        return NULL;
    }
    char *const s = malloc(len + 1);
    if (!s) {
        fail(ps, "out of memory");
        return NULL;
    }
    size_t k = 0;
    while (ps->p < q) {
        char ch = *ps->p++;
        if (ch == '\\' && ps->p < q) {
            const char e = *ps->p++;
            switch (e) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'u': {
                unsigned v = 0;
                int i = 0;
                for (; i < 4 && ps->p < q; i++, ps->p++) {
                    const char h = *ps->p;
                    v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : (h | 32) >= 'a' && (h | 32) <= 'f' ? (h | 32) - 'a' + 10 : 0);
                }
                ch = v < 0x80 && v >= 0x20 ? (char)v : '?';
                break;
            }
            default: ch = e; break;
            }
        }
        s[k++] = ch;
    }
    s[k] = 0;
    ps->p = q + 1;
    return s;
}

static SweepJson *parse_value(Parser *const ps);

static SweepJson *new_node(Parser *const ps, const SweepJsonType type)
{
    if (++ps->values > (1L << 20)) {
        fail(ps, "too many values");
        return NULL;
    }
    SweepJson *const j = calloc(1, sizeof(*j));
    if (!j)
        fail(ps, "out of memory");
    else
        j->type = type;
    return j;
}

static SweepJson *parse_container(Parser *const ps, const int object)
{
    SweepJson *const j = new_node(ps, object ? SJ_OBJECT : SJ_ARRAY);
    if (!j)
        return NULL;
    if (++ps->depth > 32) {
        fail(ps, "nested too deeply");
        return j;
    }
    ps->p++;
    skip_ws(ps);
    SweepJson **tail = &j->child;
    if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
        ps->p++;
        ps->depth--;
        return j;
    }
    while (!ps->failed) {
        char *key = NULL;
        skip_ws(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, "expected a member name");
                break;
            }
            key = parse_string(ps);
            skip_ws(ps);
            if (!key || ps->p >= ps->end || *ps->p != ':') {
                free(key);
                fail(ps, "expected ':'");
                break;
            }
            ps->p++;
        }
        SweepJson *const v = parse_value(ps);
        if (!v) {
            free(key);
            break;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
            ps->p++;
            break;
        }
        fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    ps->depth--;
    return j;
}

static SweepJson *parse_value(Parser *const ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, "unexpected end");
        return NULL;
    }
    const char ch = *ps->p;
    if (ch == '{' || ch == '[')
        return parse_container(ps, ch == '{');
    if (ch == '"') {
        SweepJson *const j = new_node(ps, SJ_STRING);
        if (j)
            j->string = parse_string(ps);
        return j;
    }
    static const struct { const char *word; SweepJsonType type; double v; } words[] = {
        { "true", SJ_BOOL, 1 }, { "false", SJ_BOOL, 0 }, { "null", SJ_NULL, 0 },
        { "NaN", SJ_NUMBER, NAN }, { "Infinity", SJ_NUMBER, INFINITY }, { "-Infinity", SJ_NUMBER, -INFINITY },
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        const size_t n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i].word, n)) {
            SweepJson *const j = new_node(ps, words[i].type);
            if (j)
                j->number = words[i].v;
            ps->p += n;
            return j;
        }
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        char buf[64];
        size_t n = 0;
        while (ps->p + n < ps->end && n < sizeof(buf) - 1 && strchr("+-0123456789.eE", ps->p[n]))
            n++;
        memcpy(buf, ps->p, n);
        buf[n] = 0;
        char *e;
        const double v = strtod(buf, &e);
        if (e == buf) {
            fail(ps, "bad number");
            return NULL;
        }
        ps->p += e - buf;
        SweepJson *const j = new_node(ps, SJ_NUMBER);
        if (j)
            j->number = v;
        return j;
    }
    fail(ps, "unexpected character");
    return NULL;
}

SweepJson *sweep_json_parse(const char *const text, const size_t size, char *const err, const size_t errsize)
{
    Parser ps = { text, text + size, 0, 0, err, errsize, 0 };
    SweepJson *j = parse_value(&ps);
    skip_ws(&ps);
    if (!ps.failed && ps.p != ps.end)
        fail(&ps, "trailing characters");
    if (ps.failed) {
        sweep_json_free(j);
        return NULL;
    }
    return j;
}

void sweep_json_free(SweepJson *j)
{
    while (j) {
        SweepJson *const next = j->next;
        sweep_json_free(j->child);
        free(j->string);
        free(j->key);
        free(j);
        j = next;
    }
}

const SweepJson *sweep_json_get(const SweepJson *const o, const char *const key)
{
    if (!o || o->type != SJ_OBJECT)
        return NULL;
    for (const SweepJson *m = o->child; m; m = m->next)
        if (m->key && !strcmp(m->key, key))
            return m;
    return NULL;
}

/* ---- published curves ------------------------------------------------------- */

static int number_list(const SweepJson *const a, double *const v, const int max)
{
    if (!a || a->type != SJ_ARRAY)
        return -1;
    int n = 0;
    for (const SweepJson *e = a->child; e; e = e->next) {
        if (n >= max)
            return -2;
        v[n++] = e->type == SJ_NUMBER ? e->number : NAN;
    }
    return n;
}

int sweep_curve_from_json(const SweepJson *const root, const LccModality mod, SweepCurve *const c,
                          const char **const why)
{
    memset(c, 0, sizeof(*c));
    c->kind = SWEEP_PUBLISHED;
    const SweepJson *const name = sweep_json_get(root, "name");
    const SweepJson *const desc = sweep_json_get(root, "description");
    const SweepJson *const res = sweep_json_get(root, "results");
    if (!res || res->type != SJ_OBJECT) {
        *why = "no \"results\" object";
        return -1;
    }
    if (name && name->type == SJ_STRING)
        snprintf(c->name, sizeof(c->name), "%s", name->string);
    if (desc && desc->type == SJ_STRING)
        snprintf(c->description, sizeof(c->description), "%s", desc->string);
    const int n = number_list(sweep_json_get(res, sweep_rate_key(mod)), c->rate, SWEEP_MAX_POINTS);
    if (n == -2) {
        *why = "more rate points than supported";
        return -1;
    }
    if (n < 1) {
        *why = mod == LCC_MODALITY_AUDIO ? "no \"kbps\" list" : "no \"bpp\" list";
        return -1;
    }
    c->n = n;
    double tmp[SWEEP_MAX_POINTS];
    int any = 0;
    for (int m = 0; m < SWEEP_NUM_METRICS; m++) {
        for (int i = 0; i < n; i++)
            c->metric[m][i] = NAN;
        const char *const key = sweep_metric_key(mod, m);
        if (!key)
            continue;
        if (number_list(sweep_json_get(res, key), tmp, SWEEP_MAX_POINTS) == n) {
            memcpy(c->metric[m], tmp, sizeof(double) * (size_t)n);
            any = 1;
        } else if (m == SWEEP_M_MSSSIM) {
            /* paper-* files give MS-SSIM in dB only */
            char dbkey[64];
            snprintf(dbkey, sizeof(dbkey), "%.*s-db%s", 7, key, key + 7);
            if (number_list(sweep_json_get(res, dbkey), tmp, SWEEP_MAX_POINTS) == n) {
                for (int i = 0; i < n; i++)
                    c->metric[m][i] = 1 - pow(10, -tmp[i] / 10);
                any = 1;
            }
        }
    }
    if (!any) {
        *why = "no quality list for this modality";
        return -1;
    }
    for (int i = 0; i < n; i++) {
        c->quality[i] = NAN;
        c->enc_s[i] = c->dec_s[i] = NAN;
    }
    if (number_list(sweep_json_get(res, "encoding_time"), tmp, SWEEP_MAX_POINTS) == n)
        memcpy(c->enc_s, tmp, sizeof(double) * (size_t)n);
    if (number_list(sweep_json_get(res, "decoding_time"), tmp, SWEEP_MAX_POINTS) == n)
        memcpy(c->dec_s, tmp, sizeof(double) * (size_t)n);
    /* sort the points by rate (insertion sort keeps the arrays parallel) */
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && c->rate[j] < c->rate[j - 1]; j--) {
            double *const cols[] = { c->rate, c->quality, c->enc_s, c->dec_s, c->metric[0], c->metric[1],
                                     c->metric[2], c->metric[3], c->metric[4] };
            for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
                const double t = cols[k][j];
                cols[k][j] = cols[k][j - 1];
                cols[k][j - 1] = t;
            }
        }
    }
    return 0;
}

static int load_one(const char *const path, const LccModality mod, SweepCurve *const c, char *const why,
                    const size_t whysize)
{
    FILE *const f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whysize, "cannot open");
        return -1;
    }
    char *buf = malloc((size_t)1 << 22);
    size_t n = buf ? fread(buf, 1, ((size_t)1 << 22) - 1, f) : 0;
    const int too_big = buf && n == ((size_t)1 << 22) - 1;
    fclose(f);
    if (!buf || too_big) {
        free(buf);
        snprintf(why, whysize, buf ? "larger than 4 MiB" : "out of memory");
        return -1;
    }
    SweepJson *const j = sweep_json_parse(buf, n, why, whysize);
    free(buf);
    if (!j)
        return -1;
    const char *w = "";
    const int r = sweep_curve_from_json(j, mod, c, &w);
    sweep_json_free(j);
    if (r) {
        snprintf(why, whysize, "%s", w);
        return -1;
    }
    const char *const base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const size_t len = strlen(base);
    snprintf(c->source, sizeof(c->source), "%.*s", (int)(len > 5 && !strcmp(base + len - 5, ".json") ? len - 5 : len), base);
    if (!c->name[0])
        snprintf(c->name, sizeof(c->name), "%s", c->source);
    return 0;
}

static int cmp_str(const void *const a, const void *const b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_err(char *const err, const size_t errsize, const char *const path, const char *const why)
{
    const size_t used = strlen(err);
    if (used + 1 < errsize)
        snprintf(err + used, errsize - used, "%s: %s\n", path, why);
}

int sweep_load_published(const char *const path, const LccModality mod, SweepCurve *const curves, int *const n,
                         const int max, char *const err, const size_t errsize)
{
    char why[256];
    struct stat st;
    int added = 0;
    if (errsize)
        err[0] = 0;
    if (stat(path, &st)) {
        add_err(err, errsize, path, "not found");
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (*n >= max) {
            add_err(err, errsize, path, "too many curves");
            return 0;
        }
        if (load_one(path, mod, &curves[*n], why, sizeof(why))) {
            add_err(err, errsize, path, why);
            return 0;
        }
        (*n)++;
        return 1;
    }
    DIR *const d = opendir(path);
    if (!d) {
        add_err(err, errsize, path, "cannot open the directory");
        return 0;
    }
    char *names[1024];
    int k = 0;
    for (struct dirent *e; (e = readdir(d)) && k < 1024;) {
        const size_t len = strlen(e->d_name);
        if (e->d_name[0] != '.' && len > 5 && !strcmp(e->d_name + len - 5, ".json"))
            if ((names[k] = strdup(e->d_name)))
                k++;
    }
    closedir(d);
    qsort(names, (size_t)k, sizeof(*names), cmp_str);
    for (int i = 0; i < k; i++) {
        char full[4096];
        snprintf(full, sizeof(full), "%s/%s", path, names[i]);
        if (*n >= max)
            add_err(err, errsize, full, "too many curves");
        else if (load_one(full, mod, &curves[*n], why, sizeof(why)))
            add_err(err, errsize, full, why);
        else {
            (*n)++;
            added++;
        }
        free(names[i]);
    }
    return added;
}
