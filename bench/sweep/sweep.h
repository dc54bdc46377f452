/* lcc sweep: rate-distortion sweeps of lcc profiles next to the classical
 * anchors, Bjontegaard deltas, CompressAI-style result files and plots
 * (DESIGN.md §8). Used by `lcc sweep` (cli/sweep.c) and tests/sweep. */
#ifndef LCC_BENCH_SWEEP_H
#define LCC_BENCH_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "lcc/lcc.h"

#define SWEEP_MAX_POINTS 64     /* rate points of one curve */
#define SWEEP_MAX_CODECS 32     /* measured codecs (profiles + anchors) */
#define SWEEP_MAX_CURVES 128    /* measured + published */
#define SWEEP_REASON 256

/* ---- Bjontegaard deltas ------------------------------------------------ */

/* Integral from lo to hi of the monotone piecewise cubic Hermite (pchip,
 * Fritsch-Carlson slopes with the usual one-sided end conditions, as in
 * scipy's PchipInterpolator) through (x[i], y[i]); x strictly increasing,
 * n >= 2, x[0] <= lo <= hi <= x[n-1]. */
double sweep_pchip_integral(const double *x, const double *y, int n, double lo, double hi);
/* Value of the same interpolant at t (clamped to [x[0], x[n-1]]). */
double sweep_pchip_eval(const double *x, const double *y, int n, double t);

/* BD-rate of curve b against reference curve a, in percent (negative: b
 * needs less rate for the same quality): log-rate interpolated as a
 * function of quality (pchip) and averaged over the overlapping quality
 * range. Points with non-finite or non-positive rate or non-finite quality
 * are ignored. Returns 0 and sets *out, or -1 with *why set to a static
 * reason ("single point", "no overlap", ...). */
int sweep_bd_rate(const double *rate_a, const double *q_a, int na, const double *rate_b, const double *q_b,
                  int nb, double *out, const char **why);
/* BD-quality (e.g. BD-PSNR, dB) of b against a: quality interpolated as a
 * function of log-rate, averaged over the overlapping log-rate range. */
int sweep_bd_quality(const double *rate_a, const double *q_a, int na, const double *rate_b, const double *q_b,
                     int nb, double *out, const char **why);

/* ---- metrics of each modality ------------------------------------------ */

enum {
    SWEEP_M_PSNR,       /* images: RGB; video: YUV 6:1:1 */
    SWEEP_M_PSNR_Y,
    SWEEP_M_MSSSIM,     /* images: RGB; video: Y */
    SWEEP_M_SNR,        /* audio */
    SWEEP_M_SISDR,      /* audio */
    SWEEP_NUM_METRICS
};

/* The JSON key of metric m for modality mod ("psnr-rgb", "ms-ssim-rgb",
 * "psnr-yuv", "si-sdr", ...), NULL if it is not measured there. */
const char *sweep_metric_key(LccModality mod, int m);
/* "bpp" for images and video, "kbps" for audio. */
const char *sweep_rate_key(LccModality mod);
/* -10 log10(1 - v): MS-SSIM in dB (NaN-safe, inf for 1). */
double sweep_msssim_db(double v);

/* ---- curves --------------------------------------------------------- */

typedef enum SweepKind {
    SWEEP_PROFILE = 0,    /* an lcc profile, run in process */
    SWEEP_ANCHOR = 1,     /* a classical codec, run as a command */
    SWEEP_PUBLISHED = 2,  /* loaded from a result file (not measured) */
} SweepKind;

/* One averaged rate-distortion curve; parallel arrays of n points sorted
 * by rate. NaN = not available. The layout of CompressAI's result files:
 * {"name", "description", "results": {"bpp": [...], "psnr-rgb": [...],
 * "ms-ssim-rgb": [...], "encoding_time": [...], "decoding_time": [...]}}. */
