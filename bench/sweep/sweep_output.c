/* The outputs of a sweep: averaged curves, results.json, results.csv,
 * bd.md, the plots (SVG, PNG through FFmpeg's librsvg decoder), the
 * per-curve CompressAI-layout files and the BENCHMARKS.md section. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/sweep/sweep_priv.h"

static void build_curve(const Sweep *const s, const int ki, SweepCurve *const cv)
{
    const SweepCodec *const k = &s->codecs[ki];
    memset(cv, 0, sizeof(*cv));
    snprintf(cv->name, sizeof(cv->name), "%s", k->name);
    snprintf(cv->description, sizeof(cv->description), "%s", k->settings);
    cv->kind = k->kind;
    for (int qi = 0; qi < k->nq; qi++) {
        double rate = 0, met[SWEEP_NUM_METRICS] = { 0 }, enc = 0, dec = 0;
        int n = 0;
        for (int fi = 0; fi < s->num_files; fi++) {
            const SweepPoint *const p = point_at(s, fi, ki, qi);
            if (!s->files[fi].ok || !p->ok)
                continue;
            n++;
            rate += p->rate;
            for (int m = 0; m < SWEEP_NUM_METRICS; m++)
                met[m] += p->metric[m];
            enc += p->enc_s;
            dec += p->dec_s;
        }
        if (!n)
            continue;
        const int i = cv->n++;
        cv->quality[i] = k->q[qi];
        cv->rate[i] = rate / n;
        for (int m = 0; m < SWEEP_NUM_METRICS; m++)
            cv->metric[m][i] = met[m] / n;
        cv->enc_s[i] = enc / n;
        cv->dec_s[i] = dec / n;
        cv->files[i] = n;
    }
    /* sort by rate */
    for (int i = 1; i < cv->n; i++) {
        for (int j = i; j > 0 && cv->rate[j] < cv->rate[j - 1]; j--) {
            double *const cols[] = { cv->rate, cv->quality, cv->enc_s, cv->dec_s, cv->metric[0], cv->metric[1],
                                     cv->metric[2], cv->metric[3], cv->metric[4] };
            for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
                const double t = cols[c][j];
                cols[c][j] = cols[c][j - 1];
                cols[c][j - 1] = t;
            }
            const int t = cv->files[j];
            cv->files[j] = cv->files[j - 1];
            cv->files[j - 1] = t;
        }
    }
}

static const char *kind_name(const SweepKind k)
{
    return k == SWEEP_PROFILE ? "profile" : k == SWEEP_ANCHOR ? "anchor" : "published";
}

static int write_text(const char *const path, const SweepText *const t)
{
    if (t->failed) {
        fprintf(stderr, "lcc sweep: %s: out of memory\n", path);
        return 4;
    }
    LccContext *c = NULL;
    if (lcc_open(&c, NULL))
        return 4;
    const lcc_status err = lcc_write_file_atomic(c, path, t->data ? t->data : "", t->size);
    if (err)
        fprintf(stderr, "lcc sweep: %s: %s\n", path, *lcc_last_error(c) ? lcc_last_error(c) : lcc_strerror(err));
    lcc_close(&c);
    return err ? 3 : 0;
}

static void cpu_name(char *const out, const size_t size)
{
    snprintf(out, size, "unknown CPU");
    FILE *const f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            const char *v = strchr(line, ':') + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
            break;
        }
    }
    fclose(f);
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    const size_t len = strlen(out);
    if (n > 0 && len + 24 < size)
        snprintf(out + len, size - len, ", %ld online cores", n);
}

