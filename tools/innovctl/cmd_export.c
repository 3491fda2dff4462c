/*  innovctl enterprise export --out FILE [--format csv|xlsx] [filters of list]: the
    ledger, or the part a filter selects, as a spreadsheet with Chinese headers.

    Pages of enterprise.list (1000 records each, by cursor) are written as they
    arrive, so an export of any size holds one page in memory. Both formats have the
    same columns (s_columns): codes with their Chinese names next to them (市, 县区,
    主管部门, 产业集群), amounts as numbers, yes/no as 是/否, the status in Chinese. The
    code columns carry the import's header names, so an exported file imports again
    unchanged (the name columns are ignored by the import).

    CSV is UTF-8 with a byte order mark and CRLF line ends (what Excel opens). XLSX is
    written with libxlsxwriter in constant-memory mode: a bold header row, column
    widths, the header frozen. --format defaults to the file's extension.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>
#include "ctl.h"
#include "inv_csv.h"
#include "inv_entcsv.h"
#include "inv_valid.h"

#define REGISTRY   "registry"
#define PAGE       1000

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

typedef struct {
    bool xlsx;
    FILE *csv;
    lxw_workbook *workbook;
    lxw_worksheet *sheet;
    lxw_format *bold, *amount;
    uint32_t row;
} sink_t;

static int
s_open (sink_t *sink, const char *path)
{
    if (!sink->xlsx) {
        sink->csv = fopen (path, "wb");
        if (!sink->csv)
            return -1;
        inv_csv_write_bom (sink->csv);
        const char *headers [COLUMNS];
        for (size_t i = 0; i < COLUMNS; i++)
            headers [i] = s_columns [i].header;
        inv_csv_write_row (sink->csv, headers, COLUMNS);
        return 0;
    }
    lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
    sink->workbook = workbook_new_opt (path, &options);
    if (!sink->workbook)
        return -1;
    sink->sheet = workbook_add_worksheet (sink->workbook, "企业台账");
    sink->bold = workbook_add_format (sink->workbook);
    format_set_bold (sink->bold);
    format_set_bg_color (sink->bold, 0xDDEBF7);
    sink->amount = workbook_add_format (sink->workbook);
    format_set_num_format (sink->amount, "#,##0.00");
    for (size_t i = 0; i < COLUMNS; i++)
        worksheet_set_column (sink->sheet, (lxw_col_t) i, (lxw_col_t) i, s_columns [i].width,
                              s_columns [i].kind == C_NUMBER && i != 17? sink->amount: NULL);
    worksheet_freeze_panes (sink->sheet, 1, 0);
    for (size_t i = 0; i < COLUMNS; i++)
        worksheet_write_string (sink->sheet, 0, (lxw_col_t) i, s_columns [i].header, sink->bold);
    sink->row = 1;
    return 0;
}

static void
s_write (sink_t *sink, const Innov__Enterprise *e)
{
    char cells [COLUMNS][256];
    double values [COLUMNS];
    s_cells (e, cells, values);
    if (!sink->xlsx) {
        const char *row [COLUMNS];
        for (size_t i = 0; i < COLUMNS; i++)
            row [i] = cells [i];
        inv_csv_write_row (sink->csv, row, COLUMNS);
        return;
    }
    for (size_t i = 0; i < COLUMNS; i++)
        if (s_columns [i].kind == C_NUMBER)
            worksheet_write_number (sink->sheet, sink->row, (lxw_col_t) i, values [i],
                                    i == 17? NULL: sink->amount);
        else
            worksheet_write_string (sink->sheet, sink->row, (lxw_col_t) i, cells [i], NULL);
    sink->row++;
}

/* 0, or -1 when the file could not be completed (reason in err). */
static int
s_close (sink_t *sink, char *err, size_t size)
{
    if (!sink->xlsx) {
        bool bad = ferror (sink->csv) != 0;
        if (fclose (sink->csv) || bad) {
            snprintf (err, size, "%s", strerror (errno));
            return -1;
        }
        return 0;
    }
    lxw_error rc = workbook_close (sink->workbook);
    if (rc != LXW_NO_ERROR) {
        snprintf (err, size, "%s", lxw_strerror (rc));
        return -1;
    }
    return 0;
}