typedef struct SweepCurve {
    char name[96];
    char description[256];
    char source[96];          /* published: the file name without .json */
    SweepKind kind;
    int n;
    double quality[SWEEP_MAX_POINTS];     /* the codec's knob; NaN if published */
    double rate[SWEEP_MAX_POINTS];
    double metric[SWEEP_NUM_METRICS][SWEEP_MAX_POINTS];
    double enc_s[SWEEP_MAX_POINTS], dec_s[SWEEP_MAX_POINTS];
    int files[SWEEP_MAX_POINTS];          /* files averaged; 0 if published */
} SweepCurve;

/* ---- a minimal JSON reader (result files, bounded) --------------------- */

typedef enum SweepJsonType { SJ_NULL, SJ_BOOL, SJ_NUMBER, SJ_STRING, SJ_ARRAY, SJ_OBJECT } SweepJsonType;

typedef struct SweepJson {
    SweepJsonType type;
    double number;            /* SJ_NUMBER, SJ_BOOL */
    char *string;             /* SJ_STRING; for members of an object: key */
    char *key;
    struct SweepJson *child;  /* first element / member */
    struct SweepJson *next;
} SweepJson;

/* Parse text[0..size) (depth <= 32, at most 1<<20 values). NULL on a
 * syntax error, with a message in err[0..errsize). Free with sweep_json_free. */
SweepJson *sweep_json_parse(const char *text, size_t size, char *err, size_t errsize);
void sweep_json_free(SweepJson *j);
/* Member key of object o, or NULL. */
const SweepJson *sweep_json_get(const SweepJson *o, const char *key);

/* Load CompressAI-layout result files for modality mod: path is a .json
 * file or a directory of them (not recursive, sorted by name). Each file
 * adds one curve of kind SWEEP_PUBLISHED to curves[*n..max). Files that do
 * not parse or carry no rate/quality lists are reported in
 * err (one line each) and skipped. Returns the number of curves added. */
int sweep_load_published(const char *path, LccModality mod, SweepCurve *curves, int *n, int max, char *err,
                         size_t errsize);
/* Fill c from one parsed result object; 0 on success, -1 with why. */
int sweep_curve_from_json(const SweepJson *root, LccModality mod, SweepCurve *c, const char **why);

/* ---- classical anchors ---------------------------------------------- */

typedef struct SweepAnchor SweepAnchor;

/* The anchor named name for modality mod, or NULL. */
const SweepAnchor *sweep_anchor_find(const char *name, LccModality mod);
/* The i-th anchor of modality mod (NULL past the end). */
const SweepAnchor *sweep_anchor_get(LccModality mod, int i);
const char *sweep_anchor_name(const SweepAnchor *a);
/* The command lines, e.g. "cjpeg -optimize -quality Q | djpeg". */
const char *sweep_anchor_settings(const SweepAnchor *a);
/* Default quality list (the tool's own knob, sorted by increasing rate). */
int sweep_anchor_default_qualities(const SweepAnchor *a, int *q, int max);
/* 0 if every program the anchor needs is found in PATH; else -1 and a
 * reason ("cjxl not found in PATH"). */
int sweep_anchor_available(const SweepAnchor *a, char *why, size_t whysize);

/* The tool's version line (e.g. "libjpeg-turbo version 2.1.5 ..."), "" if
 * unknown; tmpdir holds the temporary output. */
void sweep_anchor_version(const SweepAnchor *a, const char *tmpdir, char *out, size_t outsize);

/* Run anchor a at quality q on the reference ref (read from path src).
 * tmpdir is a private scratch directory. Fills *bytes with the size of the
 * coded file, *dec with the decoded media (zeroed on entry; free with
 * lcc_media_free) and the wall-clock seconds of the two commands. On
 * failure returns an lcc_status with a message in why. */
lcc_status sweep_anchor_run(LccContext *c, const SweepAnchor *a, int q, const char *src, const LccMedia *ref,
                            const char *tmpdir, uint64_t *bytes, LccMedia *dec, double *enc_s, double *dec_s,
                            char *why, size_t whysize);

