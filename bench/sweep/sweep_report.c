/* Writers of the sweep: curves as CompressAI-layout JSON, the BD tables of
 * bd.md and the SVG rate-distortion plots. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/sweep/sweep.h"

static const char *kind_name(const SweepKind k)
{
    return k == SWEEP_PROFILE ? "profile" : k == SWEEP_ANCHOR ? "anchor" : "published";
}

static void json_list(SweepText *const t, const char *const key, const double *const v, const int n)
{
    sweep_text_printf(t, "\"%s\": [", key);
    for (int i = 0; i < n; i++) {
        if (i)
            sweep_text_printf(t, ", ");
        sweep_text_json_number(t, v[i]);
    }
    sweep_text_printf(t, "]");
}

void sweep_curve_json(SweepText *const t, const SweepCurve *const c, const LccModality mod, const int indent)
{
    const int in = indent < 0 ? 0 : indent > 16 ? 16 : indent;
    sweep_text_printf(t, "%*s{\"name\": ", in, "");
    sweep_text_json_string(t, c->name);
    sweep_text_printf(t, ", \"description\": ");
    sweep_text_json_string(t, c->description);
    sweep_text_printf(t, ", \"kind\": \"%s\",\n%*s \"results\": {", kind_name(c->kind), in, "");
    const char *const sep = ",\n";
    int first = 1;
    if (c->kind != SWEEP_PUBLISHED) {
        json_list(t, "quality", c->quality, c->n);
        first = 0;
    }
    if (!first)
        sweep_text_printf(t, "%s%*s  ", sep, in, "");
    json_list(t, sweep_rate_key(mod), c->rate, c->n);
    for (int m = 0; m < SWEEP_NUM_METRICS; m++) {
        const char *const key = sweep_metric_key(mod, m);
        if (!key)
            continue;
        sweep_text_printf(t, "%s%*s  ", sep, in, "");
        json_list(t, key, c->metric[m], c->n);
    }
    sweep_text_printf(t, "%s%*s  ", sep, in, "");
    json_list(t, "encoding_time", c->enc_s, c->n);
    sweep_text_printf(t, "%s%*s  ", sep, in, "");
    json_list(t, "decoding_time", c->dec_s, c->n);
    if (c->kind != SWEEP_PUBLISHED) {
        double f[SWEEP_MAX_POINTS];
        for (int i = 0; i < c->n; i++)
            f[i] = c->files[i];
        sweep_text_printf(t, "%s%*s  ", sep, in, "");
        json_list(t, "files", f, c->n);
    }
    sweep_text_printf(t, "}}");
}

/* ---- bd.md ------------------------------------------------------------------- */

/* Quality values of metric m as used for BD and plots (MS-SSIM in dB). */
static void quality_of(const SweepCurve *const c, const int m, double *const q)
{
    for (int i = 0; i < c->n; i++)
        q[i] = m == SWEEP_M_MSSSIM ? sweep_msssim_db(c->metric[m][i]) : c->metric[m][i];
}

static const char *metric_label(const LccModality mod, const int m)
{
    switch (m) {
    case SWEEP_M_PSNR: return mod == LCC_MODALITY_VIDEO ? "PSNR-YUV (6:1:1), dB" : "PSNR-RGB, dB";
    case SWEEP_M_PSNR_Y: return "PSNR-Y, dB";
    case SWEEP_M_MSSSIM: return mod == LCC_MODALITY_VIDEO ? "MS-SSIM-Y, dB = -10 log10(1 - MS-SSIM)"
                                                          : "MS-SSIM-RGB, dB = -10 log10(1 - MS-SSIM)";
    case SWEEP_M_SNR: return "SNR, dB";
    case SWEEP_M_SISDR: return "SI-SDR, dB";
    default: return "?";
    }
}

static void bd_table(SweepText *const t, const SweepCurve *const curves, const int n, const int m, const int rate)
{
    sweep_text_printf(t, "| row vs column |");
    for (int j = 0; j < n; j++)
        sweep_text_printf(t, " %s |", curves[j].name);
    sweep_text_printf(t, "\n|---|");
    for (int j = 0; j < n; j++)
        sweep_text_printf(t, "---:|");
    sweep_text_printf(t, "\n");
    for (int i = 0; i < n; i++) {
        double qi[SWEEP_MAX_POINTS];
        quality_of(&curves[i], m, qi);
        sweep_text_printf(t, "| **%s** |", curves[i].name);
        for (int j = 0; j < n; j++) {
            if (i == j) {
                sweep_text_printf(t, " - |");
                continue;
            }
            double qj[SWEEP_MAX_POINTS], v;
            const char *why;
            quality_of(&curves[j], m, qj);
            const int r = rate ? sweep_bd_rate(curves[j].rate, qj, curves[j].n, curves[i].rate, qi, curves[i].n, &v, &why)
                               : sweep_bd_quality(curves[j].rate, qj, curves[j].n, curves[i].rate, qi, curves[i].n, &v, &why);
            if (r)
                sweep_text_printf(t, " n/a (%s) |", why);
            else
                sweep_text_printf(t, rate ? " %+.2f%% |" : " %+.3f |", v);
        }
        sweep_text_printf(t, "\n");
    }
    sweep_text_printf(t, "\n");
}

