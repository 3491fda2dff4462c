/*  catalogue_project: the innovation projects (百项重点创新项目) of a year:
    project.apply / advance / progress / get / list / quota.

    An enterprise applies for itself (ent:<code>; the province may apply on its behalf)
    along a key technology of that year's directory that is not withdrawn. Only the
    provincial promotion group moves a project on:

        applied -> under_review -> selected -> fund_pool -> recommended
        applied | under_review -> rejected (with a reason)

    Selection is bounded by the year's quota (cat.plan:<year> quota, 100 unless the
    province set another): the quota check, the state change, the plan's counter and
    the events are one catalogue_write.lua call, so two selections racing for the last
    place cannot both pass. Selecting a project also announces each of its milestones
    as a "deadline.announced" event (innov.DeadlineAnnounced, agency the enterprise,
    cleared by "milestone.reported" with subject "<project id>:<n>"), which the notify
    service follows: reminders before the due date, the overdue notice and escalation
    after it. A progress report on a milestone emits that "milestone.reported".
*/
#include <czmq.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_log.h"

#define MILESTONES_MAX  10              /* the selecting script announces each: its arguments bound it */
#define REASON_MAX      500
#define BUDGET_MAX      1e9             /* 10k yuan */

static const struct { const char *from; const char *to; } s_steps [] = {
    { "applied", "under_review" }, { "applied", "rejected" },
    { "under_review", "selected" }, { "under_review", "rejected" },
    { "selected", "fund_pool" }, { "fund_pool", "recommended" },
};
#define STEPS (sizeof s_steps / sizeof s_steps [0])

static bool
s_step_allowed (const char *from, const char *to)
{
    for (size_t i = 0; i < STEPS; i++)
        if (streq (s_steps [i].from, from) && streq (s_steps [i].to, to))
            return true;
    return false;
}

static void
s_allowed_from (const char *from, char *buf, size_t size)
{
    buf [0] = 0;
    for (size_t i = 0; i < STEPS; i++)
        if (streq (s_steps [i].from, from))
            snprintf (buf + strlen (buf), size - strlen (buf), "%s%s", *buf? ", ": "", s_steps [i].to);
    if (!*buf)
        snprintf (buf, size, "none");
}

static bool
s_in_plan (const char *state)
{
    return streq (state, "selected") || streq (state, "fund_pool") || streq (state, "recommended");
}

/* The due instant of a milestone date: a bare date is due when that day ends. */
static int64_t
s_due (const char *text)
{
    int64_t ms = inv_clock_parse (text);
    if (ms >= 0 && strlen (text) == 10)
        ms += 86400000LL;
    return ms;
}

static bool
s_load (catalogue_t *self, inv_call_t *call, const char *id, Innov__Project **p)
{
    char key [CATALOGUE_KEY_MAX], what [80];
    snprintf (what, sizeof what, "project %s", catalogue_str (id));
    return catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_PROJECT, catalogue_str (id)),
                     &innov__project__descriptor, what, (ProtobufCMessage **) p);
}

/* The enterprise itself, or the province (and services). */
static bool
s_may_act_for (inv_call_t *call, const char *code, const char *what)
{
    inv_principal_t p;
    inv_caller_principal (call, &p);
    if (p.kind == INV_P_PROVINCE || p.kind == INV_P_SERVICE
    || (p.kind == INV_P_ENTERPRISE && streq (p.code, catalogue_str (code))))
        return true;
    inv_call_error (call, 403, "%s may not %s for enterprise %s: an enterprise acts for itself "
                    "(ent:%s), or the province", catalogue_str (call->caller), what, catalogue_str (code), catalogue_str (code));
    return false;
}

/* A new array (calloc'd) of the n pointers of items, then last. */
static void *
s_appended (const void *items, size_t n, const void *last)
{
    const void **array = (const void **) calloc (n + 1, sizeof (void *));
    if (n)
        memcpy (array, items, n * sizeof (void *));
    array [n] = last;
    return (void *) array;
}

