/*  innovctl enterprise export --out FILE [--format csv|xlsx] [filters of list]: the
    ledger, or the part a filter selects, as a spreadsheet with Chinese headers.

    Pages of enterprise.list (1000 records each, by cursor) are written as they
    arrive, so an export of any size holds one page in memory. Both formats have the
    same columns, written by inv_entsheet (common/inv_entsheet.h, shared with the HTTP
    gateway's export). --format defaults to the file's extension.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ctl.h"
#include "inv_entsheet.h"
#include "inv_entcsv.h"
#include "inv_valid.h"

#define REGISTRY   "registry"
#define PAGE       1000

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
    bool xlsx = strcasecmp (format, "xlsx") == 0;
    inv_entsheet_t *sink = inv_entsheet_new (path, xlsx);
    if (!sink) {
        protobuf_c_message_free_unpacked (reply, NULL);
        return ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, strerror (errno));
    }
    uint64_t written = 0;
    char *cursor = NULL;
    while (reply) {
        Innov__ListEnterprisesReply *page = (Innov__ListEnterprisesReply *) reply;
        for (size_t i = 0; i < page->n_enterprises; i++)
            inv_entsheet_write (sink, page->enterprises [i]);
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
    if (inv_entsheet_close (&sink, err, sizeof err) && !rc)
        rc = ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, err);
    if (!rc)
        printf ("%s: %" PRIu64 " enterprises (%s)\n", path, written, xlsx? "XLSX": "CSV, UTF-8");
    return rc;
}
