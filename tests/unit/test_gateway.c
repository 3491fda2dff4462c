/*  test_gateway: the gateway's parts without HTTP: the route table (matching, path
    parameters, 405), the OpenAPI document built from it, the descriptor index used to
    decode event payloads, and the token methods against a real Redis (scope, hashing,
    revocation, events through the outbox), with the HTTP side's token check. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "../../services/gateway/gateway_internal.h"
#include "../../services/gateway/gateway_keys.h"
#include "../../services/broker/broker.h"
#include "curve_fixture.h"
#include "mdp_worker.h"

static redis_fixture_t *F;
static gateway_t *G;
static inv_config_t C;

static int
setup (void **state)
{
    if (redis_fixture_setup (state, &F, NULL, NULL) < 0)
        return -1;
    C = F->config;
    C.broker = "tcp://127.0.0.1:1";
    C.events = "tcp://127.0.0.1:2";
    C.http = "127.0.0.1:0";
    C.http_max_body = 1024;
    C.http_max_import = 4096;
    G = gateway_new (&C);
    return G? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    gateway_destroy (&G);
    redis_fixture_destroy (&F);
    return 0;
}

static void
test_routes (void **state)
{
    (void) state;
    gw_params_t params;
    int status;
    char allow [128];
    const gw_route_t *r = gw_route_find ("GET", "/enterprises/91140105MA0KXY8T11", &params, &status, allow, sizeof allow);
    assert_non_null (r);
    assert_string_equal (r->rpc, "enterprise.get");
    assert_int_equal (params.count, 1);
    assert_string_equal (params.names [0], "creditCode");
    assert_string_equal (params.values [0], "91140105MA0KXY8T11");
    r = gw_route_find ("PATCH", "/enterprises/X/", &params, &status, allow, sizeof allow);
    assert_non_null (r);
    assert_string_equal (r->rpc, "enterprise.update");
    r = gw_route_find ("GET", "/enterprises:search", &params, &status, allow, sizeof allow);
    assert_string_equal (r->rpc, "enterprise.search");
    r = gw_route_find ("HEAD", "/enterprises", &params, &status, allow, sizeof allow);
    assert_string_equal (r->rpc, "enterprise.list");
    assert_null (gw_route_find ("DELETE", "/enterprises", &params, &status, allow, sizeof allow));
    assert_int_equal (status, 405);
    assert_string_equal (allow, "GET, POST");
    assert_null (gw_route_find ("GET", "/enterprises/a/b", &params, &status, allow, sizeof allow));
    assert_int_equal (status, 404);
    assert_null (gw_route_find ("GET", "/enterprises//history", &params, &status, allow, sizeof allow));
    assert_null (gw_route_find ("GET", "", &params, &status, allow, sizeof allow));
    /* every row is consistent: a body field is a message field, a mask a repeated string,
       path parameters name fields of the request */
    for (size_t i = 0; i < gw_route_count; i++) {
        const gw_route_t *route = &gw_routes [i];
        if (route->body && *route->body) {
            const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->body, NULL);
            assert_non_null (f);
            assert_int_equal (f->type, PROTOBUF_C_TYPE_MESSAGE);
        }
        if (route->mask) {
            const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->mask, NULL);
            assert_non_null (f);
            assert_int_equal (f->label, PROTOBUF_C_LABEL_REPEATED);
        }
        if (route->params) {
            char *spec = strdup (route->params);
            char *save = NULL;
            for (char *item = strtok_r (spec, ";", &save); item; item = strtok_r (NULL, ";", &save)) {
                char *eq = strchr (item, '=');
                assert_non_null (eq);
                char brace [64];
                snprintf (brace, sizeof brace, "{%.*s}", (int) (eq - item), item);
                assert_non_null (strstr (route->pattern, brace));
                assert_non_null (inv_json_find_field (route->request, eq + 1, NULL));
            }
            free (spec);
        }
        if (!route->special)
            assert_true (route->service && route->rpc && route->request && route->reply);
    }
}

static void
test_openapi (void **state)
{
    (void) state;
    char *doc = gw_openapi ();
    assert_true (inv_json_valid (doc, NULL, 0));
    json_t *root = json_loads (doc, 0, NULL);
    json_t *paths = json_object_get (root, "paths");
    size_t operations = 0;
    const char *path;
    json_t *item;
    json_object_foreach (paths, path, item)
        operations += json_object_size (item);
    assert_int_equal (operations, gw_route_count);
    json_t *schemas = json_object_get (json_object_get (root, "components"), "schemas");
    json_t *version = json_object_get (json_object_get (json_object_get (schemas, "Enterprise"), "properties"), "version");
    assert_string_equal (json_string_value (json_object_get (version, "type")), "string");
    json_t *status = json_object_get (json_object_get (json_object_get (schemas, "Enterprise"), "properties"), "status");
    assert_true (json_array_size (json_object_get (status, "enum")) == 5);
    json_t *get = json_object_get (json_object_get (paths, "/api/v1/enterprises"), "get");
    assert_true (json_array_size (json_object_get (get, "parameters")) >= 8);
    json_decref (root);
    free (doc);
    assert_ptr_equal (gw_descriptor_find ("innov.StatusChange"), &innov__status_change__descriptor);
    assert_ptr_equal (gw_descriptor_find ("innov.Enterprise"), &innov__enterprise__descriptor);
    assert_null (gw_descriptor_find ("innov.Nothing"));
}