/* A city or county by code or exact Chinese name; the text itself when neither. */
static const char *
s_division (const char *text, inv_div_level_t level)
{
    const inv_division_t *found = inv_division_find (text);
    if (found)
        return found->code;
    size_t count = 0;
    const inv_division_t *all = inv_division_all (&count);
    for (size_t i = 0; i < count; i++)
        if (all [i].level == level && strcmp (all [i].name, text) == 0)
            return all [i].code;
    return text;
}

int
cmd_export (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = {
        { "out", true, NULL }, { "format", true, NULL }, { "city", true, NULL }, { "county", true, NULL },
        { "department", true, NULL }, { "cluster", true, NULL }, { "status", true, NULL }, { NULL }
    };
    const char *command = "enterprise export";
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    const char *path = ctl_opt (opts, "out");
    if (!path || !*path)
        return ctl_usage (command, "--out FILE is required (.csv or .xlsx)");
    const char *format = ctl_opt (opts, "format");
    if (!format) {
        const char *dot = strrchr (path, '.');
        format = dot && strcasecmp (dot, ".xlsx") == 0? "xlsx": "csv";
    }
    if (strcasecmp (format, "csv") && strcasecmp (format, "xlsx"))
        return ctl_usage (command, "--format: \"%s\" is neither csv nor xlsx", format);

    Innov__ListEnterprisesRequest request = INNOV__LIST_ENTERPRISES_REQUEST__INIT;
    if (ctl_opt (opts, "city"))
        request.city = (char *) s_division (ctl_opt (opts, "city"), INV_DIV_CITY);
    if (ctl_opt (opts, "county"))
        request.county = (char *) s_division (ctl_opt (opts, "county"), INV_DIV_COUNTY);
    if (ctl_opt (opts, "department")) {
        const inv_department_t *department = inv_department_find (ctl_opt (opts, "department"));
        request.department = (char *) (department? department->code: ctl_opt (opts, "department"));
    }
    if (ctl_opt (opts, "cluster")) {
        const inv_cluster_t *cluster = inv_cluster_find (ctl_opt (opts, "cluster"));
        request.cluster = (char *) (cluster? cluster->code: ctl_opt (opts, "cluster"));
    }
    if (ctl_opt (opts, "status")) {
        int status = ctl_parse_status (ctl_opt (opts, "status"));
        if (status < 0)
            return ctl_usage (command, "--status: \"%s\" is not one of not_started, in_progress, active, closed",
                              ctl_opt (opts, "status"));
        request.status = (Innov__InnovationStatus) status;
    }
    request.province = (char *) ctl->cfg->province;
    request.limit = PAGE;

    /* the first page before the file, so a refused filter leaves no file behind */
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, REGISTRY, "enterprise.list", &request.base, &innov__list_enterprises_reply__descriptor,
                   &reply);
    if (rc)
        return rc;
    sink_t sink = { .xlsx = strcasecmp (format, "xlsx") == 0 };
    if (s_open (&sink, path)) {
        protobuf_c_message_free_unpacked (reply, NULL);
        return ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, strerror (errno));
    }
    uint64_t written = 0;
    char *cursor = NULL;
    while (reply) {
        Innov__ListEnterprisesReply *page = (Innov__ListEnterprisesReply *) reply;
        for (size_t i = 0; i < page->n_enterprises; i++)
            s_write (&sink, page->enterprises [i]);
        written += page->n_enterprises;
        bool more = page->next_cursor && *page->next_cursor && page->n_enterprises > 0;
        free (cursor);
        cursor = more? strdup (page->next_cursor): NULL;
        protobuf_c_message_free_unpacked (reply, NULL);
        reply = NULL;
        if (!more)
            break;
        request.cursor = cursor;
        rc = ctl_call (ctl, REGISTRY, "enterprise.list", &request.base,
                       &innov__list_enterprises_reply__descriptor, &reply);
        if (rc)
            break;
    }
    free (cursor);
    char err [256];
    if (s_close (&sink, err, sizeof err) && !rc)
        rc = ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, err);
    if (!rc)
        printf ("%s: %" PRIu64 " enterprises (%s)\n", path, written, sink.xlsx? "XLSX": "CSV, UTF-8");
    return rc;
}
