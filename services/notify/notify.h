/*  notify: deadlines, overdue notices and their escalation, subscriptions to other
    services' events, and an inbox per agency; proto/notify.proto, docs/notify.md.

    Two halves share one class. The methods (notify_methods: notify.subscribe /
    unsubscribe / subscriptions, notices.list / unread / ack) are plain handlers that
    tests call with an inv_call_t and no sockets. The engine (notify_tick,
    notify_handle_event) opens the campaign calendar's deadlines, fires the rungs of
    each deadline's ladder when they fall due, and turns events into cleared deadlines
    and subscription notices; notify_engine.c runs it in a background thread on the
    clock of inv_clock, fed by a consumer group on the province's event stream.

    Every write is one Lua script (notify_*.lua) that changes the state and emits its
    event; keys are in notify_keys.h.
*/
#ifndef NOTIFY_H
#define NOTIFY_H
#include <czmq.h>
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"
#include "event.pb-c.h"
#include "notify.pb-c.h"

#define NOTIFY_MAX_RUNGS    16
#define NOTIFY_DAY_MS       (86400LL * 1000)

typedef enum { NOTIFY_REMIND, NOTIFY_OVERDUE, NOTIFY_ESCALATE } notify_rung_kind_t;

/* One step of a deadline's ladder: fired at due + offset_ms (reminders have a negative
   offset), addressed to target: "group" (the responsible agency), "head" (its head,
   through the agency's inbox with audience "head") or "province". */
typedef struct {
    char name [32];             /* "remind-3d", "overdue", "escalate-head" */
    int64_t offset_ms;
    notify_rung_kind_t kind;
    char target [16];
} notify_rung_t;

/* Webhook delivery: the attempt after failed attempt n waits backoff_ms * 2^(n-1), at
   most backoff_max_ms; after `attempts` attempts the delivery is failed. */
typedef struct {
    int backoff_ms;             /* NOTIFY_WEBHOOK_BACKOFF_MS, 1000 */
    int backoff_max_ms;         /* NOTIFY_WEBHOOK_BACKOFF_MAX_MS, 600000 */
    int attempts;               /* NOTIFY_WEBHOOK_ATTEMPTS, 8 */
    int timeout_ms;             /* NOTIFY_WEBHOOK_TIMEOUT_MS, 5000: one POST, connect included */
} notify_webhook_settings_t;

typedef struct {
    int year;                   /* campaign year; 0 = the year of the clock at start */
    notify_rung_t rungs [NOTIFY_MAX_RUNGS];     /* sorted by offset */
    size_t rung_count;
    int64_t yellow_ms;          /* light yellow when at most this is left, red when overdue */
    int64_t horizon_ms;         /* calendar deadlines open this long before they are due */
    int64_t grace_ms;           /* ... and are still opened this long after */
    int tick_ms;                /* engine: how often due rungs are looked for */
    int claim_idle_ms;          /* engine: claim another consumer's events after this */
    notify_webhook_settings_t webhook;
} notify_settings_t;

/* Defaults: reminders 3d and 1d before, overdue notice to the group at the deadline,
   its head after 2d, the province after 5d; yellow at 3d; horizon and grace 7d;
   tick 1000 ms; claim after 30000 ms. */
void notify_settings_default (notify_settings_t *s);
/* Defaults overridden by NOTIFY_YEAR, NOTIFY_REMIND ("3d,1d"), NOTIFY_LADDER
   ("0:group,2d:head,5d:province"), NOTIFY_YELLOW, NOTIFY_HORIZON, NOTIFY_GRACE
   (durations: <n>d, <n>h, <n>m, <n>s), NOTIFY_TICK_MS, NOTIFY_CLAIM_IDLE_MS.
   0, or -1 with the variable and the reason in err. */
int notify_settings_from_env (notify_settings_t *s, char *err, size_t size);
/* The reminders and ladder from their texts (as in the variables); 0 or -1 + err. */
int notify_settings_ladder (notify_settings_t *s, const char *remind, const char *ladder,
                            char *err, size_t size);
/* "green", "yellow" or "red" for a deadline due at due_ms seen at now_ms. */
const char *notify_light (const notify_settings_t *s, int64_t due_ms, int64_t now_ms);

typedef struct _notify_t notify_t;

/* Uses cfg->redis and cfg->province. NULL if the Redis address is malformed. */
notify_t *notify_new (const inv_config_t *cfg, const notify_settings_t *settings);
void notify_destroy (notify_t **self_p);
inv_redis_t *notify_redis (notify_t *self);
const char *notify_province (notify_t *self);
const notify_settings_t *notify_settings (notify_t *self);

extern const inv_method_t notify_methods [];

void notify_subscribe (void *ctx, inv_call_t *call);
void notify_unsubscribe (void *ctx, inv_call_t *call);
void notify_subscriptions (void *ctx, inv_call_t *call);
void notify_notices_list (void *ctx, inv_call_t *call);
void notify_notices_unread (void *ctx, inv_call_t *call);
void notify_notices_ack (void *ctx, inv_call_t *call);
void notify_deliveries (void *ctx, inv_call_t *call);       /* notify_webhook.c */

/* Engine. Open a deadline unless it exists (id, title, agency, due_ms, clear_type,
   clear_subject and source set); 1 if opened, 0 if it existed, -1 if Redis failed. */
int notify_open_deadline (notify_t *self, const Innov__Deadline *deadline);
/* Open the calendar's deadlines due within [now - grace, now + horizon]; the number
   opened by this call, or -1 if Redis failed. */
int notify_calendar (notify_t *self, int64_t now_ms);
/* Calendar, then fire every rung due at now_ms. Returns the notices created by this
   call, or -1 if Redis failed. Safe to run in several instances at once. */
int notify_tick (notify_t *self, int64_t now_ms);
/* One event of the stream: deadline.announced opens a deadline, a clearing event
   clears one, subscriptions turn it into notices. 0 when handled (ack it), -1 when
   Redis failed (leave it pending). */
int notify_handle_event (notify_t *self, const Innov__Event *event);

/* Shared by the notify files. */
int notify_put_notice (notify_t *self, const Innov__Notice *notice);

#endif
