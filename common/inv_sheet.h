/*  inv_sheet: any table as a spreadsheet (CSV or XLSX) with Chinese headers.

    The caller names its columns (header, width in characters, numeric or text) and
    writes rows of text cells; a numeric column's cell is written to XLSX as a number
    (so Excel sums and sorts it) when the text reads as one, else as text. CSV is UTF-8
    with a byte order mark and CRLF line ends (inv_csv's writer), which Excel opens;
    XLSX is written with libxlsxwriter: a bold header row, the column widths, the
    header frozen. The format follows the file's extension unless given.
*/
#ifndef INV_SHEET_H
#define INV_SHEET_H
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *header;         /* "覆盖率(%)" */
    double width;               /* XLSX column width in characters; 0 = 12 */
    bool numeric;
} inv_sheet_column_t;

typedef struct _inv_sheet_t inv_sheet_t;

/* format: "csv", "xlsx", or NULL/"" to follow the extension (.xlsx, else CSV);
   sheet_name: the XLSX worksheet's name (at most 31 characters). NULL with the reason
   in err when the format is unknown or the file cannot be created. */
inv_sheet_t *inv_sheet_new (const char *path, const char *format, const char *sheet_name,
                            const inv_sheet_column_t *columns, size_t count, char *err, size_t size);
void inv_sheet_row (inv_sheet_t *self, const char **cells);
bool inv_sheet_is_xlsx (inv_sheet_t *self);
/* Complete the file and free self: 0, or -1 with the reason in err. */
int  inv_sheet_close (inv_sheet_t **self_p, char *err, size_t size);
#endif
