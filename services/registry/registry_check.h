/*  registry_check: the validation of an enterprise record, shared by every write path
    (enterprise.add, enterprise.update, enterprise.import), so a spreadsheet row is
    judged exactly as a single add is.

    registry_check_record checks the fields named by mask and resolves references in
    place: department and cluster become their codes, city and province follow the
    county. Strings of the record point into the request or the reference tables; only
    pointers move. Each violation is one field error "enterprise.<field>" on call.
*/
#ifndef REGISTRY_CHECK_H
#define REGISTRY_CHECK_H
#include "inv_rpc.h"
#include "inv_valid.h"
#include "registry.pb-c.h"

enum {
    REGISTRY_F_NAME       = 1 << 0,  REGISTRY_F_COUNTY   = 1 << 1,  REGISTRY_F_INDUSTRY = 1 << 2,
    REGISTRY_F_DEPARTMENT = 1 << 3,  REGISTRY_F_CLUSTER  = 1 << 4,  REGISTRY_F_REVENUE  = 1 << 5,
    REGISTRY_F_RD         = 1 << 6,  REGISTRY_F_HAS_INST = 1 << 7,  REGISTRY_F_HAS_ACT  = 1 << 8,
    REGISTRY_F_ALLIANCES  = 1 << 9,  REGISTRY_F_MENTOR   = 1 << 10, REGISTRY_F_STATUS   = 1 << 11,
    REGISTRY_F_ALL        = (1 << 12) - 1
};

#define REGISTRY_NAME_MAX_BYTES      200
#define REGISTRY_ALLIANCES_MAX       64
#define REGISTRY_ALLIANCE_MAX_BYTES  64

void registry_check_record (inv_call_t *call, Innov__Enterprise *e, unsigned mask);
/* "is required" or the credit code's reason as a field error; true when valid. */
bool registry_check_credit_code (inv_call_t *call, const char *field, const char *code);
/* True if text has a C0 control character or DEL. */
bool registry_has_control (const char *text);
#endif
