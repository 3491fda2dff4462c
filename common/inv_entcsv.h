/*  inv_entcsv: the enterprise spreadsheet: which column is which, and a row as an
    innov.Enterprise.

    Headers are matched after trimming spaces (also U+3000), with full-width
    parentheses read as ASCII ones and English names in any case. The accepted names
    (docs/import-export.md lists them too):

      credit_code         统一社会信用代码 社会信用代码 信用代码            (required)
      name                企业名称 名称                                      (required)
      county              县区代码 县(市、区)代码 区县代码                   (required)
      industry            行业代码                                           (required)
      department          主管部门                                           (required)
      cluster             产业集群
      operating_revenue   营业收入(万元) 营业收入
      rd_expenditure      研发费用(万元) 研发费用
      has_rd_institution  是否有研发机构
      has_rd_activity     是否有研发活动
      status              状态 创新活动状态

    Other columns are ignored (an export's name columns, for instance), so an exported
    file imports again unchanged.

    A row becomes a view: the Enterprise's strings point into the row's fields (trimmed
    in place). Only what the file format decides is checked here: numbers, yes/no,
    status words and a row shorter than the header. Everything about the values
    themselves (credit code, county, department, cluster...) is the registry's to judge.
*/
#ifndef INV_ENTCSV_H
#define INV_ENTCSV_H
#include <stdbool.h>
#include <stddef.h>
#include "registry.pb-c.h"

typedef enum {
    INV_COL_CREDIT_CODE, INV_COL_NAME, INV_COL_COUNTY, INV_COL_INDUSTRY, INV_COL_DEPARTMENT,
    INV_COL_CLUSTER, INV_COL_REVENUE, INV_COL_RD, INV_COL_HAS_INST, INV_COL_HAS_ACT,
    INV_COL_STATUS, INV_COL_COUNT
} inv_col_t;

typedef struct {
    int index [INV_COL_COUNT];          /* the file's column of each, -1 if absent */
    char header [INV_COL_COUNT][96];    /* as the file writes it */
    size_t width;                       /* fields in the header */
} inv_entcsv_map_t;

/* Proto field name ("operating_revenue") and Chinese header of a column. */
const char *inv_entcsv_field (inv_col_t col);
const char *inv_entcsv_chinese (inv_col_t col);
/* The column of a proto field name (with or without "enterprise."), or -1. */
int inv_entcsv_col_of_field (const char *field);
/* The column a header names, or -1. */
int inv_entcsv_col_of_header (const char *header);

/* Map a header row. 0, or -1 with the missing required columns named in err. */
int inv_entcsv_map (inv_entcsv_map_t *map, char **fields, size_t count, char *err, size_t err_size);

/* A row as a view (e initialised here). 0, or -1 with the first column at fault in
   *col and the reason in reason (further faults are added to reason, "; "-joined). */
int inv_entcsv_row (const inv_entcsv_map_t *map, char **fields, size_t count,
                    Innov__Enterprise *e, int *col, char *reason, size_t reason_size);

/* Values as spreadsheets write them. */
bool inv_entcsv_yes_no (const char *text, bool *out);       /* 是/否/Y/N/1/0/true/false/yes/no/有/无 */
bool inv_entcsv_amount (const char *text, double *out);     /* "1,234.5" too; "" is 0 */
int  inv_entcsv_status (const char *text);                  /* -1 unknown; "" is NOT_STARTED */
const char *inv_entcsv_status_label (int status);           /* 未开展 ...; "" unknown */
const char *inv_entcsv_status_key (int status);             /* not_started ...; "" unknown */
#endif
