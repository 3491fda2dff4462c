/*  report_doc: see report_doc.h.

    Blocks are kept in order in a list and rendered twice over: Markdown (tables as
    GitHub tables, charts as a table of their values with a bar of block characters)
    and HTML (one page, CSS in a <style> element, each chart an <svg> drawn here).
    Every text is escaped for its target (Markdown pipes, HTML/XML entities). The
    HTML page carries one inline script that marks <body data-ready="N"> with the
    number of charts once the page has loaded, so a headless browser run can tell the
    page loaded and scripts ran without error.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <czmq.h>
#include <stdarg.h>
#include <math.h>
#include "report_doc.h"

typedef enum { B_HEADING, B_PARA, B_TABLE, B_BARS, B_LINE } kind_t;

typedef struct {
    kind_t kind;
    char *text;                 /* heading, paragraph, chart title */
    char *id;                   /* chart */
    size_t columns;
    char **headers;
    char *numeric;
    zlist_t *rows;              /* of char ** (columns cells each) */
    size_t n;                   /* chart values */
    char **labels;
    double *values;
} block_t;

struct _report_doc_t {
    char *title, *subtitle;
    zlist_t *blocks;
    block_t *table;             /* the table rows go to */
};

static char *
s_dup (const char *text)
{
    char *copy = strdup (text? text: "");
    assert (copy);
    return copy;
}

static char **
s_dup_all (size_t n, const char **texts)
{
    char **copy = (char **) calloc (n + 1, sizeof (char *));
    for (size_t i = 0; i < n; i++)
        copy [i] = s_dup (texts [i]);
    return copy;
}

static void
s_free_all (char **texts, size_t n)
{
    if (!texts)
        return;
    for (size_t i = 0; i < n; i++)
        free (texts [i]);
    free (texts);
}

static block_t *
s_block (report_doc_t *self, kind_t kind)
{
    block_t *b = (block_t *) zmalloc (sizeof *b);
    b->kind = kind;
    zlist_append (self->blocks, b);
    return b;
}

report_doc_t *
report_doc_new (const char *title, const char *subtitle)
{
    report_doc_t *self = (report_doc_t *) zmalloc (sizeof *self);
    self->title = s_dup (title);
    self->subtitle = s_dup (subtitle);
    self->blocks = zlist_new ();
    return self;
}

void
report_doc_destroy (report_doc_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    report_doc_t *self = *self_p;
    for (block_t *b = (block_t *) zlist_first (self->blocks); b; b = (block_t *) zlist_next (self->blocks)) {
        free (b->text);
        free (b->id);
        s_free_all (b->headers, b->columns);
        free (b->numeric);
        if (b->rows) {
            for (char **row = (char **) zlist_first (b->rows); row; row = (char **) zlist_next (b->rows))
                s_free_all (row, b->columns);
            zlist_destroy (&b->rows);
        }
        s_free_all (b->labels, b->n);
        free (b->values);
        free (b);
    }
    zlist_destroy (&self->blocks);
    free (self->title);
    free (self->subtitle);
    free (self);
    *self_p = NULL;
}

void
report_doc_heading (report_doc_t *self, const char *text)
{
    s_block (self, B_HEADING)->text = s_dup (text);
}

void
report_doc_para (report_doc_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char *text = NULL;
    if (vasprintf (&text, fmt, args) < 0)
        text = NULL;
    va_end (args);
    s_block (self, B_PARA)->text = text? text: s_dup ("");
}

void
report_doc_table (report_doc_t *self, size_t columns, const char **headers, const char *numeric)
{
    block_t *b = s_block (self, B_TABLE);
    b->columns = columns;
    b->headers = s_dup_all (columns, headers);
    b->numeric = s_dup (numeric);
    b->rows = zlist_new ();
    self->table = b;
}

void
report_doc_row (report_doc_t *self, const char **cells)
{
    assert (self->table);
    zlist_append (self->table->rows, s_dup_all (self->table->columns, cells));
}

static void
s_chart (report_doc_t *self, kind_t kind, const char *id, const char *title, size_t n,
         const char **labels, const double *values)
{
    block_t *b = s_block (self, kind);
    b->id = s_dup (id);
    b->text = s_dup (title);
    b->n = n;
    b->labels = s_dup_all (n, labels);
    b->values = (double *) calloc (n + 1, sizeof (double));
    memcpy (b->values, values, n * sizeof (double));
}

void
report_doc_bars (report_doc_t *self, const char *id, const char *title, size_t n,
                 const char **labels, const double *values)
{
    s_chart (self, B_BARS, id, title, n, labels, values);
}

void
report_doc_line (report_doc_t *self, const char *id, const char *title, size_t n,
                 const char **labels, const double *values)
{
    s_chart (self, B_LINE, id, title, n, labels, values);
}

/* ---- Markdown --------------------------------------------------------------------------- */

