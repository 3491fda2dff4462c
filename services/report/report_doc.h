/*  report_doc: a small document model (headings, paragraphs, tables, bar and line
    charts) rendered as Markdown or as one self-contained HTML page: inline CSS, charts
    as inline SVG, no external resource of any kind, so the page opens anywhere (an
    e-mail attachment, an intranet without internet access) and prints as it shows.
*/
#ifndef REPORT_DOC_H
#define REPORT_DOC_H
#include <stddef.h>

typedef struct _report_doc_t report_doc_t;

report_doc_t *report_doc_new (const char *title, const char *subtitle);
void report_doc_destroy (report_doc_t **self_p);

void report_doc_heading (report_doc_t *self, const char *text);
void report_doc_para (report_doc_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* A table: headers then rows of the same number of cells (copied). Columns listed in
   numeric (a string of '0'/'1' per column, may be NULL) are right-aligned. */
void report_doc_table (report_doc_t *self, size_t columns, const char **headers, const char *numeric);
void report_doc_row (report_doc_t *self, const char **cells);
/* Charts of n values, in percent (0..100 for bars; any for the line, whose scale
   fits the values); id names the SVG element (for tests and styling). */
void report_doc_bars (report_doc_t *self, const char *id, const char *title, size_t n,
                      const char **labels, const double *values);
void report_doc_line (report_doc_t *self, const char *id, const char *title, size_t n,
                      const char **labels, const double *values);

/* The whole document, malloc'd. */
char *report_doc_markdown (report_doc_t *self);
char *report_doc_html (report_doc_t *self);
#endif
