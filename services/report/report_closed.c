/*  report_closed: the follower's work. Enterprises closed (销号) in each month, kept
    from the registry's enterprise.closed events, and the tick that takes each
    month's snapshot as the month begins.

    Closed enterprises: the consumer group "report" delivers every event at least once;
    enterprise.closed (payload innov.StatusChange) is filed under the calendar month
    (CST) of its time, with the enterprise's name asked of the registry, by
    report_closed.lua, which counts each code once per month however often the event
    comes. The bulletin of dispatch month M lists those of month M-1, the month its
    reports cover.

    Snapshots: each tick, while the clock is within REPORT_SNAPSHOT_WINDOW_MS (1 day)
    of the start of its month and the month has no snapshot, the province's figures are
    taken and stored (report_store_snapshot: the first stored wins). A service started
    later in the month leaves it to the first read that needs it.
*/
#include <stdlib.h>
#include "report_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_follow.h"

static int
s_file_closed (report_t *self, const Innov__Event *event)
{
    Innov__StatusChange *change = innov__status_change__unpack (NULL, event->payload.len, event->payload.data);
    if (!change) {
        inv_warn ("event %llu enterprise.closed: payload does not decode; skipped", (unsigned long long) event->seq);
        return 0;
    }
    int64_t when = change->time_ms? change->time_ms: event->time_ms;
    report_month_t m;
    report_month_now (when, &m);
    char month [16];
    report_month_text (m, month, sizeof month);

    Innov__ClosedEnterprise closed = INNOV__CLOSED_ENTERPRISE__INIT;
    closed.credit_code = change->credit_code;
    closed.city = event->city;
    closed.county = event->county;
    closed.department = event->department;
    closed.time_ms = when;
    closed.actor = change->actor;
    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    get.credit_code = change->credit_code;
    Innov__EnterpriseReply *found = NULL;
    if (self->call (self->call_arg, "registry", "enterprise.get", &get.base,
                    &innov__enterprise_reply__descriptor, (ProtobufCMessage **) &found, 0) == 200
    &&  found->enterprise)
        closed.name = found->enterprise->name;

    char k_set [REPORT_KEY_MAX], k_ent [REPORT_KEY_MAX], k_cnt [REPORT_KEY_MAX], time [24];
    const char *keys [] = {
        inv_key (k_set, sizeof k_set, self->province, REPORT_KEY_CLOSED, month),
        inv_key (k_ent, sizeof k_ent, self->province, REPORT_KEY_CLOSED_ENT, month),
        inv_key (k_cnt, sizeof k_cnt, self->province, REPORT_KEY_CLOSED_COUNT, month) };
    size_t body_len;
    uint8_t *body = inv_rpc_pack (&closed.base, &body_len);
    snprintf (time, sizeof time, "%lld", (long long) when);
    const char *args [] = { change->credit_code, time, (const char *) body, s_text (event->city), s_text (event->department) };
    size_t lens [] = { strlen (args [0]), strlen (time), body_len, strlen (args [3]), strlen (args [4]) };
    inv_store_result_t result;
    int code = inv_store_write (self->redis, &self->closed_script, self->province, "service:report", NULL,
                                3, keys, NULL, 5, args, lens, &result);
    if (code == 200 && streq (result.message, "added"))
        inv_info ("closed %s (%s) filed under %s", change->credit_code, s_text (closed.name), month);
    inv_store_result_clear (&result);
    free (body);
    if (found)
        innov__enterprise_reply__free_unpacked (found, NULL);
    innov__status_change__free_unpacked (change, NULL);
    return code == 200? 0: -1;
}

int
report_handle_event (report_t *self, const Innov__Event *event)
{
    if (streq (s_text (event->type), "enterprise.closed"))
        return s_file_closed (self, event);
    return 0;
}

