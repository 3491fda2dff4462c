/*  registry_check: field validation of enterprise records (see registry_check.h).
    Reasons are sentences naming the value and what is expected, so an agency can
    correct a spreadsheet row from the reason alone.
*/
#include <czmq.h>
#include <math.h>
#include "registry_check.h"
#include "inv_valid.h"

static bool
s_empty (const char *text)
{
    return !text || !*text;
}

static const char *
s_str (const char *text)
{
    return text? text: "";
}

bool
registry_has_control (const char *text)
{
    for (const unsigned char *s = (const unsigned char *) text; *s; s++)
        if (*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

/* Check the masked fields of a record and resolve its references in place: the
   department and cluster become their codes, province and city follow the county.
   Strings in the record point to the request, the stored record or the tables; this
   only moves pointers. Adds a field error per violation. */
void
registry_check_record (inv_call_t *call, Innov__Enterprise *e, unsigned mask)
{
    char reason [256];
    if (mask & REGISTRY_F_NAME) {
        size_t length = strlen (s_str (e->name));
        if (length == 0)
            inv_call_field_error (call, "enterprise.name", "is required");
        else
        if (length > REGISTRY_NAME_MAX_BYTES)
            inv_call_field_error (call, "enterprise.name", "is %zu bytes long; at most %d are allowed",
                                  length, REGISTRY_NAME_MAX_BYTES);
        else
        if (!inv_utf8_valid (e->name))
            inv_call_field_error (call, "enterprise.name", "is not valid UTF-8");
        else
        if (registry_has_control (e->name))
            inv_call_field_error (call, "enterprise.name", "contains a control character");
    }
    if (mask & REGISTRY_F_COUNTY) {
        const inv_division_t *county = s_empty (e->county)? NULL: inv_division_find (e->county);
        if (s_empty (e->county))
            inv_call_field_error (call, "enterprise.county", "is required (a 6-digit county-level division code)");
        else
        if (!county)
            inv_call_field_error (call, "enterprise.county", "%.16s is not a known division code", e->county);
        else
        if (county->level != INV_DIV_COUNTY)
            inv_call_field_error (call, "enterprise.county", "%s (%s) is not a county-level division",
                                  county->code, county->name);
        else {
            e->county = (char *) county->code;
            e->city = (char *) county->city;
            e->province = (char *) county->province;
        }
    }
    if (mask & REGISTRY_F_INDUSTRY) {
        if (s_empty (e->industry))
            inv_call_field_error (call, "enterprise.industry", "is required (GB/T 4754-2017 code, 2 to 4 digits)");
        else
        if (!inv_industry_valid (e->industry, reason, sizeof reason))
            inv_call_field_error (call, "enterprise.industry", "%s", reason);
    }
    if (mask & REGISTRY_F_DEPARTMENT) {
        const inv_department_t *department = s_empty (e->department)? NULL: inv_department_find (e->department);
        if (s_empty (e->department))
            inv_call_field_error (call, "enterprise.department", "is required (code, name or alias of a provincial department)");
        else
        if (!department)
            inv_call_field_error (call, "enterprise.department", "%.64s is not a known provincial department", e->department);
        else
            e->department = (char *) department->code;
    }
    if (mask & REGISTRY_F_CLUSTER) {
        if (!s_empty (e->cluster)) {
            const inv_cluster_t *cluster = inv_cluster_find (e->cluster);
            if (!cluster)
                inv_call_field_error (call, "enterprise.cluster", "%.64s is not one of the 14 industry clusters", e->cluster);
            else
                e->cluster = (char *) cluster->code;
        }
        else
            e->cluster = (char *) "";
    }
    if ((mask & REGISTRY_F_REVENUE) && !(isfinite (e->operating_revenue) && e->operating_revenue >= 0))
        inv_call_field_error (call, "enterprise.operating_revenue", "must be a number >= 0 (10k yuan), not %g",
                              e->operating_revenue);
    if ((mask & REGISTRY_F_RD) && !(isfinite (e->rd_expenditure) && e->rd_expenditure >= 0))
        inv_call_field_error (call, "enterprise.rd_expenditure", "must be a number >= 0 (10k yuan), not %g",
                              e->rd_expenditure);
    if (mask & REGISTRY_F_ALLIANCES) {
        if (e->n_alliances > REGISTRY_ALLIANCES_MAX)
            inv_call_field_error (call, "enterprise.alliances", "has %zu entries; at most %d are allowed",
                                  e->n_alliances, REGISTRY_ALLIANCES_MAX);
        else
            for (size_t i = 0; i < e->n_alliances; i++) {
                size_t length = strlen (s_str (e->alliances [i]));
                if (length == 0 || length > REGISTRY_ALLIANCE_MAX_BYTES || !inv_utf8_valid (e->alliances [i])) {
                    char field [64];
                    snprintf (field, sizeof field, "enterprise.alliances[%zu]", i);
                    inv_call_field_error (call, field, "must be an alliance code of 1 to %d bytes",
                                          REGISTRY_ALLIANCE_MAX_BYTES);
                }
            }
    }
    if ((mask & REGISTRY_F_STATUS)
    &&  (e->status < INNOV__INNOVATION_STATUS__NOT_STARTED || e->status > INNOV__INNOVATION_STATUS__CLOSED))
        inv_call_field_error (call, "enterprise.status", "%d is not a status (NOT_STARTED, IN_PROGRESS, ACTIVE, CLOSED)",
                              (int) e->status);
}

bool
registry_check_credit_code (inv_call_t *call, const char *field, const char *code)
{
    char reason [256];
    if (s_empty (code)) {
        inv_call_field_error (call, field, "is required");
        return false;
    }
    if (!inv_credit_code_valid (code, reason, sizeof reason)) {
        inv_call_field_error (call, field, "%s", reason);
        return false;
    }
    return true;
}

