/*  notify: the class, its settings, and the engine that keeps deadlines.

    Deadlines. A deadline is a hash (notify.dl:<id>) holding an innov.Deadline, its
    state (open, done, late) and the index of the next rung of its ladder to fire; an
    open deadline sits in one sorted set (notify.due) at the fire time of that rung.
    The calendar's deadlines (monthly ledger, coverage, summaries, the province's
    report) are computed from the settings and the reference tables and opened when
    they come within the horizon; other services announce theirs with the event
    deadline.announced. Both open through notify_deadline.lua, which does nothing when
    the deadline exists, so every instance may try.

    Firing. notify_tick reads the ids whose fire time has come, decides in C what the
    rung means now (a reminder that is already stale is skipped: a later reminder is
    also due, or the deadline has passed) and builds the notice, then hands both to
    notify_fire.lua, which writes them only if the deadline is still open at the rung
    it read (compare-and-set) and the notice does not exist yet. Two instances ticking
    at the same moment therefore produce each notice once; the loser finds the rung
    moved. The notice id is "dl:<deadline>#<rung name>", so a restart with the same
    ladder cannot notify a cause twice either.

    Clearing. An event whose (type, subject) is the clear pair of a deadline clears it
    (notify_clear.lua): done if the event's time is by the due time, late otherwise
    (listed in notify.late). A report.submitted seen before its deadline opened is
    remembered, so the deadline opens already cleared.
*/
#include "notify_internal.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_log.h"
#include "inv_principal.h"
#include "inv_valid.h"

#define DUE_BATCH   200
#define CALENDAR_CLEAR_TYPE  "report.submitted"

extern const char notify_lua_notify_common [];
extern const char notify_lua_notify_deadline [];
extern const char notify_lua_notify_fire [];
extern const char notify_lua_notify_clear [];
extern const char notify_lua_notify_notice [];
extern const char notify_lua_notify_ack [];
extern const char notify_lua_notify_subscribe [];
extern const char notify_lua_notify_wh_claim [];
extern const char notify_lua_notify_wh_result [];

/* ---- settings ------------------------------------------------------------------------ */

static int64_t
s_duration (const char *text)
{
    char *end;
    errno = 0;
    long long n = strtoll (text, &end, 10);
    if (end == text || errno || n < 0)
        return -1;
    int64_t unit = *end == 'd'? NOTIFY_DAY_MS: *end == 'h'? 3600000: *end == 'm'? 60000:
                   *end == 's'? 1000: *end == '\0' && n == 0? 1: -1;
    if (unit < 0 || (*end && end [1]))
        return -1;
    return n * unit;
}

static int
s_rung_cmp (const void *a, const void *b)
{
    int64_t x = ((const notify_rung_t *) a)->offset_ms, y = ((const notify_rung_t *) b)->offset_ms;
    return x < y? -1: x > y;
}

