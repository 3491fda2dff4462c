/*  broker: the MDP/0.2 broker process with its event relay beside it.

    Wiring only: configuration, the broker (broker.c) in this thread, the relay actor
    (relay.c) connected to the broker over inproc; runs until SIGTERM / SIGINT.
*/
#include "broker.h"
#include "relay.h"
#include "inv_service.h"
#include "inv_log.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "broker", argc, argv))
        return 2;
    broker_t *broker = broker_new (&cfg);
    if (!broker)
        return 1;
    relay_args_t args = {
        .redis = cfg.redis,
        .provinces = cfg.province,
        .pub_bind = cfg.events_bind,
        .broker = BROKER_INPROC,
        .heartbeat_ms = cfg.heartbeat_ms,
        .curve_cert = cfg.curve_cert
    };
    zactor_t *relay = zactor_new (relay_actor, &args);
    int rc = broker_run (broker);
    zactor_destroy (&relay);
    broker_destroy (&broker);
    inv_info ("broker: stopped");
    return rc;
}