static void
s_md_cell (FILE *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '|')
            fputs ("\\|", out);
        else
        if (*c == '\n' || *c == '\r')
            fputc (' ', out);
        else
            fputc (*c, out);
    }
}

char *
report_doc_markdown (report_doc_t *self)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&buffer, &size);
    fprintf (out, "# %s\n\n", self->title);
    if (*self->subtitle)
        fprintf (out, "%s\n\n", self->subtitle);
    for (block_t *b = (block_t *) zlist_first (self->blocks); b; b = (block_t *) zlist_next (self->blocks)) {
        switch (b->kind) {
            case B_HEADING:
                fprintf (out, "## %s\n\n", b->text);
                break;
            case B_PARA:
                fprintf (out, "%s\n\n", b->text);
                break;
            case B_TABLE:
                fputc ('|', out);
                for (size_t i = 0; i < b->columns; i++) {
                    fputc (' ', out);
                    s_md_cell (out, b->headers [i]);
                    fputs (" |", out);
                }
                fputs ("\n|", out);
                for (size_t i = 0; i < b->columns; i++)
                    fputs (b->numeric [i] == '1'? "---:|": "---|", out);
                fputc ('\n', out);
                for (char **row = (char **) zlist_first (b->rows); row; row = (char **) zlist_next (b->rows)) {
                    fputc ('|', out);
                    for (size_t i = 0; i < b->columns; i++) {
                        fputc (' ', out);
                        s_md_cell (out, row [i]);
                        fputs (" |", out);
                    }
                    fputc ('\n', out);
                }
                if (zlist_size (b->rows) == 0)
                    fputs ("\n(无)\n", out);
                fputc ('\n', out);
                break;
            case B_BARS:
            case B_LINE:
                fprintf (out, "**%s**\n\n| | %% | |\n|---|---:|---|\n", b->text);
                for (size_t i = 0; i < b->n; i++) {
                    fputs ("| ", out);
                    s_md_cell (out, b->labels [i]);
                    fprintf (out, " | %.1f | ", b->values [i]);
                    int blocks = (int) lround (fmax (0, fmin (100, b->values [i])) / 5);
                    for (int k = 0; k < blocks; k++)
                        fputs ("█", out);
                    fputs (" |\n", out);
                }
                fputc ('\n', out);
                break;
        }
    }
    fclose (out);
    return buffer;
}

/* ---- HTML and SVG --------------------------------------------------------------------------- */

static void
s_esc (FILE *out, const char *text)
{
    for (const char *c = text; *c; c++)
        switch (*c) {
            case '<': fputs ("&lt;", out); break;
            case '>': fputs ("&gt;", out); break;
            case '&': fputs ("&amp;", out); break;
            case '"': fputs ("&quot;", out); break;
            case '\'': fputs ("&#39;", out); break;
            default: fputc (*c, out);
        }
}

#define CHART_W        760
#define BAR_LABEL_W    150
#define BAR_AREA_W     520
#define BAR_ROW_H      26

static void
s_svg_bars (FILE *out, const block_t *b)
{
    int height = (int) b->n * BAR_ROW_H + 40;
    fprintf (out, "<figure><figcaption>");
    s_esc (out, b->text);
    fprintf (out, "</figcaption>\n<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
             b->id, CHART_W, height, CHART_W, height);
    for (int pct = 0; pct <= 100; pct += 25) {
        double x = BAR_LABEL_W + BAR_AREA_W * pct / 100.0;
        fprintf (out, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
                      "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%d%%</text>\n",
                 x, x, height - 24, x, height - 8, pct);
    }
    for (size_t i = 0; i < b->n; i++) {
        double value = fmax (0, fmin (100, b->values [i]));
        double y = 12 + (double) i * BAR_ROW_H;
        fprintf (out, "<text x=\"%d\" y=\"%.1f\" class=\"label\" text-anchor=\"end\">", BAR_LABEL_W - 8, y + 15);
        s_esc (out, b->labels [i]);
        fprintf (out, "</text><rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" class=\"bar\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"value\">%.1f%%</text>\n",
                 BAR_LABEL_W, y, BAR_AREA_W * value / 100.0, BAR_ROW_H - 8,
                 BAR_LABEL_W + BAR_AREA_W * value / 100.0 + 6, y + 15, b->values [i]);
    }
    fputs ("</svg></figure>\n", out);
}

