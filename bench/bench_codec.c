/* lcc bench codec FILE: encode and decode speed of a profile, median of
 * repeated runs, in megapixels (images, video) or seconds of audio per
 * second, one process, the context's thread count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "lcc/lcc.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int lcc_bench_codec(int argc, char **argv, int json)
{
    const char *file = NULL;
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    int repeat = 5;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            p.profile = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            p.model = argv[++i];
        else if (!strcmp(argv[i], "-q") && i + 1 < argc)
            p.quality = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "lcc bench codec: unexpected argument '%s'\n", argv[i]);
            return 1;
        }
    }
    if (!file || repeat < 1 || repeat > 1000) {
        fprintf(stderr, "usage: lcc bench codec FILE [--profile P] [--model F] [-q N] [--repeat N (1..1000)]\n");
        return 1;
    }
    LccContext *c;
    if (lcc_open(&c, NULL))
        return 4;
    LccMedia m = { 0 };
    lcc_status err = lcc_media_read(c, file, &m);
    if (err) {
        fprintf(stderr, "lcc bench codec: %s\n", lcc_last_error(c));
        lcc_close(&c);
        return 2;
    }
    double *const te = calloc((size_t)repeat, sizeof(double)), *const td = calloc((size_t)repeat, sizeof(double));
    size_t bytes = 0;
    int rc = 0;
    for (int r = 0; r < repeat && !err && te && td; r++) {
        uint8_t *buf;
        LccMedia d = { 0 };
        const double t0 = lcc_bench_now();
        err = lcc_encode(c, &m, &p, &buf, &bytes);
        const double t1 = lcc_bench_now();
        if (!err) {
            err = lcc_decode(c, buf, bytes, &d);
            free(buf);
        }
        const double t2 = lcc_bench_now();
        te[r] = t1 - t0;
        td[r] = t2 - t1;
        lcc_media_free(&d);
    }
    if (err || !te || !td) {
        fprintf(stderr, "lcc bench codec: %s\n", err ? lcc_last_error(c) : "out of memory");
        rc = 4;
    } else {
        qsort(te, (size_t)repeat, sizeof(double), cmp_double);
        qsort(td, (size_t)repeat, sizeof(double), cmp_double);
        const double enc = te[repeat / 2], dec = td[repeat / 2];
        double units;
        const char *unit;
        if (m.modality == LCC_MODALITY_AUDIO) {
            units = (double)m.audio.frames / m.audio.sample_rate;
            unit = "audio_seconds";
        } else if (m.modality == LCC_MODALITY_IMAGE) {
            units = (double)m.image.width * m.image.height / 1e6;
            unit = "megapixels";
        } else {
            units = (double)m.video.width * m.video.height * m.video.frames / 1e6;
            unit = "megapixels";
        }
        if (json)
            printf("{\"file\": \"%s\", \"profile\": \"%s\", \"model\": \"%s\", \"bytes\": %zu, \"repeat\": %d, "
                   "\"%s\": %.6f, \"encode_seconds\": %.6f, \"decode_seconds\": %.6f, \"encode_%s_per_s\": %.3f, "
                   "\"decode_%s_per_s\": %.3f}\n",
                   file, p.profile ? p.profile : "default", p.model ? p.model : "default", bytes, repeat, unit, units,
                   enc, dec, unit, units / enc,
                   unit, units / dec);
        else
            printf("%s: %zu bytes; encode %.4f s (%.2f %s/s), decode %.4f s (%.2f %s/s), median of %d\n", file,
                   bytes, enc, units / enc, unit, dec, units / dec, unit, repeat);
    }
    free(te);
    free(td);
    lcc_media_free(&m);
    lcc_close(&c);
    return rc;
}
