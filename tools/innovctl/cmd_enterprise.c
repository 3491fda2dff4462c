/*  innovctl enterprise add | get | update | list | count: the enterprise ledger (台账)
    through the registry service (proto/registry.proto).

    The record's flags are one table (s_fields): flag, proto field name, kind of value.
    add sets every given flag on a new record; update sets the given ones and sends
    their names as the field mask, so a field not named is never touched. Values that
    agencies write in several ways are resolved here for convenience, and only when the
    resolution is certain: a county or city by code or exact name, a department by
    code, name, short name or alias, a cluster by code or Chinese name. Anything else is
    sent as typed, and the registry names the field it refuses.

    Every write carries an idempotency key (--idempotency-key, else a fresh UUID), so
    the client's own retries after a timeout cannot apply a change twice.
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_table.h"
#include "inv_valid.h"

#define REGISTRY "registry"

typedef enum { F_TEXT, F_COUNTY, F_DEPARTMENT, F_CLUSTER, F_AMOUNT, F_YES_NO, F_UINT, F_STATUS } kind_t;

static const struct {
    const char *flag;
    const char *field;          /* proto field name, as the update mask names it */
    kind_t kind;
    size_t offset;              /* into Innov__Enterprise */
} s_fields [] = {
    { "name", "name", F_TEXT, offsetof (Innov__Enterprise, name) },
    { "county", "county", F_COUNTY, offsetof (Innov__Enterprise, county) },
    { "industry", "industry", F_TEXT, offsetof (Innov__Enterprise, industry) },
    { "department", "department", F_DEPARTMENT, offsetof (Innov__Enterprise, department) },
    { "cluster", "cluster", F_CLUSTER, offsetof (Innov__Enterprise, cluster) },
    { "revenue", "operating_revenue", F_AMOUNT, offsetof (Innov__Enterprise, operating_revenue) },
    { "rd", "rd_expenditure", F_AMOUNT, offsetof (Innov__Enterprise, rd_expenditure) },
    { "rd-institution", "has_rd_institution", F_YES_NO, offsetof (Innov__Enterprise, has_rd_institution) },
    { "rd-activity", "has_rd_activity", F_YES_NO, offsetof (Innov__Enterprise, has_rd_activity) },
    { "mentor-capacity", "mentor_capacity", F_UINT, offsetof (Innov__Enterprise, mentor_capacity) },
    { "status", "status", F_STATUS, offsetof (Innov__Enterprise, status) },
};
#define FIELDS (sizeof s_fields / sizeof s_fields [0])

/* ---- resolving what agencies write ------------------------------------------------------ */

/* A division code from a code or an exact name at the given level; text if neither. */
static const char *
s_division_code (const char *text, inv_div_level_t level)
{
    const inv_division_t *found = inv_division_find (text);
    if (found)
        return found->code;
    size_t count = 0;
    const inv_division_t *all = inv_division_all (&count);
    const char *match = NULL;
    for (size_t i = 0; i < count; i++)
        if (all [i].level == level && strcmp (all [i].name, text) == 0) {
            if (match)
                return text;            /* ambiguous name: let the registry judge */
            match = all [i].code;
        }
    return match? match: text;
}

static const char *
s_department_code (const char *text)
{
    const inv_department_t *department = *text? inv_department_find (text): NULL;
    return department? department->code: text;
}

static const char *
s_cluster_code (const char *text)
{
    const inv_cluster_t *cluster = *text? inv_cluster_find (text): NULL;
    return cluster? cluster->code: text;
}

/* Option list: the record's flags plus extra ones, ended by a NULL name. */
static void
s_record_opts (ctl_opt_t *opts, const ctl_opt_t *extra, size_t extra_count)
{
    size_t n = 0;
    for (size_t i = 0; i < extra_count; i++)
        opts [n++] = extra [i];
    for (size_t i = 0; i < FIELDS; i++)
        opts [n++] = (ctl_opt_t) { s_fields [i].flag, true, NULL };
    opts [n] = (ctl_opt_t) { NULL, false, NULL };
}