static Innov__Token *
s_create (const char *caller, const char *principal, int expect)
{
    Innov__CreateTokenRequest req = INNOV__CREATE_TOKEN_REQUEST__INIT;
    req.principal = (char *) principal;
    req.name = "测试";
    inv_call_t call;
    inv_call_init (&call, G, caller, "token.create", &req.base);
    gateway_token_create (G, &call);
    int code = call.code? call.code: 200;
    if (code != expect)
        fail_msg ("token.create %s by %s: %d, expected %d: %s", principal, caller, code, expect, call.message);
    Innov__Token *copy = NULL;
    if (code == 200) {
        Innov__Token *t = ((Innov__TokenReply *) call.reply)->token;
        size_t size = 0;
        uint8_t *packed = inv_rpc_pack (&t->base, &size);
        copy = innov__token__unpack (NULL, size, packed);
        free (packed);
    }
    inv_call_clear (&call);
    return copy;
}

static void
test_tokens (void **state)
{
    (void) state;
    redis_fixture_flush (F);
    Innov__Token *p = s_create ("province", "city:140100", 200);
    assert_string_equal (p->principal, "city:140100");
    assert_int_equal (strlen (p->secret), 52);
    assert_memory_equal (p->secret, "inv_", 4);
    /* only the hash is stored, never the secret */
    char sha [65], key [128];
    gw_token_hash (p->secret, sha);
    snprintf (key, sizeof key, "{14}:gw:tok:%s", sha);
    assert_int_equal (redis_fixture_integer (F, "EXISTS %s", key), 1);
    redisReply *all = redisCommand (inv_redis_context (F->redis), "DUMP %s", key);
    assert_null (memmem (all->str, all->len, p->secret + 4, 48));
    freeReplyObject (all);
    /* the token.created event carries no secret */
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), 1);

    Innov__Token *own = s_create ("city:140200", "", 200);
    assert_string_equal (own->principal, "city:140200");
    Innov__Token *none = s_create ("city:140200", "city:140100", 403);
    assert_null (none);
    assert_null (s_create ("anonymous", "", 403));
    assert_null (s_create ("province", "mayor", 400));

    /* the HTTP side */
    gw_tokens_t *tokens = gw_tokens_new (&C);
    char principal [80], reason [256];
    assert_int_equal (gw_tokens_check (tokens, p->secret, principal, sizeof principal, reason, sizeof reason), 200);
    assert_string_equal (principal, "city:140100");
    assert_int_equal (gw_tokens_check (tokens, "", principal, sizeof principal, reason, sizeof reason), 401);
    assert_int_equal (gw_tokens_check (tokens, "inv_abc", principal, sizeof principal, reason, sizeof reason), 401);
    assert_non_null (strstr (reason, "malformed"));

    /* list: the province sees both, a city its own */
    Innov__ListTokensRequest lreq = INNOV__LIST_TOKENS_REQUEST__INIT;
    inv_call_t call;
    inv_call_init (&call, G, "province", "token.list", &lreq.base);
    gateway_token_list (G, &call);
    assert_int_equal (((Innov__ListTokensReply *) call.reply)->n_tokens, 2);
    assert_string_equal (((Innov__ListTokensReply *) call.reply)->tokens [0]->secret, "");
    inv_call_clear (&call);
    inv_call_init (&call, G, "city:140200", "token.list", &lreq.base);
    gateway_token_list (G, &call);
    assert_int_equal (((Innov__ListTokensReply *) call.reply)->n_tokens, 1);
    inv_call_clear (&call);

    /* revoke: not another's; then the owner's own; then it is gone */
    Innov__RevokeTokenRequest rreq = INNOV__REVOKE_TOKEN_REQUEST__INIT;
    rreq.id = p->id;
    inv_call_init (&call, G, "city:140200", "token.revoke", &rreq.base);
    gateway_token_revoke (G, &call);
    assert_int_equal (call.code, 403);
    inv_call_clear (&call);
    inv_call_init (&call, G, "city:140100", "token.revoke", &rreq.base);
    gateway_token_revoke (G, &call);
    assert_true (call.code == 0 || call.code == 200);
    inv_call_clear (&call);
    inv_call_init (&call, G, "province", "token.revoke", &rreq.base);
    gateway_token_revoke (G, &call);
    assert_int_equal (call.code, 404);
    inv_call_clear (&call);
    assert_int_equal (redis_fixture_integer (F, "EXISTS %s", key), 0);
    /* a fresh check (no cache) refuses it */
    gw_tokens_t *fresh = gw_tokens_new (&C);
    assert_int_equal (gw_tokens_check (fresh, p->secret, principal, sizeof principal, reason, sizeof reason), 401);
    assert_non_null (strstr (reason, "revoked"));
    gw_tokens_destroy (&fresh);
    gw_tokens_destroy (&tokens);
    innov__token__free_unpacked (p, NULL);
    innov__token__free_unpacked (own, NULL);
}

