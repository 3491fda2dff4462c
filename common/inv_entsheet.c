/*  inv_entsheet: the ledger as CSV or XLSX (see inv_entsheet.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inv_entsheet.h"
#include "inv_sheet.h"
#include "inv_entcsv.h"
#include "inv_valid.h"

typedef enum { C_TEXT, C_NUMBER } cell_kind_t;

static const struct {
    const char *header;
    double width;
    cell_kind_t kind;
} s_columns [] = {
    { "统一社会信用代码", 22, C_TEXT },
    { "企业名称", 36, C_TEXT },
    { "市代码", 9, C_TEXT },
    { "市", 10, C_TEXT },
    { "县区代码", 10, C_TEXT },
    { "县区", 12, C_TEXT },
    { "行业代码", 9, C_TEXT },
    { "行业门类", 24, C_TEXT },
    { "主管部门", 10, C_TEXT },
    { "主管部门名称", 16, C_TEXT },
    { "产业集群", 16, C_TEXT },
    { "产业集群名称", 22, C_TEXT },
    { "营业收入(万元)", 14, C_NUMBER },
    { "研发费用(万元)", 14, C_NUMBER },
    { "是否有研发机构", 14, C_TEXT },
    { "是否有研发活动", 14, C_TEXT },
    { "状态", 8, C_TEXT },
    { "版本", 6, C_NUMBER },
};
#define COLUMNS (sizeof s_columns / sizeof s_columns [0])

/* One record as cells: text in cells[i] (numbers too, for CSV), numbers in values[i]. */
static void
s_cells (const Innov__Enterprise *e, char cells [COLUMNS][256], double values [COLUMNS])
{
    const inv_division_t *city = inv_division_find (e->city? e->city: "");
    const inv_division_t *county = inv_division_find (e->county? e->county: "");
    const inv_department_t *department = inv_department_find (e->department? e->department: "");
    const inv_cluster_t *cluster = e->cluster && *e->cluster? inv_cluster_find (e->cluster): NULL;
    const char *division = inv_industry_division_name (e->industry? e->industry: "");
    const char *text [COLUMNS] = {
        e->credit_code, e->name, e->city, city? city->name: "", e->county, county? county->name: "",
        e->industry, division? division: "", e->department, department? department->short_name: "",
        e->cluster, cluster? cluster->name: "", NULL, NULL,
        e->has_rd_institution? "是": "否", e->has_rd_activity? "是": "否",
        inv_entcsv_status_label (e->status), NULL
    };
    values [12] = e->operating_revenue;
    values [13] = e->rd_expenditure;
    values [17] = (double) e->version;
    for (size_t i = 0; i < COLUMNS; i++) {
        if (s_columns [i].kind == C_NUMBER)
            snprintf (cells [i], 256, i == 17? "%.0f": "%.2f", values [i]);
        else
            snprintf (cells [i], 256, "%s", text [i]? text [i]: "");
    }
}

struct _inv_entsheet_t {
    inv_sheet_t *sheet;
};

inv_entsheet_t *
inv_entsheet_new (const char *path, bool xlsx)
{
    inv_sheet_column_t columns [COLUMNS];
    for (size_t i = 0; i < COLUMNS; i++) {
        columns [i].header = s_columns [i].header;
        columns [i].width = s_columns [i].width;
        columns [i].numeric = s_columns [i].kind == C_NUMBER;
    }
    char err [256];
    inv_sheet_t *sheet = inv_sheet_new (path, xlsx? "xlsx": "csv", "企业台账", columns, COLUMNS, err, sizeof err);
    if (!sheet)
        return NULL;
    inv_entsheet_t *self = (inv_entsheet_t *) calloc (1, sizeof *self);
    if (!self) {
        inv_sheet_close (&sheet, err, sizeof err);
        return NULL;
    }
    self->sheet = sheet;
    return self;
}

void
inv_entsheet_write (inv_entsheet_t *self, const Innov__Enterprise *e)
{
    char cells [COLUMNS][256];
    double values [COLUMNS];
    s_cells (e, cells, values);
    const char *row [COLUMNS];
    for (size_t i = 0; i < COLUMNS; i++)
        row [i] = cells [i];
    inv_sheet_row (self->sheet, row);
}

int
inv_entsheet_close (inv_entsheet_t **self_p, char *err, size_t size)
{
    inv_entsheet_t *self = *self_p;
    if (!self)
        return 0;
    int rc = inv_sheet_close (&self->sheet, err, size);
    free (self);
    *self_p = NULL;
    return rc;
}