/* Runs the write, then destroys it: the result's code. */
static int
s_run (catalogue_t *self, catalogue_write_t **w_p, const inv_call_t *call, const char *idempotency_key,
       inv_store_result_t *result)
{
    int code = catalogue_write_run (*w_p, self, call, idempotency_key, result);
    catalogue_write_destroy (w_p);
    return code;
}

static void
s_finish (inv_call_t *call, inv_store_result_t *result)
{
    if (result->code == 200) {
        Innov__Project *stored = innov__project__unpack (NULL, result->body_len, (uint8_t *) result->body);
        if (!stored) {
            inv_call_error (call, 500, "stored project does not decode");
            return;
        }
        Innov__ProjectReply reply = INNOV__PROJECT_REPLY__INIT;
        reply.project = stored;
        inv_caller_reply_copy (call, &reply.base);
        innov__project__free_unpacked (stored, NULL);
    }
    else
        inv_call_error (call, result->code, "%s", result->message);
}

/* After a write attempt: true when it is settled (answered through s_finish), false
   when a stale version calls for another attempt; the result is cleared either way. */
static bool
s_settled (inv_call_t *call, int code, inv_store_result_t *result, int attempt)
{
    bool settled = !(code == 409 && streq (result->reason, "stale")) || attempt == CATALOGUE_ATTEMPTS - 1;
    if (settled)
        s_finish (call, result);
    inv_store_result_clear (result);
    return settled;
}