void sweep_bd_markdown(SweepText *const t, const SweepCurve *const curves, const int n, const LccModality mod)
{
    const char *const rk = sweep_rate_key(mod);
    sweep_text_printf(t, "Bjontegaard deltas: log-rate interpolated with pchip (monotone piecewise cubic Hermite) and "
                         "averaged over the quality range the two curves share (DESIGN.md §8). Each cell compares the "
                         "**row** curve against the **column** curve as reference: a negative BD-rate means the row "
                         "needs that much less rate for the same quality; a positive BD-quality means it is that much "
                         "better at the same rate. n/a: the pair has no common range or a curve has fewer than two "
                         "distinct points (a lossless profile is a single point).\n\n");
    sweep_text_printf(t, "## Curves\n\n| curve | kind | points | %s range | description |\n|---|---|---:|---|---|\n", rk);
    for (int i = 0; i < n; i++) {
        const SweepCurve *const c = &curves[i];
        double lo = INFINITY, hi = -INFINITY;
        for (int k = 0; k < c->n; k++) {
            lo = fmin(lo, c->rate[k]);
            hi = fmax(hi, c->rate[k]);
        }
        char desc[300];
        snprintf(desc, sizeof(desc), "%s", c->description);
        for (char *p = desc; *p; p++)
            if (*p == '|' || *p == '\n')
                *p = '/';
        sweep_text_printf(t, "| %s | %s | %d | %.4g - %.4g | %s |\n", c->name, kind_name(c->kind), c->n, lo, hi, desc);
    }
    sweep_text_printf(t, "\n");
    for (int m = 0; m < SWEEP_NUM_METRICS; m++) {
        if (!sweep_metric_key(mod, m) || m == SWEEP_M_PSNR_Y)
            continue;
        int have = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < curves[i].n; k++)
                have |= isfinite(curves[i].metric[m][k]);
        if (!have)
            continue;
        sweep_text_printf(t, "## %s\n\n### BD-rate (%%)\n\n", metric_label(mod, m));
        bd_table(t, curves, n, m, 1);
        sweep_text_printf(t, "### BD-%s (dB)\n\n", m == SWEEP_M_MSSSIM ? "MS-SSIM" : m == SWEEP_M_SNR ? "SNR" : m == SWEEP_M_SISDR ? "SI-SDR" : "PSNR");
        bd_table(t, curves, n, m, 0);
    }
}

/* ---- SVG plots ----------------------------------------------------------------- */

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                       "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
#define PALETTE ((int)(sizeof(palette) / sizeof(palette[0])))

static double nice_step(const double range, const int target)
{
    const double raw = range / target;
    const double p = pow(10, floor(log10(raw)));
    const double f = raw / p;
    return (f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10) * p;
}

/* Digits after the point that print every multiple of step exactly. */
static int decimals(const double step)
{
    for (int d = 0; d < 6; d++) {
        const double v = step * pow(10, d);
        if (fabs(v - round(v)) < 1e-6 * fmax(1, v))
            return d;
    }
    return 6;
}

static void xml_text(SweepText *const t, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            sweep_text_printf(t, "&lt;");
        else if (*s == '>')
            sweep_text_printf(t, "&gt;");
        else if (*s == '&')
            sweep_text_printf(t, "&amp;");
        else if (*s == '"')
            sweep_text_printf(t, "&quot;");
        else
            sweep_text_printf(t, "%c", *s);
    }
}