static void write_json(const Sweep *const s, SweepText *const t, const SweepCurve *const curves, const int nc,
                       const char *const date, const char *const cpu, const double wall)
{
    sweep_text_printf(t, "{\n  \"tool\": \"lcc sweep\",\n  \"lcc_version\": ");
    sweep_text_json_string(t, lcc_version());
    sweep_text_printf(t, ",\n  \"date\": \"%s\",\n  \"cpu\": ", date);
    sweep_text_json_string(t, cpu);
    sweep_text_printf(t, ",\n  \"threads\": %d,\n  \"wall_seconds\": %.3f,\n  \"command\": ", s->threads, wall);
    sweep_text_json_string(t, s->o->command ? s->o->command : "");
    sweep_text_printf(t, ",\n  \"data\": ");
    sweep_text_json_string(t, s->o->data);
    sweep_text_printf(t, ",\n  \"modality\": \"%s\",\n  \"rate_unit\": \"%s\",\n", lcc_modality_name(s->mod),
                      sweep_rate_key(s->mod));
    sweep_text_printf(t, "  \"files\": [\n");
    for (int i = 0; i < s->num_files; i++) {
        const SweepFile *const f = &s->files[i];
        sweep_text_printf(t, "    {\"name\": ");
        sweep_text_json_string(t, f->name);
        sweep_text_printf(t, ", \"status\": \"%s\"", f->ok ? "ok" : "skipped");
        if (!f->ok) {
            sweep_text_printf(t, ", \"reason\": ");
            sweep_text_json_string(t, f->reason);
        } else if (s->mod == LCC_MODALITY_IMAGE) {
            sweep_text_printf(t, ", \"width\": %u, \"height\": %u, \"channels\": %u, \"bit_depth\": %u", f->geo.image.width,
                              f->geo.image.height, f->geo.image.channels, f->geo.image.bit_depth);
        } else if (s->mod == LCC_MODALITY_VIDEO) {
            sweep_text_printf(t, ", \"width\": %u, \"height\": %u, \"frames\": %u, \"bit_depth\": %u", f->geo.video.width,
                              f->geo.video.height, f->geo.video.frames, f->geo.video.bit_depth);
        } else {
            sweep_text_printf(t, ", \"channels\": %u, \"sample_rate\": %u, \"frames\": %llu", f->geo.audio.channels,
                              f->geo.audio.sample_rate, (unsigned long long)f->geo.audio.frames);
        }
        sweep_text_printf(t, "}%s\n", i + 1 < s->num_files ? "," : "");
    }
    sweep_text_printf(t, "  ],\n  \"codecs\": [\n");
    for (int i = 0; i < s->num_codecs; i++) {
        const SweepCodec *const k = &s->codecs[i];
        sweep_text_printf(t, "    {\"name\": ");
        sweep_text_json_string(t, k->name);
        sweep_text_printf(t, ", \"kind\": \"%s\", \"settings\": ", kind_name(k->kind));
        sweep_text_json_string(t, k->settings);
        sweep_text_printf(t, ", \"qualities\": [");
        for (int q = 0; q < k->nq; q++)
            sweep_text_printf(t, "%s%d", q ? ", " : "", k->q[q]);
        sweep_text_printf(t, "], \"status\": \"%s\"", k->ok ? "ok" : "skipped");
        if (!k->ok) {
            sweep_text_printf(t, ", \"reason\": ");
            sweep_text_json_string(t, k->reason);
        }
        sweep_text_printf(t, "}%s\n", i + 1 < s->num_codecs ? "," : "");
    }
    sweep_text_printf(t, "  ],\n  \"curves\": [\n");
    for (int i = 0; i < nc; i++) {
        sweep_curve_json(t, &curves[i], s->mod, 4);
        sweep_text_printf(t, "%s\n", i + 1 < nc ? "," : "");
    }
    sweep_text_printf(t, "  ],\n  \"points\": [\n");
    int first = 1;
    for (int fi = 0; fi < s->num_files; fi++) {
        for (int ki = 0; ki < s->num_codecs; ki++) {
            for (int qi = 0; qi < s->codecs[ki].nq; qi++) {
                const SweepPoint *const p = point_at(s, fi, ki, qi);
                if (!p->done)
                    continue;
                sweep_text_printf(t, "%s    {\"file\": ", first ? "" : ",\n");
                first = 0;
                sweep_text_json_string(t, s->files[fi].name);
                sweep_text_printf(t, ", \"codec\": ");
                sweep_text_json_string(t, s->codecs[ki].name);
                sweep_text_printf(t, ", \"quality\": %d, \"status\": \"%s\"", s->codecs[ki].q[qi], p->ok ? "ok" : "failed");
                if (!p->ok) {
                    sweep_text_printf(t, ", \"reason\": ");
                    sweep_text_json_string(t, p->reason);
                    sweep_text_printf(t, "}");
                    continue;
                }
                sweep_text_printf(t, ", \"bytes\": %llu, \"%s\": ", (unsigned long long)p->bytes, sweep_rate_key(s->mod));
                sweep_text_json_number(t, p->rate);
                for (int m = 0; m < SWEEP_NUM_METRICS; m++) {
                    const char *const key = sweep_metric_key(s->mod, m);
                    if (!key)
                        continue;
                    sweep_text_printf(t, ", \"%s\": ", key);
                    sweep_text_json_number(t, p->metric[m]);
                }
                sweep_text_printf(t, ", \"encoding_time\": ");
                sweep_text_json_number(t, p->enc_s);
                sweep_text_printf(t, ", \"decoding_time\": ");
                sweep_text_json_number(t, p->dec_s);
                sweep_text_printf(t, ", \"cached\": %s}", p->cached ? "true" : "false");
            }
        }
    }
    sweep_text_printf(t, "\n  ]\n}\n");
}

