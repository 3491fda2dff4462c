/*  fuzz_mdp_peer: what the MDP client and worker do with what a broker sends them.

    Their parsers are static and read from their sockets, so this target plays the
    broker: a ROUTER bound to an inproc endpoint, one mdp_client and one mdp_worker
    connected to it (made once per process, as in a service). Each input is a
    sequence of messages; each goes from the ROUTER to the client or the worker
    (first byte, bit 0), which then takes it through its public receive function
    (mdp_client_recv / mdp_worker_recv, no wait): header check, command, the
    client address of a REQUEST, DISCONNECT (the worker registers again; the new
    socket's routing id is learnt from its READY), HEARTBEAT, anything else.
    Frames are encoded as in fuzz_mdp_broker (a byte h: token h & 0x3f when h & 0x80,
    else h & 0x3f bytes follow; h & 0x40 ends the message).
*/
#include "fuzz.h"
#include "mdp.h"
#include "mdp_client.h"
#include "mdp_worker.h"

#define ENDPOINT "inproc://fuzz-mdp-peer"

static const struct { const char *data; size_t size; } s_tokens [] = {
    { MDPC_CLIENT, 6 }, { MDPW_WORKER, 6 }, { "", 0 },
    { "\x01", 1 }, { "\x02", 1 }, { "\x03", 1 }, { "\x04", 1 }, { "\x05", 1 }, { "\x06", 1 },
    { "echo", 4 }, { "P:province:c1", 13 }, { "\0", 1 }
};
#define TOKENS (sizeof s_tokens / sizeof s_tokens [0])

static zsock_t *s_router;
static mdp_client_t *s_client;
static mdp_worker_t *s_worker;
static zframe_t *s_client_id;
static zframe_t *s_worker_id;

/* take what the peers sent to the "broker", learning their routing ids */
static void
s_drain (void)
{
    while (zsock_events (s_router) & ZMQ_POLLIN) {
        zmsg_t *msg = zmsg_recv (s_router);
        if (!msg)
            break;
        zframe_t *id = zmsg_pop (msg);
        zframe_t *header = zmsg_first (msg);
        if (header && zframe_streq (header, MDPW_WORKER)) {
            zframe_destroy (&s_worker_id);
            s_worker_id = id;
        }
        else
        if (header && zframe_streq (header, MDPC_CLIENT)) {
            zframe_destroy (&s_client_id);
            s_client_id = id;
        }
        else
            zframe_destroy (&id);
        zmsg_destroy (&msg);
    }
}

static void
s_setup (void)
{
    s_router = zsock_new (ZMQ_ROUTER);
    assert (s_router && zsock_bind (s_router, ENDPOINT) == 0);
    s_client = mdp_client_new (ENDPOINT, "province");
    s_worker = mdp_worker_new (ENDPOINT, "echo");
    assert (s_client && s_worker);
    mdp_worker_set_heartbeat (s_worker, 60000);     /* no expiry within a run */
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "hello");
    mdp_client_send (s_client, "echo", &body);
    for (int i = 0; i < 100 && (!s_client_id || !s_worker_id); i++) {
        zclock_sleep (1);
        s_drain ();
    }
    assert (s_client_id && s_worker_id);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_mdp_peer");
    if (!s_router)
        s_setup ();
    fuzz_input_t in = { data, size };
    for (int messages = 0; in.size > 0 && messages < 16; messages++) {
        bool to_worker = fuzz_byte (&in) & 1;
        zmsg_t *msg = zmsg_new ();
        zmsg_append (msg, &(zframe_t *) { zframe_dup (to_worker? s_worker_id: s_client_id) });
        for (int frames = 0; in.size > 0 && frames < 16; frames++) {
            uint8_t h = fuzz_byte (&in);
            if (h & 0x80) {
                size_t t = (h & 0x3f) % TOKENS;
                zmsg_addmem (msg, s_tokens [t].data, s_tokens [t].size);
            }
            else {
                size_t got;
                const uint8_t *bytes = fuzz_bytes (&in, h & 0x3f, &got);
                zmsg_addmem (msg, bytes, got);
            }
            if (h & 0x40)
                break;
        }
        zmsg_send (&msg, s_router);
        if (to_worker) {
            zframe_t *reply_to = NULL;
            zmsg_t *body = mdp_worker_recv (s_worker, &reply_to, 0);
            if (body)
                assert (reply_to);
            zmsg_destroy (&body);
            zframe_destroy (&reply_to);
        }
        else {
            int final = -1;
            zmsg_t *body = mdp_client_recv (s_client, &final, 0);
            if (body)
                assert (final == 0 || final == 1);
            zmsg_destroy (&body);
        }
        s_drain ();
    }
    return 0;
}
