/* lcc latents IN -o OUT.npy */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "Usage: lcc latents IN -o OUT.npy [-q N]\n"
    "Write the quantized latent tensor of an image as a NumPy .npy file (int32,\n"
    "shape (channels, height, width)): the input of compressed-domain learning\n"
    "(WaLLoC). IN is an .lcc file of a profile with a latent (wavelet-ae), which\n"
    "is entropy-decoded only, or an image, which is encoded with wavelet-ae first.\n"
    "  -o, --output F   the .npy file (written atomically)\n"
    "  -q, --quality N  quality level when IN is an image (default: the profile's)\n";

/* .npy version 1.0: magic, version, header length, a Python dict padded
 * with spaces to a multiple of 64 bytes, then the little-endian data. */
static lcc_status write_npy(LccContext *const c, const char *const path, const int32_t *const v,
                            const uint32_t shape[3])
{
    char dict[160];
    int n = snprintf(dict, sizeof(dict), "{'descr': '<i4', 'fortran_order': False, 'shape': (%u, %u, %u), }",
                     shape[0], shape[1], shape[2]);
    const size_t total = ((size_t)10 + (size_t)n + 1 + 63) / 64 * 64;
    const size_t hlen = total - 10;
    const size_t count = (size_t)shape[0] * shape[1] * shape[2];
    uint8_t *const buf = malloc(total + 4 * count);
    if (!buf)
        return LCC_ENOMEM;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (uint8_t)hlen;
    buf[9] = (uint8_t)(hlen >> 8);
    memset(buf + 10, ' ', hlen);
    memcpy(buf + 10, dict, (size_t)n);
    buf[total - 1] = '\n';
    for (size_t i = 0; i < count; i++) {
        const uint32_t u = (uint32_t)v[i];
        uint8_t *const p = buf + total + 4 * i;
        p[0] = (uint8_t)u;
        p[1] = (uint8_t)(u >> 8);
        p[2] = (uint8_t)(u >> 16);
        p[3] = (uint8_t)(u >> 24);
    }
    const lcc_status err = lcc_write_file_atomic(c, path, buf, total + 4 * count);
    free(buf);
    return err;
}

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    const char *in = NULL, *out = NULL;
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "wavelet-ae";
    for (int i = 0; i < argc; i++) {
        const char *const a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc)
            out = argv[++i];
        else if ((!strcmp(a, "-q") || !strcmp(a, "--quality")) && i + 1 < argc) {
            if (cli_parse_int(argv[++i], &p.quality))
                return cli_usage_error("latents", "invalid quality '%s'", argv[i]);
        } else if (a[0] == '-' && a[1])
            return cli_usage_error("latents", "unknown option or missing value: '%s'", a);
        else if (!in)
            in = a;
        else
            return cli_usage_error("latents", "unexpected argument '%s'", a);
    }
    if (!in || !out)
        return cli_usage_error("latents", "needs an input and -o OUT.npy");
    if (!strcmp(in, out) || cli_same_file(in, out))
        return cli_usage_error("latents", "the output '%s' is the input; refusing to overwrite it", out);
    LccContext *c;
    int rc = cli_open(g, "latents", &c);
    if (rc)
        return rc;
    uint8_t *buf = NULL;
    size_t size = 0;
    int32_t *lat = NULL;
    uint32_t shape[3];
    LccMedia m = { 0 };
    lcc_status err = lcc_read_file(c, in, (size_t)1 << 32, &buf, &size);
    static const uint8_t magic[8] = { 0x8b, 'L', 'C', 'C', '\r', '\n', 0x1a, '\n' };
    if (!err && (size < 8 || memcmp(buf, magic, 8))) {
        /* an image: encode it first */
        free(buf);
        buf = NULL;
        if (!(err = lcc_media_read(c, in, &m)))
            err = lcc_encode(c, &m, &p, &buf, &size);
    }
    if (!err)
        err = lcc_decode_latents(c, buf, size, &lat, shape);
    if (!err)
        err = write_npy(c, out, lat, shape);
    if (err)
        rc = cli_fail("latents", c, err, in);
    else if (g->json)
        printf("{\"input\": \"%s\", \"output\": \"%s\", \"shape\": [%u, %u, %u]}\n", in, out, shape[0], shape[1],
               shape[2]);
    else if (!g->quiet)
        printf("%s -> %s: latent tensor %u x %u x %u (int32)\n", in, out, shape[0], shape[1], shape[2]);
    free(buf);
    free(lat);
    lcc_media_free(&m);
    lcc_close(&c);
    return rc;
}

const CliCommand cli_latents = { "latents", "export the quantized latent tensor as .npy", usage_text, run };