static void csv_num(SweepText *const t, const double v)
{
    if (isfinite(v))
        sweep_text_printf(t, ",%.8g", v);
    else
        sweep_text_printf(t, ",%s", isnan(v) ? "" : v > 0 ? "inf" : "-inf");
}

static void csv_field(SweepText *const t, const char *const s)
{
    sweep_text_printf(t, "\"");
    for (const char *p = s; *p; p++)
        sweep_text_printf(t, *p == '"' ? "\"\"" : "%c", *p);
    sweep_text_printf(t, "\"");
}

static void write_csv(const Sweep *const s, SweepText *const t, const SweepCurve *const curves, const int nc)
{
    sweep_text_printf(t, "file,codec,kind,quality,status,bytes,%s", sweep_rate_key(s->mod));
    for (int m = 0; m < SWEEP_NUM_METRICS; m++)
        if (sweep_metric_key(s->mod, m))
            sweep_text_printf(t, ",%s", sweep_metric_key(s->mod, m));
    sweep_text_printf(t, ",encoding_time,decoding_time,files,reason\n");
    for (int fi = 0; fi < s->num_files; fi++) {
        for (int ki = 0; ki < s->num_codecs; ki++) {
            const SweepCodec *const k = &s->codecs[ki];
            for (int qi = 0; qi < k->nq; qi++) {
                const SweepPoint *const p = point_at(s, fi, ki, qi);
                if (!p->done)
                    continue;
                csv_field(t, s->files[fi].name);
                sweep_text_printf(t, ",");
                csv_field(t, k->name);
                sweep_text_printf(t, ",%s,%d,%s,", kind_name(k->kind), k->q[qi], p->ok ? "ok" : "failed");
                if (p->ok)
                    sweep_text_printf(t, "%llu", (unsigned long long)p->bytes);
                csv_num(t, p->ok ? p->rate : NAN);
                for (int m = 0; m < SWEEP_NUM_METRICS; m++)
                    if (sweep_metric_key(s->mod, m))
                        csv_num(t, p->ok ? p->metric[m] : NAN);
                csv_num(t, p->ok ? p->enc_s : NAN);
                csv_num(t, p->ok ? p->dec_s : NAN);
                sweep_text_printf(t, ",1,");
                csv_field(t, p->ok ? "" : p->reason);
                sweep_text_printf(t, "\n");
            }
        }
    }
    /* the averaged curves, file "(mean)" */
    for (int i = 0; i < nc; i++) {
        const SweepCurve *const cv = &curves[i];
        for (int j = 0; j < cv->n; j++) {
            sweep_text_printf(t, "\"(mean)\",");
            csv_field(t, cv->name);
            sweep_text_printf(t, ",%s,", kind_name(cv->kind));
            if (isfinite(cv->quality[j]))
                sweep_text_printf(t, "%g", cv->quality[j]);
            sweep_text_printf(t, ",ok,");
            csv_num(t, cv->rate[j]);
            for (int m = 0; m < SWEEP_NUM_METRICS; m++)
                if (sweep_metric_key(s->mod, m))
                    csv_num(t, cv->metric[m][j]);
            csv_num(t, cv->enc_s[j]);
            csv_num(t, cv->dec_s[j]);
            sweep_text_printf(t, ",%d,\"\"\n", cv->files[j]);
        }
    }
}

