/*  registry_import: enterprise.import, a batch of spreadsheet rows upserted by credit
    code (proto/registry.proto, ImportEnterprisesRequest).

    Each row is validated like enterprise.add (registry_check) and against the caller's
    write scope; a refused row becomes an ImportRejection naming its field and reason,
    and nothing of it is written. The good rows' stored records are read in one
    pipeline; a row equal to its stored record is "unchanged" and runs nothing; the
    others run registry_import.lua, one script per row, all pipelined, each storing the
    record, its indexes, counters and event atomically. A row whose record changed
    between the read and the script (or a code met twice in one batch) is read and
    written again. A batch with an idempotency key caches its reply for 24 h.
*/
#ifndef REGISTRY_IMPORT_H
#define REGISTRY_IMPORT_H
#include "inv_rpc.h"

#define REGISTRY_IMPORT_MAX_ROWS  5000

void registry_enterprise_import (void *ctx, inv_call_t *call);
#endif
