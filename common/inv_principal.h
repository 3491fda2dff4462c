/*  inv_principal: who is acting, and where they may write.

    A principal is a string the broker puts in front of every request:
      province                 the provincial promotion group (may write everywhere)
      dept:<code>              a provincial department ("dept:gxt")
      city:<code>              a city government / city group ("city:140100")
      county:<code>            a county ("county:140105")
      group:<id>               a work group
      ent:<credit code>        an enterprise, for itself
      service:<name>           another service of the platform
      anonymous                nobody authenticated (may read nothing that is scoped)
    Parsing refuses anything else, so a typo cannot widen a scope.
*/
#ifndef INV_PRINCIPAL_H
#define INV_PRINCIPAL_H
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    INV_P_ANONYMOUS = 0, INV_P_PROVINCE, INV_P_DEPARTMENT, INV_P_CITY, INV_P_COUNTY,
    INV_P_GROUP, INV_P_ENTERPRISE, INV_P_SERVICE
} inv_principal_kind_t;

typedef struct {
    inv_principal_kind_t kind;
    char code [64];             /* the part after the colon; "" for province/anonymous */
} inv_principal_t;

/* 0 on success, -1 if text is not a principal. */
int inv_principal_parse (const char *text, inv_principal_t *out);
const char *inv_principal_kind_name (inv_principal_kind_t kind);

/* Scope of a write on an enterprise: the acting principal may write the record with
   these attributes? When not, reason says why (e.g. "city:140200 may only write
   enterprises of city 140200, not of 140100"). */
bool inv_principal_may_write_enterprise (const inv_principal_t *p, const char *credit_code,
                                         const char *city, const char *county,
                                         const char *department, char *reason, size_t size);

/* Review of an enterprise's closing (销号): the group in charge of it may review, that
   is its department (dept:<department>), its city (city:<city>) or the province (and
   service principals); counties, enterprises, work groups and anonymous may not. */
bool inv_principal_may_review_enterprise (const inv_principal_t *p, const char *credit_code,
                                          const char *city, const char *department,
                                          char *reason, size_t size);
#endif
