/*  pairing: the class, its scripts and the method table; the helpers every handler file
    uses (write through a script, replies, scope of the caller).

    Every write is one Lua script (pairing_*.lua) behind the outbox prelude and the
    service's library pairing_common.lua, which keeps the coverage counters, the gap sets
    and the mentors' loads in the same step as the change. The scripts get the key prefix
    "{PP}:pair." as their first own key (pairing_keys.h lists the suffixes).
*/
#include "pairing_internal.h"
#include "inv_log.h"
#include "inv_valid.h"

extern const char pairing_lua_pairing_common [];
extern const char pairing_lua_pairing_project [];
extern const char pairing_lua_pairing_group [];
extern const char pairing_lua_pairing_assign [];
extern const char pairing_lua_pairing_pair [];
extern const char pairing_lua_pairing_link [];

const inv_method_t pairing_methods [] = {
    { "group.get",           &innov__get_group_request__descriptor,          pairing_group_get },
    { "group.add",           &innov__add_group_request__descriptor,          pairing_group_add },
    { "group.list",          &innov__list_groups_request__descriptor,        pairing_group_list },
    { "group.member.add",    &innov__group_member_request__descriptor,       pairing_group_member_add },
    { "group.member.remove", &innov__group_member_request__descriptor,       pairing_group_member_remove },
    { "group.assign",        &innov__group_enterprises_request__descriptor,  pairing_group_assign },
    { "group.unassign",      &innov__group_enterprises_request__descriptor,  pairing_group_unassign },
    { "group.ready",         &innov__group_ready_request__descriptor,        pairing_group_ready },
    { "pair.add",            &innov__add_pairing_request__descriptor,        pairing_pair_add },
    { "pair.end",            &innov__end_pairing_request__descriptor,        pairing_pair_end },
    { "pair.get",            &innov__get_pairing_request__descriptor,        pairing_pair_get },
    { "pair.list",           &innov__list_pairings_request__descriptor,      pairing_pair_list },
    { "pair.suggest",        &innov__suggest_request__descriptor,            pairing_pair_suggest },
    { "coverage.get",        &innov__coverage_request__descriptor,           pairing_coverage_get },
    { "coverage.gaps",       &innov__gaps_request__descriptor,               pairing_coverage_gaps },
    { "guidance.link",       &innov__link_request__descriptor,               pairing_guidance_link },
    { "guidance.unlink",     &innov__link_request__descriptor,               pairing_guidance_unlink },
    { "guidance.list",       &innov__list_guidance_request__descriptor,      pairing_guidance_list },
    { "figures.get",         &innov__figures_request__descriptor,            pairing_figures_get },
    { NULL }
};

static void
s_script (inv_script_t *script, const char *name, const char *body)
{
    script->name = name;
    script->source = inv_store_script_source_with (pairing_lua_pairing_common, body);
}

pairing_t *
pairing_new (const inv_config_t *cfg, unsigned mentor_capacity)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    pairing_t *self = (pairing_t *) zmalloc (sizeof *self);
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s", cfg->province && *cfg->province? cfg->province: "14");
    self->mentor_capacity = mentor_capacity;
    s_script (&self->project_script, "pairing_project", pairing_lua_pairing_project);
    s_script (&self->group_script, "pairing_group", pairing_lua_pairing_group);
    s_script (&self->assign_script, "pairing_assign", pairing_lua_pairing_assign);
    s_script (&self->pair_script, "pairing_pair", pairing_lua_pairing_pair);
    s_script (&self->link_script, "pairing_link", pairing_lua_pairing_link);
    self->queue = (pairing_proj_t *) zmalloc (PAIRING_PROJECT_MAX * sizeof (pairing_proj_t));
    return self;
}

void
pairing_destroy (pairing_t **self_p)
{
    pairing_t *self = *self_p;
    if (!self)
        return;
    inv_redis_destroy (&self->redis);
    free ((char *) self->project_script.source);
    free ((char *) self->group_script.source);
    free ((char *) self->assign_script.source);
    free ((char *) self->pair_script.source);
    free ((char *) self->link_script.source);
    free (self->queue);
    pairing_plan_free (&self->plan);
    free (self);
    *self_p = NULL;
}

inv_redis_t *
pairing_redis (pairing_t *self)
{
    return self->redis;
}

int
pairing_mentor_capacity_from_env (void)
{
    const char *text = getenv ("PAIRING_MENTOR_CAPACITY");
    if (!text || !*text)
        return 0;
    char *end;
    long value = strtol (text, &end, 10);
    return *end || value < 0 || value > 1000? -1: (int) value;
}

const char *
pairing_province (pairing_t *self, const char *requested)
{
    return requested && *requested? requested: self->province;
}

const char *
pairing_prefix (pairing_t *self, const char *pp, char *buf, size_t size)
{
    (void) self;
    return inv_key (buf, size, pp, PAIRING_KEY_PREFIX);
}

void
pairing_unavailable (pairing_t *self, inv_call_t *call)
{
    inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
}

int
pairing_write (pairing_t *self, inv_call_t *call, inv_script_t *script, const char *pp,
               const char *idempotency_key, int nargs, const char **args, const size_t *arglens,
               inv_store_result_t *result)
{
    char prefix [PAIRING_KEY_MAX];
    const char *keys [] = { pairing_prefix (self, pp, prefix, sizeof prefix) };
    inv_store_write (self->redis, script, pp, call? call->caller: "service:pairing", idempotency_key,
                     1, keys, NULL, nargs, args, arglens, result);
    if (result->code != 200 && call) {
        if (result->code == 400 && *result->field)
            inv_call_field_error (call, result->field, "%s", result->reason);
        else
            inv_call_error (call, result->code, "%s", *result->message? result->message: result->reason);
    }
    return result->code;
}

