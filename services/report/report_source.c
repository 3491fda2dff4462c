/*  report_source: how the report service asks other services, through the broker.

    The service acts as "service:report". The registry is asked with the configured
    client (timeouts and retries of the settings). Services that may not be running
    (pairing, catalogue, problems: REPORT_FIGURES_SERVICES) are asked only when the
    broker knows a worker for them (mmi.service), with a client of their own that
    waits REPORT_FIGURES_TIMEOUT_MS once and is then thrown away, so a late answer can
    never be taken for the reply to a later request. A service that is not running
    therefore costs one round trip to the broker and contributes nothing.

    Everything goes through report->call, so unit tests swap in a dispatcher that
    calls the registry's handlers in-process (report_set_call).
*/
#include "report_internal.h"
#include "inv_service.h"
#include "inv_log.h"

typedef struct {
    inv_config_t cfg;               /* the service's settings, acting as service:report */
    mdp_client_t *client;           /* created on first use */
} source_t;

/* Does the broker have a worker for service? */
static bool
s_present (source_t *self, const char *service)
{
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, service);
    zmsg_t *reply = mdp_client_request (self->client, "mmi.service", &body, NULL);
    char *answer = reply? zmsg_popstr (reply): NULL;
    bool present = answer && streq (answer, "200");
    zstr_free (&answer);
    zmsg_destroy (&reply);
    return present;
}

static int
s_call (void *arg, const char *service, const char *method, const ProtobufCMessage *request,
        const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p, int timeout_ms)
{
    source_t *self = (source_t *) arg;
    if (!self->client && !(self->client = inv_client_from_config (&self->cfg)))
        return 503;
    if (timeout_ms <= 0)
        return inv_rpc_call (self->client, service, method, request, reply_desc, reply_p, NULL);
    if (!s_present (self, service))
        return 503;
    mdp_client_t *client = inv_client_from_config (&self->cfg);
    if (!client)
        return 503;
    mdp_client_set_timeout (client, timeout_ms);
    mdp_client_set_retries (client, 1);
    int code = inv_rpc_call (client, service, method, request, reply_desc, reply_p, NULL);
    mdp_client_destroy (&client);
    return code;
}

void
report_source_attach (report_t *self, const inv_config_t *cfg)
{
    source_t *source = (source_t *) zmalloc (sizeof (source_t));
    source->cfg = *cfg;
    source->cfg.principal = "service:report";
    self->source = source;
    report_set_call (self, s_call, source);
}

void
report_source_detach (report_t *self)
{
    source_t *source = (source_t *) self->source;
    if (source) {
        mdp_client_destroy (&source->client);
        free (source);
        self->source = NULL;
    }
}

void
report_set_call (report_t *self, report_call_fn *call, void *arg)
{
    self->call = call;
    self->call_arg = arg;
}
