/*  load: generated records into the registry, as a client would send them.

    Each record becomes one enterprise.add request ([method][AddEnterpriseRequest])
    with its credit code as the idempotency key. A few MDP clients (one DEALER each)
    keep one request in flight apiece with mdp_client_send / mdp_client_recv, and one
    zmq_poll watches them all, so the broker spreads the load over the registry's
    workers while no request waits behind another's reply.

    A request without a FINAL reply by the timeout is sent again on a fresh client
    (the old socket, and any late reply on it, is dropped), up to the configured
    attempts; the idempotency key makes the resend safe. Outcomes:
      added     200 for a record created during this run;
      present   409 (already registered), or a 200 that is an earlier run's reply
                replayed under the same idempotency key (its record was created
                before this run started);
      failed    any other status, or no reply after every attempt.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>
#include "load.h"
#include "inv_clock.h"
#include "inv_service.h"
#include "registry.pb-c.h"
#include "rpc.pb-c.h"

#define NONE ((size_t) -1)
#define REPORT_FAILURES 5

typedef struct {
    mdp_client_t *client;
    size_t record;              /* index in flight, NONE when idle */
    int attempts;
    int64_t deadline;
} slot_t;

typedef struct {
    inv_config_t cfg;           /* with the acting principal */
    const gen_record_t *records;
    slot_t *slots;
    int slot_count;
    int64_t started_ms;         /* this run's start on the platform clock */
    load_stats_t *stats;
    size_t reported;
} loader_t;

static Innov__InnovationStatus
s_status (const char *key)
{
    if (strcmp (key, "in_progress") == 0) return INNOV__INNOVATION_STATUS__IN_PROGRESS;
    if (strcmp (key, "active") == 0) return INNOV__INNOVATION_STATUS__ACTIVE;
    if (strcmp (key, "closed") == 0) return INNOV__INNOVATION_STATUS__CLOSED;
    return INNOV__INNOVATION_STATUS__NOT_STARTED;
}

static zmsg_t *
s_request (const gen_record_t *r)
{
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = (char *) r->credit_code;
    e.name = (char *) r->name;
    e.county = (char *) r->county;
    e.industry = (char *) r->industry;
    e.department = (char *) r->department;
    e.cluster = (char *) r->cluster;
    e.operating_revenue = r->operating_revenue;
    e.rd_expenditure = r->rd_expenditure;
    e.has_rd_institution = r->has_rd_institution;
    e.has_rd_activity = r->has_rd_activity;
    e.status = s_status (r->status);
    Innov__AddEnterpriseRequest request = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    request.enterprise = &e;
    request.idempotency_key = (char *) r->credit_code;
    size_t size = innov__add_enterprise_request__get_packed_size (&request);
    zframe_t *frame = zframe_new (NULL, size);
    innov__add_enterprise_request__pack (&request, zframe_data (frame));
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "enterprise.add");
    zmsg_append (body, &frame);
    return body;
}

static void
s_report (loader_t *self, const gen_record_t *r, int code, const char *message)
{
    if (self->reported++ < REPORT_FAILURES)
        fprintf (stderr, "gendata: %s: %d %s\n", r->credit_code, code, message);
}

static void
s_send (loader_t *self, slot_t *slot, size_t record)
{
    if (!slot->client)
        slot->client = inv_client_from_config (&self->cfg);
    zmsg_t *body = s_request (&self->records [record]);
    slot->record = record;
    slot->attempts++;
    slot->deadline = zclock_mono () + self->cfg.timeout_ms;
    if (!slot->client || mdp_client_send (slot->client, "registry", &body) != 0)
        slot->deadline = zclock_mono ();            /* counts as unanswered */
    zmsg_destroy (&body);
}