int
notify_settings_ladder (notify_settings_t *s, const char *remind, const char *ladder,
                        char *err, size_t size)
{
    notify_rung_t rungs [NOTIFY_MAX_RUNGS];
    size_t count = 0;
    char buf [256];
    snprintf (buf, sizeof buf, "%s", remind);
    for (char *save, *item = strtok_r (buf, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        int64_t ms = s_duration (item);
        if (ms <= 0 || count == NOTIFY_MAX_RUNGS) {
            snprintf (err, size, "NOTIFY_REMIND: \"%s\" is not a duration before the deadline "
                      "(<n>d, <n>h, <n>m or <n>s, more than 0)", item);
            return -1;
        }
        notify_rung_t *r = &rungs [count++];
        memset (r, 0, sizeof *r);
        snprintf (r->name, sizeof r->name, "remind-%s", item);
        r->offset_ms = -ms;
        r->kind = NOTIFY_REMIND;
        strcpy (r->target, "group");
    }
    snprintf (buf, sizeof buf, "%s", ladder);
    bool overdue = false;
    for (char *save, *item = strtok_r (buf, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        char *colon = strchr (item, ':');
        if (colon)
            *colon = '\0';
        const char *target = colon? colon + 1: "";
        int64_t ms = s_duration (item);
        if (ms < 0 || count == NOTIFY_MAX_RUNGS
        || (strcmp (target, "group") && strcmp (target, "head") && strcmp (target, "province"))) {
            snprintf (err, size, "NOTIFY_LADDER: \"%s:%s\" is not <duration after the deadline>:"
                      "<group|head|province>", item, target);
            return -1;
        }
        notify_rung_t *r = &rungs [count++];
        memset (r, 0, sizeof *r);
        r->offset_ms = ms;
        strcpy (r->target, target);
        if (!overdue && ms == 0) {
            overdue = true;
            r->kind = NOTIFY_OVERDUE;
            strcpy (r->name, "overdue");
        }
        else {
            r->kind = NOTIFY_ESCALATE;
            snprintf (r->name, sizeof r->name, "escalate-%s", target);
        }
        for (size_t i = 0; i + 1 < count; i++)
            if (streq (rungs [i].name, r->name)) {
                snprintf (err, size, "NOTIFY_LADDER: %s appears twice", r->name);
                return -1;
            }
    }
    if (!overdue) {
        snprintf (err, size, "NOTIFY_LADDER: needs a first step at 0 (the overdue notice), e.g. 0:group");
        return -1;
    }
    qsort (rungs, count, sizeof rungs [0], s_rung_cmp);
    memcpy (s->rungs, rungs, sizeof rungs);
    s->rung_count = count;
    return 0;
}

void
notify_settings_default (notify_settings_t *s)
{
    memset (s, 0, sizeof *s);
    char err [256];
    int rc = notify_settings_ladder (s, "3d,1d", "0:group,2d:head,5d:province", err, sizeof err);
    assert (rc == 0);
    s->yellow_ms = 3 * NOTIFY_DAY_MS;
    s->horizon_ms = 7 * NOTIFY_DAY_MS;
    s->grace_ms = 7 * NOTIFY_DAY_MS;
    s->tick_ms = 1000;
    s->claim_idle_ms = 30000;
    s->webhook.backoff_ms = 1000;
    s->webhook.backoff_max_ms = 600000;
    s->webhook.attempts = 8;
    s->webhook.timeout_ms = 5000;
}

static int
s_env_duration (const char *name, int64_t *out, char *err, size_t size)
{
    const char *text = getenv (name);
    if (!text || !*text)
        return 0;
    int64_t ms = s_duration (text);
    if (ms < 0) {
        snprintf (err, size, "%s: \"%s\" is not a duration (<n>d, <n>h, <n>m or <n>s)", name, text);
        return -1;
    }
    *out = ms;
    return 0;
}

static int
s_env_int (const char *name, int *out, int low, int high, char *err, size_t size)
{
    const char *text = getenv (name);
    if (!text || !*text)
        return 0;
    char *end;
    long n = strtol (text, &end, 10);
    if (*end || n < low || n > high) {
        snprintf (err, size, "%s: \"%s\" is not a number from %d to %d", name, text, low, high);
        return -1;
    }
    *out = (int) n;
    return 0;
}

int
notify_settings_from_env (notify_settings_t *s, char *err, size_t size)
{
    notify_settings_default (s);
    const char *remind = getenv ("NOTIFY_REMIND");
    const char *ladder = getenv ("NOTIFY_LADDER");
    if ((remind && *remind) || (ladder && *ladder))
        if (notify_settings_ladder (s, remind && *remind? remind: "3d,1d",
                                    ladder && *ladder? ladder: "0:group,2d:head,5d:province",
                                    err, size))
            return -1;
    if (s_env_int ("NOTIFY_YEAR", &s->year, 2000, 2100, err, size)
    ||  s_env_duration ("NOTIFY_YELLOW", &s->yellow_ms, err, size)
    ||  s_env_duration ("NOTIFY_HORIZON", &s->horizon_ms, err, size)
    ||  s_env_duration ("NOTIFY_GRACE", &s->grace_ms, err, size)
    ||  s_env_int ("NOTIFY_TICK_MS", &s->tick_ms, 10, 3600000, err, size)
    ||  s_env_int ("NOTIFY_CLAIM_IDLE_MS", &s->claim_idle_ms, 100, 86400000, err, size)
    ||  s_env_int ("NOTIFY_WEBHOOK_BACKOFF_MS", &s->webhook.backoff_ms, 10, 3600000, err, size)
    ||  s_env_int ("NOTIFY_WEBHOOK_BACKOFF_MAX_MS", &s->webhook.backoff_max_ms, 10, 86400000, err, size)
    ||  s_env_int ("NOTIFY_WEBHOOK_ATTEMPTS", &s->webhook.attempts, 1, 100, err, size)
    ||  s_env_int ("NOTIFY_WEBHOOK_TIMEOUT_MS", &s->webhook.timeout_ms, 100, 60000, err, size))
        return -1;
    if (s->horizon_ms < -s->rungs [0].offset_ms) {
        snprintf (err, size, "NOTIFY_HORIZON: must be at least the earliest reminder (%s)",
                  s->rungs [0].name);
        return -1;
    }
    return 0;
}

const char *
notify_light (const notify_settings_t *s, int64_t due_ms, int64_t now_ms)
{
    int64_t left = due_ms - now_ms;
    return left <= 0? "red": left <= s->yellow_ms? "yellow": "green";
}

/* ---- the class ----------------------------------------------------------------------- */

char *
notify_script_source (const char *body)
{
    return inv_store_script_source_with (notify_lua_notify_common, body);
}

notify_t *
notify_new (const inv_config_t *cfg, const notify_settings_t *settings)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    notify_t *self = (notify_t *) zmalloc (sizeof (notify_t));
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s",
              cfg->province && *cfg->province? cfg->province: "14");
    if (settings)
        self->settings = *settings;
    else
        notify_settings_default (&self->settings);
    self->opened = zhashx_new ();
    struct { inv_script_t *script; const char *name, *body; } all [] = {
        { &self->deadline_script, "notify_deadline", notify_lua_notify_deadline },
        { &self->fire_script, "notify_fire", notify_lua_notify_fire },
        { &self->clear_script, "notify_clear", notify_lua_notify_clear },
        { &self->notice_script, "notify_notice", notify_lua_notify_notice },
        { &self->ack_script, "notify_ack", notify_lua_notify_ack },
        { &self->subscribe_script, "notify_subscribe", notify_lua_notify_subscribe },
        { &self->wh_claim_script, "notify_wh_claim", notify_lua_notify_wh_claim },
        { &self->wh_result_script, "notify_wh_result", notify_lua_notify_wh_result },
    };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++) {
        all [i].script->name = all [i].name;
        all [i].script->source = notify_script_source (all [i].body);
    }
    return self;
}

