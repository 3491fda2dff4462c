/*  pairing_project: the registry's events into the pairing service's projection.

    enterprise.created / enterprise.updated (innov.Enterprise) and
    enterprise.status_changed / enterprise.closed (innov.StatusChange) are queued as
    compact tuples (kind, code, version, city, county, department, industry, cluster,
    status, mentor capacity); pairing_project_flush writes the queue with
    pairing_project.lua, several events per script and every script of a flush
    pipelined, so a burst of events costs one round trip per flush. The script skips an
    event whose version is not newer than the stored one, so a redelivered event changes
    nothing. agency.created / agency.updated of alliances, expert teams and platforms
    are written at once (pairing_link.lua, mode agency), and agency.seeded writes the
    seeded alliances and expert teams. Other events are ignored.
*/
#include "pairing_internal.h"
#include "registry.pb-c.h"
#include "inv_log.h"
#include "inv_valid.h"

#define EVENTS_PER_SCRIPT   6       /* 10 arguments each, within inv_store's table */

static void
s_copy (char *dest, size_t size, const char *src)
{
    snprintf (dest, size, "%s", src? src: "");
}

/* The fields of a queued tuple that both kinds have: "e" (a whole enterprise, whose
   industry and mentor capacity follow) or "s" (a status change). */
static void
s_fill (pairing_proj_t *p, const char *kind, const char *code, uint64_t version, const char *city,
        const char *county, const char *dept, const char *cluster, int status)
{
    s_copy (p->kind, sizeof p->kind, kind);
    s_copy (p->code, sizeof p->code, code);
    snprintf (p->version, sizeof p->version, "%" PRIu64, version);
    s_copy (p->city, sizeof p->city, city);
    s_copy (p->county, sizeof p->county, county);
    s_copy (p->dept, sizeof p->dept, dept);
    s_copy (p->cluster, sizeof p->cluster, cluster);
    snprintf (p->status, sizeof p->status, "%d", status);
}

static int
s_agency (pairing_t *self, const Innov__Event *event)
{
    Innov__Agency *a = innov__agency__unpack (NULL, event->payload.len, event->payload.data);
    if (!a)
        return 0;
    int rc = 0;
    if (a->kind == INNOV__AGENCY_KIND__ALLIANCE || a->kind == INNOV__AGENCY_KIND__EXPERT_TEAM
    ||  a->kind == INNOV__AGENCY_KIND__PLATFORM) {
        char kind [8];
        snprintf (kind, sizeof kind, "%d", (int) a->kind);
        const char *args [] = { "agency", a->code, kind, a->cluster, a->industry, a->name };
        inv_store_result_t result;
        int code = pairing_write (self, NULL, &self->link_script, pairing_province (self, event->province),
                                  "", 6, args, NULL, &result);
        inv_store_result_clear (&result);
        rc = code == 200? 0: -1;
    }
    innov__agency__free_unpacked (a, NULL);
    return rc;
}

/* The reference alliances ("alliance.<cluster>", one per cluster) and expert teams
   ("expert.<division>", one per industrial division) follow from the reference tables, as
   the registry seeds them (its agency.seeded event has no payload, and a registry seeds
   only when it first needs its agencies). */
int
pairing_seed_reference (pairing_t *self, const char *pp)
{
    size_t n;
    const inv_cluster_t *clusters = inv_cluster_all (&n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char code [64], name [128];
        snprintf (code, sizeof code, "alliance.%s", clusters [i].code);
        snprintf (name, sizeof name, "%s产业联盟", clusters [i].name);
        const char *args [] = { "agency", code, "5", clusters [i].code, "", name };
        inv_store_result_t result;
        rc = pairing_write (self, NULL, &self->link_script, pp, "", 6, args, NULL, &result) == 200? 0: -1;
        inv_store_result_clear (&result);
    }
    for (int division = 6; division <= 46 && rc == 0; division++) {
        char industry [8], code [64];
        snprintf (industry, sizeof industry, "%02d", division);
        const char *name = inv_industry_division_name (industry);
        if (!name)
            continue;
        snprintf (code, sizeof code, "expert.%s", industry);
        const char *args [] = { "agency", code, "6", "", industry, name };
        inv_store_result_t result;
        rc = pairing_write (self, NULL, &self->link_script, pp, "", 6, args, NULL, &result) == 200? 0: -1;
        inv_store_result_clear (&result);
    }
    if (rc == 0)
        self->reference_seeded = true;
    return rc;
}

