/*  mdp_worker: MDP/0.2 worker (ZeroMQ RFC 18) over one DEALER socket.

    Conversation: READY [service] once per socket; then the broker sends
    REQUEST [client][empty][body...] and the worker answers with PARTIAL / FINAL
    [client][empty][body...]. Heartbeats flow both ways at `heartbeat` intervals;
    any command from the broker counts as one.

    Everything happens inside mdp_worker_recv(): it heartbeats while it waits, and when
    the broker has been silent for `liveness` intervals it waits `reconnect` ms, opens a
    new socket and sends READY again. A DISCONNECT from the broker does the same at once
    (the broker forgot us, e.g. after it restarted). A leading empty frame on a command
    from the broker is tolerated.

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

struct _mdp_worker_t {
    mdp_link_t link;            /* endpoint, CURVE credentials, current socket */
    char *service;
    int heartbeat_ms;
    int liveness;
    int reconnect_ms;
    int64_t heartbeat_at;       /* when to send the next HEARTBEAT */
    int64_t expiry_at;          /* broker is dead if silent until then */
};

static void
s_send_command (mdp_worker_t *self, byte command, zframe_t *reply_to, zmsg_t *body)
{
    zmsg_t *msg = body? body: zmsg_new ();
    if (reply_to) {
        zmsg_pushmem (msg, NULL, 0);
        zmsg_pushmem (msg, zframe_data (reply_to), zframe_size (reply_to));
    }
    if (command == MDPW_READY)
        zmsg_pushstr (msg, self->service);
    zmsg_pushmem (msg, &command, 1);
    zmsg_pushstr (msg, MDPW_WORKER);
    zmsg_send (&msg, self->link.sock);
    self->heartbeat_at = zclock_mono () + self->heartbeat_ms;
}

/*  Open a new socket, connect, send READY. */
static int
s_connect (mdp_worker_t *self)
{
    if (mdp_link_connect (&self->link, NULL))
        return -1;
    s_send_command (self, MDPW_READY, NULL, NULL);
    self->expiry_at = zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
    return 0;
}

mdp_worker_t *
mdp_worker_new (const char *endpoint, const char *service)
{
    if (!endpoint || !*endpoint || !service || !*service)
        return NULL;
    mdp_worker_t *self = (mdp_worker_t *) zmalloc (sizeof (mdp_worker_t));
    char who [80];
    snprintf (who, sizeof who, "mdp worker %s", service);
    mdp_link_init (&self->link, endpoint, who);
    self->service = strdup (service);
    self->heartbeat_ms = 2500;
    self->liveness = 3;
    self->reconnect_ms = 1000;
    if (s_connect (self)) {
        mdp_worker_destroy (&self);
        return NULL;
    }
    return self;
}

void
mdp_worker_destroy (mdp_worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    mdp_worker_t *self = *self_p;
    if (self->link.sock) {
        //  Tell the broker, and give the command a moment to leave.
        zsock_set_linger (self->link.sock, 100);
        s_send_command (self, MDPW_DISCONNECT, NULL, NULL);
        zsock_destroy (&self->link.sock);
    }
    mdp_link_free (&self->link);
    zstr_free (&self->service);
    free (self);
    *self_p = NULL;
}

void
mdp_worker_set_heartbeat (mdp_worker_t *self, int heartbeat_ms)
{
    self->heartbeat_ms = heartbeat_ms > 0? heartbeat_ms: 2500;
    self->heartbeat_at = zclock_mono () + self->heartbeat_ms;
    self->expiry_at = zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
}

void
mdp_worker_set_liveness (mdp_worker_t *self, int liveness)
{
    self->liveness = liveness > 0? liveness: 3;
    self->expiry_at = zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
}

void
mdp_worker_set_reconnect (mdp_worker_t *self, int reconnect_ms)
{
    self->reconnect_ms = reconnect_ms >= 0? reconnect_ms: 1000;
}

int
mdp_worker_set_curve (mdp_worker_t *self, zcert_t *cert, const char *server_public)
{
    if (mdp_link_set_curve (&self->link, cert, server_public))
        return -1;
    return s_connect (self);    //  READY again, now over CURVE
}

void
mdp_worker_heartbeat (mdp_worker_t *self)
{
    if (zclock_mono () >= self->heartbeat_at)
        s_send_command (self, MDPW_HEARTBEAT, NULL, NULL);
}

/*  Handle one message from the broker. Returns a request body (and sets *reply_to)
    or NULL if the message was a heartbeat, a disconnect or invalid. */
static zmsg_t *
s_handle_message (mdp_worker_t *self, zmsg_t *msg, zframe_t **reply_to)
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
            inv_info ("mdp worker %s: broker sent DISCONNECT, registering again", self->service);
            s_connect (self);
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

zmsg_t *
mdp_worker_recv (mdp_worker_t *self, zframe_t **reply_to, int timeout_ms)
{
    assert (reply_to);
    *reply_to = NULL;
    int64_t deadline = timeout_ms < 0? -1: zclock_mono () + timeout_ms;
    while (!zsys_interrupted) {
        int64_t now = zclock_mono ();
        int64_t wake = self->heartbeat_at < self->expiry_at? self->heartbeat_at: self->expiry_at;
        if (deadline >= 0 && deadline < wake)
            wake = deadline;
        int wait = wake > now? (int) (wake - now): 0;
        int rc;
        zmsg_t *msg = mdp_link_recv (&self->link, wait, &rc);
        if (rc < 0)
            break;                  //  interrupted
        now = zclock_mono ();
        if (msg) {
            self->expiry_at = now + (int64_t) self->heartbeat_ms * self->liveness;
            zmsg_t *body = s_handle_message (self, msg, reply_to);
            if (body)
                return body;
        }
        else
        if (now >= self->expiry_at) {
            inv_warn ("mdp worker %s: broker %s silent for %d ms, reconnecting",
                      self->service, self->link.endpoint, self->heartbeat_ms * self->liveness);
            zclock_sleep (self->reconnect_ms);
            if (zsys_interrupted)
                break;
            s_connect (self);
        }
        if (zclock_mono () >= self->heartbeat_at)
            s_send_command (self, MDPW_HEARTBEAT, NULL, NULL);
        if (deadline >= 0 && zclock_mono () >= deadline) {
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
    s_send_command (self, MDPW_PARTIAL, reply_to, body);
    return 0;
}

int
mdp_worker_send_final (mdp_worker_t *self, zmsg_t **body_p, zframe_t *reply_to)
{
    assert (reply_to);
    zmsg_t *body = body_p && *body_p? *body_p: zmsg_new ();
    if (body_p)
        *body_p = NULL;
    s_send_command (self, MDPW_FINAL, reply_to, body);
    return 0;
}

zsock_t *
mdp_worker_sock (mdp_worker_t *self)
{
    return self->link.sock;
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