void sweep_svg_plot(SweepText *const t, const SweepCurve *const curves, const int n, const LccModality mod, const int m,
                    double max_rate, const char *const title)
{
    const double W = 760, H = 540, L = 72, R = 20, T = 44, B = 58;
    const double pw = W - L - R, ph = H - T - B;
    /* x range: 0 .. the largest rate of the multi-point curves (single
     * points such as a lossless profile would squash the plot) */
    if (!(max_rate > 0)) {
        /* the measured multi-point curves set the range; published ones
         * (often far longer) are clipped to it */
        double hi = 0, hi_pub = 0, hi_all = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < curves[i].n; k++) {
                if (!isfinite(curves[i].rate[k]) || !isfinite(curves[i].metric[m][k]))
                    continue;
                hi_all = fmax(hi_all, curves[i].rate[k]);
                if (curves[i].n > 1 && curves[i].kind != SWEEP_PUBLISHED)
                    hi = fmax(hi, curves[i].rate[k]);
                else if (curves[i].n > 1)
                    hi_pub = fmax(hi_pub, curves[i].rate[k]);
            }
        }
        max_rate = (hi > 0 ? hi : hi_pub > 0 ? hi_pub : hi_all > 0 ? hi_all : 1) * 1.04;
    }
    double ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < n; i++) {
        double q[SWEEP_MAX_POINTS];
        quality_of(&curves[i], m, q);
        for (int k = 0; k < curves[i].n; k++)
            if (isfinite(q[k]) && curves[i].rate[k] <= max_rate) {
                ylo = fmin(ylo, q[k]);
                yhi = fmax(yhi, q[k]);
            }
    }
    if (!isfinite(ylo)) {
        ylo = 0;
        yhi = 1;
    }
    if (yhi - ylo < 1e-6) {
        ylo -= 0.5;
        yhi += 0.5;
    }
    const double ystep = nice_step(yhi - ylo, 7), xstep = nice_step(max_rate, 8);
    ylo = floor(ylo / ystep) * ystep;
    yhi = ceil(yhi / ystep) * ystep;
#define PX(v) (L + (v) / max_rate * pw)
#define PY(v) (T + ph - ((v) - ylo) / (yhi - ylo) * ph)
    sweep_text_printf(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                         "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
                      W, H, W, H);
    sweep_text_printf(t, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    sweep_text_printf(t, "<defs><clipPath id=\"plot\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
                      L, T, pw, ph);
    sweep_text_printf(t, "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">", L + pw / 2);
    xml_text(t, title ? title : "");
    sweep_text_printf(t, "</text>\n<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
    for (double x = 0; x <= max_rate * (1 + 1e-9); x += xstep)
        sweep_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", PX(x), T, PX(x), T + ph);
    for (double y = ylo; y <= yhi + ystep * 1e-6; y += ystep)
        sweep_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, PY(y), L + pw, PY(y));
    sweep_text_printf(t, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n",
                      L, T, pw, ph);
    sweep_text_printf(t, "<g text-anchor=\"middle\">\n");
    const int xdec = decimals(xstep), ydec = decimals(ystep);
    for (double x = 0; x <= max_rate * (1 + 1e-9); x += xstep)
        sweep_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/><text x=\"%.1f\" y=\"%.1f\">%.*f</text>\n",
                          PX(x), T + ph, PX(x), T + ph + 5, PX(x), T + ph + 20, xdec, x);
    sweep_text_printf(t, "</g>\n<g text-anchor=\"end\">\n");
    for (double y = ylo; y <= yhi + ystep * 1e-6; y += ystep)
        sweep_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/><text x=\"%.1f\" y=\"%.1f\">%.*f</text>\n",
                          L - 5, PY(y), L, PY(y), L - 8, PY(y) + 4.5, ydec, y);
    sweep_text_printf(t, "</g>\n");
    sweep_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", L + pw / 2, H - 14,
                      mod == LCC_MODALITY_AUDIO ? "Rate (kbit/s)" : mod == LCC_MODALITY_VIDEO ? "Rate (bits per pixel per frame)"
                                                                                               : "Rate (bits per pixel)");
    sweep_text_printf(t, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                      T + ph / 2, metric_label(mod, m));
    /* curves */
    sweep_text_printf(t, "<g clip-path=\"url(#plot)\" fill=\"none\">\n");
    for (int i = 0; i < n; i++) {
        const SweepCurve *const c = &curves[i];
        const char *const col = palette[i % PALETTE];
        const int pub = c->kind == SWEEP_PUBLISHED;
        double q[SWEEP_MAX_POINTS];
        quality_of(c, m, q);
        sweep_text_printf(t, "<polyline stroke=\"%s\" stroke-width=\"%s\"%s points=\"", col, pub ? "1.5" : "2",
                          pub ? " stroke-dasharray=\"7 4\"" : "");
        for (int k = 0; k < c->n; k++)
            if (isfinite(q[k]) && isfinite(c->rate[k]))
                sweep_text_printf(t, "%.2f,%.2f ", PX(c->rate[k]), PY(q[k]));
        sweep_text_printf(t, "\"/>\n");
        for (int k = 0; k < c->n; k++)
            if (isfinite(q[k]) && isfinite(c->rate[k]))
                sweep_text_printf(t, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%s\" stroke=\"%s\" fill=\"%s\"/>\n", PX(c->rate[k]),
                                  PY(q[k]), pub ? "2.5" : "3.2", col, pub ? "white" : col);
    }
    sweep_text_printf(t, "</g>\n");
    /* legend, lower right inside the axes; many curves: smaller font, then
     * more columns */
    int fs = 12;
    while (fs > 7 && (fs + 5) * n + 16 > ph)
        fs--;
    const double lh = fs + 5, colw = 25 * fs;
    int rows = (int)((ph - 16) / lh);
    rows = rows < 1 ? 1 : rows > n ? n : rows;
    const int cols = n ? (n + rows - 1) / rows : 1;
    const double lw = colw * cols;
    const double lx = L + pw - lw - 8, ly = T + ph - 8 - lh * rows - 8;
    sweep_text_printf(t, "<g font-size=\"%d\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" "
                         "fill-opacity=\"0.9\" stroke=\"#888\"/>\n",
                      fs, lx, ly, lw, lh * rows + 8);
    for (int i = 0; i < n; i++) {
        const SweepCurve *const c = &curves[i];
        const int pub = c->kind == SWEEP_PUBLISHED;
        const double x = lx + colw * (i / rows);
        const double y = ly + 4 + lh * (i % rows) + lh / 2;
        const char *const col = palette[i % PALETTE];
        sweep_text_printf(t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                             "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" stroke=\"%s\" fill=\"%s\"/>\n",
                          x + 8, y, x + 36, y, col, pub ? " stroke-dasharray=\"7 4\"" : "", x + 22, y, col, pub ? "white" : col);
        sweep_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\">", x + 44, y + fs / 2.0 - 1);
        xml_text(t, c->name);
        if (pub)
            sweep_text_printf(t, " (published)");
        /* say why a curve is not (fully) visible */
        double q[SWEEP_MAX_POINTS];
        quality_of(c, m, q);
        int finite = 0, inf = 0, off = 0;
        double off_rate = 0;
        for (int k = 0; k < c->n; k++) {
            finite += isfinite(q[k]);
            inf += isinf(q[k]) && q[k] > 0;
            if (c->rate[k] > max_rate) {
                off++;
                off_rate = c->rate[k];
            }
        }
        if (!finite && inf)
            sweep_text_printf(t, " (lossless: infinite)");
        else if (!finite)
            sweep_text_printf(t, " (no data)");
        else if (off == c->n)
            sweep_text_printf(t, " (off scale: %.3g %s)", off_rate, sweep_rate_key(mod));
        sweep_text_printf(t, "</text>\n");
    }
    sweep_text_printf(t, "</g>\n</svg>\n");
