/* Placeholder until media I/O lands. */
#include "libcodec/internal.h"

lcc_status lcc_media_read(LccContext *const c, const char *const path, LccMedia *const out)
{
    (void)out;
    return lcc_error(c, LCC_ENOTSUP, "%s: media reading is not implemented yet", path);
}

lcc_status lcc_media_write(LccContext *const c, const char *const path, const LccMedia *const m)
{
    (void)m;
    return lcc_error(c, LCC_ENOTSUP, "%s: media writing is not implemented yet", path);
}