void
catalogue_project_apply (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__ApplyProjectRequest *req = (const Innov__ApplyProjectRequest *) call->request;
    const Innov__Project *in = req->project;
    if (!in) {
        inv_call_field_error (call, "project", "is required");
        return;
    }
    if (!s_may_act_for (call, in->credit_code, "apply"))
        return;
    catalogue_check_text (call, "project.name", in->name, CATALOGUE_NAME_MAX, true);
    if (in->kind < 1 || in->kind > 2)
        inv_call_field_error (call, "project.kind", "must be major_transformation (重大技术改造) or "
                              "key_innovation (重点技术创新)");
    if (in->chain_action < 1 || in->chain_action > 5)
        inv_call_field_error (call, "project.chain_action", "must be build, extend, fill, strengthen or upgrade");
    if (!(in->budget > 0 && in->budget < BUDGET_MAX))
        inv_call_field_error (call, "project.budget", "must be a positive amount of 10k yuan (万元)");
    catalogue_check_text (call, "project.tech_id", in->tech_id, 64, true);
    if (req->n_milestones == 0 || req->n_milestones > MILESTONES_MAX)
        inv_call_field_error (call, "milestones", "give 1 to %d milestones (title and due date)", MILESTONES_MAX);
    for (size_t i = 0; i < req->n_milestones && i < MILESTONES_MAX; i++) {
        char field [48];
        snprintf (field, sizeof field, "milestones[%zu].title", i);
        catalogue_check_text (call, field, req->milestones [i]->title, CATALOGUE_NAME_MAX, true);
        snprintf (field, sizeof field, "milestones[%zu].due", i);
        if (s_due (catalogue_str (req->milestones [i]->due)) < 0)
            inv_call_field_error (call, field, "\"%.40s\" is not a date (2026-06-30)", catalogue_str (req->milestones [i]->due));
    }
    catalogue_check_idempotency_key (call, req->idempotency_key);
    uint32_t year = catalogue_year (call, "project.year", in->year);
    if (inv_call_failed (call))
        return;
    /* the key technology: in that year's directory, not withdrawn */
    char key [CATALOGUE_KEY_MAX];
    redisReply *stored = inv_redis_command (self->redis, "HGET %s body",
                                            inv_key (key, sizeof key, self->province, CATALOGUE_KEY_TECH, in->tech_id));
    if (!stored) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    Innov__TechEntry *tech = stored->type == REDIS_REPLY_STRING
        ? innov__tech_entry__unpack (NULL, stored->len, (uint8_t *) stored->str): NULL;
    freeReplyObject (stored);
    if (!tech) {
        inv_call_field_error (call, "project.tech_id", "%s is not in the key-technology directory", in->tech_id);
        return;
    }
    if (tech->year != year)
        inv_call_field_error (call, "project.tech_id", "%s is in the %u directory, not in %u's", in->tech_id,
                              tech->year, year);
    else
    if (!streq (tech->state, "active"))
        inv_call_field_error (call, "project.tech_id", "%s was withdrawn from the %u directory (%s)", in->tech_id,
                              year, catalogue_str (tech->reason));
    innov__tech_entry__free_unpacked (tech, NULL);
    if (inv_call_failed (call))
        return;
    Innov__Enterprise *e = NULL;
    if (!catalogue_enterprise (self, call, "project.credit_code", in->credit_code, &e))
        return;
    char id [32];
    if (!catalogue_new_id (self, call, "proj", "P", year, 4, id, sizeof id)) {
        innov__enterprise__free_unpacked (e, NULL);
        return;
    }
    int64_t now = inv_clock_now_ms ();
    Innov__ProjectMilestone milestones [MILESTONES_MAX], *mp [MILESTONES_MAX];
    for (size_t i = 0; i < req->n_milestones; i++) {
        innov__project_milestone__init (&milestones [i]);
        milestones [i].title = req->milestones [i]->title;
        milestones [i].due_ms = s_due (req->milestones [i]->due);
        mp [i] = &milestones [i];
    }
    Innov__ProjectStep step = INNOV__PROJECT_STEP__INIT, *steps [1] = { &step };
    step.from = (char *) "";
    step.to = (char *) "applied";
    step.actor = (char *) catalogue_str (call->caller);
    step.time_ms = now;
    Innov__Project p = *in;
    p.id = id;
    p.year = year;
    p.enterprise_name = e->name;
    p.city = e->city;
    p.county = e->county;
    p.milestones = mp;
    p.n_milestones = req->n_milestones;
    p.state = (char *) "applied";
    p.reason = (char *) "";
    p.steps = steps;
    p.n_steps = 1;
    p.version = 1;
    p.created_ms = p.updated_ms = now;
    p.created_by = p.updated_by = step.actor;

    char year_text [16];
    snprintf (year_text, sizeof year_text, "%u", year);
    catalogue_write_t *w = catalogue_write_new (self->province);
    int record = catalogue_write_key (w, CATALOGUE_KEY_PROJECT, id);
    double seq = atof (strrchr (id, '-') + 1);
    catalogue_write_absent (w, record, "project exists");
    catalogue_write_record (w, record, &p.base, "state", "applied", "year", year_text, "city", catalogue_str (e->city),
                      "version", "1", NULL);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_IDX, year), seq, id);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_STATE, year, "applied"), seq, id);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_CITY, year, catalogue_str (e->city)), seq, id);
    catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_ENT, in->credit_code), now, id);
    catalogue_write_hincr (w, catalogue_write_key (w, CATALOGUE_KEY_PLAN, year), "applied", 1);
    catalogue_write_count (w, year, e->city, "projects.applied", 1);
    catalogue_write_emit (w, "project.applied", id, &p.base, e->city, e->county);
    catalogue_write_result (w, &p.base);
    inv_store_result_t result;
    if (catalogue_write_run (w, self, call, req->idempotency_key, &result) == 200)
        inv_info ("project.applied %s by %s (%s) on %s, %zu milestones", id, in->credit_code, e->name,
                  in->tech_id, req->n_milestones);
    s_finish (call, &result);
    inv_store_result_clear (&result);
    catalogue_write_destroy (&w);
    innov__enterprise__free_unpacked (e, NULL);
}