#undef PX
#undef PY
}

/* ---- the BENCHMARKS.md section -------------------------------------------------- */

void sweep_summary_markdown(SweepText *const t, const SweepCurve *const curves, const int n, const LccModality mod,
                            const char *const heading, const char *const facts)
{
    const int primary = mod == LCC_MODALITY_AUDIO ? SWEEP_M_SNR : SWEEP_M_PSNR;
    const int second = mod == LCC_MODALITY_AUDIO ? SWEEP_M_SISDR : SWEEP_M_MSSSIM;
    int ref[8], nref = 0, npub = 0;
    for (int i = 0; i < n && nref < 8; i++) {
        if (curves[i].kind == SWEEP_ANCHOR)
            ref[nref++] = i;
        else if (curves[i].kind == SWEEP_PUBLISHED && npub < 3) {
            ref[nref++] = i;
            npub++;
        }
    }
    sweep_text_printf(t, "%s\n\n<!-- Generated by `lcc sweep --benchmarks`: rerun the command below (make bench) "
                         "rather than editing the numbers. -->\n\n%s\n",
                      heading, facts);
    sweep_text_printf(t, "| curve | kind | points | %s | %s | %s |", sweep_rate_key(mod), metric_label(mod, primary),
                      second == SWEEP_M_MSSSIM ? (mod == LCC_MODALITY_VIDEO ? "MS-SSIM-Y" : "MS-SSIM-RGB")
                                               : metric_label(mod, second));
    for (int r = 0; r < nref; r++)
        sweep_text_printf(t, " BD-rate vs %s |", curves[ref[r]].name);
    sweep_text_printf(t, " enc s | dec s |\n|---|---|---:|---|---|---|");
    for (int r = 0; r < nref; r++)
        sweep_text_printf(t, "---:|");
    sweep_text_printf(t, "---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const SweepCurve *const c = &curves[i];
        double lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY }, enc = 0, dec = 0;
        int ntime = 0;
        for (int k = 0; k < c->n; k++) {
            const double v[3] = { c->rate[k], c->metric[primary][k], c->metric[second][k] };
            for (int j = 0; j < 3; j++) {
                if (!isnan(v[j])) {
                    lo[j] = fmin(lo[j], v[j]);
                    hi[j] = fmax(hi[j], v[j]);
                }
            }
            if (isfinite(c->enc_s[k]) && isfinite(c->dec_s[k])) {
                enc += c->enc_s[k];
                dec += c->dec_s[k];
                ntime++;
            }
        }
        sweep_text_printf(t, "| %s | %s | %d |", c->name, kind_name(c->kind), c->n);
        for (int j = 0; j < 3; j++) {
            if (isnan(lo[j]) || lo[j] > hi[j])
                sweep_text_printf(t, " - |");
            else if (isinf(lo[j]))
                sweep_text_printf(t, " inf (lossless) |");
            else if (lo[j] == hi[j])
                sweep_text_printf(t, j == 2 && second == SWEEP_M_MSSSIM ? " %.4f |" : " %.3f |", lo[j]);
            else
                sweep_text_printf(t, j == 2 && second == SWEEP_M_MSSSIM ? " %.4f - %.4f |" : " %.3f - %.3f |", lo[j], hi[j]);
        }
        double q[SWEEP_MAX_POINTS];
        quality_of(c, primary, q);
        for (int r = 0; r < nref; r++) {
            const SweepCurve *const b = &curves[ref[r]];
            double qb[SWEEP_MAX_POINTS], v;
            const char *why;
            quality_of(b, primary, qb);
            if (b == c)
                sweep_text_printf(t, " - |");
            else if (sweep_bd_rate(b->rate, qb, b->n, c->rate, q, c->n, &v, &why))
                sweep_text_printf(t, " n/a (%s) |", why);
            else
                sweep_text_printf(t, " %+.1f%% |", v);
        }
        if (ntime)
            sweep_text_printf(t, " %.3f | %.3f |\n", enc / ntime, dec / ntime);
        else
            sweep_text_printf(t, " - | - |\n");
    }
    sweep_text_printf(t, "\nRates and qualities are means over the files (PSNR per file, then averaged); times are "
                         "mean seconds per file and point (anchors: wall time of the tool's process, file I/O "
                         "included). BD-rate on %s, row curve against the column, pchip over the common range; "
                         "negative = fewer bits.\n\nPoints (%s, %s):\n\n",
                      metric_label(mod, primary), sweep_rate_key(mod), metric_label(mod, primary));
    for (int i = 0; i < n; i++) {
        const SweepCurve *const c = &curves[i];
        if (c->kind == SWEEP_PUBLISHED)
            continue;
        sweep_text_printf(t, "- %s:", c->name);
        for (int k = 0; k < c->n; k++) {
            if (isfinite(c->quality[k]))
                sweep_text_printf(t, " q%g", c->quality[k]);
            sweep_text_printf(t, isfinite(c->metric[primary][k]) ? " (%.4f, %.2f)" : " (%.4f, inf)", c->rate[k],
                              c->metric[primary][k]);
        }
        sweep_text_printf(t, "\n");
    }
    sweep_text_printf(t, "\n");
}

