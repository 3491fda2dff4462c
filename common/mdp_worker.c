/*  mdp_worker: MDP/0.2 worker (ZeroMQ RFC 18) over one DEALER socket per broker.

    Conversation: READY [service] once per socket; then the broker sends
    REQUEST [client][empty][body...] and the worker answers with PARTIAL / FINAL
    [client][empty][body...]. Heartbeats flow both ways at `heartbeat` intervals;
    any command from the broker counts as one.

    Several brokers: the endpoint may be a comma-separated list. The worker then holds
    one socket per broker and registers with each, so every broker can reach every
    worker and the brokers are active/active: a client may use either, and when one
    dies its clients fail over to another that already knows all the workers. The
    worker serves one request at a time and answers on the socket it came from.

    Everything happens inside mdp_worker_recv(): it polls every broker's socket,
    heartbeats each while it waits, and when a broker has been silent for `liveness`
    intervals it closes that socket and, `reconnect` ms later, opens a new one and
    sends READY again (logging the outage once, and the return). A DISCONNECT from a
    broker does the same at once (the broker forgot us, e.g. after it restarted). A
    leading empty frame on a command from the broker is tolerated.

    While the application handles a request it is not in recv() and sends no heartbeat;
    the broker then counts the request's time against the worker's liveness. A handler
    that may run longer than heartbeat x liveness calls mdp_worker_heartbeat() now and
    then.

    The socket, its reconnect and CURVE set-up are common/mdp_common.c, shared with
    the client.
*/
#include <errno.h>
#include "mdp.h"
#include "mdp_worker.h"
#include "mdp_common.h"
#include "inv_log.h"
#include "inv_limits.h"

#define BROKERS_MAX 16

typedef struct {
    mdp_link_t link;            /* one broker: endpoint, CURVE credentials, socket */
    int64_t heartbeat_at;       /* when to send the next HEARTBEAT */
    int64_t expiry_at;          /* broker is dead if silent until then */
    int64_t reconnect_at;       /* while down: when to open a new socket (0 = up) */
    bool silent;                /* an outage has been logged */
} broker_t;

struct _mdp_worker_t {
    broker_t brokers [BROKERS_MAX];
    int count;
    int current;                /* the broker of the request in hand */
    char *service;
    int heartbeat_ms;
    int liveness;
    int reconnect_ms;
};

static void
s_send_command (mdp_worker_t *self, broker_t *broker, byte command, zframe_t *reply_to,
                zmsg_t *body)
{
    zmsg_t *msg = body? body: zmsg_new ();
    if (!broker->link.sock) {
        zmsg_destroy (&msg);    //  that broker is down; nothing can reach it
        return;
    }
    if (reply_to) {
        zmsg_pushmem (msg, NULL, 0);
        zmsg_pushmem (msg, zframe_data (reply_to), zframe_size (reply_to));
    }
    if (command == MDPW_READY)
        zmsg_pushstr (msg, self->service);
    zmsg_pushmem (msg, &command, 1);
    zmsg_pushstr (msg, MDPW_WORKER);
    mdp_link_send (&broker->link, &msg);
    broker->heartbeat_at = zclock_mono () + self->heartbeat_ms;
}

static int64_t
s_expiry (mdp_worker_t *self)
{
    return zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
}

/*  Open a new socket to one broker, connect, send READY. */
static int
s_connect (mdp_worker_t *self, broker_t *broker)
{
    broker->reconnect_at = 0;
    if (mdp_link_connect (&broker->link, NULL))
        return -1;
    s_send_command (self, broker, MDPW_READY, NULL, NULL);
    broker->expiry_at = s_expiry (self);
    return 0;
}

/*  The broker has been silent too long: close its socket, reconnect later. */
static void
s_broker_lost (mdp_worker_t *self, broker_t *broker)
{
    if (!broker->silent)
        inv_warn ("mdp worker %s: broker %s silent for %d ms, reconnecting",
                  self->service, broker->link.endpoint, self->heartbeat_ms * self->liveness);
    broker->silent = true;
    zsock_destroy (&broker->link.sock);
    broker->reconnect_at = zclock_mono () + self->reconnect_ms;
}

mdp_worker_t *
mdp_worker_new (const char *endpoint, const char *service)
{
    if (!endpoint || !*endpoint || !service || !*service)
        return NULL;
    mdp_worker_t *self = (mdp_worker_t *) zmalloc (sizeof (mdp_worker_t));
    self->service = strdup (service);
    self->heartbeat_ms = 2500;
    self->liveness = 3;
    self->reconnect_ms = 1000;
    char who [80];
    snprintf (who, sizeof who, "mdp worker %s", service);
    char *list = strdup (endpoint);
    char *save = NULL;
    for (char *item = strtok_r (list, ", ", &save); item && self->count < BROKERS_MAX;
         item = strtok_r (NULL, ", ", &save)) {
        mdp_link_init (&self->brokers [self->count].link, item, who);
        self->brokers [self->count++].link.max_inbound = inv_limits_request_socket ();
    }
    free (list);
    bool failed = self->count == 0;
    for (int i = 0; i < self->count && !failed; i++)
        failed = s_connect (self, &self->brokers [i]) != 0;
    if (failed)
        mdp_worker_destroy (&self);
    return self;
}