int
pairing_project_event (pairing_t *self, const Innov__Event *event)
{
    const char *type = event->type;
    if (streq (type, "agency.seeded"))
        return pairing_seed_reference (self, pairing_province (self, event->province));
    if (streq (type, "agency.created") || streq (type, "agency.updated"))
        return s_agency (self, event);
    bool whole = streq (type, "enterprise.created") || streq (type, "enterprise.updated");
    bool status = streq (type, "enterprise.status_changed") || streq (type, "enterprise.closed");
    if (!whole && !status)
        return 0;
    if (self->queued == PAIRING_PROJECT_MAX && pairing_project_flush (self))
        return -1;
    pairing_proj_t *p = &self->queue [self->queued];
    memset (p, 0, sizeof *p);
    const ProtobufCMessageDescriptor *desc = whole? &innov__enterprise__descriptor: &innov__status_change__descriptor;
    ProtobufCMessage *payload = protobuf_c_message_unpack (desc, NULL, event->payload.len, event->payload.data);
    if (!payload) {
        inv_warn ("%s %s: payload does not decode; ignored", type, event->subject);
        return 0;
    }
    if (whole) {
        const Innov__Enterprise *e = (const Innov__Enterprise *) payload;
        s_fill (p, "e", e->credit_code, e->version, e->city, e->county, e->department, e->cluster, (int) e->status);
        s_copy (p->ind, sizeof p->ind, e->industry);
        snprintf (p->cap, sizeof p->cap, "%u", e->mentor_capacity? e->mentor_capacity: self->mentor_capacity);
    }
    else {
        const Innov__StatusChange *c = (const Innov__StatusChange *) payload;
        s_fill (p, "s", c->credit_code, c->version, event->city, event->county, event->department, event->cluster,
                (int) c->to);
    }
    protobuf_c_message_free_unpacked (payload, NULL);
    self->queued++;
    return 1;
}

int
pairing_project_flush (pairing_t *self)
{
    if (self->queued == 0)
        return 0;
    char prefix [PAIRING_KEY_MAX];
    const char *keys [] = { pairing_prefix (self, self->province, prefix, sizeof prefix) };
    size_t scripts = 0;
    for (size_t i = 0; i < self->queued; i += EVENTS_PER_SCRIPT) {
        const char *args [EVENTS_PER_SCRIPT * PAIRING_PROJECT_ARGS];
        int nargs = 0;
        for (size_t j = i; j < self->queued && j < i + EVENTS_PER_SCRIPT; j++) {
            pairing_proj_t *p = &self->queue [j];
            const char *fields [] = { p->kind, p->code, p->version, p->city, p->county, p->dept, p->ind,
                                      p->cluster, p->status, p->cap };
            memcpy (args + nargs, fields, sizeof fields);
            nargs += PAIRING_PROJECT_ARGS;
        }
        if (inv_store_append (self->redis, &self->project_script, self->province, "service:pairing", "",
                              1, keys, NULL, nargs, args, NULL))
            break;
        scripts++;
    }
    int rc = 0;
    for (size_t i = 0; i < scripts; i++) {
        inv_store_result_t result;
        inv_store_get_result (self->redis, &self->project_script, &result);
        if (result.code == 503) {
            if (rc == 0)
                inv_warn ("projection: %d %s", result.code, result.message);
            rc = -1;                    /* Redis down: the batch comes back */
        }
        else
        if (result.code != 200)         /* a script error would fail again: logged, skipped */
            inv_error ("projection: %d %s; events skipped", result.code, result.message);
        inv_store_result_clear (&result);
    }
    if (scripts * EVENTS_PER_SCRIPT < self->queued)
        rc = -1;
    if (rc == 0)
        self->queued = 0;
    return rc;
}