static void
s_svg_line (FILE *out, const block_t *b)
{
    const int height = 280, left = 60, right = 30, top = 20, bottom = 50;
    double top_value = 10;
    for (size_t i = 0; i < b->n; i++)
        top_value = fmax (top_value, b->values [i]);
    top_value = fmin (100, ceil (top_value / 10) * 10);
    double plot_w = CHART_W - left - right, plot_h = height - top - bottom;
    fprintf (out, "<figure><figcaption>");
    s_esc (out, b->text);
    fprintf (out, "</figcaption>\n<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
             b->id, CHART_W, height, CHART_W, height);
    for (int k = 0; k <= 4; k++) {
        double y = top + plot_h - plot_h * k / 4.0;
        fprintf (out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                      "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%.0f%%</text>\n",
                 left, y, left + plot_w, y, left - 6, y + 4, top_value * k / 4.0);
    }
    const double inset = 36;            /* keeps the first and last value clear of the axis */
    double step = b->n > 1? (plot_w - 2 * inset) / (double) (b->n - 1): 0;
    if (b->n > 0) {
        fputs ("<polyline class=\"trend\" points=\"", out);
        for (size_t i = 0; i < b->n; i++) {
            double x = left + (b->n > 1? inset + step * (double) i: plot_w / 2);
            double y = top + plot_h - plot_h * fmax (0, b->values [i]) / top_value;
            fprintf (out, "%s%.1f,%.1f", i? " ": "", x, y);
        }
        fputs ("\"/>\n", out);
    }
    for (size_t i = 0; i < b->n; i++) {
        double x = left + (b->n > 1? inset + step * (double) i: plot_w / 2);
        double y = top + plot_h - plot_h * fmax (0, b->values [i]) / top_value;
        fprintf (out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" class=\"point\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"value\" text-anchor=\"middle\">%.1f%%</text>"
                      "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">",
                 x, y, x, y - 10, b->values [i], x, height - bottom + 20);
        s_esc (out, b->labels [i]);
        fputs ("</text>\n", out);
    }
    fputs ("</svg></figure>\n", out);
}

static const char *s_css =
    "body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",sans-serif;"
    "margin:32px auto;max-width:1040px;color:#1d2733;line-height:1.6;padding:0 16px}"
    "h1{font-size:26px;border-bottom:3px solid #b3261e;padding-bottom:8px;margin-bottom:4px}"
    ".subtitle{color:#5b6670;margin-top:0}"
    "h2{font-size:19px;margin-top:28px;color:#b3261e}"
    "table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}"
    "th,td{border:1px solid #c9d1d9;padding:4px 10px}th{background:#f1f4f7}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:12px 0}figcaption{font-weight:bold;margin-bottom:4px}"
    ".chart .grid{stroke:#e1e6eb;stroke-width:1}.chart .axis{font-size:11px;fill:#5b6670}"
    ".chart .label{font-size:13px;fill:#1d2733}.chart .value{font-size:12px;fill:#1d2733}"
    ".chart .bar{fill:#2f6fb2}.chart .trend{fill:none;stroke:#b3261e;stroke-width:2.5}"
    ".chart .point{fill:#b3261e}"
    "@media print{body{margin:0}}";

char *
report_doc_html (report_doc_t *self)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&buffer, &size);
    fputs ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
    s_esc (out, self->title);
    fprintf (out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", s_css);
    s_esc (out, self->title);
    fputs ("</h1>\n", out);
    if (*self->subtitle) {
        fputs ("<p class=\"subtitle\">", out);
        s_esc (out, self->subtitle);
        fputs ("</p>\n", out);
    }
    for (block_t *b = (block_t *) zlist_first (self->blocks); b; b = (block_t *) zlist_next (self->blocks)) {
        switch (b->kind) {
            case B_HEADING:
                fputs ("<h2>", out);
                s_esc (out, b->text);
                fputs ("</h2>\n", out);
                break;
            case B_PARA:
                fputs ("<p>", out);
                s_esc (out, b->text);
                fputs ("</p>\n", out);
                break;
            case B_TABLE:
                fputs ("<table>\n<thead><tr>", out);
                for (size_t i = 0; i < b->columns; i++) {
                    fputs ("<th>", out);
                    s_esc (out, b->headers [i]);
                    fputs ("</th>", out);
                }
                fputs ("</tr></thead>\n<tbody>\n", out);
                for (char **row = (char **) zlist_first (b->rows); row; row = (char **) zlist_next (b->rows)) {
                    fputs ("<tr>", out);
                    for (size_t i = 0; i < b->columns; i++) {
                        fputs (b->numeric [i] == '1'? "<td class=\"n\">": "<td>", out);
                        s_esc (out, row [i]);
                        fputs ("</td>", out);
                    }
                    fputs ("</tr>\n", out);
                }
                if (zlist_size (b->rows) == 0)
                    fprintf (out, "<tr><td colspan=\"%zu\">（无）</td></tr>\n", b->columns);
                fputs ("</tbody>\n</table>\n", out);
                break;
            case B_BARS:
                s_svg_bars (out, b);
                break;
            case B_LINE:
                s_svg_line (out, b);
                break;
        }
    }
    fputs ("<script>window.addEventListener('load',function(){"
           "document.body.setAttribute('data-ready',String(document.querySelectorAll('svg.chart').length));"
           "});</script>\n</body>\n</html>\n", out);
    fclose (out);
    return buffer;
}