void
notify_destroy (notify_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    notify_t *self = *self_p;
    inv_redis_destroy (&self->redis);
    zhashx_destroy (&self->opened);
    inv_script_t *all [] = { &self->deadline_script, &self->fire_script, &self->clear_script,
                             &self->notice_script, &self->ack_script, &self->subscribe_script,
                             &self->wh_claim_script, &self->wh_result_script };
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++)
        free ((char *) all [i]->source);
    free (self);
    *self_p = NULL;
}

inv_redis_t *notify_redis (notify_t *self) { return self->redis; }
const char *notify_province (notify_t *self) { return self->province; }
const notify_settings_t *notify_settings (notify_t *self) { return &self->settings; }

uint8_t *
notify_pack (const ProtobufCMessage *message, size_t *size_p)
{
    return inv_rpc_pack (message, size_p);
}

int
notify_write (notify_t *self, inv_script_t *script, const char *actor, int nkeys,
              const char **keys, int nargs, const char **args, const size_t *arglens,
              inv_store_result_t *result)
{
    size_t lens [32];
    assert (nargs <= 32);
    for (int i = 0; i < nargs; i++)
        lens [i] = arglens && arglens [i] != (size_t) -1? arglens [i]: strlen (args [i]);
    inv_store_write (self->redis, script, self->province, actor, "", nkeys, keys, NULL,
                     nargs, args, lens, result);
    return result->code;
}