bool
pairing_may_manage (inv_call_t *call, const char *owner)
{
    inv_principal_t p;
    inv_caller_principal (call, &p);
    if (p.kind == INV_P_PROVINCE || p.kind == INV_P_SERVICE)
        return true;
    char own [96];
    snprintf (own, sizeof own, "%s:%s", p.kind == INV_P_CITY? "city": "dept", p.code);
    if ((p.kind == INV_P_CITY || p.kind == INV_P_DEPARTMENT) && streq (own, owner))
        return true;
    inv_call_error (call, 403, "%s may not manage work groups of %s: a city manages its own groups "
                    "(city:<code>), a department its own (dept:<code>), the province all",
                    call->caller? call->caller: "anonymous", owner);
    return false;
}

const char *
pairing_reply_field (const redisReply *hash, const char *field)
{
    if (!hash || hash->type != REDIS_REPLY_ARRAY)
        return "";
    for (size_t i = 0; i + 1 < hash->elements; i += 2)
        if (hash->element [i]->type == REDIS_REPLY_STRING && streq (hash->element [i]->str, field))
            return hash->element [i + 1]->type == REDIS_REPLY_STRING? hash->element [i + 1]->str: "";
    return "";
}

const char *
pairing_elem (const redisReply *array, size_t i)
{
    if (!array || array->type != REDIS_REPLY_ARRAY || i >= array->elements
    ||  array->element [i]->type != REDIS_REPLY_STRING)
        return "";
    return array->element [i]->str;
}

bool
pairing_text_ok (inv_call_t *call, const char *field, const char *value, size_t max, bool required)
{
    if (required && (!value || !*value)) {
        inv_call_field_error (call, field, "is required");
        return false;
    }
    if (value && strlen (value) > max) {
        inv_call_field_error (call, field, "is %zu bytes long; at most %zu", strlen (value), max);
        return false;
    }
    return true;
}

void
pairing_codes_check (inv_call_t *call, const char *field, char *const *codes, size_t n, size_t max)
{
    if (n == 0)
        inv_call_field_error (call, field, "give at least one credit code");
    if (n > max)
        inv_call_field_error (call, field, "has %zu codes; at most %zu per request", n, max);
    for (size_t i = 0; i < n && i < max; i++) {
        char reason [256], name [64];
        if (!inv_credit_code_valid (codes [i], reason, sizeof reason)) {
            snprintf (name, sizeof name, "%s[%zu]", field, i);
            inv_call_field_error (call, name, "%s", reason);
        }
    }
}

Innov__Pairing *
pairing_load_pairing (pairing_t *self, const char *pp, const char *id, bool with_history, bool *down)
{
    char key [PAIRING_KEY_MAX];
    *down = false;
    redisReply *h = inv_redis_command (self->redis, "HGETALL %s", inv_key (key, sizeof key, pp, PAIRING_KEY_PAIRING, id));
    if (!h) {
        *down = true;
        return NULL;
    }
    if (h->type != REDIS_REPLY_ARRAY || h->elements == 0) {
        freeReplyObject (h);
        return NULL;
    }
    Innov__Pairing *p = (Innov__Pairing *) zmalloc (sizeof *p);
    innov__pairing__init (p);
    p->id = strdup (id);
    p->enterprise = strdup (pairing_reply_field (h, "enterprise"));
    p->department = strdup (pairing_reply_field (h, "department"));
    p->city = strdup (pairing_reply_field (h, "city"));
    p->county = strdup (pairing_reply_field (h, "county"));
    p->mentor = strdup (pairing_reply_field (h, "mentor"));
    p->state = strdup (pairing_reply_field (h, "state"));
    p->start_ms = atoll (pairing_reply_field (h, "start"));
    p->end_ms = atoll (pairing_reply_field (h, "end"));
    p->end_reason = strdup (pairing_reply_field (h, "reason"));
    p->created_by = strdup (pairing_reply_field (h, "by"));
    p->industry = strdup (pairing_reply_field (h, "industry"));
    p->quality = (uint32_t) atoi (pairing_reply_field (h, "quality"));
    p->explanation = strdup (pairing_reply_field (h, "expl"));
    freeReplyObject (h);
    if (with_history) {
        redisReply *list = inv_redis_command (self->redis, "LRANGE %s 0 -1",
                                              inv_key (key, sizeof key, pp, PAIRING_KEY_PAIRING_HIST, id));
        if (list && list->type == REDIS_REPLY_ARRAY && list->elements) {
            p->history = (Innov__PairingStep **) zmalloc (list->elements * sizeof (Innov__PairingStep *));
            for (size_t i = 0; i < list->elements; i++) {
                Innov__PairingStep *step = innov__pairing_step__unpack (NULL, list->element [i]->len,
                                                                         (const uint8_t *) list->element [i]->str);
                if (step)
                    p->history [p->n_history++] = step;
            }
        }
        if (list)
            freeReplyObject (list);
    }
    return p;
}

void
pairing_free_pairing (Innov__Pairing *p)
{
    if (!p)
        return;
    free (p->id); free (p->enterprise); free (p->department); free (p->city); free (p->county);
    free (p->mentor); free (p->state); free (p->end_reason); free (p->created_by);
    free (p->industry); free (p->explanation);
    for (size_t i = 0; i < p->n_history; i++)
        innov__pairing_step__free_unpacked (p->history [i], NULL);
    free (p->history);
    free (p);
}
