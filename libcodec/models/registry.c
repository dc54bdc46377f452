/* Finding model weight files by name or id (registry.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "libcodec/models/registry.h"

/* Call fn(dir, opaque) for each directory of the search path until it
 * returns nonzero; returns that value (0 if none did). */
static int each_dir(LccContext *const c, int (*const fn)(const char *dir, void *opaque), void *const opaque)
{
    int r;
    if (c && c->settings.model_dir && (r = fn(c->settings.model_dir, opaque)))
        return r;
    const char *const env = getenv("LCC_MODEL_PATH");
    if (env) {
        char dir[4096];
        for (const char *p = env; *p;) {
            const char *const end = strchr(p, ':');
            const size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n && n < sizeof(dir)) {
                memcpy(dir, p, n);
                dir[n] = 0;
                if ((r = fn(dir, opaque)))
                    return r;
            }
            p += n + (end != NULL);
        }
    }
    if ((r = fn(LCC_MODEL_DIR_SOURCE, opaque)))
        return r;
    return fn(LCC_MODEL_DIR_INSTALLED, opaque);
}

typedef struct Search {
    LccContext *c;
    const char *name;
    const uint8_t *id;
    uint8_t *data;
    size_t size;
    lcc_status err;
} Search;

static int try_file(Search *const s, const char *const path)
{
    FILE *const f = fopen(path, "rb");
    if (!f)
        return 0;
    if (s->id) {
        uint8_t head[20];
        const int match = fread(head, 1, 20, f) == 20 && !memcmp(head, "LCCW", 4) &&
                          !memcmp(head + 12, s->id, LCC_MODEL_ID_BYTES);
        fclose(f);
        if (!match)
            return 0;
    } else {
        fclose(f);
    }
    s->err = lcc_read_file(s->c, path, LCC_MAX_MODEL_BYTES, &s->data, &s->size);
    return 1;
}

static int by_name(const char *const dir, void *const opaque)
{
    Search *const s = opaque;
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, s->name) >= (int)sizeof(path))
        return 0;
    return try_file(s, path);
}

static int by_id(const char *const dir, void *const opaque)
{
    Search *const s = opaque;
    DIR *const d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char path[4096];
        if (e->d_name[0] == '.' || !lcc_has_ext(e->d_name, "lccw") ||
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            continue;
        found = try_file(s, path);
    }
    closedir(d);
    return found;
}

lcc_status lcc_model_load_name(LccContext *const c, const char *const name, uint8_t **const data,
                               size_t *const size)
{
    Search s = { c, name, NULL, NULL, 0, LCC_OK };
    *data = NULL;
    *size = 0;
    if (!each_dir(c, by_name, &s))
        return lcc_error(c, LCC_EMODEL, "model file %s is not installed (searched --model-dir, LCC_MODEL_PATH, %s, %s)",
                         name, LCC_MODEL_DIR_SOURCE, LCC_MODEL_DIR_INSTALLED);
    *data = s.data;
    *size = s.size;
    return s.err;
}

lcc_status lcc_model_load_id(LccContext *const c, const uint8_t id[LCC_MODEL_ID_BYTES], uint8_t **const data,
                             size_t *const size)
{
    Search s = { c, NULL, id, NULL, 0, LCC_OK };
    *data = NULL;
    *size = 0;
    if (!each_dir(c, by_id, &s)) {
        char hex[2 * LCC_MODEL_ID_BYTES + 1];
        for (int i = 0; i < LCC_MODEL_ID_BYTES; i++)
            snprintf(hex + 2 * i, 3, "%02x", id[i]);
        return lcc_error(c, LCC_EMODEL, "model %s not installed (searched --model-dir, LCC_MODEL_PATH, %s, %s)", hex,
                         LCC_MODEL_DIR_SOURCE, LCC_MODEL_DIR_INSTALLED);
    }
    *data = s.data;
    *size = s.size;
    return s.err;
}