/* ---- deadlines ----------------------------------------------------------------------- */

/* Pack a copy of the deadline with another state and cleared time. */
static uint8_t *
s_deadline_body (const Innov__Deadline *d, const char *state, int64_t cleared, size_t *size_p)
{
    Innov__Deadline copy = *d;
    copy.state = (char *) state;
    copy.cleared_ms = cleared;
    return notify_pack (&copy.base, size_p);
}

int
notify_open_deadline (notify_t *self, const Innov__Deadline *d)
{
    const notify_settings_t *s = &self->settings;
    char k_dl [NOTIFY_KEY_MAX], k_due [NOTIFY_KEY_MAX], k_clear [NOTIFY_KEY_MAX],
         k_seen [NOTIFY_KEY_MAX], k_late [NOTIFY_KEY_MAX];
    const char *keys [] = {
        inv_key (k_dl, sizeof k_dl, self->province, NOTIFY_KEY_DEADLINE, d->id),
        inv_key (k_due, sizeof k_due, self->province, NOTIFY_KEY_DUE),
        inv_key (k_clear, sizeof k_clear, self->province, NOTIFY_KEY_CLEAR),
        inv_key (k_seen, sizeof k_seen, self->province, NOTIFY_KEY_SEEN),
        inv_key (k_late, sizeof k_late, self->province, NOTIFY_KEY_LATE) };
    size_t open_len, done_len, late_len;
    uint8_t *open = s_deadline_body (d, "open", 0, &open_len);
    /* the cleared time is filled by the script's state; the body records the state */
    uint8_t *done = s_deadline_body (d, "done", 0, &done_len);
    uint8_t *late = s_deadline_body (d, "late", 0, &late_len);
    char due [24], fire [24], match [512];
    snprintf (due, sizeof due, "%lld", (long long) d->due_ms);
    snprintf (fire, sizeof fire, "%lld", (long long) (d->due_ms + s->rungs [0].offset_ms));
    snprintf (match, sizeof match, "%s|%s", d->clear_type, d->clear_subject);
    const char *args [] = { d->id, (char *) open, due, s->rung_count? fire: "", match, d->agency,
                            (char *) done, (char *) late };
    size_t lens [] = { (size_t) -1, open_len, (size_t) -1, (size_t) -1, (size_t) -1, (size_t) -1,
                       done_len, late_len };
    inv_store_result_t result;
    int code = notify_write (self, &self->deadline_script, "service:notify", 5, keys, 8, args,
                             lens, &result);
    bool opened = code == 200 && !streq (result.message, "exists");
    if (opened) {
        char when [40];
        inv_info ("deadline %s opened (%s), %s due %s", d->id, result.message, d->agency,
                  inv_clock_format (d->due_ms, when, sizeof when));
    }
    else
    if (code != 200)
        inv_warn ("deadline %s: %d %s", d->id, code, result.message);
    inv_store_result_clear (&result);
    free (open);
    free (done);
    free (late);
    return code != 200? -1: opened? 1: 0;
}

/* One calendar deadline: opened when within the window and not known to exist. */
static int
s_calendar_one (notify_t *self, int64_t now, const char *kind, const char *period,
                const char *agency, const char *title, int64_t due)
{
    if (due < now - self->settings.grace_ms || due > now + self->settings.horizon_ms)
        return 0;
    char id [160];
    snprintf (id, sizeof id, "%s:%s:%s", kind, period, agency);
    if (zhashx_lookup (self->opened, id))
        return 0;
    Innov__Deadline d = INNOV__DEADLINE__INIT;
    d.id = id;
    d.title = (char *) title;
    d.agency = (char *) agency;
    d.due_ms = due;
    d.clear_type = (char *) CALENDAR_CLEAR_TYPE;
    d.clear_subject = id;
    d.state = (char *) "open";
    d.source = (char *) "calendar";
    int rc = notify_open_deadline (self, &d);
    if (rc >= 0)
        zhashx_insert (self->opened, id, (void *) 1);
    return rc;
}