void
catalogue_project_advance (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__AdvanceProjectRequest *req = (const Innov__AdvanceProjectRequest *) call->request;
    if (!catalogue_province_only (call, "review, select, reject, fund or recommend projects"))
        return;
    catalogue_check_text (call, "id", req->id, 64, true);
    const char *to = catalogue_str (req->to);
    if (!streq (to, "under_review") && !streq (to, "selected") && !streq (to, "rejected")
    &&  !streq (to, "fund_pool") && !streq (to, "recommended"))
        inv_call_field_error (call, "to", "\"%.32s\" is not one of under_review, selected, rejected, fund_pool, "
                              "recommended", to);
    if (streq (to, "rejected") && catalogue_empty (req->reason))
        inv_call_field_error (call, "reason", "is required when a project is rejected");
    catalogue_check_text (call, "reason", req->reason, REASON_MAX, false);
    catalogue_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call))
        return;
    for (int attempt = 0; attempt < CATALOGUE_ATTEMPTS; attempt++) {
        Innov__Project *cur = NULL;
        if (!s_load (self, call, req->id, &cur))
            return;
        char refusal [256] = "";
        if (!s_step_allowed (cur->state, to)) {
            char allowed [128];
            s_allowed_from (cur->state, allowed, sizeof allowed);
            snprintf (refusal, sizeof refusal, "project %s is %s; allowed from there: %s", cur->id, cur->state, allowed);
            if (catalogue_empty (req->idempotency_key)) {
                inv_call_error (call, 409, "%s", refusal);
                innov__project__free_unpacked (cur, NULL);
                return;
            }
        }
        int64_t now = inv_clock_now_ms ();
        Innov__ProjectStep step = INNOV__PROJECT_STEP__INIT;
        step.from = cur->state;
        step.to = (char *) to;
        step.reason = (char *) catalogue_str (req->reason);
        step.actor = (char *) catalogue_str (call->caller);
        step.time_ms = now;
        Innov__ProjectStep **steps = (Innov__ProjectStep **) s_appended (cur->steps, cur->n_steps, &step);
        Innov__Project p = *cur;
        p.state = (char *) to;
        p.reason = step.reason;
        p.steps = steps;
        p.n_steps = cur->n_steps + 1;
        p.version = cur->version + 1;
        p.updated_ms = now;
        p.updated_by = step.actor;
        char version [24], type [48];
        snprintf (version, sizeof version, "%llu", (unsigned long long) p.version);
        snprintf (type, sizeof type, "project.%s", to);
        double seq = atof (strrchr (cur->id, '-')? strrchr (cur->id, '-') + 1: "0");

        catalogue_write_t *w = catalogue_write_new (self->province);
        int record = catalogue_write_key (w, CATALOGUE_KEY_PROJECT, cur->id);
        int plan = catalogue_write_key (w, CATALOGUE_KEY_PLAN, cur->year);
        if (*refusal) {
            /* a retry of a step already taken gets its first reply from the script */
            catalogue_write_refuse (w, 409, refusal);
            inv_store_result_t result;
            s_run (self, &w, call, req->idempotency_key, &result);
            free (steps);
            innov__project__free_unpacked (cur, NULL);
            s_finish (call, &result);
            inv_store_result_clear (&result);
            return;
        }
        catalogue_write_version (w, record, cur->version);
        Innov__DeadlineAnnounced notes [MILESTONES_MAX];
        const ProtobufCMessage *payloads [MILESTONES_MAX];
        char ids [MILESTONES_MAX][96], titles [MILESTONES_MAX][400], agency [64], clears [MILESTONES_MAX][96];
        size_t announced = 0;
        if (streq (to, "selected")) {
            char message [300];
            snprintf (message, sizeof message, "quota reached: the %u plan selects at most %%d projects and %%d are "
                      "already selected; %s is not selected (the province may raise the quota with project.quota)",
                      cur->year, cur->id);
            catalogue_write_below (w, plan, "selected", plan, "quota", CATALOGUE_DEFAULT_QUOTA, message);
            snprintf (agency, sizeof agency, "ent:%s", cur->credit_code);
            for (size_t i = 0; i < cur->n_milestones && i < MILESTONES_MAX; i++) {
                innov__deadline_announced__init (&notes [i]);
                snprintf (ids [i], sizeof ids [i], "milestone:%s:%zu", cur->id, i + 1);
                snprintf (titles [i], sizeof titles [i], "项目 %s 第%zu个里程碑：%s", cur->id, i + 1,
                          cur->milestones [i]->title);
                snprintf (clears [i], sizeof clears [i], "%s:%zu", cur->id, i + 1);
                notes [i].id = ids [i];
                notes [i].title = titles [i];
                notes [i].subject = cur->id;
                notes [i].agency = agency;
                notes [i].due_ms = cur->milestones [i]->due_ms;
                notes [i].clear_type = (char *) "milestone.reported";
                notes [i].clear_subject = clears [i];
                payloads [i] = &notes [i].base;
                announced++;
            }
        }
        catalogue_write_record (w, record, &p.base, "state", to, "version", version, NULL);
        catalogue_write_zrem (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_STATE, cur->year, cur->state), cur->id);
        catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_PROJECT_STATE, cur->year, to), seq, cur->id);
        if (streq (to, "selected")) {
            catalogue_write_hincr (w, plan, "selected", 1);
            catalogue_write_count (w, cur->year, cur->city, "projects.selected", 1);
        }
        if (streq (to, "rejected"))
            catalogue_write_count (w, cur->year, cur->city, "projects.rejected", 1);
        if (streq (to, "fund_pool"))
            catalogue_write_count (w, cur->year, cur->city, "projects.fund_pool", 1);
        if (streq (to, "recommended"))
            catalogue_write_count (w, cur->year, cur->city, "projects.recommended", 1);
        catalogue_write_emit (w, type, cur->id, &p.base, cur->city, cur->county);
        if (announced)
            catalogue_write_announce (w, cur->id, announced, payloads);
        catalogue_write_result (w, &p.base);
        inv_store_result_t result;
        int code = s_run (self, &w, call, req->idempotency_key, &result);
        free (steps);
        if (code == 200)
            inv_info ("%s %s: %s -> %s by %s%s%s", type, cur->id, cur->state, to, step.actor,
                      *step.reason? ": ": "", step.reason);
        else
        if (code == 409 && streq (result.reason, "quota"))
            inv_warn ("project %s not selected: %s", cur->id, result.message);
        innov__project__free_unpacked (cur, NULL);
        if (s_settled (call, code, &result, attempt))
            return;
    }
}

