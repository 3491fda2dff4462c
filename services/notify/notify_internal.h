/*  notify_internal: what notify's files share (not for other processes). */
#ifndef NOTIFY_INTERNAL_H
#define NOTIFY_INTERNAL_H
#include "notify.h"
#include "notify_keys.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "notify_webhook.h"

struct _notify_t {
    inv_redis_t *redis;
    char province [8];
    notify_settings_t settings;
    zhashx_t *opened;                   /* calendar deadline ids known to exist */
    inv_script_t deadline_script, fire_script, clear_script, notice_script,
                 ack_script, subscribe_script, wh_claim_script, wh_result_script;
};

/* A write script's source: notify_common.lua and body after the outbox prelude (malloc'd). */
char *notify_script_source (const char *body);
/* Pack a message into a malloc'd buffer. */
uint8_t *notify_pack (const ProtobufCMessage *message, size_t *size_p);
/* Run a write script as service:notify; result code (503 when Redis is down). */
int notify_write (notify_t *self, inv_script_t *script, const char *actor, int nkeys,
                  const char **keys, int nargs, const char **args, const size_t *arglens,
                  inv_store_result_t *result);
#endif
