/*  pairing_group: promotion groups and their work groups (工作专班): group.add / get /
    list / member.add / member.remove / assign / unassign / ready.

    A work group belongs to a promotion group, its owner: "city:<code>" (a city's group)
    or "dept:<code>" (a department's). A city or department manages its own groups, the
    province all (pairing_may_manage). The record (innov.WorkGroup without its enterprise
    list) is encoded here with version + 1 and written by pairing_group.lua only if the
    stored version is still the one read; the enterprises it serves are a sorted set
    written by pairing_assign.lua, which checks each is in the owner's scope.

    The composition rule is checked when a group is declared ready (and when a member of a
    ready group is removed): 5-6 members, at least one division-level official (处级), at
    least one technical professional of a university, institute or platform; each rule
    broken is one FieldError. Only ready groups count for coverage.
*/
#include "pairing_internal.h"
#include "inv_valid.h"
#include "inv_clock.h"
#include "inv_log.h"

#define NAME_MAX_BYTES   200
#define ASSIGN_MAX       50      /* codes per request (the script's argument table) */
#define GROUP_ATTEMPTS   3

static const char *s_kinds [] = { "official", "technical", "alliance", "expert", "pioneer", NULL };

static bool
s_one_of (const char *value, const char **list)
{
    for (size_t i = 0; list [i]; i++)
        if (streq (value, list [i]))
            return true;
    return false;
}

static bool
s_division_rank (const char *rank)
{
    static const char *ranks [] = { "division", "处级", "正处级", "副处级", "bureau", "厅级", NULL };
    return rank && (s_one_of (rank, ranks) || strstr (rank, "处"));
}

static bool
s_research_unit (const char *unit_kind)
{
    static const char *kinds [] = { "university", "institute", "platform", "高校", "科研院所", "平台", NULL };
    return unit_kind && s_one_of (unit_kind, kinds);
}

bool
pairing_group_check_rule (const Innov__WorkGroup *group, inv_call_t *call, const char *prefix)
{
    bool ok = true;
    if (group->n_members < 5 || group->n_members > 6) {
        inv_call_field_error (call, "members", "%shas %zu members; a work group has 5 or 6",
                              prefix, group->n_members);
        ok = false;
    }
    bool official = false, technical = false;
    for (size_t i = 0; i < group->n_members; i++) {
        const Innov__GroupMember *m = group->members [i];
        if (streq (m->kind, "official") && s_division_rank (m->rank))
            official = true;
        if (streq (m->kind, "technical") && s_research_unit (m->unit_kind))
            technical = true;
    }
    if (!official) {
        inv_call_field_error (call, "members.rank", "%shas no division-level official (处级): a member "
                              "of kind official with rank division", prefix);
        ok = false;
    }
    if (!technical) {
        inv_call_field_error (call, "members.unit_kind", "%shas no technical professional of a university, "
                              "institute or platform: a member of kind technical with unit_kind university, "
                              "institute or platform", prefix);
        ok = false;
    }
    return ok;
}

static bool
s_check_owner (inv_call_t *call, const char *owner)
{
    if (!owner || !*owner) {
        inv_call_field_error (call, "group.owner", "is required: \"city:<code>\" or \"dept:<code>\"");
        return false;
    }
    if (strncmp (owner, "city:", 5) == 0) {
        if (!inv_division_is_city (owner + 5)) {
            inv_call_field_error (call, "group.owner", "%s is not a known city", owner + 5);
            return false;
        }
        return true;
    }
    if (strncmp (owner, "dept:", 5) == 0) {
        const inv_department_t *d = inv_department_find (owner + 5);
        if (!d || !streq (d->code, owner + 5)) {
            inv_call_field_error (call, "group.owner", "%s is not a known department code", owner + 5);
            return false;
        }
        return true;
    }
    inv_call_field_error (call, "group.owner", "\"%s\": a promotion group is \"city:<code>\" or \"dept:<code>\"", owner);
    return false;
}

