/*  fuzz_mdp_broker: the broker's handling of what arrives on its ROUTER socket.

    Each input is a short conversation: a fresh broker (bound to its inproc endpoint
    only, with no peer connected) receives a sequence of messages through
    broker_handle_message, the function its loop calls for every message, so
    registrations, requests, replies and disconnects of one input act on each other.
    Replies the broker sends go to routing ids nobody holds and are dropped by the
    ROUTER, as for a vanished peer.

    Encoding, per message: one byte picks the sender's routing id (a few fixed ids,
    one of them a principal claim, so workers and clients recur across messages; or,
    with bit 3 set, the next frame's bytes), then frames, each led by one byte h:
      h & 0x80   the frame is a token (MDPC02, MDPW02, each command byte, "", a
                 service name, mmi.*), token number h & 0x3f
      else       h & 0x3f bytes follow (0x3f: one more byte adds to the length)
      h & 0x40   last frame of the message
    Up to 32 messages of up to 32 frames each.
*/
#include "fuzz.h"
#include "mdp.h"
#include "broker/broker.h"

static const char *s_senders [] = {
    "W1", "W2", "P:province:c1", "P:city:140100:c2", "C3", "P:not a principal:x", "", "W1"
};

static const struct { const char *data; size_t size; } s_tokens [] = {
    { MDPC_CLIENT, 6 }, { MDPW_WORKER, 6 }, { "", 0 },
    { "\x01", 1 }, { "\x02", 1 }, { "\x03", 1 }, { "\x04", 1 }, { "\x05", 1 }, { "\x06", 1 },
    { "echo", 4 }, { "registry", 8 }, { "mmi.service", 11 }, { "mmi.workers", 11 },
    { "mmi.services", 12 }, { "mmi.nope", 8 }, { "MDPC01", 6 }, { "W1", 2 }, { "W2", 2 },
    { "P:province:c1", 13 }, { "enterprise.get", 14 }, { "\0", 1 }
};
#define TOKENS (sizeof s_tokens / sizeof s_tokens [0])

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_mdp_broker");
    static inv_config_t cfg;
    cfg.broker_bind = "";
    cfg.heartbeat_ms = 1000;
    cfg.liveness = 3;
    cfg.unknown_service_ms = 1000;
    cfg.max_request_bytes = 256;            /* small, so the 413 path is reachable */
    broker_t *broker = broker_new (&cfg);
    assert (broker);

    fuzz_input_t in = { data, size };
    for (int messages = 0; in.size > 0 && messages < 32; messages++) {
        zmsg_t *msg = zmsg_new ();
        uint8_t sel = fuzz_byte (&in);
        if (sel & 8) {
            size_t got;
            const uint8_t *id = fuzz_bytes (&in, fuzz_byte (&in) & 0x1f, &got);
            zmsg_addmem (msg, id, got);
        }
        else
            zmsg_addstr (msg, s_senders [sel & 7]);
        for (int frames = 0; in.size > 0 && frames < 32; frames++) {
            uint8_t h = fuzz_byte (&in);
            if (h & 0x80) {
                size_t t = (h & 0x3f) % TOKENS;
                zmsg_addmem (msg, s_tokens [t].data, s_tokens [t].size);
            }
            else {
                size_t want = h & 0x3f;
                if (want == 0x3f)
                    want += fuzz_byte (&in) * 2;
                size_t got;
                const uint8_t *bytes = fuzz_bytes (&in, want, &got);
                zmsg_addmem (msg, bytes, got);
            }
            if (h & 0x40)
                break;
        }
        broker_handle_message (broker, &msg);
        assert (msg == NULL);
    }
    broker_destroy (&broker);
    return 0;
}