/* Render an SVG to PNG with FFmpeg's librsvg decoder when available. */
static void svg_to_png(const Sweep *const s, const char *const svg, const char *const png)
{
    char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", (char *)svg, "-frames:v", "1",
                     (char *)png, NULL };
    char why[SWEEP_REASON];
    if (sweep_spawn(argv, NULL, NULL, why, sizeof(why)) && !s->o->quiet)
        fprintf(stderr, "lcc sweep: no PNG for %s (%s; the SVG is complete)\n", svg, why);
}

static void dedupe_names(SweepCurve *const curves, const int n)
{
    for (int i = 1; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(curves[i].name, curves[j].name))
                continue;
            char base[96];
            snprintf(base, sizeof(base), "%s", curves[i].name);
            /* a published curve whose name is taken goes by its file name */
            if (curves[i].source[0]) {
                snprintf(curves[i].name, sizeof(curves[i].name), "%s", curves[i].source);
                int clash = 0;
                for (int m = 0; m < n && !clash; m++)
                    clash = m != i && !strcmp(curves[m].name, curves[i].name);
                if (!clash)
                    break;
            }
            for (int k = 2; k < 100; k++) {
                snprintf(curves[i].name, sizeof(curves[i].name), "%.80s #%d", base, k);
                int clash = 0;
                for (int m = 0; m < n && !clash; m++)
                    clash = m != i && !strcmp(curves[m].name, curves[i].name);
                if (!clash)
                    break;
            }
            break;
        }
    }
}

