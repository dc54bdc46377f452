/* frei0r filter `lcc` for FFmpeg: every frame goes through an lcc encode
 * and decode round trip, so the output is what a downstream model sees
 * after learned compression.
 *   ffmpeg -i in.mp4 -vf frei0r=lcc:QUALITY[|PROFILE] out.mp4
 * Parameter 0, "quality" (double): the profile's quality level (rounded to
 * the nearest level the profile has). Parameter 1, "profile" (string): the
 * profile; empty = the best image profile. Alpha passes through unchanged.
 * Errors cannot be returned through frei0r: a frame that fails to encode
 * is passed through and the reason printed once on stderr. */
#include <frei0r.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcc/lcc.h"

#define EXPORT __attribute__((visibility("default")))

typedef struct Instance {
    unsigned width, height;
    double quality;
    char profile[64];
    LccContext *ctx;
    LccMedia frame;            /* RGB 8-bit, reused */
    int warned;
} Instance;

EXPORT int f0r_init(void);
EXPORT void f0r_deinit(void);
EXPORT void f0r_get_plugin_info(f0r_plugin_info_t *info);
EXPORT void f0r_get_param_info(f0r_param_info_t *info, int index);
EXPORT f0r_instance_t f0r_construct(unsigned int width, unsigned int height);
EXPORT void f0r_destruct(f0r_instance_t inst);
EXPORT void f0r_set_param_value(f0r_instance_t inst, f0r_param_t param, int index);
EXPORT void f0r_get_param_value(f0r_instance_t inst, f0r_param_t param, int index);
EXPORT void f0r_update(f0r_instance_t inst, double time, const uint32_t *in, uint32_t *out);

int f0r_init(void)
{
    return 1;
}

void f0r_deinit(void)
{
}

void f0r_get_plugin_info(f0r_plugin_info_t *const info)
{
    info->name = "lcc";
    info->author = "lcc developers";
    info->plugin_type = F0R_PLUGIN_TYPE_FILTER;
    info->color_model = F0R_COLOR_MODEL_RGBA8888;
    info->frei0r_version = FREI0R_MAJOR_VERSION;
    info->major_version = LCC_API_VERSION_MAJOR;
    info->minor_version = LCC_API_VERSION_MINOR;
    info->num_params = 2;
    info->explanation = "Round trip through an lcc image profile (learned compression)";
}

void f0r_get_param_info(f0r_param_info_t *const info, const int index)
{
    if (index == 0) {
        info->name = "quality";
        info->type = F0R_PARAM_DOUBLE;
        info->explanation = "quality level of the profile (see lcc profiles)";
    } else if (index == 1) {
        info->name = "profile";
        info->type = F0R_PARAM_STRING;
        info->explanation = "lcc image profile; empty = the best one";
    }
}

f0r_instance_t f0r_construct(const unsigned int width, const unsigned int height)
{
    Instance *const s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->width = width;
    s->height = height;
    s->quality = -1; /* profile default */
    s->frame.modality = LCC_MODALITY_IMAGE;
    s->frame.image = (LccImage){ width, height, 3, 8, NULL };
    if (lcc_open(&s->ctx, NULL) || lcc_media_alloc(&s->frame, NULL)) {
        lcc_close(&s->ctx);
        free(s);
        return NULL;
    }
    return s;
}

void f0r_destruct(f0r_instance_t inst)
{
    Instance *const s = inst;
    if (!s)
        return;
    lcc_media_free(&s->frame);
    lcc_close(&s->ctx);
    free(s);
}

void f0r_set_param_value(f0r_instance_t inst, f0r_param_t param, const int index)
{
    Instance *const s = inst;
    if (index == 0) {
        s->quality = *(const double *)param;
    } else if (index == 1) {
        const char *const p = *(const char *const *)param;
        snprintf(s->profile, sizeof(s->profile), "%s", p ? p : "");
    }
}

void f0r_get_param_value(f0r_instance_t inst, f0r_param_t param, const int index)
{
    Instance *const s = inst;
    if (index == 0)
        *(double *)param = s->quality;
    else if (index == 1)
        *(const char **)param = s->profile;
}

/* The quality level of the profile nearest to q (the default for q < 0). */
static int nearest_quality(const char *const profile, const double q)
{
    const LccProfileInfo *p = NULL;
    if (*profile) {
        p = lcc_profile_find(profile, LCC_MODALITY_IMAGE);
    } else {
        for (int i = 0; i < lcc_profile_count() && !p; i++)
            if (lcc_profile_get(i)->modality == LCC_MODALITY_IMAGE)
                p = lcc_profile_get(i);
    }
    if (!p || q < 0)
        return -1;
    int best = p->qualities[0];
    for (int i = 1; i < p->num_qualities; i++)
        if (fabs(p->qualities[i] - q) < fabs(best - q))
            best = p->qualities[i];
    return best;
}

void f0r_update(f0r_instance_t inst, const double time, const uint32_t *const in, uint32_t *const out)
{
    (void)time;
    Instance *const s = inst;
    const size_t n = (size_t)s->width * s->height;
    const uint8_t *const src = (const uint8_t *)in;
    uint8_t *const dst = (uint8_t *)out;
    uint16_t *const px = s->frame.image.data;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            px[3 * i + k] = src[4 * i + k];

    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = *s->profile ? s->profile : NULL;
    p.quality = nearest_quality(s->profile, s->quality);
    uint8_t *buf = NULL;
    size_t size;
    LccMedia rec = { 0 };
    lcc_clear_error(s->ctx);
    lcc_status err = lcc_encode(s->ctx, &s->frame, &p, &buf, &size);
    if (!err)
        err = lcc_decode(s->ctx, buf, size, &rec);
    free(buf);
    if (err) {
        if (!s->warned++)
            fprintf(stderr, "frei0r lcc: frames pass through unchanged: %s\n", lcc_last_error(s->ctx));
        if (out != in)
            memcpy(out, in, 4 * n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++)
            dst[4 * i + k] = (uint8_t)rec.image.data[3 * i + k];
        dst[4 * i + 3] = src[4 * i + 3];
    }
    lcc_media_free(&rec);
}
