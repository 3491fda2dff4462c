/*  mdp: constants of the Majordomo Protocol MDP/0.2 (ZeroMQ RFC 18) and of the body
    convention this platform layers on it (see docs/protocol.md).

    Client <-> broker:  ["MDPC02"][cmd][service][body...]
    Worker <-> broker:  ["MDPW02"][cmd]... (READY carries the service, REQUEST/PARTIAL/FINAL
                        carry [client address][empty][body...])
    Body, client to broker:   [method][protobuf request]
    Body, broker to worker:   [caller principal][method][protobuf request]
    Body, worker reply:       [innov.Status][protobuf reply]
*/
#ifndef MDP_H
#define MDP_H

#define MDPC_CLIENT     "MDPC02"
#define MDPW_WORKER     "MDPW02"

/* MDP/Client commands */
#define MDPC_REQUEST    0x01
#define MDPC_PARTIAL    0x02
#define MDPC_FINAL      0x03

/* MDP/Worker commands */
#define MDPW_READY      0x01
#define MDPW_REQUEST    0x02
#define MDPW_PARTIAL    0x03
#define MDPW_FINAL      0x04
#define MDPW_HEARTBEAT  0x05
#define MDPW_DISCONNECT 0x06

/* Development-mode principal claim: a client whose routing id starts with this prefix
   ("P:province:1a2b3c4d") is taken, on NULL-security endpoints only, to act for the
   principal between the colons. Over CURVE the broker ignores it and uses the
   principal bound to the client's certificate. */
#define MDP_CLAIM_PREFIX "P:"

/* Broker-internal services (RFC 8 style) */
#define MMI_SERVICE     "mmi.service"
#define MMI_SERVICES    "mmi.services"    /* list of registered services with worker counts */
#define EVENTS_SERVICE  "events"          /* served by the relay: method "events.replay" */

#endif