int sweep_replace_section(const char *const text, const size_t size, const char *const heading,
                          const char *const section, SweepText *const out)
{
    const size_t hl = strlen(heading);
    const char *start = NULL;
    for (const char *p = text; p && p < text + size;) {
        if ((size_t)(text + size - p) >= hl && !strncmp(p, heading, hl) && (p[hl] == '\n' || p + hl == text + size)) {
            start = p;
            break;
        }
        const char *const nl = memchr(p, '\n', (size_t)(text + size - p));
        p = nl ? nl + 1 : NULL;
    }
    if (!start) {
        sweep_text_printf(out, "%.*s", (int)size, text);
        if (size && text[size - 1] != '\n')
            sweep_text_printf(out, "\n");
        sweep_text_printf(out, "%s%s", size ? "\n" : "", section);
        return 0;
    }
    const char *end = text + size;
    for (const char *p = start + hl; p < text + size;) {
        const char *const nl = memchr(p, '\n', (size_t)(text + size - p));
        if (!nl)
            break;
        p = nl + 1;
        if ((size_t)(text + size - p) >= 3 && !strncmp(p, "## ", 3)) {
            end = p;
            break;
        }
    }
    sweep_text_printf(out, "%.*s%s", (int)(start - text), text, section);
    if (end < text + size)
        sweep_text_printf(out, "%.*s", (int)(text + size - end), end);
    return 1;
}
