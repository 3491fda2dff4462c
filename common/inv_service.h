/*  inv_service: the loop every service's main() runs, so main.c is wiring only.

        int main (int argc, char **argv) {
            inv_config_t cfg;  if (inv_service_config (&cfg, "registry", argc, argv)) return 2;
            registry_t *registry = registry_new (&cfg);
            int rc = inv_service_run (&cfg, "registry", registry_methods, registry);
            registry_destroy (&registry);
            return rc;
        }

    inv_service_run connects an mdp_worker to cfg->broker (CURVE when configured),
    dispatches every request through inv_rpc_dispatch, and returns 0 on SIGTERM/SIGINT
    after finishing the request in hand. Also the functions that make a client or worker
    from the configuration, used by tools as well.

    Test mode (cfg->test_mode, --test-mode or INNOV_TEST_MODE=1): every service also
    answers the admin method "admin.clock.set", whose request frame is a CST instant as
    UTF-8 text (any form inv_clock_parse accepts, e.g. "2026-01-06T09:00:00"); it sets
    the process's clock with inv_clock_set_ms and answers status 200 with the message
    "clock set to <instant>", or 400 naming the field "instant". The service's method
    table does not list it; without test mode the method does not exist (400 unknown
    method). Send it to every service that must see the new time.

    CURVE: when cfg->curve_cert is set, the certificate (with its secret key, loaded
    with zcert_load) is used and cfg->curve_server must give the broker's public key,
    either as 40 Z85 characters or as the path of a certificate file. Without CURVE the
    connection uses NULL security and the process says so in its log at start.
*/
#ifndef INV_SERVICE_H
#define INV_SERVICE_H
#include "inv_config.h"
#include "inv_rpc.h"
#include "mdp_worker.h"

/* Load config (env + flags), init logging with name, apply clock. Prints the reason
   and returns -1 on a bad setting or an unexpected positional argument (services take
   none). --help prints the settings table to stdout and exits the process with 0. */
int inv_service_config (inv_config_t *cfg, const char *name, int argc, char **argv);
int inv_service_run (const inv_config_t *cfg, const char *service,
                     const inv_method_t *methods, void *ctx);

/* A client or worker configured from cfg (endpoint, principal claim, timeout, retries,
   heartbeat, liveness, CURVE). NULL with an error logged when the certificate or
   server key cannot be loaded, or the endpoint is refused. */
mdp_client_t *inv_client_from_config (const inv_config_t *cfg);
mdp_worker_t *inv_worker_from_config (const inv_config_t *cfg, const char *service);
/* CURVE client credentials of cfg (own certificate, broker's key) on a socket that is
   not yet connected, such as a SUB to the events endpoint; nothing when CURVE is
   off. 0, or -1 with an error logged. */
int inv_curve_apply (const inv_config_t *cfg, zsock_t *sock);

/* One request body through the service's table, plus the admin methods in test mode
   (what inv_service_run does for each request; unit tests call it without sockets).
   body is destroyed; never returns NULL. */
zmsg_t *inv_service_handle (const inv_config_t *cfg, const inv_method_t *methods, void *ctx,
                            zmsg_t **body_p);
/* The broker's public key from cfg->curve_server (Z85 text or certificate file), into
   key (41 bytes). Returns 0, or -1 with an error logged. */
int inv_service_server_key (const inv_config_t *cfg, char *key);

#endif