/* The responsible groups of the calendar: every city, then every department. */
static int
s_calendar_groups (notify_t *self, int64_t now, const char *kind, const char *period,
                   const char *title, int64_t due)
{
    int opened = 0, rc;
    char agency [64];
    size_t count;
    const inv_division_t *divisions = inv_division_all (&count);
    for (size_t i = 0; i < count; i++) {
        if (divisions [i].level != INV_DIV_CITY || strncmp (divisions [i].code, self->province, 2))
            continue;
        snprintf (agency, sizeof agency, "city:%s", divisions [i].code);
        if ((rc = s_calendar_one (self, now, kind, period, agency, title, due)) < 0)
            return -1;
        opened += rc;
    }
    const inv_department_t *departments = inv_department_all (&count);
    for (size_t i = 0; i < count; i++) {
        snprintf (agency, sizeof agency, "dept:%s", departments [i].code);
        if ((rc = s_calendar_one (self, now, kind, period, agency, title, due)) < 0)
            return -1;
        opened += rc;
    }
    return opened;
}

int
notify_calendar (notify_t *self, int64_t now)
{
    int year = self->settings.year;
    if (!year) {
        inv_cst_t cst;
        inv_clock_to_cst (now, &cst);
        year = cst.year;
    }
    int opened = 0, rc;
    char period [16], title [128];
    for (int month = 1; month <= 12; month++) {
        snprintf (period, sizeof period, "%04d-%02d", year, month);
        snprintf (title, sizeof title, "%d年%d月台账月报", year, month);
        if ((rc = s_calendar_groups (self, now, "ledger", period, title,
                                     inv_clock_from_cst (year, month, 5, 0, 0, 0))) < 0)
            return -1;
        opened += rc;
    }
    snprintf (period, sizeof period, "%04d", year);
    snprintf (title, sizeof title, "%d年全覆盖目标", year);
    if ((rc = s_calendar_groups (self, now, "coverage", period, title,
                                 inv_clock_from_cst (year + 1, 1, 1, 0, 0, 0))) < 0)
        return -1;
    opened += rc;
    snprintf (title, sizeof title, "%d年工作组年度总结", year);
    if ((rc = s_calendar_groups (self, now, "summary", period, title,
                                 inv_clock_from_cst (year + 1, 1, 11, 0, 0, 0))) < 0)
        return -1;
    opened += rc;
    snprintf (title, sizeof title, "%d年全省年度报告", year);
    if ((rc = s_calendar_one (self, now, "province", period, "province", title,
                              inv_clock_from_cst (year + 1, 1, 26, 0, 0, 0))) < 0)
        return -1;
    return opened + rc;
}

/* ---- firing rungs -------------------------------------------------------------------- */

static void
s_notice_title (char *buf, size_t size, const notify_rung_t *r, const Innov__Deadline *d, int64_t now)
{
    char due [40];
    inv_clock_format (d->due_ms, due, sizeof due);
    due [16] = '\0';
    due [10] = ' ';             /* "2026-03-05 00:00" */
    if (r->kind == NOTIFY_REMIND) {
        int64_t left = d->due_ms - now;
        snprintf (buf, size, "%s：%s（北京时间）截止，还剩 %lld 小时", d->title, due,
                  (long long) (left / 3600000));
    }
    else
    if (r->kind == NOTIFY_OVERDUE)
        snprintf (buf, size, "%s：已逾期，截止时间 %s（北京时间）", d->title, due);
    else
        snprintf (buf, size, "%s：%s 逾期未报，截止时间 %s（北京时间），已上报%s",
                  d->title, d->agency, due, streq (r->target, "province")? "省级": "负责人");
}