void
catalogue_project_progress (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__ProjectProgressRequest *req = (const Innov__ProjectProgressRequest *) call->request;
    catalogue_check_text (call, "id", req->id, 64, true);
    catalogue_check_text (call, "text", req->text, CATALOGUE_TEXT_MAX, true);
    if (req->percent > 100)
        inv_call_field_error (call, "percent", "%u is more than 100", req->percent);
    catalogue_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call))
        return;
    for (int attempt = 0; attempt < CATALOGUE_ATTEMPTS; attempt++) {
        Innov__Project *cur = NULL;
        if (!s_load (self, call, req->id, &cur))
            return;
        if (!s_may_act_for (call, cur->credit_code, "report progress")) {
            innov__project__free_unpacked (cur, NULL);
            return;
        }
        if (req->milestone < 1 || req->milestone > cur->n_milestones) {
            inv_call_field_error (call, "milestone", "project %s has milestones 1 to %zu, not %u", cur->id,
                                  cur->n_milestones, req->milestone);
            innov__project__free_unpacked (cur, NULL);
            return;
        }
        if (!s_in_plan (cur->state)) {
            inv_call_error (call, 409, "project %s is %s: progress is reported once it is selected", cur->id,
                            cur->state);
            innov__project__free_unpacked (cur, NULL);
            return;
        }
        int64_t now = inv_clock_now_ms ();
        Innov__ProjectMilestone *old = cur->milestones [req->milestone - 1], m = *old;
        Innov__ProjectMilestoneReport report = INNOV__PROJECT_MILESTONE_REPORT__INIT;
        report.text = req->text;
        report.percent = req->done? 100: req->percent;
        report.done = req->done;
        report.time_ms = now;
        report.author = (char *) catalogue_str (call->caller);
        Innov__ProjectMilestoneReport **reports = (Innov__ProjectMilestoneReport **)
            s_appended (old->reports, old->n_reports, &report);
        m.reports = reports;
        m.n_reports = old->n_reports + 1;
        m.done = old->done || req->done;
        Innov__ProjectMilestone **milestones = (Innov__ProjectMilestone **)
            calloc (cur->n_milestones + 1, sizeof (Innov__ProjectMilestone *));
        memcpy (milestones, cur->milestones, cur->n_milestones * sizeof (Innov__ProjectMilestone *));
        milestones [req->milestone - 1] = &m;
        Innov__Project p = *cur;
        p.milestones = milestones;
        p.version = cur->version + 1;
        p.updated_ms = now;
        p.updated_by = report.author;
        char version [24], subject [96];
        snprintf (version, sizeof version, "%llu", (unsigned long long) p.version);
        snprintf (subject, sizeof subject, "%s:%u", cur->id, req->milestone);

        catalogue_write_t *w = catalogue_write_new (self->province);
        int record = catalogue_write_key (w, CATALOGUE_KEY_PROJECT, cur->id);
        catalogue_write_version (w, record, cur->version);
        catalogue_write_record (w, record, &p.base, "version", version, NULL);
        catalogue_write_emit (w, "milestone.reported", subject, &p.base, cur->city, cur->county);
        catalogue_write_result (w, &p.base);
        inv_store_result_t result;
        int code = s_run (self, &w, call, req->idempotency_key, &result);
        free (reports);
        free (milestones);
        if (code == 200)
            inv_info ("milestone.reported %s by %s: %u%%%s", subject, report.author, report.percent,
                      report.done? " done": "");
        innov__project__free_unpacked (cur, NULL);
        if (s_settled (call, code, &result, attempt))
            return;
    }
}

