/*  inv_entsheet: the ledger as a spreadsheet (CSV or XLSX) with Chinese headers, what
    `innovctl enterprise export` and the gateway's GET /api/v1/enterprises:export write.

    Both formats have the same columns: codes with their Chinese names next to them (市,
    县区, 主管部门, 产业集群), amounts as numbers, yes/no as 是/否, the status in Chinese.
    The code columns carry the import's header names, so an exported file imports again
    unchanged (the name columns are ignored by the import).

    The file itself is written by inv_sheet (CSV: UTF-8 with a byte order mark and CRLF
    line ends; XLSX: bold header row, column widths, the header frozen). Rows are
    written as they come.
*/
#ifndef INV_ENTSHEET_H
#define INV_ENTSHEET_H
#include <stdbool.h>
#include <stddef.h>
#include "registry.pb-c.h"

typedef struct _inv_entsheet_t inv_entsheet_t;

/* Open path for writing; xlsx or CSV. NULL when the file cannot be created. */
inv_entsheet_t *inv_entsheet_new (const char *path, bool xlsx);
void inv_entsheet_write (inv_entsheet_t *self, const Innov__Enterprise *e);
/* Complete the file and free self: 0, or -1 with the reason in err. */
int  inv_entsheet_close (inv_entsheet_t **self_p, char *err, size_t size);
#endif