static int update_benchmarks(const Sweep *const s, const SweepCurve *const curves, const int nc, const char *const date,
                             const char *const cpu, const double wall)
{
    const SweepOptions *const o = s->o;
    char heading[256], base[128];
    const char *b = o->data + strlen(o->data);
    while (b > o->data && b[-1] == '/')
        b--;
    const char *const e = b;
    while (b > o->data && b[-1] != '/')
        b--;
    snprintf(base, sizeof(base), "%.*s", (int)(e - b), b);
    if (base[0] >= 'a' && base[0] <= 'z')
        base[0] = (char)(base[0] - 'a' + 'A');
    snprintf(heading, sizeof(heading), "## Rate-distortion (%s)", base);
    SweepText facts = { 0 }, sec = { 0 }, out = { 0 };
    int used = 0, points = 0;
    for (int i = 0; i < s->num_files; i++)
        used += s->files[i].ok;
    for (int fi = 0; fi < s->num_files; fi++)
        for (int ki = 0; ki < s->num_codecs; ki++)
            for (int qi = 0; qi < s->codecs[ki].nq; qi++)
                points += point_at(s, fi, ki, qi)->ok;
    sweep_text_printf(&facts, "Command: `%s`  \nRun: %s, lcc %s, %s, %d parallel jobs (1 thread each), %d points in "
                              "%.0f s wall time%s.  \nFiles: %d of %d used",
                      o->command ? o->command : "lcc sweep", date, lcc_version(), cpu, s->threads, points, wall,
                      s->cached_points ? " (some from the cache of an earlier run)" : "", used, s->num_files);
    for (int i = 0; i < s->num_files; i++)
        if (!s->files[i].ok)
            sweep_text_printf(&facts, "; skipped %s (%s)", s->files[i].name, s->files[i].reason);
    sweep_text_printf(&facts, ".\n\nAnchors, run in the same sweep on the same files (DESIGN.md §8):\n\n");
    for (int i = 0; i < s->num_codecs; i++) {
        const SweepCodec *const k = &s->codecs[i];
        if (k->kind != SWEEP_ANCHOR)
            continue;
        sweep_text_printf(&facts, "- %s: %s", k->name, k->ok ? k->settings : k->reason);
        if (k->ok) {
            sweep_text_printf(&facts, "; Q =");
            for (int q = 0; q < k->nq; q++)
                sweep_text_printf(&facts, "%s%d", q ? "," : " ", k->q[q]);
        }
        sweep_text_printf(&facts, "\n");
    }
    sweep_text_printf(&facts, "\nThe anchors run as their reference command-line tools (posix_spawn, no shell, "
                              "temporary files); their decoded output is read back with lcc_media_read and scored "
                              "with lcc_compare exactly like the lcc profiles; rate = coded file bytes x 8 / pixels. "
                              "Published curves are CompressAI's result files as given (their JPEG and WebP come from "
                              "Pillow with other settings, so they differ from the anchors measured here).\n");
    sweep_text_printf(&facts, "\nEvery pair of curves (BD-rate and BD-quality, both metrics) is in `bd.md`; plots "
                              "`rd-psnr.svg`, `rd-msssim.svg` (PNG beside them), per-point data in `results.json` / "
                              "`results.csv`, all in the output directory.\n\n");
    sweep_summary_markdown(&sec, curves, nc, s->mod, heading, facts.data ? facts.data : "");
    size_t size = 0;
    uint8_t *text = NULL;
    LccContext *c = NULL;
    int rc = lcc_open(&c, NULL) ? 4 : 0;
    if (!rc && access(o->benchmarks, F_OK) == 0 && lcc_read_file(c, o->benchmarks, (size_t)1 << 24, &text, &size)) {
        fprintf(stderr, "lcc sweep: %s: %s\n", o->benchmarks, lcc_last_error(c));
        rc = 3;
    }
    if (!rc) {
        sweep_replace_section(text ? (const char *)text : "", size, heading, sec.data ? sec.data : "", &out);
        rc = write_text(o->benchmarks, &out);
        if (!rc && !o->quiet)
            fprintf(stderr, "lcc sweep: updated the \"%s\" section of %s\n", heading + 3, o->benchmarks);
    }
    free(text);
    lcc_close(&c);
    sweep_text_free(&facts);
    sweep_text_free(&sec);
    sweep_text_free(&out);
    return rc;
}