void
catalogue_project_get (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__CatalogueGetRequest *req = (const Innov__CatalogueGetRequest *) call->request;
    Innov__Project *p = NULL;
    if (!catalogue_may_read (call) || !s_load (self, call, req->id, &p))
        return;
    Innov__ProjectReply reply = INNOV__PROJECT_REPLY__INIT;
    reply.project = p;
    inv_caller_reply_copy (call, &reply.base);
    innov__project__free_unpacked (p, NULL);
}

void
catalogue_project_list (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__ProjectListRequest *req = (const Innov__ProjectListRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    uint32_t year = catalogue_year (call, "year", req->year);
    uint32_t limit = req->limit? req->limit: 100;
    if (limit > CATALOGUE_LIST_MAX)
        inv_call_field_error (call, "limit", "%u is more than %d", limit, CATALOGUE_LIST_MAX);
    if (!catalogue_empty (req->cursor) && atof (req->cursor) <= 0)
        inv_call_field_error (call, "cursor", "\"%.20s\" is not a cursor of project.list", req->cursor);
    if (inv_call_failed (call))
        return;
    char index [CATALOGUE_KEY_MAX];
    if (!catalogue_empty (req->credit_code))
        inv_key (index, sizeof index, self->province, CATALOGUE_KEY_PROJECT_ENT, req->credit_code);
    else
    if (!catalogue_empty (req->state))
        inv_key (index, sizeof index, self->province, CATALOGUE_KEY_PROJECT_STATE, year, req->state);
    else
    if (!catalogue_empty (req->city))
        inv_key (index, sizeof index, self->province, CATALOGUE_KEY_PROJECT_CITY, year, req->city);
    else
        inv_key (index, sizeof index, self->province, CATALOGUE_KEY_PROJECT_IDX, year);
    Innov__Project **projects = (Innov__Project **) calloc (limit + 1, sizeof (Innov__Project *));
    size_t n = 0;
    char cursor [64] = "", next [64] = "";
    if (!catalogue_empty (req->cursor))
        snprintf (cursor, sizeof cursor, "(%s", req->cursor);
    bool more = true;
    while (n < limit && more) {
        zlist_t *ids = catalogue_members (self, index, *cursor? cursor: NULL, limit);
        if (!ids) {
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
            break;
        }
        size_t count = zlist_size (ids);
        more = count == limit;
        char **array = (char **) calloc (count + 1, sizeof (char *));
        size_t k = 0;
        for (char *id = zlist_first (ids); id; id = zlist_next (ids))
            array [k++] = id;
        ProtobufCMessage **loaded = (ProtobufCMessage **) calloc (count + 1, sizeof (ProtobufCMessage *));
        catalogue_load_many (self, CATALOGUE_KEY_PROJECT, array, count, &innov__project__descriptor, loaded);
        for (size_t i = 0; i < count; i++) {
            Innov__Project *p = (Innov__Project *) loaded [i];
            const char *dash = strrchr (array [i], '-');
            double score = catalogue_empty (req->credit_code) && dash? atof (dash + 1)
                                                                   : catalogue_score (self, index, array [i]);
            snprintf (cursor, sizeof cursor, "(%.0f", score);    /* past this id, even if unreadable */
            if (!p)
                continue;
            bool keep = n < limit && p->year == year
                && (catalogue_empty (req->state) || streq (p->state, req->state))
                && (catalogue_empty (req->city) || streq (p->city, req->city));
            if (keep) {
                projects [n++] = p;
                snprintf (next, sizeof next, "%.0f", score);
            }
            else
                innov__project__free_unpacked (p, NULL);
        }
        free (loaded);
        free (array);
        zlist_destroy (&ids);
    }
    if (!inv_call_failed (call)) {
        const char *argv [] = { "ZCARD", index };
        redisReply *card = inv_redis_argv (self->redis, 2, argv, NULL);
        Innov__ProjectListReply reply = INNOV__PROJECT_LIST_REPLY__INIT;
        reply.projects = projects;
        reply.n_projects = n;
        reply.next_cursor = more && n == limit? next: (char *) "";
        reply.total = card && card->type == REDIS_REPLY_INTEGER? (uint64_t) card->integer: n;
        if (card)
            freeReplyObject (card);
        inv_caller_reply_copy (call, &reply.base);
    }
    for (size_t i = 0; i < n; i++)
        innov__project__free_unpacked (projects [i], NULL);
    free (projects);
}

void
catalogue_project_quota (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__ProjectQuotaRequest *req = (const Innov__ProjectQuotaRequest *) call->request;
    if (req->quota ? !catalogue_province_only (call, "set the plan's quota"): !catalogue_may_read (call))
        return;
    uint32_t year = catalogue_year (call, "year", req->year);
    if (req->quota > 10000)
        inv_call_field_error (call, "quota", "%u is more than 10000", req->quota);
    catalogue_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call))
        return;
    if (req->quota) {
        char quota [16], message [200];
        snprintf (quota, sizeof quota, "%u", req->quota);
        snprintf (message, sizeof message, "%%d projects of %u are already selected: the quota cannot be %u", year,
                  req->quota);
        catalogue_write_t *w = catalogue_write_new (self->province);
        int plan = catalogue_write_key (w, CATALOGUE_KEY_PLAN, year);
        catalogue_write_atmost (w, plan, "selected", req->quota, message);
        catalogue_write_fields (w, plan, "quota", quota, NULL);
        Innov__ProjectPlan view = INNOV__PROJECT_PLAN__INIT;
        view.year = year;
        view.quota = req->quota;
        char subject [16];
        snprintf (subject, sizeof subject, "%u", year);
        catalogue_write_emit (w, "project.quota_set", subject, &view.base, NULL, NULL);
        inv_store_result_t result;
        int code = s_run (self, &w, call, req->idempotency_key, &result);
        if (code != 200) {
            inv_call_error (call, code, "%s", result.message);
            inv_store_result_clear (&result);
            return;
        }
        inv_store_result_clear (&result);
        inv_info ("project.quota_set %u: %u by %s", year, req->quota, call->caller);
    }
    char key [CATALOGUE_KEY_MAX];
    zhash_t *hash = catalogue_hash (self, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_PLAN, year));
    if (!hash) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    const char *value;
    Innov__ProjectPlan plan = INNOV__PROJECT_PLAN__INIT;
    plan.year = year;
    plan.quota = (value = zhash_lookup (hash, "quota"))? (uint32_t) atol (value): CATALOGUE_DEFAULT_QUOTA;
    plan.selected = (value = zhash_lookup (hash, "selected"))? (uint32_t) atol (value): 0;
    plan.applied = (value = zhash_lookup (hash, "applied"))? (uint32_t) atol (value): 0;
    zhash_destroy (&hash);
    Innov__ProjectPlanReply reply = INNOV__PROJECT_PLAN_REPLY__INIT;
    reply.plan = &plan;
    inv_caller_reply_copy (call, &reply.base);
}