static void
test_metrics (void **state)
{
    (void) state;
    gw_metrics_t *m = gw_metrics_new (2);
    gw_metrics_observe (m, 0, 200, 0.002);
    gw_metrics_observe (m, 0, 200, 0.2);
    gw_metrics_observe (m, 0, 404, 0.001);
    gw_metrics_observe (m, 9, 401, 0.001);          /* beyond the table: "other" */
    const char *names [] = { "/a", "/b" }, *methods [] = { "GET", "POST" };
    zmsg_t *workers = zmsg_new ();
    zmsg_addstr (workers, "registry 2");
    char *text = gw_metrics_render (m, names, methods, workers);
    zmsg_destroy (&workers);
    assert_non_null (strstr (text, "innov_gateway_requests_total{route=\"/a\",method=\"GET\",code=\"200\"} 2"));
    assert_non_null (strstr (text, "innov_gateway_errors_total{route=\"/a\",method=\"GET\"} 1"));
    assert_non_null (strstr (text, "innov_gateway_request_seconds_bucket{route=\"/a\",method=\"GET\",le=\"0.0025\"} 2"));
    assert_non_null (strstr (text, "innov_gateway_request_seconds_count{route=\"/a\",method=\"GET\"} 3"));
    assert_non_null (strstr (text, "route=\"other\""));
    assert_non_null (strstr (text, "innov_broker_workers{service=\"registry\"} 2"));
    free (text);
    gw_metrics_destroy (&m);
}

/* A worker that answers with the caller frame the broker put in front. */
static void
s_echo_caller (zsock_t *pipe, void *arg)
{
    (void) arg;
    mdp_worker_t *worker = mdp_worker_new (BROKER_INPROC, "who");
    mdp_worker_set_reconnect (worker, 50);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    while (zpoller_wait (poller, 0) != pipe) {
        zframe_t *reply_to;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 20);
        if (!body)
            continue;
        mdp_worker_send_final (worker, &body, reply_to);
        zframe_destroy (&reply_to);
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
}

/* Delegation over CURVE: the certificate "service:gateway" acts for the principal it
   claims in its routing id (itself without a claim); any other certificate's claim is
   ignored, as before. */
static void
test_curve_delegation (void **state)
{
    (void) state;
    curve_fixture_t *curve = curve_fixture_new ();
    assert_non_null (curve);
    zcert_t *gateway = curve_fixture_client (curve, "gateway", "service:gateway");
    zcert_t *agency = curve_fixture_client (curve, "agency", "dept:gxt");
    const char *endpoint = curve_fixture_start (curve, 250, 1000);
    assert_non_null (endpoint);
    zactor_t *worker = zactor_new (s_echo_caller, NULL);
    struct { zcert_t *cert; const char *claim; const char *expected; } cases [] = {
        { gateway, "city:140200", "city:140200" },      /* delegated */
        { gateway, "province", "province" },
        { gateway, NULL, "service:gateway" },           /* no claim: itself */
        { agency, "province", "dept:gxt" },             /* others' claims are ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        mdp_client_t *client = mdp_client_new (endpoint, cases [i].claim);
        assert_int_equal (mdp_client_set_curve (client, cases [i].cert, curve_fixture_server_key (curve)), 0);
        mdp_client_set_timeout (client, 3000);
        mdp_client_set_retries (client, 1);
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, "who.am.i");
        zmsg_t *reply = mdp_client_request (client, "who", &body, NULL);
        assert_non_null (reply);
        char *caller = zmsg_popstr (reply);
        assert_string_equal (caller, cases [i].expected);
        zstr_free (&caller);
        zmsg_destroy (&reply);
        mdp_client_destroy (&client);
    }
    zactor_destroy (&worker);
    curve_fixture_destroy (&curve);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_routes),
        cmocka_unit_test (test_openapi),
        cmocka_unit_test (test_tokens),
        cmocka_unit_test (test_metrics),
        cmocka_unit_test (test_curve_delegation),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