int
report_tick (report_t *self, int64_t now_ms)
{
    report_month_t m;
    report_month_now (now_ms, &m);
    if (now_ms - report_month_start (m) > self->snapshot_window_ms)
        return 0;
    char month [16], key [REPORT_KEY_MAX];
    report_month_text (m, month, sizeof month);
    inv_key (key, sizeof key, self->province, REPORT_KEY_SNAPSHOT, month);
    redisReply *exists = inv_redis_command (self->redis, "EXISTS %s", key);
    if (!exists)
        return -1;
    bool have = exists->type == REDIS_REPLY_INTEGER && exists->integer == 1;
    freeReplyObject (exists);
    if (have)
        return 0;
    int code;
    Innov__MonthSnapshot *s = report_live_snapshot (self, month, now_ms, &code);
    if (!s)
        return -1;
    code = report_store_snapshot (self, s);
    innov__month_snapshot__free_unpacked (s, NULL);
    return code == 200? 0: -1;
}

int
report_closed_of (report_t *self, report_month_t m, zhash_t **counts_p,
                  Innov__ClosedEnterprise ***list_p, size_t *count_p, size_t max)
{
    char month [16], k_set [REPORT_KEY_MAX], k_ent [REPORT_KEY_MAX], k_cnt [REPORT_KEY_MAX];
    report_month_text (m, month, sizeof month);
    inv_key (k_set, sizeof k_set, self->province, REPORT_KEY_CLOSED, month);
    inv_key (k_ent, sizeof k_ent, self->province, REPORT_KEY_CLOSED_ENT, month);
    inv_key (k_cnt, sizeof k_cnt, self->province, REPORT_KEY_CLOSED_COUNT, month);
    *counts_p = NULL;
    *list_p = NULL;
    *count_p = 0;
    redisReply *cnt = inv_redis_command (self->redis, "HGETALL %s", k_cnt);
    if (!cnt)
        return -1;
    zhash_t *counts = zhash_new ();
    if (cnt->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i + 1 < cnt->elements; i += 2)
            zhash_update (counts, cnt->element [i]->str, (void *) (uintptr_t) atoll (cnt->element [i + 1]->str));
    freeReplyObject (cnt);
    *counts_p = counts;
    if (max == 0)
        return 0;
    redisReply *codes = inv_redis_command (self->redis, "ZRANGE %s 0 %d", k_set, (int) max - 1);
    if (!codes)
        return -1;
    if (codes->type == REDIS_REPLY_ARRAY && codes->elements > 0) {
        size_t n = codes->elements;
        const char **argv = (const char **) calloc (n + 2, sizeof (char *));
        argv [0] = "HMGET";
        argv [1] = k_ent;
        for (size_t i = 0; i < n; i++)
            argv [i + 2] = codes->element [i]->str;
        redisReply *bodies = inv_redis_argv (self->redis, (int) n + 2, argv, NULL);
        free (argv);
        if (!bodies) {
            freeReplyObject (codes);
            return -1;
        }
        Innov__ClosedEnterprise **list = (Innov__ClosedEnterprise **) calloc (n, sizeof (Innov__ClosedEnterprise *));
        size_t count = 0;
        for (size_t i = 0; bodies->type == REDIS_REPLY_ARRAY && i < bodies->elements; i++)
            if (bodies->element [i]->type == REDIS_REPLY_STRING) {
                Innov__ClosedEnterprise *e = innov__closed_enterprise__unpack (NULL, bodies->element [i]->len,
                                                                               (const uint8_t *) bodies->element [i]->str);
                if (e)
                    list [count++] = e;
            }
        freeReplyObject (bodies);
        *list_p = list;
        *count_p = count;
    }
    freeReplyObject (codes);
    return 0;
}

/* ---- the follower thread --------------------------------------------------------------- */

static void *
s_open (const inv_config_t *cfg, void *arg)
{
    (void) arg;
    return report_new (cfg);
}

static void
s_close (void **state_p)
{
    report_destroy ((report_t **) state_p);
}

static int
s_handle (void *state, const Innov__Event *event)
{
    return report_handle_event ((report_t *) state, event);
}

static int
s_tick (void *state, int64_t now_ms)
{
    return report_tick ((report_t *) state, now_ms);
}

zactor_t *
report_engine_new (const inv_config_t *cfg)
{
    const char *tick = getenv ("REPORT_TICK_MS");
    inv_follow_spec_t spec = {
        .group = REPORT_GROUP, .tick_ms = tick? atoi (tick): 1000,
        .open = s_open, .close = s_close, .handle = s_handle, .tick = s_tick
    };
    return inv_follow_new (cfg, &spec);
}
