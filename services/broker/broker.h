/*  broker: the MDP/0.2 broker (ZeroMQ RFC 18, with RFC 8 mmi.* services).

    One ROUTER socket serves clients ("MDPC02") and workers ("MDPW02"), bound to every
    endpoint of cfg->broker_bind and to BROKER_INPROC. Requests are queued per service
    and handed to the least recently used idle worker of that service; the caller's
    principal is put in front of the body ([caller][method][request]). See
    docs/protocol.md for the whole contract.

        broker_t *broker = broker_new (&cfg);       // binds, or NULL
        broker_run (broker);                        // until SIGINT / SIGTERM
        broker_destroy (&broker);

    In-process (tests): zactor_t *actor = zactor_new (broker_actor, (void *) &cfg);
    The actor answers "ENDPOINT" with the endpoint clients should use ("" if the broker
    failed to start) and stops on "$TERM" (zactor_destroy).
*/
#ifndef BROKER_H
#define BROKER_H
#include <czmq.h>
#include "inv_config.h"

#define BROKER_INPROC "inproc://broker"

typedef struct _broker_t broker_t;

/* Bind every endpoint and start CURVE authentication when cfg->curve_cert is set.
   cfg must outlive the broker. NULL (and a log line saying why) on failure. */
broker_t *broker_new (const inv_config_t *cfg);
void broker_destroy (broker_t **self_p);

/* Serve until zsys_interrupted. Returns 0. */
int  broker_run (broker_t *self);

/* The first endpoint bound from cfg->broker_bind, with the port resolved (a "*" port
   becomes the real one); BROKER_INPROC if there is none. */
const char *broker_endpoint (broker_t *self);

/* One message as received on the ROUTER ([sender][""]?[header][command]...): what the
   loop does for each message (the message is destroyed). Tests and the fuzz target
   call it on a broker without peers. */
void broker_handle_message (broker_t *self, zmsg_t **msg_p);

/* zactor body: args is a const inv_config_t * that outlives the actor. */
void broker_actor (zsock_t *pipe, void *args);

/* The principal a NULL-security client claims through its routing id
   (MDP_CLAIM_PREFIX "<principal>:<suffix>"), written to out; "anonymous" when the
   routing id carries no well-formed claim or the claim is not a valid principal. */
void broker_claim_principal (const byte *routing_id, size_t size, char *out, size_t outsize);

/* Whether a service name is acceptable: 1 to 255 printable ASCII characters, no space. */
bool broker_service_name_valid (const byte *name, size_t size);

#endif
