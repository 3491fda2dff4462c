/*  inv_service: the loop every service's main() runs, so main.c is wiring only.

    inv_service_config loads the settings and sets up logging and the clock.
    inv_service_run makes an mdp_worker from the configuration and loops: receive one
    request, pass it through inv_service_handle (which logs its line), send the FINAL.
    The receive waits at most one heartbeat interval, so a SIGTERM or SIGINT (czmq
    sets zsys_interrupted) is seen promptly; the request in hand is always answered
    before the loop stops, and destroying the worker tells the broker it is gone.

    Test mode adds admin methods through a second, fixed table consulted before the
    service's own, so services need not know about them.

    The CURVE set-up is shared by clients and workers: load our certificate (it must
    carry a secret key), resolve the broker's public key from text or file, hand both
    to the MDP object, which copies them for every reconnect.
*/
#include "inv_service.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_limits.h"

/* ---- configuration ------------------------------------------------------------------- */

int
inv_service_config (inv_config_t *cfg, const char *name, int argc, char **argv)
{
    inv_log_init (name);
    char err [512];
    if (inv_config_load (cfg, argc, argv, err, sizeof err)) {
        fprintf (stderr, "%s: %s\n", name, err);
        return -1;
    }
    if (cfg->help) {
        printf ("usage: %s [--flag=value ...]\n\nsettings (flag, environment variable, default, meaning):\n",
                name);
        inv_config_print_table (stdout, false);
        exit (0);
    }
    if (cfg->argc > 0) {
        fprintf (stderr, "%s: unexpected argument \"%s\" (--help lists the settings)\n",
                 name, cfg->argv [0]);
        return -1;
    }
    inv_config_apply (cfg);
    return 0;
}

/* ---- CURVE --------------------------------------------------------------------------- */

int
inv_service_server_key (const inv_config_t *cfg, char *key)
{
    const char *text = cfg->curve_server;
    if (!text || !*text) {
        inv_error ("--curve-server is needed with --curve-cert: the broker's public key");
        return -1;
    }
    if (strlen (text) == 40 && !zsys_file_exists (text)) {
        uint8_t raw [32];
        if (zmq_z85_decode (raw, text)) {
            memcpy (key, text, 41);
            return 0;
        }
    }
    zcert_t *cert = zcert_load (text);
    if (!cert) {
        inv_error ("--curve-server: \"%s\" is neither a Z85 key nor a certificate file", text);
        return -1;
    }
    memcpy (key, zcert_public_txt (cert), 41);
    zcert_destroy (&cert);
    return 0;
}

/* Our certificate and the broker's key; returns NULL cert when CURVE is off, and
   -1 on error. */
static int
s_curve (const inv_config_t *cfg, zcert_t **cert_p, char *server_key)
{
    *cert_p = NULL;
    if (!cfg->curve_cert)
        return 0;
    zcert_t *cert = zcert_load (cfg->curve_cert);
    if (!cert) {
        inv_error ("--curve-cert: cannot load the certificate \"%s\"", cfg->curve_cert);
        return -1;
    }
    if (streq (zcert_secret_txt (cert), "0000000000000000000000000000000000000000")) {
        inv_error ("--curve-cert: \"%s\" has no secret key (give the secret certificate)",
                   cfg->curve_cert);
        zcert_destroy (&cert);
        return -1;
    }
    if (inv_service_server_key (cfg, server_key)) {
        zcert_destroy (&cert);
        return -1;
    }
    *cert_p = cert;
    return 0;
}

static bool
s_local_endpoint (const char *endpoint)
{
    return strncmp (endpoint, "ipc://", 6) == 0 || strncmp (endpoint, "inproc://", 9) == 0
        || strncmp (endpoint, "tcp://127.", 10) == 0 || strncmp (endpoint, "tcp://localhost:", 16) == 0
        || strncmp (endpoint, "tcp://[::1]:", 12) == 0;
}

static void
s_log_security (const char *who, const char *endpoint, bool curve)
{
    if (curve)
        inv_info ("%s: connecting to %s with CURVE security", who, endpoint);
    else
    if (s_local_endpoint (endpoint))
        inv_info ("%s: connecting to %s with NULL security (development, local endpoint)", who, endpoint);
    else
        inv_warn ("%s: connecting to %s with NULL security on a non-local endpoint; "
                  "set --curve-cert and --curve-server in production", who, endpoint);
}

int
inv_curve_apply (const inv_config_t *cfg, zsock_t *sock)
{
    zcert_t *cert;
    char server_key [41];
    if (s_curve (cfg, &cert, server_key))
        return -1;
    if (cert) {
        zcert_apply (cert, sock);
        zsock_set_curve_serverkey (sock, server_key);
        zcert_destroy (&cert);
    }
    return 0;
}

