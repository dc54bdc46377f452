/* Finding pc weight files: by model id (decoder) or by geometry (encoder).
 * Directories searched, in order: the context's model_dir, each entry of
 * $LCC_MODEL_PATH (colon-separated), the source tree's models/ and the
 * installed models directory. Files are named pc-*.lccw. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "entropy/pc/pc_find.h"
#include "libcodec/sha256.h"

#define PC_MAX_MODEL_BYTES ((size_t)64 << 20)

typedef int (*VisitFn)(void *opaque, const char *path);

/* Call fn on every pc-*.lccw in dir, in name order; stop when fn returns
 * nonzero and return that. */
static int visit_dir(const char *const dir, const VisitFn fn, void *const opaque)
{
    DIR *const d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    const struct dirent *de;
    while ((de = readdir(d))) {
        const size_t len = strlen(de->d_name);
        if (len < 8 || strncmp(de->d_name, "pc-", 3) || strcmp(de->d_name + len - 5, ".lccw"))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **const nn = realloc(names, cap * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
        }
        const size_t dl = strlen(dir);
        char *const p = malloc(dl + len + 2);
        if (!p)
            break;
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, de->d_name, len + 1);
        names[n++] = p;
    }
    closedir(d);
    /* Name order (insertion sort: a handful of files). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *const t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        if (!r)
            r = fn(opaque, names[i]);
        free(names[i]);
    }
    free(names);
    return r;
}

static int visit_all(LccContext *const c, const VisitFn fn, void *const opaque)
{
    int r = 0;
    if (c && c->settings.model_dir && (r = visit_dir(c->settings.model_dir, fn, opaque)))
        return r;
    const char *const env = getenv("LCC_MODEL_PATH");
    if (env) {
        char *const copy = strdup(env);
        if (copy) {
            char *save = NULL;
            for (char *t = strtok_r(copy, ":", &save); t && !r; t = strtok_r(NULL, ":", &save))
                r = visit_dir(t, fn, opaque);
            free(copy);
            if (r)
                return r;
        }
    }
    if ((r = visit_dir(LCC_MODEL_DIR_SOURCE, fn, opaque)))
        return r;
    return visit_dir(LCC_MODEL_DIR_INSTALLED, fn, opaque);
}

typedef struct FindCtx {
    LccContext *c;
    const uint8_t *id;
    const char *name;         /* match the file name instead of id or size */
    uint32_t width, height;
    PcModel *models;
    int count, max;
} FindCtx;

static int visit(void *const opaque, const char *const path)
{
    FindCtx *const f = opaque;
    if (f->name) {
        const char *const sl = strrchr(path, '/');
        if (strcmp(sl ? sl + 1 : path, f->name))
            return 0;
    }
    /* The header first: files of other formats (the wavelet-ae weights)
     * and, when searching by frame size, pc models of another size are
     * skipped without reading (and parsing) them whole. */
    uint8_t head[36];
    FILE *const fp = fopen(path, "rb");
    const int got = fp && fread(head, 1, sizeof(head), fp) == sizeof(head);
    if (fp)
        fclose(fp);
    if (!got || memcmp(head, "LCCPCW1\n", 8))
        return 0;
    if (!f->id && !f->name &&
        (lcc_rl32(head + 28) != f->width || lcc_rl32(head + 32) != f->height || lcc_rl32(head + 16) != 256))
        return 0;
    uint8_t *buf = NULL;
    size_t size = 0;
    /* A file we cannot read is skipped, not an error: another may match. */
    LccContext *quiet = NULL;
    if (lcc_open(&quiet, NULL))
        return 0;
    const lcc_status err = lcc_read_file(quiet, path, PC_MAX_MODEL_BYTES, &buf, &size);
    lcc_close(&quiet);
    if (err)
        return 0;
    if (f->id) {
        uint8_t sha[32];
        lcc_sha256(buf, size, sha);
        if (memcmp(sha, f->id, 8)) {
            free(buf);
            return 0;
        }
    }
    PcModel m;
    char msg[160];
    const int e = pc_model_parse(&m, buf, size, msg, sizeof(msg));
    free(buf);
    if (e) {
        if (f->id || f->name) {   /* the id or name matched: the file is ours but damaged */
            lcc_error(f->c, e, "model %s: %s", path, msg);
            return 1;
        }
        return 0;
    }
    if (!f->id && !f->name && (m.width != f->width || m.height != f->height || m.nsyms != 256)) {
        pc_model_free(&m);
        return 0;
    }
    f->models[f->count++] = m;
    return f->id || f->name || f->count == f->max;
}

lcc_status pc_model_find_id(LccContext *const c, const uint8_t id[8], PcModel *const out)
{
    memset(out, 0, sizeof(*out));
    FindCtx f = { c, id, NULL, 0, 0, out, 0, 1 };
    visit_all(c, visit, &f);
    if (f.count)
        return LCC_OK;
    if (c && c->first_error)
        return c->first_error;
    return lcc_error(c, LCC_EMODEL,
                     "pc model %02x%02x%02x%02x%02x%02x%02x%02x not installed (searched the model "
                     "directory, $LCC_MODEL_PATH, %s, %s)",
                     id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], LCC_MODEL_DIR_SOURCE,
                     LCC_MODEL_DIR_INSTALLED);
}

int pc_model_find_size(LccContext *const c, const uint32_t width, const uint32_t height, PcModel *const out,
                       const int max)
{
    FindCtx f = { c, NULL, NULL, width, height, out, 0, max };
    visit_all(c, visit, &f);
    return f.count;
}

int pc_model_find_name(LccContext *const c, const char *const name, PcModel *const out)
{
    memset(out, 0, sizeof(*out));
    const char *const sl = strrchr(name, '/');
    FindCtx f = { c, NULL, sl ? sl + 1 : name, 0, 0, out, 0, 1 };
    if (sl) {
        visit(&f, name);
    } else {
        visit_all(c, visit, &f);
    }
    if (!f.count && c && !c->first_error)
        lcc_error(c, LCC_EMODEL, "pc model file %s not found or not a pc model", name);
    return f.count;
}