/* Sets the given record flags on e; mask (if not NULL) receives the field names.
   Returns CTL_OK or CTL_USAGE after the report. */
static int
s_apply_fields (const char *command, const ctl_opt_t *opts, Innov__Enterprise *e,
                char **mask, size_t *mask_count)
{
    char *base = (char *) e;
    size_t count = 0;
    for (size_t i = 0; i < FIELDS; i++) {
        const char *value = ctl_opt (opts, s_fields [i].flag);
        if (!value)
            continue;
        void *member = base + s_fields [i].offset;
        switch (s_fields [i].kind) {
            case F_TEXT:
                *(const char **) member = value;
                break;
            case F_COUNTY:
                *(const char **) member = s_division_code (value, INV_DIV_COUNTY);
                break;
            case F_DEPARTMENT:
                *(const char **) member = s_department_code (value);
                break;
            case F_CLUSTER:
                *(const char **) member = s_cluster_code (value);
                break;
            case F_AMOUNT:
                if (!ctl_parse_amount (value, (double *) member))
                    return ctl_usage (command, "--%s: \"%s\" is not an amount in 10k yuan (万元)",
                                      s_fields [i].flag, value);
                break;
            case F_YES_NO: {
                bool yes;
                if (!ctl_parse_yes_no (value, &yes))
                    return ctl_usage (command, "--%s: \"%s\" is not yes or no", s_fields [i].flag, value);
                *(protobuf_c_boolean *) member = yes;
                break;
            }
            case F_UINT: {
                uint64_t n;
                if (!ctl_parse_uint (value, UINT32_MAX, &n))
                    return ctl_usage (command, "--%s: \"%s\" is not a whole number", s_fields [i].flag, value);
                *(uint32_t *) member = (uint32_t) n;
                break;
            }
            case F_STATUS: {
                int status = ctl_parse_status (value);
                if (status < 0)
                    return ctl_usage (command, "--status: \"%s\" is not one of not_started, in_progress, "
                                      "active, closed", value);
                *(Innov__InnovationStatus *) member = (Innov__InnovationStatus) status;
                break;
            }
        }
        if (mask)
            mask [count] = (char *) s_fields [i].field;
        count++;
    }
    if (mask_count)
        *mask_count = count;
    return CTL_OK;
}

/* ---- output ---------------------------------------------------------------------------- */

static void
s_print_enterprise (ctl_t *ctl, const Innov__Enterprise *e)
{
    if (ctl->cfg->json) {
        ctl_print_json (&e->base);
        return;
    }
    char created [32], updated [32];
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "统一社会信用代码", "%s", e->credit_code);
    ctl_kv_add (kv, "企业名称", "%s", e->name);
    ctl_kv_add (kv, "市", "%s (%s)", ctl_division_label (e->city), e->city);
    ctl_kv_add (kv, "县区", "%s (%s)", ctl_division_label (e->county), e->county);
    ctl_kv_add (kv, "行业", "%s", e->industry);
    ctl_kv_add (kv, "主管部门", "%s (%s)", ctl_department_label (e->department), e->department);
    if (e->cluster && *e->cluster)
        ctl_kv_add (kv, "产业集群", "%s (%s)", ctl_cluster_label (e->cluster), e->cluster);
    else
        ctl_kv_add (kv, "产业集群", "-");
    ctl_kv_add (kv, "营业收入(万元)", "%.2f", e->operating_revenue);
    ctl_kv_add (kv, "研发费用(万元)", "%.2f", e->rd_expenditure);
    ctl_kv_add (kv, "研发机构", "%s", e->has_rd_institution? "有": "无");
    ctl_kv_add (kv, "研发活动", "%s", e->has_rd_activity? "有": "无");
    ctl_kv_add (kv, "带动能力", "%u", e->mentor_capacity);
    for (size_t i = 0; i < e->n_alliances; i++)
        ctl_kv_add (kv, "产业联盟", "%s", e->alliances [i]);
    ctl_kv_add (kv, "状态", "%s (%s)", ctl_status_label (e->status), ctl_status_key (e->status));
    ctl_kv_add (kv, "版本", "%" PRIu64, e->version);
    ctl_kv_add (kv, "创建", "%s %s", ctl_time_text (e->created_ms, created, sizeof created), e->created_by);
    ctl_kv_add (kv, "更新", "%s %s", ctl_time_text (e->updated_ms, updated, sizeof updated), e->updated_by);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
}