/* Fire the rungs of one deadline that are due; notices created, or -1. */
static int
s_fire (notify_t *self, const char *id, int64_t now)
{
    const notify_settings_t *s = &self->settings;
    char k_dl [NOTIFY_KEY_MAX], k_due [NOTIFY_KEY_MAX];
    inv_key (k_dl, sizeof k_dl, self->province, NOTIFY_KEY_DEADLINE, id);
    inv_key (k_due, sizeof k_due, self->province, NOTIFY_KEY_DUE);
    int created = 0;
    for (size_t step = 0; step <= s->rung_count; step++) {
        redisReply *r = inv_redis_command (self->redis, "HMGET %s body rung", k_dl);
        if (!r)
            return -1;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element [0]->type != REDIS_REPLY_STRING) {
            freeReplyObject (r);
            redisReply *z = inv_redis_command (self->redis, "ZREM %s %s", k_due, id);
            if (z)
                freeReplyObject (z);
            return created;
        }
        Innov__Deadline *d = innov__deadline__unpack (NULL, r->element [0]->len,
                                                      (const uint8_t *) r->element [0]->str);
        char rung_text [16];
        snprintf (rung_text, sizeof rung_text, "%s",
                  r->element [1]->type == REDIS_REPLY_STRING? r->element [1]->str: "0");
        freeReplyObject (r);
        if (!d)
            return created;
        size_t rung = (size_t) atoi (rung_text);
        bool due_now = rung < s->rung_count && d->due_ms + s->rungs [rung].offset_ms <= now;
        size_t next = due_now? rung + 1: rung;
        char next_text [24], fire [24] = "";
        snprintf (next_text, sizeof next_text, "%zu", next);
        if (next < s->rung_count)
            snprintf (fire, sizeof fire, "%lld", (long long) (d->due_ms + s->rungs [next].offset_ms));
        char nid [NOTIFY_KEY_MAX] = "", recipient [80] = "", title [512];
        uint8_t *body = NULL;
        size_t body_len = 0;
        const notify_rung_t *rr = due_now? &s->rungs [rung]: NULL;
        bool stale = rr && rr->kind == NOTIFY_REMIND
                  && (now >= d->due_ms || (next < s->rung_count && s->rungs [next].kind == NOTIFY_REMIND
                                           && d->due_ms + s->rungs [next].offset_ms <= now));
        if (rr && !stale) {
            snprintf (nid, sizeof nid, "dl:%s#%s", id, rr->name);
            snprintf (recipient, sizeof recipient, "%s", streq (rr->target, "province")? "province": d->agency);
            s_notice_title (title, sizeof title, rr, d, now);
            Innov__Notice n = INNOV__NOTICE__INIT;
            n.id = nid;
            n.recipient = recipient;
            n.audience = (char *) (streq (rr->target, "head")? "head": "group");
            n.kind = (char *) (rr->kind == NOTIFY_REMIND? "reminder":
                               rr->kind == NOTIFY_OVERDUE? "overdue": "escalation");
            n.title = title;
            n.deadline = (char *) id;
            n.rung = (char *) rr->name;
            n.light = (char *) notify_light (s, d->due_ms, now);
            n.due_ms = d->due_ms;
            n.created_ms = now;
            n.subject = d->clear_subject;
            n.responsible = d->agency;
            body = notify_pack (&n.base, &body_len);
        }
        char k_notice [NOTIFY_KEY_MAX], k_inbox [NOTIFY_KEY_MAX], k_unread [NOTIFY_KEY_MAX];
        const char *keys [] = { k_dl, k_due,
            inv_key (k_notice, sizeof k_notice, self->province, NOTIFY_KEY_NOTICE, *nid? nid: "-"),
            inv_key (k_inbox, sizeof k_inbox, self->province, NOTIFY_KEY_INBOX, *recipient? recipient: "-"),
            inv_key (k_unread, sizeof k_unread, self->province, NOTIFY_KEY_UNREAD, *recipient? recipient: "-") };
        const char *args [] = { id, rung_text, next_text, fire, nid, recipient, body? (char *) body: "" };
        size_t lens [] = { (size_t) -1, (size_t) -1, (size_t) -1, (size_t) -1, (size_t) -1, (size_t) -1,
                           body_len };
        inv_store_result_t result;
        int code = notify_write (self, &self->fire_script, "service:notify", 5, keys, 7, args, lens, &result);
        if (code == 200 && streq (result.message, "notified")) {
            created++;
            inv_info ("notice %s to %s (%s)", nid, recipient, notify_light (s, d->due_ms, now));
        }
        bool again = code == 200 && due_now && (streq (result.message, "notified")
                                             || streq (result.message, "skipped"));
        inv_store_result_clear (&result);
        free (body);
        innov__deadline__free_unpacked (d, NULL);
        if (code != 200)
            return -1;
        if (!again)
            break;
    }
    return created;
}

