/* lcc: error convention and shared attributes of the public API. */
#ifndef LCC_COMMON_H
#define LCC_COMMON_H

#include <errno.h>

#if defined(__GNUC__) || defined(__clang__)
#define LCC_API __attribute__((visibility("default")))
#define LCC_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define LCC_API
#define LCC_WARN_UNUSED
#endif

/* Every call returns an lcc_status: 0 on success, a negative error code on
 * failure. Codes are negative errno values where one fits, plus a few of our
 * own below -1000. */
typedef int lcc_status;

#define LCC_OK 0
#define LCC_ERR(e) (-(e))
#define LCC_EINVAL LCC_ERR(EINVAL)     /* invalid argument (caller's fault) */
#define LCC_ENOMEM LCC_ERR(ENOMEM)     /* out of memory */
#define LCC_ENOTSUP LCC_ERR(ENOTSUP)   /* valid, but not supported by this build */
#define LCC_EIO LCC_ERR(EIO)           /* read/write error on a file */
#define LCC_ENOENT LCC_ERR(ENOENT)     /* file (or model) not found */
#define LCC_EBADMSG LCC_ERR(EBADMSG)   /* corrupt or truncated stream/file */
#define LCC_ERANGE LCC_ERR(ERANGE)     /* a size exceeds a limit */
#define LCC_EINTERNAL (-1001)          /* a bug: an internal invariant failed */
#define LCC_EMODEL (-1002)             /* model missing or mismatched */
#define LCC_EFORMAT (-1003)            /* unrecognised or unsupported file format */

/* A static, human-readable description of an error code. Never NULL. */
LCC_API const char *lcc_strerror(lcc_status err);

#endif /* LCC_COMMON_H */