/* Classifies a FINAL reply [Status][EnterpriseReply] for the slot's record. */
static void
s_finish (loader_t *self, slot_t *slot, zmsg_t *reply)
{
    const gen_record_t *r = &self->records [slot->record];
    zframe_t *status_frame = zmsg_first (reply);
    zframe_t *body_frame = zmsg_next (reply);
    Innov__Status *status = status_frame?
        innov__status__unpack (NULL, zframe_size (status_frame), zframe_data (status_frame)): NULL;
    if (!status) {
        self->stats->failed++;
        s_report (self, r, 502, "reply does not decode");
    }
    else
    if (status->code == 200) {
        Innov__EnterpriseReply *answer = body_frame?
            innov__enterprise_reply__unpack (NULL, zframe_size (body_frame), zframe_data (body_frame)): NULL;
        if (answer && answer->enterprise && answer->enterprise->created_ms < self->started_ms)
            self->stats->present++;
        else
            self->stats->added++;
        if (answer)
            innov__enterprise_reply__free_unpacked (answer, NULL);
    }
    else
    if (status->code == 409)
        self->stats->present++;
    else {
        self->stats->failed++;
        char line [1024];
        snprintf (line, sizeof line, "%s", status->message? status->message: "");
        for (size_t i = 0; i < status->n_details && strlen (line) < sizeof line - 2; i++)
            snprintf (line + strlen (line), sizeof line - strlen (line), "%s%s: %s", i? "; ": ": ",
                      status->details [i]->field, status->details [i]->reason);
        s_report (self, r, status->code, line);
    }
    if (status)
        innov__status__free_unpacked (status, NULL);
    slot->record = NONE;
    slot->attempts = 0;
}

static void
s_progress (const loader_t *self, size_t done, size_t count, bool last)
{
    if (!isatty (STDERR_FILENO))
        return;
    if (last || done % 100 == 0)
        fprintf (stderr, "\rgendata: %zu / %zu sent (%zu added, %zu present, %zu failed)%s",
                 done, count, self->stats->added, self->stats->present, self->stats->failed,
                 last? "\n": "");
}

int
load_run (const inv_config_t *cfg, const char *principal, int clients,
          const gen_record_t *records, size_t count, load_stats_t *stats)
{
    memset (stats, 0, sizeof *stats);
    loader_t self = { *cfg, records, NULL, clients > 0? clients: 1, inv_clock_now_ms (), stats, 0 };
    self.cfg.principal = principal;
    self.slots = (slot_t *) zmalloc ((size_t) self.slot_count * sizeof (slot_t));
    for (int i = 0; i < self.slot_count; i++) {
        self.slots [i].client = inv_client_from_config (&self.cfg);
        self.slots [i].record = NONE;
        if (!self.slots [i].client) {
            for (int j = 0; j < i; j++)
                mdp_client_destroy (&self.slots [j].client);
            free (self.slots);
            return -1;
        }
    }
    size_t next = 0, done = 0;
    zmq_pollitem_t *items = (zmq_pollitem_t *) zmalloc ((size_t) self.slot_count * sizeof (zmq_pollitem_t));
    while (done < count && !zsys_interrupted) {
        /* Keep every idle client busy */
        for (int i = 0; i < self.slot_count && next < count; i++)
            if (self.slots [i].record == NONE)
                s_send (&self, &self.slots [i], next++);

        /* Wait for a reply or the nearest deadline */
        int64_t now = zclock_mono (), nearest = now + 1000;
        int busy = 0;
        for (int i = 0; i < self.slot_count; i++) {
            slot_t *slot = &self.slots [i];
            items [i] = (zmq_pollitem_t) { NULL, -1, 0, 0 };
            if (slot->record == NONE || !slot->client)
                continue;
            items [i].socket = zsock_resolve (mdp_client_sock (slot->client));
            items [i].events = ZMQ_POLLIN;
            if (slot->deadline < nearest)
                nearest = slot->deadline;
            busy++;
        }
        if (busy && zmq_poll (items, self.slot_count, nearest > now? (long) (nearest - now): 0) < 0)
            break;                      /* interrupted */

        for (int i = 0; i < self.slot_count; i++) {
            slot_t *slot = &self.slots [i];
            if (slot->record == NONE)
                continue;
            if (slot->client && (items [i].revents & ZMQ_POLLIN)) {
                int final = 0;
                zmsg_t *reply = mdp_client_recv (slot->client, &final, 0);
                if (reply && final) {
                    s_finish (&self, slot, reply);
                    s_progress (&self, ++done, count, false);
                }
                zmsg_destroy (&reply);
                continue;
            }
            if (zclock_mono () < slot->deadline)
                continue;
            /* No reply in time: drop the socket; resend, or give the record up */
            mdp_client_destroy (&slot->client);
            if (slot->attempts < self.cfg.retries)
                s_send (&self, slot, slot->record);
            else {
                stats->failed++;
                stats->unanswered++;
                s_report (&self, &records [slot->record], 503, "no reply from the registry");
                slot->record = NONE;
                slot->attempts = 0;
                s_progress (&self, ++done, count, false);
            }
        }
    }
    s_progress (&self, done, count, true);
    for (int i = 0; i < self.slot_count; i++)
        mdp_client_destroy (&self.slots [i].client);
    free (items);
    free (self.slots);
    return 0;
}
