/*  gw_pool: MDP clients of the gateway, keyed by the principal they act for.

    The broker learns who calls from the connection: on a NULL-security endpoint from
    the routing id's claim ("P:<principal>:<random>"), over CURVE from the certificate
    (and, for the certificate "service:gateway" only, from the same claim: the
    delegation of docs/protocol.md). So a client socket acts for one principal, and the
    gateway keeps idle clients per principal: a request takes one (or makes one), uses it
    alone (a DEALER socket is not shared between threads) and gives it back. A client
    whose request failed (timeout, interrupted) is destroyed, never reused, so a late
    reply cannot be read as the answer to the next request. At most IDLE_MAX idle
    clients are kept per principal; a burst beyond that closes the extra ones.
*/
#include "gateway_internal.h"
#include "inv_service.h"

#define IDLE_MAX 64

struct _gw_pool_t {
    inv_config_t cfg;
    pthread_mutex_t lock;
    zhashx_t *idle;             /* principal -> zlistx_t of mdp_client_t * */
};

static void
s_list_destroy (void **item)
{
    zlistx_t *list = (zlistx_t *) *item;
    mdp_client_t *client;
    while ((client = (mdp_client_t *) zlistx_detach (list, NULL)))
        mdp_client_destroy (&client);
    zlistx_destroy (&list);
    *item = NULL;
}

gw_pool_t *
gw_pool_new (const inv_config_t *cfg)
{
    gw_pool_t *self = (gw_pool_t *) calloc (1, sizeof *self);
    assert (self);
    self->cfg = *cfg;
    pthread_mutex_init (&self->lock, NULL);
    self->idle = zhashx_new ();
    zhashx_set_destructor (self->idle, s_list_destroy);
    return self;
}

void
gw_pool_destroy (gw_pool_t **self_p)
{
    gw_pool_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->idle);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

mdp_client_t *
gw_pool_take (gw_pool_t *self, const char *principal)
{
    mdp_client_t *client = NULL;
    pthread_mutex_lock (&self->lock);
    zlistx_t *list = (zlistx_t *) zhashx_lookup (self->idle, principal);
    if (list)
        client = (mdp_client_t *) zlistx_detach (list, NULL);
    pthread_mutex_unlock (&self->lock);
    if (client)
        return client;
    inv_config_t cfg = self->cfg;
    cfg.principal = principal;
    return inv_client_from_config (&cfg);
}

void
gw_pool_release (gw_pool_t *self, const char *principal, mdp_client_t **client_p, bool broken)
{
    if (!*client_p)
        return;
    if (!broken) {
        pthread_mutex_lock (&self->lock);
        zlistx_t *list = (zlistx_t *) zhashx_lookup (self->idle, principal);
        if (!list) {
            list = zlistx_new ();
            zhashx_insert (self->idle, principal, list);
        }
        if (zlistx_size (list) < IDLE_MAX) {
            zlistx_add_end (list, *client_p);
            *client_p = NULL;
        }
        pthread_mutex_unlock (&self->lock);
    }
    if (*client_p)
        mdp_client_destroy (client_p);
}

int
gw_pool_call (gw_pool_t *self, const char *principal, const char *service, const char *method,
              const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
              ProtobufCMessage **reply_p, Innov__Status **status_p)
{
    if (reply_p)
        *reply_p = NULL;
    if (status_p)
        *status_p = NULL;
    mdp_client_t *client = gw_pool_take (self, principal);
    if (!client)
        return 503;
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, service, method, request, reply_desc,
                             reply_desc? &reply: NULL, &status);
    /* A made-up 503 (no answer at all) leaves the socket in doubt: drop it */
    bool answered = status && !(code == 503 && status->message
                                && strstr (status->message, "no reply"));
    gw_pool_release (self, principal, &client, code == 503 && !answered);
    if (reply_p)
        *reply_p = reply;
    else
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    if (status_p)
        *status_p = status;
    else
    if (status)
        innov__status__free_unpacked (status, NULL);
    return code;
}