int
notify_tick (notify_t *self, int64_t now)
{
    if (notify_calendar (self, now) < 0)
        return -1;
    char k_due [NOTIFY_KEY_MAX];
    inv_key (k_due, sizeof k_due, self->province, NOTIFY_KEY_DUE);
    redisReply *r = inv_redis_command (self->redis, "ZRANGEBYSCORE %s -inf %lld LIMIT 0 %d",
                                       k_due, (long long) now, DUE_BATCH);
    if (!r)
        return -1;
    int created = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        int n = s_fire (self, r->element [i]->str, now);
        if (n < 0) {
            created = -1;
            break;
        }
        created += n;
    }
    freeReplyObject (r);
    return created;
}

/* ---- events -------------------------------------------------------------------------- */

static int
s_announced (notify_t *self, const Innov__Event *event)
{
    Innov__DeadlineAnnounced *a = NULL;
    if (streq (event->payload_type, "innov.DeadlineAnnounced"))
        a = innov__deadline_announced__unpack (NULL, event->payload.len, event->payload.data);
    inv_principal_t p;
    const char *why = !a? "payload is not an innov.DeadlineAnnounced":
                      !*a->id? "id is empty": inv_principal_parse (a->agency, &p)? "agency is not a principal":
                      a->due_ms <= 0? "due_ms is not set": !*a->clear_type? "clear_type is empty": NULL;
    if (why) {
        inv_warn ("event %llu deadline.announced by %s ignored: %s",
                  (unsigned long long) event->seq, event->actor, why);
        if (a)
            innov__deadline_announced__free_unpacked (a, NULL);
        return 0;
    }
    char id [320];
    snprintf (id, sizeof id, "ext:%s", a->id);
    Innov__Deadline d = INNOV__DEADLINE__INIT;
    d.id = id;
    d.title = *a->title? a->title: a->id;
    d.agency = a->agency;
    d.due_ms = a->due_ms;
    d.clear_type = a->clear_type;
    d.clear_subject = a->clear_subject;
    d.state = (char *) "open";
    d.source = event->actor;
    int rc = notify_open_deadline (self, &d);
    innov__deadline_announced__free_unpacked (a, NULL);
    return rc < 0? -1: 0;
}

