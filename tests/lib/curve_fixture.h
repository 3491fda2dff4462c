/*  curve_fixture: an in-process broker that speaks CURVE, for unit tests of who a
    caller is. It makes a temporary key directory the way a deployment lays it out
    (the broker's certificate, and a clients/ folder of the public certificates it lets
    in, each with its principal in the metadata), starts broker_actor bound on a free
    loopback port with that directory, and removes everything when destroyed.

        curve_fixture_t *curve = curve_fixture_new ();
        zcert_t *agency = curve_fixture_client (curve, "agency", "dept:gxt");
        const char *endpoint = curve_fixture_start (curve, 250, 1000);
        mdp_client_set_curve (client, agency, curve_fixture_server_key (curve));
        ...
        curve_fixture_destroy (&curve);        //  after the test's own workers
*/
#ifndef CURVE_FIXTURE_H
#define CURVE_FIXTURE_H
#include <czmq.h>

typedef struct curve_fixture_t curve_fixture_t;

/* A key directory with the broker's certificate; NULL if it cannot be made. */
curve_fixture_t *curve_fixture_new (void);
/* Stops the broker and removes the key directory. */
void curve_fixture_destroy (curve_fixture_t **self_p);
/* A client certificate the broker lets in, saved as clients/<name>.cert with the
   principal in its metadata (none when NULL). The fixture owns it. */
zcert_t *curve_fixture_client (curve_fixture_t *self, const char *name, const char *principal);
/* Starts the broker (heartbeat, an unknown service's grace; liveness 3, requests up to
   4096 bytes) once the clients are made; its TCP endpoint, NULL if it did not bind. */
const char *curve_fixture_start (curve_fixture_t *self, int heartbeat_ms, int unknown_service_ms);
/* The broker's public key, for mdp_client_set_curve. */
const char *curve_fixture_server_key (curve_fixture_t *self);
#endif
