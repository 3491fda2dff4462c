/*  inv_principal: who is acting, and where they may write.

    Parsing is strict on purpose: the kind must be one of the known words and the code
    after the colon must have the shape of its kind (six digits for a city or county,
    18 credit-code characters for an enterprise, a short lower-case word for a
    department or a service), so "City:140100", "city:1401" or "province:14" are refused
    rather than read as something wider.

    Write scope over an enterprise record (city, county and department are those of the
    record; an update checks both the record before and after the change):
      province, service:*  anything (service principals are the platform's own processes)
      dept:<code>          enterprises whose department is <code>
      city:<code>          enterprises in city <code>
      county:<code>        enterprises in county <code>
      ent:<credit code>    that one enterprise
      group:*, anonymous   nothing (work groups act through their city or department)

    Review of a closing (销号) is for the group in charge: the province, the record's
    department or the record's city; a county or the enterprise itself asks for the
    closing but does not decide it.
*/
#include <czmq.h>
#include <ctype.h>
#include "inv_principal.h"

static const char *s_kind_names [] = {
    "anonymous", "province", "dept", "city", "county", "group", "ent", "service"
};

const char *
inv_principal_kind_name (inv_principal_kind_t kind)
{
    if ((int) kind < 0 || kind > INV_P_SERVICE)
        return "?";
    return s_kind_names [kind];
}

static bool
s_digits (const char *code, size_t length)
{
    if (strlen (code) != length)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isdigit ((unsigned char) code [i]))
            return false;
    return true;
}

/* A short identifier: lower-case letters, digits, '-', '_' and '.' */
static bool
s_word (const char *code, bool upper_ok)
{
    size_t length = strlen (code);
    if (length == 0 || length > 63)
        return false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char) code [i];
        if (!(islower (c) || isdigit (c) || c == '-' || c == '_' || c == '.'
           || (upper_ok && isupper (c))))
            return false;
    }
    return true;
}

static bool
s_credit_code_shape (const char *code)
{
    if (strlen (code) != 18)
        return false;
    for (size_t i = 0; i < 18; i++)
        if (!strchr ("0123456789ABCDEFGHJKLMNPQRTUWXY", code [i]) || !code [i])
            return false;
    return true;
}

int
inv_principal_parse (const char *text, inv_principal_t *out)
{
    inv_principal_t p = { INV_P_ANONYMOUS, "" };
    if (!text)
        return -1;
    if (streq (text, "province"))
        p.kind = INV_P_PROVINCE;
    else
    if (streq (text, "anonymous"))
        p.kind = INV_P_ANONYMOUS;
    else {
        const char *colon = strchr (text, ':');
        if (!colon)
            return -1;
        const char *code = colon + 1;
        size_t kind_len = colon - text;
        int kind = -1;
        for (int k = INV_P_DEPARTMENT; k <= INV_P_SERVICE; k++)
            if (strlen (s_kind_names [k]) == kind_len
            &&  memcmp (s_kind_names [k], text, kind_len) == 0)
                kind = k;
        bool ok;
        switch (kind) {
            case INV_P_CITY:
            case INV_P_COUNTY:     ok = s_digits (code, 6); break;
            case INV_P_ENTERPRISE: ok = s_credit_code_shape (code); break;
            case INV_P_DEPARTMENT:
            case INV_P_SERVICE:    ok = s_word (code, false); break;
            case INV_P_GROUP:      ok = s_word (code, true); break;
            default:               ok = false;
        }
        if (!ok)
            return -1;
        p.kind = (inv_principal_kind_t) kind;
        snprintf (p.code, sizeof p.code, "%s", code);
    }
    if (out)
        *out = p;
    return 0;
}

static bool
s_same (const char *a, const char *b)
{
    return a && b && streq (a, b);
}

/* A department, city or county principal writes the enterprises of its own `what`
   (value: the record's); the reason names both when it does not. */
static bool
s_within (const inv_principal_t *p, const char *what, const char *value, char *reason, size_t size)
{
    if (s_same (p->code, value))
        return true;
    snprintf (reason, size, "%s:%s may only write enterprises of %s %s, not of %s",
              inv_principal_kind_name (p->kind), p->code, what, p->code, *value? value: "(none)");
    return false;
}

bool
inv_principal_may_write_enterprise (const inv_principal_t *p, const char *credit_code,
                                    const char *city, const char *county,
                                    const char *department, char *reason, size_t size)
{
    char dummy [8];
    if (!reason) {
        reason = dummy;
        size = sizeof dummy;
    }
    *reason = 0;
    if (!credit_code) credit_code = "";
    if (!city) city = "";
    if (!county) county = "";
    if (!department) department = "";
    switch (p->kind) {
        case INV_P_PROVINCE:
        case INV_P_SERVICE:
            return true;
        case INV_P_DEPARTMENT:
            return s_within (p, "department", department, reason, size);
        case INV_P_CITY:
            return s_within (p, "city", city, reason, size);
        case INV_P_COUNTY:
            return s_within (p, "county", county, reason, size);
        case INV_P_ENTERPRISE:
            if (s_same (p->code, credit_code))
                return true;
            snprintf (reason, size, "ent:%s may only write its own record, not %s",
                      p->code, credit_code);
            return false;
        case INV_P_GROUP:
            snprintf (reason, size, "group:%s may not write enterprises; the province, "
                      "a department, a city or a county may", p->code);
            return false;
        default:
            snprintf (reason, size, "anonymous callers may not write enterprises; the province, "
                      "a department, a city or a county may");
            return false;
    }
}

bool
inv_principal_may_review_enterprise (const inv_principal_t *p, const char *credit_code,
                                     const char *city, const char *department,
                                     char *reason, size_t size)
{
    char dummy [8];
    if (!reason) {
        reason = dummy;
        size = sizeof dummy;
    }
    *reason = 0;
    if (!credit_code) credit_code = "";
    if (!city) city = "";
    if (!department) department = "";
    if (p->kind == INV_P_PROVINCE || p->kind == INV_P_SERVICE
    || (p->kind == INV_P_DEPARTMENT && s_same (p->code, department))
    || (p->kind == INV_P_CITY && s_same (p->code, city)))
        return true;
    snprintf (reason, size, "%s%s%s may not review the closing of %s; the group in charge may: "
              "dept:%s, city:%s or province", inv_principal_kind_name (p->kind), *p->code? ":": "",
              p->code, credit_code, *department? department: "-", *city? city: "-");
    return false;
}
