/*  curve_fixture: see curve_fixture.h. The broker's configuration lives in the
    fixture, since broker_actor keeps a pointer to it for its whole life. */
#include <stdio.h>
#include <stdlib.h>
#include "curve_fixture.h"
#include "inv_config.h"
#include "../../services/broker/broker.h"

struct curve_fixture_t {
    char dir [64];                  /* the key directory */
    char clients [96];              /* its clients/ folder */
    char server_path [96];          /* the broker's certificate */
    zcert_t *server;
    zlist_t *certs;                 /* the clients' certificates */
    inv_config_t cfg;
    zactor_t *broker;
    char *endpoint;
};

curve_fixture_t *
curve_fixture_new (void)
{
    curve_fixture_t *self = (curve_fixture_t *) zmalloc (sizeof (curve_fixture_t));
    snprintf (self->dir, sizeof self->dir, "/tmp/curve_fixture_XXXXXX");
    if (!mkdtemp (self->dir)) {
        free (self);
        return NULL;
    }
    snprintf (self->clients, sizeof self->clients, "%s/clients", self->dir);
    snprintf (self->server_path, sizeof self->server_path, "%s/broker.cert", self->dir);
    self->certs = zlist_new ();
    self->server = zcert_new ();
    if (zsys_dir_create ("%s", self->clients) || zcert_save (self->server, self->server_path)) {
        curve_fixture_destroy (&self);
        return NULL;
    }
    return self;
}

void
curve_fixture_destroy (curve_fixture_t **self_p)
{
    curve_fixture_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy (&self->broker);
    zstr_free (&self->endpoint);
    for (zcert_t *cert = (zcert_t *) zlist_pop (self->certs); cert; cert = (zcert_t *) zlist_pop (self->certs))
        zcert_destroy (&cert);
    zlist_destroy (&self->certs);
    zcert_destroy (&self->server);
    zdir_t *tree = zdir_new (self->dir, NULL);
    if (tree)
        zdir_remove (tree, true);
    zdir_destroy (&tree);
    free (self);
    *self_p = NULL;
}

zcert_t *
curve_fixture_client (curve_fixture_t *self, const char *name, const char *principal)
{
    zcert_t *cert = zcert_new ();
    if (principal)
        zcert_set_meta (cert, "principal", "%s", principal);
    char path [160];
    snprintf (path, sizeof path, "%s/%s.cert", self->clients, name);
    zcert_save_public (cert, path);
    zlist_append (self->certs, cert);
    return cert;
}

const char *
curve_fixture_start (curve_fixture_t *self, int heartbeat_ms, int unknown_service_ms)
{
    self->cfg = (inv_config_t) { 0 };
    self->cfg.broker_bind = "tcp://127.0.0.1:*";
    self->cfg.curve_cert = self->server_path;
    self->cfg.curve_clients = self->clients;
    self->cfg.heartbeat_ms = heartbeat_ms;
    self->cfg.liveness = 3;
    self->cfg.unknown_service_ms = unknown_service_ms;
    self->cfg.max_request_bytes = 4096;
    self->broker = zactor_new (broker_actor, &self->cfg);
    zstr_send (self->broker, "ENDPOINT");
    self->endpoint = zstr_recv (self->broker);
    return self->endpoint && *self->endpoint? self->endpoint: NULL;
}

const char *
curve_fixture_server_key (curve_fixture_t *self)
{
    return zcert_public_txt (self->server);
}