int sweep_write_outputs(Sweep *const s, const double wall)
{
    const SweepOptions *const o = s->o;
    SweepCurve *const curves = calloc(SWEEP_MAX_CURVES, sizeof(*curves));
    if (!curves)
        return 4;
    int nc = 0, rc = 0;
    for (int k = 0; k < s->num_codecs && nc < SWEEP_MAX_CURVES; k++) {
        if (!s->codecs[k].ok)
            continue;
        build_curve(s, k, &curves[nc]);
        if (curves[nc].n)
            nc++;
    }
    const int measured = nc;
    for (int i = 0; i < o->num_published; i++) {
        char err[4096];
        sweep_load_published(o->published[i], s->mod, curves, &nc, SWEEP_MAX_CURVES, err, sizeof(err));
        if (err[0] && !o->quiet)
            fprintf(stderr, "lcc sweep: published curves skipped:\n%s", err);
    }
    for (int i = measured; i < nc; i++)
        curves[i].kind = SWEEP_PUBLISHED;
    dedupe_names(curves, nc);
    char date[64], cpu[256];
    const time_t tt = time(NULL);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cpu_name(cpu, sizeof(cpu));
    char path[4200];
    SweepText t = { 0 };
    write_json(s, &t, curves, nc, date, cpu, wall);
    snprintf(path, sizeof(path), "%s/results.json", o->outdir);
    rc = rc ? rc : write_text(path, &t);
    sweep_text_free(&t);
    write_csv(s, &t, curves, nc);
    snprintf(path, sizeof(path), "%s/results.csv", o->outdir);
    rc = rc ? rc : write_text(path, &t);
    sweep_text_free(&t);
    sweep_text_printf(&t, "# BD-rates (%s, %s)\n\n", o->data, date);
    sweep_text_printf(&t, "Command: `%s`  \nCPU: %s, %d parallel jobs.\n\n", o->command ? o->command : "lcc sweep", cpu,
                      s->threads);
    sweep_bd_markdown(&t, curves, nc, s->mod);
    snprintf(path, sizeof(path), "%s/bd.md", o->outdir);
    rc = rc ? rc : write_text(path, &t);
    sweep_text_free(&t);
    /* per-curve files in CompressAI's layout (loadable with --published) */
    snprintf(path, sizeof(path), "%s/curves", o->outdir);
    mkdir(path, 0777);
    for (int i = 0; i < measured; i++) {
        sweep_curve_json(&t, &curves[i], s->mod, 0);
        sweep_text_printf(&t, "\n");
        char safe[96];
        snprintf(safe, sizeof(safe), "%s", curves[i].name);
        for (char *p = safe; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                *p = '_';
        snprintf(path, sizeof(path), "%s/curves/%s.json", o->outdir, safe);
        rc = rc ? rc : write_text(path, &t);
        sweep_text_free(&t);
    }
    static const struct { LccModality mod; int metric; const char *stem; const char *title; } plots[] = {
        { LCC_MODALITY_IMAGE, SWEEP_M_PSNR, "rd-psnr", "PSNR (RGB)" },
        { LCC_MODALITY_IMAGE, SWEEP_M_MSSSIM, "rd-msssim", "MS-SSIM (RGB)" },
        { LCC_MODALITY_VIDEO, SWEEP_M_PSNR, "rd-psnr", "PSNR (YUV 6:1:1)" },
        { LCC_MODALITY_VIDEO, SWEEP_M_MSSSIM, "rd-msssim", "MS-SSIM (Y)" },
        { LCC_MODALITY_AUDIO, SWEEP_M_SNR, "rd-snr", "SNR" },
        { LCC_MODALITY_AUDIO, SWEEP_M_SISDR, "rd-sisdr", "SI-SDR" },
    };
    const int have_ffmpeg = !access("/usr/bin/ffmpeg", X_OK) || !access("/usr/local/bin/ffmpeg", X_OK);
    for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
        if (plots[i].mod != s->mod)
            continue;
        char title[512];
        const char *const base = strrchr(o->data, '/') && strrchr(o->data, '/')[1] ? strrchr(o->data, '/') + 1 : o->data;
        snprintf(title, sizeof(title), "%s: %s, %d file%s", base, plots[i].title, s->num_files,
                 s->num_files == 1 ? "" : "s");
        sweep_svg_plot(&t, curves, nc, s->mod, plots[i].metric, o->max_rate, title);
        char png[4200];
        snprintf(path, sizeof(path), "%s/%s.svg", o->outdir, plots[i].stem);
        snprintf(png, sizeof(png), "%s/%s.png", o->outdir, plots[i].stem);
        const int r = write_text(path, &t);
        rc = rc ? rc : r;
        sweep_text_free(&t);
        if (!r && have_ffmpeg)
            svg_to_png(s, path, png);
    }
    if (o->benchmarks && !rc)
        rc = update_benchmarks(s, curves, nc, date, cpu, wall);
    free(curves);
    return rc;
}