static void
s_check_member (inv_call_t *call, const Innov__GroupMember *m, const char *field)
{
    char name [64];
    snprintf (name, sizeof name, "%s.name", field);
    pairing_text_ok (call, name, m->name, NAME_MAX_BYTES, true);
    snprintf (name, sizeof name, "%s.unit", field);
    pairing_text_ok (call, name, m->unit, NAME_MAX_BYTES, false);
    snprintf (name, sizeof name, "%s.rank", field);
    pairing_text_ok (call, name, m->rank, 64, false);
    snprintf (name, sizeof name, "%s.unit_kind", field);
    pairing_text_ok (call, name, m->unit_kind, 64, false);
    snprintf (name, sizeof name, "%s.kind", field);
    if (!s_one_of (m->kind, s_kinds))
        inv_call_field_error (call, name, "\"%s\" is not one of official, technical, alliance, expert, pioneer", m->kind);
}

/* 0 found (*group_p unpacked, state/version/count from the hash), 1 not found, -1 Redis down. */
static int
s_read (pairing_t *self, const char *pp, const char *id, Innov__WorkGroup **group_p, bool with_enterprises)
{
    char key [PAIRING_KEY_MAX], ents [PAIRING_KEY_MAX];
    inv_key (key, sizeof key, pp, PAIRING_KEY_GROUP, id);
    inv_key (ents, sizeof ents, pp, PAIRING_KEY_GROUP_ENTS, id);
    redisReply *h = inv_redis_command (self->redis, "HMGET %s body state version", key);
    if (!h)
        return -1;
    if (h->type != REDIS_REPLY_ARRAY || h->elements != 3 || h->element [0]->type != REDIS_REPLY_STRING) {
        freeReplyObject (h);
        return 1;
    }
    Innov__WorkGroup *g = innov__work_group__unpack (NULL, h->element [0]->len, (const uint8_t *) h->element [0]->str);
    if (!g) {
        freeReplyObject (h);
        return 1;
    }
    free (g->state);
    g->state = strdup (pairing_elem (h, 1));
    g->version = strtoull (pairing_elem (h, 2), NULL, 10);
    freeReplyObject (h);
    redisReply *n = inv_redis_command (self->redis, "ZCARD %s", ents);
    g->enterprise_count = n && n->type == REDIS_REPLY_INTEGER? (uint32_t) n->integer: 0;
    if (n)
        freeReplyObject (n);
    if (with_enterprises && g->enterprise_count) {
        redisReply *list = inv_redis_command (self->redis, "ZRANGE %s 0 999", ents);
        if (list && list->type == REDIS_REPLY_ARRAY) {
            for (size_t i = 0; i < g->n_enterprises; i++)
                free (g->enterprises [i]);
            free (g->enterprises);
            g->enterprises = (char **) zmalloc ((list->elements + 1) * sizeof (char *));
            g->n_enterprises = list->elements;
            for (size_t i = 0; i < list->elements; i++)
                g->enterprises [i] = strdup (list->element [i]->str);
        }
        if (list)
            freeReplyObject (list);
    }
    *group_p = g;
    return 0;
}

static void
s_reply_group (inv_call_t *call, const Innov__WorkGroup *g)
{
    Innov__GroupReply reply = INNOV__GROUP_REPLY__INIT;
    reply.group = (Innov__WorkGroup *) g;
    inv_caller_reply_copy (call, &reply.base);
}

/* Load a group for a change by the caller: found and in scope; NULL after the answer. */
static Innov__WorkGroup *
s_load (pairing_t *self, inv_call_t *call, const char *pp, const char *id)
{
    if (!id || !*id) {
        inv_call_field_error (call, "group_id", "is required");
        return NULL;
    }
    Innov__WorkGroup *g = NULL;
    int rc = s_read (self, pp, id, &g, false);
    if (rc < 0)
        pairing_unavailable (self, call);
    else
    if (rc > 0)
        inv_call_error (call, 404, "no work group %s", id);
    else
    if (!pairing_may_manage (call, g->owner)) {
        innov__work_group__free_unpacked (g, NULL);
        g = NULL;
    }
    return g;
}