/* Call a method answering one record and print the record. */
static int
s_record_call (ctl_t *ctl, const char *method, const ProtobufCMessage *request)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, REGISTRY, method, request, &innov__enterprise_reply__descriptor, &reply);
    if (rc == CTL_OK && reply) {
        Innov__EnterpriseReply *r = (Innov__EnterpriseReply *) reply;
        if (r->enterprise)
            s_print_enterprise (ctl, r->enterprise);
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* ---- commands -------------------------------------------------------------------------- */

static int
s_add (ctl_t *ctl, int argc, char **argv)
{
    const ctl_opt_t extra [] = { { "code", true, NULL }, { "idempotency-key", true, NULL } };
    ctl_opt_t opts [FIELDS + 3];
    s_record_opts (opts, extra, 2);
    int rc = ctl_parse ("enterprise add", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = (char *) ctl_opt_text (opts, "code");
    rc = s_apply_fields ("enterprise add", opts, &e, NULL, NULL);
    if (rc)
        return rc;
    char key [CTL_KEY_SIZE];
    Innov__AddEnterpriseRequest request = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    request.enterprise = &e;
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_record_call (ctl, "enterprise.add", &request.base);
}

static int
s_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    const char *pos [1];
    int rc = ctl_parse_one ("enterprise get", argc, argv, opts, "the credit code (统一社会信用代码)", &pos [0]);
    if (rc)
        return rc;
    Innov__GetEnterpriseRequest request = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    request.credit_code = (char *) pos [0];
    return s_record_call (ctl, "enterprise.get", &request.base);
}

static int
s_update (ctl_t *ctl, int argc, char **argv)
{
    const ctl_opt_t extra [] = { { "expected-version", true, NULL }, { "idempotency-key", true, NULL } };
    ctl_opt_t opts [FIELDS + 3];
    s_record_opts (opts, extra, 2);
    const char *pos [1];
    int rc = ctl_parse_one ("enterprise update", argc, argv, opts, "the credit code (统一社会信用代码) of the record", &pos [0]);
    if (rc)
        return rc;
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = (char *) pos [0];
    char *mask [FIELDS];
    size_t mask_count = 0;
    rc = s_apply_fields ("enterprise update", opts, &e, mask, &mask_count);
    if (rc)
        return rc;
    if (mask_count == 0)
        return ctl_usage ("enterprise update", "nothing to change: give at least one --FIELD VALUE");
    Innov__UpdateEnterpriseRequest request = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    request.enterprise = &e;
    request.fields = mask;
    request.n_fields = mask_count;
    rc = ctl_expected_version ("enterprise update", opts, &request.expected_version);
    if (rc)
        return rc;
    char key [CTL_KEY_SIZE];
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_record_call (ctl, "enterprise.update", &request.base);
}

static void
s_list_table (zlistx_t *pages, FILE *out)
{
    const char *headers [] = { "统一社会信用代码", "企业名称", "市", "县区", "行业", "主管部门", "状态" };
    inv_table_t *table = inv_table_new (7, headers);
    for (Innov__ListEnterprisesReply *page = zlistx_first (pages); page; page = zlistx_next (pages))
        for (size_t i = 0; i < page->n_enterprises; i++) {
            const Innov__Enterprise *e = page->enterprises [i];
            const char *cells [] = {
                e->credit_code, e->name, ctl_division_label (e->city), ctl_division_label (e->county),
                e->industry, ctl_department_label (e->department), ctl_status_label (e->status)
            };
            inv_table_add (table, cells);
        }
    inv_table_print (table, out);
    inv_table_destroy (&table);
}

static void
s_list_json (zlistx_t *pages)
{
    Innov__ListEnterprisesReply all = INNOV__LIST_ENTERPRISES_REPLY__INIT;
    Innov__ListEnterprisesReply *first = zlistx_first (pages);
    Innov__ListEnterprisesReply *last = zlistx_last (pages);
    for (Innov__ListEnterprisesReply *page = zlistx_first (pages); page; page = zlistx_next (pages))
        all.n_enterprises += page->n_enterprises;
    all.enterprises = calloc (all.n_enterprises + 1, sizeof (Innov__Enterprise *));
    size_t n = 0;
    for (Innov__ListEnterprisesReply *page = zlistx_first (pages); page; page = zlistx_next (pages))
        for (size_t i = 0; i < page->n_enterprises; i++)
            all.enterprises [n++] = page->enterprises [i];
    all.total = first? first->total: 0;
    all.next_cursor = last? last->next_cursor: (char *) "";
    ctl_print_json (&all.base);
    free (all.enterprises);
}

static void
s_free_page (void **item)
{
    if (*item) {
        innov__list_enterprises_reply__free_unpacked (*item, NULL);
        *item = NULL;
    }
}

static int
s_list (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = {
        { "city", true, NULL }, { "county", true, NULL }, { "department", true, NULL },
        { "cluster", true, NULL }, { "status", true, NULL }, { "limit", true, NULL },
        { "cursor", true, NULL }, { "all", false, NULL }, { NULL }
    };
    const char *command = "enterprise list";
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListEnterprisesRequest request = INNOV__LIST_ENTERPRISES_REQUEST__INIT;
    if (ctl_opt (opts, "city"))
        request.city = (char *) s_division_code (ctl_opt (opts, "city"), INV_DIV_CITY);
    if (ctl_opt (opts, "county"))
        request.county = (char *) s_division_code (ctl_opt (opts, "county"), INV_DIV_COUNTY);
    if (ctl_opt (opts, "department"))
        request.department = (char *) s_department_code (ctl_opt (opts, "department"));
    if (ctl_opt (opts, "cluster"))
        request.cluster = (char *) s_cluster_code (ctl_opt (opts, "cluster"));
    if (ctl_opt (opts, "status")) {
        int status = ctl_parse_status (ctl_opt (opts, "status"));
        if (status < 0)
            return ctl_usage (command, "--status: \"%s\" is not one of not_started, in_progress, active, closed",
                              ctl_opt (opts, "status"));
        request.status = (Innov__InnovationStatus) status;
    }
    rc = ctl_opt_limit (command, opts, &request.limit);
    if (rc)
        return rc;
    if (ctl_opt (opts, "cursor"))
        request.cursor = (char *) ctl_opt (opts, "cursor");
    request.province = (char *) ctl->cfg->province;
    bool all = ctl_opt (opts, "all") != NULL;

    zlistx_t *pages = zlistx_new ();
    zlistx_set_destructor (pages, s_free_page);
    char *cursor = NULL;
    while (true) {
        ProtobufCMessage *reply = NULL;
        rc = ctl_call (ctl, REGISTRY, "enterprise.list", &request.base,
                       &innov__list_enterprises_reply__descriptor, &reply);
        if (rc || !reply)
            break;
        Innov__ListEnterprisesReply *page = (Innov__ListEnterprisesReply *) reply;
        zlistx_add_end (pages, page);
        if (!all || !page->next_cursor || !*page->next_cursor || page->n_enterprises == 0)
            break;
        free (cursor);
        cursor = strdup (page->next_cursor);
        request.cursor = cursor;
    }
    free (cursor);
    if (rc == CTL_OK && zlistx_size (pages) > 0) {
        if (ctl->cfg->json)
            s_list_json (pages);
        else {
            s_list_table (pages, stdout);
            Innov__ListEnterprisesReply *first = zlistx_first (pages);
            Innov__ListEnterprisesReply *last = zlistx_last (pages);
            size_t shown = 0;
            for (Innov__ListEnterprisesReply *page = zlistx_first (pages); page; page = zlistx_next (pages))
                shown += page->n_enterprises;
            printf ("共 %" PRIu64 " 家，显示 %zu 家", first->total, shown);
            ctl_page_end (last->next_cursor);
        }
    }
    zlistx_destroy (&pages);
    return rc;
}

static int
s_count (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "by", true, NULL }, { NULL } };
    const char *command = "enterprise count";
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    const char *by = ctl_opt (opts, "by")? ctl_opt (opts, "by"): "city";
    if (strcmp (by, "city") && strcmp (by, "status"))
        return ctl_usage (command, "--by: \"%s\" is neither city nor status", by);
    Innov__CountEnterprisesRequest request = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    request.group_by = (char *) by;
    request.province = (char *) ctl->cfg->province;
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, REGISTRY, "enterprise.count", &request.base,
                   &innov__count_enterprises_reply__descriptor, &reply);
    if (rc)
        return rc;
    Innov__CountEnterprisesReply *counts = (Innov__CountEnterprisesReply *) reply;
    if (ctl->cfg->json)
        ctl_print_json (reply);
    else {
        bool by_city = strcmp (by, "city") == 0;
        const char *headers [] = { by_city? "市": "状态", "合计", "未开展", "推进中", "已开展", "已销号" };
        size_t columns = by_city? 6: 2;
        inv_table_t *table = inv_table_new (columns, headers);
        for (size_t i = 1; i < columns; i++)
            inv_table_set_right (table, i, true);
        for (size_t r = 0; r <= counts->n_rows; r++) {
            const Innov__CountRow *row = r < counts->n_rows? counts->rows [r]: NULL;
            char cells [6][32];
            const char *key;
            if (!row)
                key = "合计";
            else
            if (by_city)
                key = ctl_division_label (row->key);
            else {
                int status = ctl_parse_status (row->key);
                key = status >= 0? ctl_status_label (status): row->key;
            }
            uint64_t values [5] = { counts->total, 0, 0, 0, 0 };
            if (row) {
                values [0] = row->total; values [1] = row->not_started; values [2] = row->in_progress;
                values [3] = row->active; values [4] = row->closed;
            }
            else
                for (size_t k = 0; k < counts->n_rows; k++) {
                    values [1] += counts->rows [k]->not_started;
                    values [2] += counts->rows [k]->in_progress;
                    values [3] += counts->rows [k]->active;
                    values [4] += counts->rows [k]->closed;
                }
            const char *line [6] = { key };
            for (size_t c = 1; c < 6; c++) {
                snprintf (cells [c], sizeof cells [c], "%" PRIu64, values [c - 1]);
                line [c] = cells [c];
            }
            inv_table_add (table, line);
        }
        inv_table_print (table, stdout);
        inv_table_destroy (&table);
    }
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

int
cmd_enterprise (ctl_t *ctl, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run) (ctl_t *ctl, int argc, char **argv);
    } s_sub [] = {
        { "add", s_add }, { "get", s_get }, { "update", s_update }, { "list", s_list }, { "count", s_count }, { "import", cmd_import }, { "export", cmd_export },
    };
    if (argc < 1)
        return ctl_usage ("enterprise", "give a sub-command: add, get, update, list or count");
    for (size_t i = 0; i < sizeof s_sub / sizeof s_sub [0]; i++)
        if (strcmp (argv [0], s_sub [i].name) == 0)
            return s_sub [i].run (ctl, argc - 1, argv + 1);
    int rc = cmd_workflow (ctl, argc, argv);       /* status, close, review, history, search */
    if (rc >= 0)
        return rc;
    return ctl_usage ("enterprise", "unknown sub-command \"%s\" (add, get, update, list, count)", argv [0]);
}