void
mdp_worker_destroy (mdp_worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    mdp_worker_t *self = *self_p;
    for (int i = 0; i < self->count; i++) {
        broker_t *broker = &self->brokers [i];
        if (broker->link.sock) {
            //  Tell the broker, and give the command a moment to leave.
            zsock_set_linger (broker->link.sock, 100);
            s_send_command (self, broker, MDPW_DISCONNECT, NULL, NULL);
            zsock_destroy (&broker->link.sock);
        }
        mdp_link_free (&broker->link);
    }
    zstr_free (&self->service);
    free (self);
    *self_p = NULL;
}

void
mdp_worker_set_heartbeat (mdp_worker_t *self, int heartbeat_ms)
{
    self->heartbeat_ms = heartbeat_ms > 0? heartbeat_ms: 2500;
    for (int i = 0; i < self->count; i++) {
        self->brokers [i].heartbeat_at = zclock_mono () + self->heartbeat_ms;
        self->brokers [i].expiry_at = s_expiry (self);
    }
}

void
mdp_worker_set_liveness (mdp_worker_t *self, int liveness)
{
    self->liveness = liveness > 0? liveness: 3;
    for (int i = 0; i < self->count; i++)
        self->brokers [i].expiry_at = s_expiry (self);
}

void
mdp_worker_set_reconnect (mdp_worker_t *self, int reconnect_ms)
{
    self->reconnect_ms = reconnect_ms >= 0? reconnect_ms: 1000;
}

int
mdp_worker_set_curve (mdp_worker_t *self, zcert_t *cert, const char *server_public)
{
    for (int i = 0; i < self->count; i++) {
        if (mdp_link_set_curve (&self->brokers [i].link, cert, server_public)
        ||  s_connect (self, &self->brokers [i]))   //  READY again, now over CURVE
            return -1;
    }
    return 0;
}

void
mdp_worker_heartbeat (mdp_worker_t *self)
{
    for (int i = 0; i < self->count; i++)
        if (zclock_mono () >= self->brokers [i].heartbeat_at)
            s_send_command (self, &self->brokers [i], MDPW_HEARTBEAT, NULL, NULL);
}

/*  Handle one message from a broker. Returns a request body (and sets *reply_to)
    or NULL if the message was a heartbeat, a disconnect or invalid. */
static zmsg_t *
s_handle_message (mdp_worker_t *self, broker_t *broker, zmsg_t *msg, zframe_t **reply_to)
{
    mdp_strip_empty (msg);
    zframe_t *header = zmsg_pop (msg);
    zframe_t *command = zmsg_pop (msg);
    zmsg_t *body = NULL;
    if (!header || !command || !zframe_streq (header, MDPW_WORKER) || zframe_size (command) != 1)
        inv_warn ("mdp worker %s: ignored a message that is not MDP/0.2", self->service);
    else {
        byte cmd = zframe_data (command) [0];
        if (cmd == MDPW_REQUEST) {
            zframe_t *address = zmsg_pop (msg);
            zframe_t *empty = zmsg_pop (msg);
            if (address && empty && zframe_size (empty) == 0) {
                *reply_to = address;
                address = NULL;
                body = msg;
                msg = NULL;
            }
            else
                inv_warn ("mdp worker %s: ignored a REQUEST without client address", self->service);
            zframe_destroy (&address);
            zframe_destroy (&empty);
        }
        else
        if (cmd == MDPW_DISCONNECT) {
            inv_info ("mdp worker %s: broker %s sent DISCONNECT, registering again",
                      self->service, broker->link.endpoint);
            s_connect (self, broker);
        }
        else
        if (cmd != MDPW_HEARTBEAT)
            inv_warn ("mdp worker %s: ignored unexpected command 0x%02x", self->service, cmd);
    }
    zframe_destroy (&header);
    zframe_destroy (&command);
    zmsg_destroy (&msg);
    return body;
}

/*  Heartbeats, expiries and reconnects that are due; returns the next instant
    something will be due. */