mdp_client_t *
inv_client_from_config (const inv_config_t *cfg)
{
    zcert_t *cert;
    char server_key [41];
    if (s_curve (cfg, &cert, server_key))
        return NULL;
    const char *principal = cfg->principal && *cfg->principal? cfg->principal: NULL;
    inv_limits_set_max_request ((size_t) cfg->max_request_bytes);
    mdp_client_t *client = mdp_client_new (cfg->broker, principal);
    if (!client) {
        inv_error ("client: cannot connect to %s", cfg->broker);
        zcert_destroy (&cert);
        return NULL;
    }
    mdp_client_set_timeout (client, cfg->timeout_ms);
    mdp_client_set_retries (client, cfg->retries);
    if (cert && mdp_client_set_curve (client, cert, server_key))
        mdp_client_destroy (&client);
    inv_debug ("client: %s with %s security", cfg->broker, cert? "CURVE": "NULL");
    zcert_destroy (&cert);
    return client;
}

mdp_worker_t *
inv_worker_from_config (const inv_config_t *cfg, const char *service)
{
    zcert_t *cert;
    char server_key [41];
    if (s_curve (cfg, &cert, server_key))
        return NULL;
    inv_limits_set_max_request ((size_t) cfg->max_request_bytes);
    mdp_worker_t *worker = mdp_worker_new (cfg->broker, service);
    if (!worker) {
        inv_error ("%s: cannot connect a worker to %s", service, cfg->broker);
        zcert_destroy (&cert);
        return NULL;
    }
    mdp_worker_set_heartbeat (worker, cfg->heartbeat_ms);
    mdp_worker_set_liveness (worker, cfg->liveness);
    if (cert && mdp_worker_set_curve (worker, cert, server_key))
        mdp_worker_destroy (&worker);
    if (worker)
        s_log_security (service, cfg->broker, cert != NULL);
    zcert_destroy (&cert);
    return worker;
}

/* ---- admin methods (test mode only) -------------------------------------------------- */

static void
s_admin_clock_set (void *ctx, inv_call_t *call)
{
    (void) ctx;
    char text [64];
    size_t size = call->body_size < sizeof text - 1? call->body_size: sizeof text - 1;
    memcpy (text, call->body, size);
    text [size] = '\0';
    int64_t ms = call->body_size < sizeof text? inv_clock_parse (text): -1;
    if (ms < 0) {
        inv_call_field_error (call, "instant",
                              "\"%s\" is not an instant (YYYY-MM-DD, optionally THH:MM[:SS], "
                              "China Standard Time)", text);
        return;
    }
    inv_clock_set_ms (ms);
    char when [40];
    inv_clock_format (ms, when, sizeof when);
    inv_warn ("test mode: clock set to %s by %s", when, call->caller);
    inv_call_error (call, 200, "clock set to %s", when);
}

static const inv_method_t s_admin_methods [] = {
    { "admin.clock.set", NULL, s_admin_clock_set, 256 },
    { NULL }
};

/* True if the body's method frame names an admin method. */
static bool
s_is_admin (zmsg_t *body)
{
    if (!body || zmsg_size (body) < 2)
        return false;
    zframe_t *frame = zmsg_first (body);
    frame = zmsg_next (body);
    for (const inv_method_t *m = s_admin_methods; m->name; m++)
        if (zframe_streq (frame, m->name))
            return true;
    return false;
}

zmsg_t *
inv_service_handle (const inv_config_t *cfg, const inv_method_t *methods, void *ctx,
                    zmsg_t **body_p)
{
    if (cfg && cfg->test_mode && body_p && s_is_admin (*body_p))
        return inv_rpc_dispatch (s_admin_methods, ctx, body_p);
    return inv_rpc_dispatch (methods, ctx, body_p);
}

/* ---- the loop ------------------------------------------------------------------------ */

int
inv_service_run (const inv_config_t *cfg, const char *service,
                 const inv_method_t *methods, void *ctx)
{
    inv_rpc_set_max_bytes ((size_t) cfg->max_request_bytes);
    for (const inv_method_t *m = methods; m && m->name; m++)
        inv_limits_allow_method (m->max_bytes);
    mdp_worker_t *worker = inv_worker_from_config (cfg, service);
    if (!worker)
        return 1;
    size_t count = 0;
    for (const inv_method_t *m = methods; m && m->name; m++)
        count++;
    inv_info ("%s: ready, %zu methods%s", service, count,
              cfg->test_mode? ", TEST MODE (admin.clock.set is on)": "");

    int wait_ms = cfg->heartbeat_ms > 0? cfg->heartbeat_ms: 1000;
    while (!zsys_interrupted) {
        zframe_t *reply_to = NULL;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, wait_ms);
        if (!body) {
            zframe_destroy (&reply_to);
            continue;
        }
        zmsg_t *reply = inv_service_handle (cfg, methods, ctx, &body);
        mdp_worker_send_final (worker, &reply, reply_to);
        zmsg_destroy (&reply);
        zframe_destroy (&reply_to);
    }
    inv_info ("%s: stopping", service);
    mdp_worker_destroy (&worker);
    return 0;
}