/* Write a changed group (mode add, update, ready) and answer with it. */
static int
s_write (pairing_t *self, inv_call_t *call, const char *pp, const char *mode, Innov__WorkGroup *g,
         uint64_t read_version, const char *event, const char *idempotency_key)
{
    g->version = read_version + 1;
    g->updated_ms = inv_clock_now_ms ();
    char *updated_by = g->updated_by;      /* g may be an unpacked message: restored below */
    g->updated_by = (char *) (call->caller? call->caller: "anonymous");
    char **enterprises = g->enterprises;
    size_t n_enterprises = g->n_enterprises;
    uint32_t count = g->enterprise_count;
    g->enterprises = NULL;
    g->n_enterprises = 0;
    g->enterprise_count = 0;
    size_t body_len;
    uint8_t *body = inv_rpc_pack (&g->base, &body_len);
    g->enterprises = enterprises;
    g->n_enterprises = n_enterprises;
    g->enterprise_count = count;
    g->updated_by = updated_by;
    char version [24];
    snprintf (version, sizeof version, "%" PRIu64, read_version);
    bool city = strncmp (g->owner, "city:", 5) == 0;
    const char *args [] = { mode, g->id, g->owner, version, (const char *) body, event,
                            city? g->owner + 5: "", city? "": g->owner + 5 };
    size_t lens [] = { strlen (mode), strlen (g->id), strlen (g->owner), strlen (version), body_len,
                       strlen (event), strlen (args [6]), strlen (args [7]) };
    inv_store_result_t result;
    int rc = pairing_write (self, call, &self->group_script, pp, idempotency_key, 8, args, lens, &result);
    free (body);
    if (rc == 200) {
        inv_info ("%s %s (%s) by %s", event, g->id, g->owner, call->caller? call->caller: "anonymous");
        Innov__WorkGroup *stored = innov__work_group__unpack (NULL, result.body_len, (const uint8_t *) result.body);
        if (stored) {
            stored->enterprise_count = count;
            s_reply_group (call, stored);
            innov__work_group__free_unpacked (stored, NULL);
        }
    }
    bool stale = rc == 409 && streq (result.reason, "stale");
    inv_store_result_clear (&result);
    return stale? -1: rc;
}

void
pairing_group_get (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__GetGroupRequest *req = (const Innov__GetGroupRequest *) call->request;
    if (!*req->id) {
        inv_call_field_error (call, "id", "is required");
        return;
    }
    Innov__WorkGroup *g = NULL;
    int rc = s_read (self, pairing_province (self, req->province), req->id, &g, true);
    if (rc < 0)
        pairing_unavailable (self, call);
    else
    if (rc > 0)
        inv_call_error (call, 404, "no work group %s", req->id);
    else {
        s_reply_group (call, g);
        innov__work_group__free_unpacked (g, NULL);
    }
}

void
pairing_group_add (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__AddGroupRequest *req = (const Innov__AddGroupRequest *) call->request;
    if (!req->group) {
        inv_call_field_error (call, "group", "is required");
        return;
    }
    const Innov__WorkGroup *in = req->group;
    pairing_text_ok (call, "group.name", in->name, NAME_MAX_BYTES, true);
    if (!s_check_owner (call, in->owner))
        return;
    if (in->n_members > 20)
        inv_call_field_error (call, "group.members", "has %zu members; at most 20", in->n_members);
    for (size_t i = 0; i < in->n_members && i < 20; i++) {
        char field [32];
        snprintf (field, sizeof field, "group.members[%zu]", i);
        s_check_member (call, in->members [i], field);
    }
    if (inv_call_failed (call) || !pairing_may_manage (call, in->owner))
        return;
    Innov__WorkGroup g = *in;
    char id [32];
    zuuid_t *uuid = zuuid_new ();
    snprintf (id, sizeof id, "wg-%.10s", zuuid_str_canonical (uuid));
    for (char *c = id; *c; c++)
        if (*c == '-' && c != id + 2)
            *c = 'x';
    zuuid_destroy (&uuid);
    g.id = id;
    g.state = (char *) "forming";
    g.enterprises = NULL;
    g.n_enterprises = 0;
    g.enterprise_count = 0;
    g.ready_ms = 0;
    s_write (self, call, pairing_province (self, req->province), "add", &g, 0, "group.created", req->idempotency_key);
}