/* The event clears a deadline (or is remembered for one not opened yet). */
static int
s_clearing (notify_t *self, const Innov__Event *event)
{
    char match [512], k_clear [NOTIFY_KEY_MAX];
    snprintf (match, sizeof match, "%s|%s", event->type, event->subject);
    inv_key (k_clear, sizeof k_clear, self->province, NOTIFY_KEY_CLEAR);
    redisReply *r = inv_redis_command (self->redis, "HGET %s %s", k_clear, match);
    if (!r)
        return -1;
    char id [320] = "";
    if (r->type == REDIS_REPLY_STRING)
        snprintf (id, sizeof id, "%s", r->str);
    freeReplyObject (r);
    if (!*id && !streq (event->type, CALENDAR_CLEAR_TYPE))
        return 0;

    char k_dl [NOTIFY_KEY_MAX], k_due [NOTIFY_KEY_MAX], k_late [NOTIFY_KEY_MAX], k_seen [NOTIFY_KEY_MAX];
    inv_key (k_dl, sizeof k_dl, self->province, NOTIFY_KEY_DEADLINE, *id? id: "-");
    Innov__Deadline *d = NULL;
    if (*id) {
        r = inv_redis_command (self->redis, "HGET %s body", k_dl);
        if (!r)
            return -1;
        if (r->type == REDIS_REPLY_STRING)
            d = innov__deadline__unpack (NULL, r->len, (const uint8_t *) r->str);
        freeReplyObject (r);
    }
    size_t done_len = 0, late_len = 0;
    uint8_t *done = d? s_deadline_body (d, "done", event->time_ms, &done_len): NULL;
    uint8_t *late = d? s_deadline_body (d, "late", event->time_ms, &late_len): NULL;
    const char *keys [] = { k_dl,
        inv_key (k_due, sizeof k_due, self->province, NOTIFY_KEY_DUE),
        inv_key (k_late, sizeof k_late, self->province, NOTIFY_KEY_LATE),
        inv_key (k_seen, sizeof k_seen, self->province, NOTIFY_KEY_SEEN) };
    char when [24];
    snprintf (when, sizeof when, "%lld", (long long) event->time_ms);
    const char *args [] = { d? id: "", match, when, done? (char *) done: "", late? (char *) late: "" };
    size_t lens [] = { (size_t) -1, (size_t) -1, (size_t) -1, done_len, late_len };
    inv_store_result_t result;
    int code = notify_write (self, &self->clear_script, "service:notify", 4, keys, 5, args, lens, &result);
    if (code == 200 && (streq (result.message, "done") || streq (result.message, "late")))
        inv_info ("deadline %s cleared by %s %s: %s", id, event->type, event->subject, result.message);
    inv_store_result_clear (&result);
    free (done);
    free (late);
    if (d)
        innov__deadline__free_unpacked (d, NULL);
    return code == 200? 0: -1;
}

static bool
s_match (const char *filter, const char *value)
{
    return !filter || !*filter || (value && streq (filter, value));
}

/* Subscriptions that match become notices in their agency's inbox. */
static int
s_subscriptions (notify_t *self, const Innov__Event *event)
{
    char k_subs [NOTIFY_KEY_MAX];
    inv_key (k_subs, sizeof k_subs, self->province, NOTIFY_KEY_SUBS);
    redisReply *r = inv_redis_command (self->redis, "HVALS %s", k_subs);
    if (!r)
        return -1;
    int rc = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && rc == 0; i++) {
        Innov__Subscription *sub = innov__subscription__unpack (NULL, r->element [i]->len,
                                                                (const uint8_t *) r->element [i]->str);
        if (!sub)
            continue;
        if (strncmp (event->type, sub->type_prefix, strlen (sub->type_prefix)) == 0
        &&  !streq (event->actor, sub->agency)
        &&  s_match (sub->city, event->city) && s_match (sub->county, event->county)
        &&  s_match (sub->department, event->department) && s_match (sub->cluster, event->cluster)
        &&  s_match (sub->enterprise, event->subject)) {
            char nid [128], title [512];
            snprintf (nid, sizeof nid, "ev:%llu:%s", (unsigned long long) event->seq, sub->id);
            snprintf (title, sizeof title, "%s %s by %s", event->type, event->subject, event->actor);
            Innov__Notice n = INNOV__NOTICE__INIT;
            n.id = nid;
            n.recipient = sub->agency;
            n.audience = (char *) "subscriber";
            n.kind = (char *) "event";
            n.title = title;
            n.created_ms = event->time_ms;
            n.event_type = event->type;
            n.event_seq = event->seq;
            n.subject = event->subject;
            rc = *sub->webhook_url? notify_webhook_put_notice (self, &n, sub, zclock_time ())
                                  : notify_put_notice (self, &n);
        }
        innov__subscription__free_unpacked (sub, NULL);
    }
    freeReplyObject (r);
    return rc;
}

int
notify_handle_event (notify_t *self, const Innov__Event *event)
{
    if (strncmp (event->type, "notice.", 7) == 0)
        return 0;               /* our own output: never a cause */
    if (streq (event->type, "deadline.announced") && s_announced (self, event))
        return -1;
    if (s_clearing (self, event))
        return -1;
    return s_subscriptions (self, event);
}