static int64_t
s_keep_alive (mdp_worker_t *self)
{
    int64_t now = zclock_mono ();
    int64_t wake = INT64_MAX;
    for (int i = 0; i < self->count; i++) {
        broker_t *broker = &self->brokers [i];
        if (broker->reconnect_at && now >= broker->reconnect_at)
            s_connect (self, broker);
        if (broker->reconnect_at) {
            wake = broker->reconnect_at < wake? broker->reconnect_at: wake;
            continue;
        }
        if (now >= broker->expiry_at) {
            s_broker_lost (self, broker);
            wake = broker->reconnect_at < wake? broker->reconnect_at: wake;
            continue;
        }
        if (now >= broker->heartbeat_at)
            s_send_command (self, broker, MDPW_HEARTBEAT, NULL, NULL);
        int64_t next = broker->heartbeat_at < broker->expiry_at? broker->heartbeat_at: broker->expiry_at;
        wake = next < wake? next: wake;
    }
    return wake;
}

/*  Wait up to wait_ms for a message from any broker; sets *from. rc as mdp_link_recv. */
static zmsg_t *
s_poll (mdp_worker_t *self, int wait_ms, broker_t **from, int *rc)
{
    if (self->count == 1) {
        *from = &self->brokers [0];
        if (!self->brokers [0].link.sock) {
            zclock_sleep (wait_ms);
            *rc = zsys_interrupted? -1: 0;
            return NULL;
        }
        return mdp_link_recv (&self->brokers [0].link, wait_ms, rc);
    }
    zmq_pollitem_t items [BROKERS_MAX];
    broker_t *which [BROKERS_MAX];
    int n = 0;
    for (int i = 0; i < self->count; i++)
        if (self->brokers [i].link.sock) {
            items [n] = (zmq_pollitem_t) { zsock_resolve (self->brokers [i].link.sock), 0, ZMQ_POLLIN, 0 };
            which [n++] = &self->brokers [i];
        }
    *rc = zmq_poll (items, n, wait_ms);
    if (*rc <= 0)
        return NULL;
    for (int i = 0; i < n; i++)
        if (items [i].revents & ZMQ_POLLIN) {
            *from = which [i];
            zmsg_t *msg = zmsg_recv (which [i]->link.sock);
            if (!msg)
                *rc = -1;
            return msg;
        }
    *rc = 0;
    return NULL;
}

zmsg_t *
mdp_worker_recv (mdp_worker_t *self, zframe_t **reply_to, int timeout_ms)
{
    assert (reply_to);
    *reply_to = NULL;
    int64_t deadline = timeout_ms < 0? -1: zclock_mono () + timeout_ms;
    while (!zsys_interrupted) {
        int64_t wake = s_keep_alive (self);
        if (deadline >= 0 && deadline < wake)
            wake = deadline;
        int64_t now = zclock_mono ();
        int wait = wake > now? (int) (wake - now): 0;
        int rc;
        broker_t *from = NULL;
        zmsg_t *msg = s_poll (self, wait, &from, &rc);
        if (rc < 0)
            break;                  //  interrupted
        if (msg) {
            if (from->silent)
                inv_info ("mdp worker %s: broker %s is back", self->service, from->link.endpoint);
            from->silent = false;
            from->expiry_at = s_expiry (self);
            zmsg_t *body = s_handle_message (self, from, msg, reply_to);
            if (body) {
                self->current = (int) (from - self->brokers);
                return body;
            }
        }
        if (deadline >= 0 && zclock_mono () >= deadline) {
            s_keep_alive (self);
            errno = ETIMEDOUT;
            return NULL;
        }
    }
    errno = EINTR;
    return NULL;
}

int
mdp_worker_send_partial (mdp_worker_t *self, zmsg_t **body_p, zframe_t *reply_to)
{
    assert (reply_to);
    zmsg_t *body = body_p && *body_p? *body_p: zmsg_new ();
    if (body_p)
        *body_p = NULL;
    s_send_command (self, &self->brokers [self->current], MDPW_PARTIAL, reply_to, body);
    return 0;
}

int
mdp_worker_send_final (mdp_worker_t *self, zmsg_t **body_p, zframe_t *reply_to)
{
    assert (reply_to);
    zmsg_t *body = body_p && *body_p? *body_p: zmsg_new ();
    if (body_p)
        *body_p = NULL;
    s_send_command (self, &self->brokers [self->current], MDPW_FINAL, reply_to, body);
    return 0;
}

zsock_t *
mdp_worker_sock (mdp_worker_t *self)
{
    return self->brokers [0].link.sock;
}

void
mdp_worker_test (bool verbose)
{
    if (verbose)
        printf (" * mdp_worker: ");
    //  A worker with no broker gives up recv() at its timeout.
    mdp_worker_t *worker = mdp_worker_new ("inproc://mdp_worker_test_nowhere", "echo");
    assert (worker);
    mdp_worker_set_heartbeat (worker, 10);
    mdp_worker_set_reconnect (worker, 5);
    zframe_t *reply_to = NULL;
    zmsg_t *body = mdp_worker_recv (worker, &reply_to, 50);
    assert (body == NULL && reply_to == NULL);
    mdp_worker_destroy (&worker);
    if (verbose)
        printf ("OK\n");
}