/* member add / remove with a retry when the group changed in between */
static void
s_member (pairing_t *self, inv_call_t *call, bool add)
{
    const Innov__GroupMemberRequest *req = (const Innov__GroupMemberRequest *) call->request;
    if (!req->member) {
        inv_call_field_error (call, "member", "is required");
        return;
    }
    if (add)
        s_check_member (call, req->member, "member");
    else
        pairing_text_ok (call, "member.name", req->member->name, NAME_MAX_BYTES, true);
    if (inv_call_failed (call))
        return;
    const char *pp = pairing_province (self, req->province);
    for (int attempt = 0; attempt < GROUP_ATTEMPTS; attempt++) {
        Innov__WorkGroup *g = s_load (self, call, pp, req->group_id);
        if (!g)
            return;
        if (req->expected_version && req->expected_version != g->version) {
            inv_call_error (call, 409, "work group %s is at version %" PRIu64 ", not %" PRIu64,
                            g->id, g->version, req->expected_version);
            innov__work_group__free_unpacked (g, NULL);
            return;
        }
        Innov__GroupMember **members = (Innov__GroupMember **) zmalloc ((g->n_members + 1) * sizeof (void *));
        size_t n = 0;
        bool found = false;
        for (size_t i = 0; i < g->n_members; i++) {
            if (streq (g->members [i]->name, req->member->name)) {
                found = true;
                if (!add)
                    continue;
            }
            members [n++] = g->members [i];
        }
        if (add && found)
            inv_call_field_error (call, "member.name", "%s is already a member of %s", req->member->name, g->id);
        else
        if (!add && !found)
            inv_call_field_error (call, "member.name", "%s is not a member of %s", req->member->name, g->id);
        else
        if (add && n >= 20)
            inv_call_field_error (call, "member", "work group %s has 20 members already", g->id);
        if (add && !inv_call_failed (call))
            members [n++] = req->member;
        Innov__GroupMember **saved = g->members;
        size_t saved_n = g->n_members;
        g->members = members;
        g->n_members = n;
        if (!inv_call_failed (call) && !add && streq (g->state, "ready"))
            pairing_group_check_rule (g, call, "without this member the ready group ");
        int rc = 0;
        if (!inv_call_failed (call))
            rc = s_write (self, call, pp, "update", g, g->version, "group.updated", req->idempotency_key);
        g->members = saved;
        g->n_members = saved_n;
        free (members);
        innov__work_group__free_unpacked (g, NULL);
        if (rc != -1)
            return;
    }
    inv_call_error (call, 409, "work group %s keeps changing; try again", req->group_id);
}

void
pairing_group_member_add (void *ctx, inv_call_t *call)
{
    s_member ((pairing_t *) ctx, call, true);
}

void
pairing_group_member_remove (void *ctx, inv_call_t *call)
{
    s_member ((pairing_t *) ctx, call, false);
}

void
pairing_group_ready (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__GroupReadyRequest *req = (const Innov__GroupReadyRequest *) call->request;
    const char *pp = pairing_province (self, req->province);
    for (int attempt = 0; attempt < GROUP_ATTEMPTS; attempt++) {
        Innov__WorkGroup *g = s_load (self, call, pp, req->group_id);
        if (!g)
            return;
        int rc = 0;
        if (streq (g->state, "ready"))
            inv_call_error (call, 409, "work group %s is already ready", g->id);
        else
        if (pairing_group_check_rule (g, call, "")) {
            free (g->state);
            g->state = strdup ("ready");
            g->ready_ms = inv_clock_now_ms ();
            rc = s_write (self, call, pp, "ready", g, g->version, "group.ready", req->idempotency_key);
        }
        innov__work_group__free_unpacked (g, NULL);
        if (rc != -1)
            return;
    }
    inv_call_error (call, 409, "work group %s keeps changing; try again", req->group_id);
}

