/* Whole-file reads and atomic writes (temporary file + rename; devices and
 * pipes in place). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcodec/internal.h"

lcc_status lcc_tmp_create(LccContext *const c, const char *const path, int *const fd, char **const tmp)
{
    *fd = -1;
    *tmp = NULL;
    if (!path || !*path)
        return lcc_error(c, LCC_EINVAL, "empty output path");
    /* an existing device or pipe (-o /dev/null, a FIFO) is written in
     * place: renaming a file over it would replace the device node */
    struct stat st;
    if (!stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        const int f = open(path, O_WRONLY);
        if (f < 0) {
            const int e = errno;
            return lcc_error(c, LCC_EIO, "%s: cannot open output: %s", path, strerror(e));
        }
        if (!(*tmp = calloc(1, 1))) {
            close(f);
            return lcc_error(c, LCC_ENOMEM, "out of memory");
        }
        *fd = f;
        return LCC_OK;
    }
    const size_t n = strlen(path);
    char *const t = malloc(n + 16);
    if (!t)
        return lcc_error(c, LCC_ENOMEM, "out of memory");
    /* ".name.XXXXXX" beside the target; the leading dot hides it. */
    const char *const slash = strrchr(path, '/');
    const size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    memcpy(t, path, dir);
    snprintf(t + dir, n + 16 - dir, ".%s.XXXXXX", path + dir);
    const int f = mkstemp(t);
    if (f < 0) {
        const int e = errno;
        free(t);
        return lcc_error(c, e == ENOENT ? LCC_ENOENT : LCC_EIO, "%s: cannot create output: %s", path,
                         strerror(e));
    }
    fchmod(f, 0666 & ~(mode_t)0022);
    *fd = f;
    *tmp = t;
    return LCC_OK;
}

void lcc_tmp_abort(char **const tmp)
{
    if (!tmp || !*tmp)
        return;
    if (**tmp)
        unlink(*tmp);
    free(*tmp);
    *tmp = NULL;
}

lcc_status lcc_tmp_commit(LccContext *const c, char **const tmp, const char *const path)
{
    if (!tmp || !*tmp)
        return lcc_error(c, LCC_EINTERNAL, "commit without a temporary file");
    if (!**tmp) { /* written in place */
        free(*tmp);
        *tmp = NULL;
        return LCC_OK;
    }
    const int f = open(*tmp, O_RDONLY);
    if (f >= 0) {
        fsync(f);
        close(f);
    }
    if (rename(*tmp, path)) {
        const int e = errno;
        lcc_tmp_abort(tmp);
        return lcc_error(c, LCC_EIO, "%s: cannot rename output into place: %s", path, strerror(e));
    }
    free(*tmp);
    *tmp = NULL;
    return LCC_OK;
}

lcc_status lcc_write_file_atomic(LccContext *const c, const char *const path, const void *const buf,
                                 const size_t size)
{
    int fd;
    char *tmp;
    lcc_status err = lcc_tmp_create(c, path, &fd, &tmp);
    if (err)
        return err;
    const uint8_t *p = buf;
    size_t left = size;
    while (left) {
        const ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            const int e = errno;
            close(fd);
            lcc_tmp_abort(&tmp);
            return lcc_error(c, LCC_EIO, "%s: write failed: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd)) {
        lcc_tmp_abort(&tmp);
        return lcc_error(c, LCC_EIO, "%s: write failed", path);
    }
    return lcc_tmp_commit(c, &tmp, path);
}

lcc_status lcc_read_file(LccContext *const c, const char *const path, const size_t max_size,
                         uint8_t **const buf, size_t *const size)
{
    *buf = NULL;
    *size = 0;
    FILE *const f = fopen(path, "rb");
    if (!f)
        return lcc_error(c, errno == ENOENT ? LCC_ENOENT : LCC_EIO, "%s: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    uint8_t *data = NULL;
    lcc_status err = LCC_OK;
    for (;;) {
        if (n == cap) {
            if (cap >= max_size) {
                err = lcc_error(c, LCC_ERANGE, "%s: larger than the limit of %zu bytes", path, max_size);
                break;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max_size)
                ncap = max_size;
            uint8_t *const d = realloc(data, ncap + 1);
            if (!d) {
                err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
                break;
            }
            data = d;
            cap = ncap;
        }
        const size_t r = fread(data + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                err = lcc_error(c, LCC_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (err) {
        free(data);
        return err;
    }
    *buf = data ? data : malloc(1);
    *size = n;
    return *buf ? LCC_OK : lcc_error(c, LCC_ENOMEM, "out of memory");
}
