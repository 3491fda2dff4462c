/*  inv_sheet: see inv_sheet.h. One writer for the tables every tool exports (report
    status, assessment, ranking ...): the columns are data, so a new table needs no code
    here. XLSX files are written in constant-memory mode, row by row.
*/
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <xlsxwriter.h>
#include "inv_sheet.h"
#include "inv_csv.h"

struct _inv_sheet_t {
    bool xlsx;
    FILE *csv;
    lxw_workbook *workbook;
    lxw_worksheet *sheet;
    lxw_format *bold;
    inv_sheet_column_t *columns;
    size_t count;
    lxw_row_t row;
};

inv_sheet_t *
inv_sheet_new (const char *path, const char *format, const char *sheet_name,
               const inv_sheet_column_t *columns, size_t count, char *err, size_t size)
{
    const char *dot = strrchr (path, '.');
    bool xlsx;
    if (!format || !*format)
        xlsx = dot && strcasecmp (dot, ".xlsx") == 0;
    else
    if (strcasecmp (format, "xlsx") == 0 || strcasecmp (format, "csv") == 0)
        xlsx = strcasecmp (format, "xlsx") == 0;
    else {
        snprintf (err, size, "format \"%s\" is neither csv nor xlsx", format);
        return NULL;
    }
    inv_sheet_t *self = (inv_sheet_t *) zmalloc (sizeof *self);
    self->xlsx = xlsx;
    self->count = count;
    self->columns = (inv_sheet_column_t *) calloc (count + 1, sizeof (inv_sheet_column_t));
    memcpy (self->columns, columns, count * sizeof (inv_sheet_column_t));
    if (!xlsx) {
        self->csv = fopen (path, "wb");
        if (!self->csv) {
            snprintf (err, size, "%s: %s", path, strerror (errno));
            free (self->columns);
            free (self);
            return NULL;
        }
        inv_csv_write_bom (self->csv);
        const char **headers = (const char **) calloc (count + 1, sizeof (char *));
        for (size_t i = 0; i < count; i++)
            headers [i] = columns [i].header;
        inv_csv_write_row (self->csv, headers, count);
        free (headers);
        return self;
    }
    lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
    self->workbook = workbook_new_opt (path, &options);
    if (!self->workbook) {
        snprintf (err, size, "%s: cannot be created", path);
        free (self->columns);
        free (self);
        return NULL;
    }
    self->sheet = workbook_add_worksheet (self->workbook, sheet_name);
    self->bold = workbook_add_format (self->workbook);
    format_set_bold (self->bold);
    for (size_t i = 0; i < count; i++) {
        worksheet_set_column (self->sheet, (lxw_col_t) i, (lxw_col_t) i,
                              columns [i].width > 0? columns [i].width: 12, NULL);
        worksheet_write_string (self->sheet, 0, (lxw_col_t) i, columns [i].header, self->bold);
    }
    worksheet_freeze_panes (self->sheet, 1, 0);
    self->row = 1;
    return self;
}

bool
inv_sheet_is_xlsx (inv_sheet_t *self)
{
    return self->xlsx;
}

void
inv_sheet_row (inv_sheet_t *self, const char **cells)
{
    if (!self->xlsx) {
        inv_csv_write_row (self->csv, cells, self->count);
        return;
    }
    for (size_t i = 0; i < self->count; i++) {
        const char *text = cells [i]? cells [i]: "";
        char *end = NULL;
        double value = self->columns [i].numeric && *text? strtod (text, &end): 0;
        if (self->columns [i].numeric && end && end != text && *end == '\0')
            worksheet_write_number (self->sheet, self->row, (lxw_col_t) i, value, NULL);
        else
        if (*text)
            worksheet_write_string (self->sheet, self->row, (lxw_col_t) i, text, NULL);
    }
    self->row++;
}

int
inv_sheet_close (inv_sheet_t **self_p, char *err, size_t size)
{
    if (!self_p || !*self_p)
        return 0;
    inv_sheet_t *self = *self_p;
    int rc = 0;
    if (!self->xlsx) {
        if (fclose (self->csv)) {
            snprintf (err, size, "%s", strerror (errno));
            rc = -1;
        }
    }
    else {
        lxw_error error = workbook_close (self->workbook);
        if (error != LXW_NO_ERROR) {
            snprintf (err, size, "%s", lxw_strerror (error));
            rc = -1;
        }
    }
    free (self->columns);
    free (self);
    *self_p = NULL;
    return rc;
}