/* Run argv (argv[0] looked up in PATH; no shell) with stdin from
 * /dev/null, stdout to out_path and stderr to err_path (NULL: /dev/null).
 * Returns the exit status (0 = success), or -1 if it could not start or was
 * killed; on failure why gets the reason and the last line of stderr. */
int sweep_spawn(char *const argv[], const char *out_path, const char *err_path, char *why, size_t whysize);

/* Write an image as binary PPM/PGM (8 or 16 bit; alpha dropped). */
lcc_status sweep_write_pnm(LccContext *c, const char *path, const LccImage *im);

/* ---- the sweep -------------------------------------------------------- */

typedef struct SweepOptions {
    const char *data;           /* a directory or one file */
    const char *outdir;
    const char *profiles;       /* comma list; NULL = every encodable profile of the modality; "none" */
    const char *qualities;      /* comma list for the profiles; NULL = each profile's list */
    const char *anchors;        /* comma list; NULL = every anchor of the modality; "none" */
    const char *anchor_q[16];   /* "name=q1,q2,..." */
    int num_anchor_q;
    const char *published[32];  /* files or directories */
    int num_published;
    int subset;                 /* > 0: only the first N files (sorted by name) */
    int threads;                /* parallel jobs; 0 = online cores */
    int quiet;
    int progress;               /* 1: progress line with ETA on stderr (a terminal); 2: a line per 10 % */
    int no_cache;               /* ignore (and overwrite) cached points */
    double max_rate;            /* > 0: x-axis limit of the plots */
    const char *benchmarks;     /* non-NULL: update the "## Rate-distortion (Set)" section of this file */
    const char *command;        /* the command line, recorded in results.json */
    const char *model_dir;      /* LccSettings.model_dir of the workers (NULL = default search) */
} SweepOptions;

/* Run the sweep and write OUTDIR/{results.json, results.csv, bd.md,
 * rd-*.svg, rd-*.png, curves/NAME.json, cache/}. Returns a CLI exit code
 * (0 ok, 1 usage, 2 no usable input, 3 I/O, 4 internal). Per-file and
 * per-codec failures are reported on stderr and in the outputs, not fatal. */
int sweep_run(const SweepOptions *o);

/* ---- writers (used by sweep_run; exposed for the tests) ---------------- */

/* A growable text buffer; on allocation failure `failed` is set. */
typedef struct SweepText {
    char *data;
    size_t size, cap;
    int failed;
} SweepText;

void sweep_text_printf(SweepText *t, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void sweep_text_json_string(SweepText *t, const char *s);
void sweep_text_json_number(SweepText *t, double v);
void sweep_text_free(SweepText *t);

/* One RD plot of curves[0..n) as SVG: metric m (MS-SSIM drawn in dB),
 * x = rate from 0 to max_rate (<= 0: automatic), published curves dashed. */
void sweep_svg_plot(SweepText *t, const SweepCurve *curves, int n, LccModality mod, int m, double max_rate,
                    const char *title);
/* bd.md: BD-rate and BD-quality of every curve against every other. */
void sweep_bd_markdown(SweepText *t, const SweepCurve *curves, int n, LccModality mod);
/* One curve as a CompressAI-layout JSON object. */
void sweep_curve_json(SweepText *t, const SweepCurve *c, LccModality mod, int indent);

/* The summary section of BENCHMARKS.md: heading line, facts (command,
 * date, machine; markdown), one row per curve with BD-rate against each
 * anchor (and up to 3 published curves), and the measured points. */
void sweep_summary_markdown(SweepText *t, const SweepCurve *curves, int n, LccModality mod, const char *heading,
                            const char *facts);
/* Copy text[0..size) to out with the section that starts at the line
 * `heading` (up to the next "## " line) replaced by section, or section
 * appended if there is none. Returns 1 if replaced, 0 if appended. */
int sweep_replace_section(const char *text, size_t size, const char *heading, const char *section, SweepText *out);

#endif /* LCC_BENCH_SWEEP_H */