static void
s_assign (pairing_t *self, inv_call_t *call, bool assign)
{
    const Innov__GroupEnterprisesRequest *req = (const Innov__GroupEnterprisesRequest *) call->request;
    pairing_codes_check (call, "enterprises", req->enterprises, req->n_enterprises, ASSIGN_MAX);
    if (inv_call_failed (call))
        return;
    const char *pp = pairing_province (self, req->province);
    Innov__WorkGroup *g = s_load (self, call, pp, req->group_id);
    if (!g)
        return;
    Innov__GroupAssignment payload = INNOV__GROUP_ASSIGNMENT__INIT;
    payload.group_id = g->id;
    payload.owner = g->owner;
    payload.enterprises = req->enterprises;
    payload.n_enterprises = req->n_enterprises;
    size_t payload_len;
    uint8_t *packed = inv_rpc_pack (&payload.base, &payload_len);
    size_t nargs = 3 + req->n_enterprises;
    const char **args = (const char **) zmalloc (nargs * sizeof (char *));
    size_t *lens = (size_t *) zmalloc (nargs * sizeof (size_t));
    args [0] = assign? "assign": "unassign";
    args [1] = g->id;
    args [2] = (const char *) packed;
    lens [0] = strlen (args [0]);
    lens [1] = strlen (g->id);
    lens [2] = payload_len;
    for (size_t i = 0; i < req->n_enterprises; i++) {
        args [3 + i] = req->enterprises [i];
        lens [3 + i] = strlen (req->enterprises [i]);
    }
    inv_store_result_t result;
    int rc = pairing_write (self, call, &self->assign_script, pp, req->idempotency_key, (int) nargs,
                            args, lens, &result);
    inv_store_result_clear (&result);
    free (packed);
    free (args);
    free (lens);
    if (rc == 200) {
        inv_info ("group.%s %s: %zu enterprises by %s", assign? "assigned": "unassigned", g->id,
                  req->n_enterprises, call->caller? call->caller: "anonymous");
        innov__work_group__free_unpacked (g, NULL);
        g = NULL;
        if (s_read (self, pp, req->group_id, &g, true) == 0)
            s_reply_group (call, g);
    }
    if (g)
        innov__work_group__free_unpacked (g, NULL);
}

void
pairing_group_assign (void *ctx, inv_call_t *call)
{
    s_assign ((pairing_t *) ctx, call, true);
}

void
pairing_group_unassign (void *ctx, inv_call_t *call)
{
    s_assign ((pairing_t *) ctx, call, false);
}

void
pairing_group_list (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__ListGroupsRequest *req = (const Innov__ListGroupsRequest *) call->request;
    const char *pp = pairing_province (self, req->province);
    uint32_t limit = req->limit? req->limit: 50;
    if (limit > 1000)
        limit = 1000;
    char key [PAIRING_KEY_MAX];
    if (*req->owner)
        inv_key (key, sizeof key, pp, PAIRING_KEY_GROUPS_OWNER, req->owner);
    else
        inv_key (key, sizeof key, pp, PAIRING_KEY_GROUPS_ALL);
    char start [80];
    snprintf (start, sizeof start, "%s%s", *req->cursor? "(": "-", req->cursor);
    redisReply *ids = inv_redis_command (self->redis, "ZRANGEBYLEX %s %s + LIMIT 0 %u", key, start, limit + 1);
    redisReply *total = inv_redis_command (self->redis, "ZCARD %s", key);
    if (!ids || !total) {
        if (ids) freeReplyObject (ids);
        if (total) freeReplyObject (total);
        pairing_unavailable (self, call);
        return;
    }
    Innov__ListGroupsReply reply = INNOV__LIST_GROUPS_REPLY__INIT;
    size_t count = ids->type == REDIS_REPLY_ARRAY? ids->elements: 0;
    reply.groups = (Innov__WorkGroup **) zmalloc ((count + 1) * sizeof (void *));
    for (size_t i = 0; i < count && i < limit; i++) {
        Innov__WorkGroup *g = NULL;
        if (s_read (self, pp, ids->element [i]->str, &g, false) == 0) {
            if (*req->state && !streq (req->state, g->state))
                innov__work_group__free_unpacked (g, NULL);
            else
                reply.groups [reply.n_groups++] = g;
        }
    }
    if (count > limit)
        reply.next_cursor = ids->element [limit - 1]->str;
    reply.total = total->type == REDIS_REPLY_INTEGER? (uint64_t) total->integer: 0;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < reply.n_groups; i++)
        innov__work_group__free_unpacked (reply.groups [i], NULL);
    free (reply.groups);
    freeReplyObject (ids);
    freeReplyObject (total);
}
