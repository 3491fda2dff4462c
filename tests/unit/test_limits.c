/*  test_limits: the size bounds of inv_limits.h, at dispatch and through the broker.

    Dispatch is driven without sockets: a request frame of exactly the limit decodes
    and reaches the handler, one byte more is a 413 and the next request is served;
    a per-method bound overrides the process default; a repeated field over
    INV_MAX_REPEATED items (at the top or nested) is a 413 naming the field, and
    the bound itself passes. Through an in-process broker (max request 4096) and a
    worker thread running inv_service_handle: 4096 request bytes answer 200, 4097 a
    413 from the broker, and the broker keeps serving. The ZMQ_MAXMSGSIZE of the
    client's and worker's sockets is checked against the bounds.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "inv_rpc.h"
#include "inv_service.h"
#include "inv_limits.h"
#include "inv_log.h"
#include "../../services/broker/broker.h"
#include "registry.pb-c.h"

static int s_calls;

static void
h_count (void *ctx, inv_call_t *call)
{
    (void) ctx;
    s_calls++;
    inv_call_reply (call, NULL, NULL);
}

static const inv_method_t s_methods [] = {
    { "t.status", &innov__status__descriptor, h_count, 0 },
    { "t.small",  &innov__status__descriptor, h_count, 100 },
    { "t.import", &innov__import_enterprises_request__descriptor, h_count, 0 },
    { "t.raw",    NULL, h_count, 0 },
    { NULL }
};

/* dispatch a body [caller][method][frame]; returns the status (free it) */
static Innov__Status *
s_dispatch (const char *method, const void *data, size_t size)
{
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, method);
    zmsg_addmem (body, data, size);
    zmsg_t *reply = inv_rpc_dispatch (s_methods, NULL, &body);
    assert_null (body);
    zframe_t *frame = zmsg_first (reply);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    zmsg_destroy (&reply);
    return status;
}

/* a packed Status of exactly size bytes (size >= 3, < 16384): field 2, a string */
static uint8_t *
s_status_of_size (size_t size)
{
    size_t text = size - 1 - (size - 2 > 127? 2: 1);
    Innov__Status status = INNOV__STATUS__INIT;
    char *message = (char *) malloc (text + 1);
    memset (message, 'x', text);
    message [text] = 0;
    status.message = message;
    size_t packed;
    uint8_t *buffer = inv_rpc_pack (&status.base, &packed);
    assert_int_equal (packed, size);
    free (message);
    return buffer;
}

static int
s_code (const char *method, size_t size, char *message, size_t message_size)
{
    uint8_t *data = s_status_of_size (size);
    Innov__Status *status = s_dispatch (method, data, size);
    free (data);
    int code = status->code;
    if (message)
        snprintf (message, message_size, "%s", status->message);
    innov__status__free_unpacked (status, NULL);
    return code;
}

static void
test_request_size (void **state)
{
    (void) state;
    inv_rpc_set_max_bytes (1000);
    assert_int_equal (inv_limits_max_request (), 1000);
    s_calls = 0;
    char message [512];
    assert_int_equal (s_code ("t.status", 1000, NULL, 0), 200);
    assert_int_equal (s_calls, 1);
    assert_int_equal (s_code ("t.status", 1001, message, sizeof message), 413);
    assert_non_null (strstr (message, "1001"));
    assert_non_null (strstr (message, "1000"));
    assert_int_equal (s_calls, 1);                     /* the handler never saw it */
    assert_int_equal (s_code ("t.status", 999, NULL, 0), 200);    /* still serving */
    assert_int_equal (s_calls, 2);

    /* a method's own bound */
    assert_int_equal (s_code ("t.small", 100, NULL, 0), 200);
    assert_int_equal (s_code ("t.small", 101, message, sizeof message), 413);
    assert_non_null (strstr (message, "t.small"));
    /* a method without a protobuf request is bounded the same way */
    uint8_t raw [1001] = { 0 };
    Innov__Status *status = s_dispatch ("t.raw", raw, 1001);
    assert_int_equal (status->code, 413);
    innov__status__free_unpacked (status, NULL);
    status = s_dispatch ("t.raw", raw, 1000);
    assert_int_equal (status->code, 200);
    innov__status__free_unpacked (status, NULL);
    inv_rpc_set_max_bytes (0);
    assert_int_equal (inv_limits_max_request (), INV_DEFAULT_MAX_REQUEST);
}

static Innov__Status *
s_details (size_t count)
{
    Innov__Status request = INNOV__STATUS__INIT;
    Innov__FieldError *items = (Innov__FieldError *) calloc (count, sizeof *items);
    Innov__FieldError **array = (Innov__FieldError **) calloc (count, sizeof *array);
    for (size_t i = 0; i < count; i++) {
        innov__field_error__init (&items [i]);
        array [i] = &items [i];
    }
    request.details = array;
    request.n_details = count;
    size_t size;
    uint8_t *data = inv_rpc_pack (&request.base, &size);
    free (array);
    free (items);
    Innov__Status *status = s_dispatch ("t.status", data, size);
    free (data);
    return status;
}

static void
test_repeated_top (void **state)
{
    (void) state;
    s_calls = 0;
    Innov__Status *status = s_details (INV_MAX_REPEATED);
    assert_int_equal (status->code, 200);
    innov__status__free_unpacked (status, NULL);
    assert_int_equal (s_calls, 1);

    status = s_details (INV_MAX_REPEATED + 1);
    assert_int_equal (status->code, 413);
    assert_int_equal (status->n_details, 1);
    assert_string_equal (status->details [0]->field, "details");
    assert_non_null (strstr (status->details [0]->reason, "10001"));
    assert_non_null (strstr (status->message, "details"));
    innov__status__free_unpacked (status, NULL);
    assert_int_equal (s_calls, 1);
}

static void
test_repeated_nested (void **state)
{
    (void) state;
    size_t count = INV_MAX_REPEATED + 1;
    char **alliances = (char **) calloc (count, sizeof *alliances);
    for (size_t i = 0; i < count; i++)
        alliances [i] = (char *) "a";
    Innov__Enterprise first = INNOV__ENTERPRISE__INIT;
    Innov__Enterprise second = INNOV__ENTERPRISE__INIT;
    second.alliances = alliances;
    second.n_alliances = count;
    Innov__Enterprise *list [] = { &first, &second };
    Innov__ImportEnterprisesRequest request = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    request.enterprises = list;
    request.n_enterprises = 2;
    size_t size;
    uint8_t *data = inv_rpc_pack (&request.base, &size);
    s_calls = 0;
    Innov__Status *status = s_dispatch ("t.import", data, size);
    free (data);
    assert_int_equal (status->code, 413);
    assert_int_equal (status->n_details, 1);
    assert_string_equal (status->details [0]->field, "enterprises[1].alliances");
    innov__status__free_unpacked (status, NULL);
    assert_int_equal (s_calls, 0);

    /* the walk itself, at the bound and over it */
    char field [128];
    size_t items = 0;
    second.n_alliances = INV_MAX_REPEATED;
    assert_true (inv_limits_repeated_ok (&request.base, INV_MAX_REPEATED, field, sizeof field, &items));
    assert_false (inv_limits_repeated_ok (&request.base, 2, field, sizeof field, &items));
    assert_string_equal (field, "enterprises[1].alliances");
    assert_int_equal (items, INV_MAX_REPEATED);
    free (alliances);
}

/* ---- through the broker --------------------------------------------------------------- */

static void
s_worker_actor (zsock_t *pipe, void *args)
{
    const char *endpoint = (const char *) args;
    mdp_worker_t *worker = mdp_worker_new (endpoint, "limits");
    assert_true ((size_t) zsock_maxmsgsize (mdp_worker_sock (worker)) == inv_limits_request_socket ());
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    while (!zsys_interrupted) {
        zframe_t *reply_to = NULL;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 50);
        if (body) {
            zmsg_t *reply = inv_service_handle (NULL, s_methods, NULL, &body);
            mdp_worker_send_final (worker, &reply, reply_to);
        }
        zframe_destroy (&reply_to);
        if (zpoller_wait (poller, 0) == pipe)
            break;
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
}

static int
s_broker_code (mdp_client_t *client, size_t size)
{
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "t.raw");
    byte *data = (byte *) calloc (1, size);
    zmsg_addmem (body, data, size);
    free (data);
    zmsg_t *reply = mdp_client_request (client, "limits", &body, NULL);
    assert_non_null (reply);
    zframe_t *frame = zmsg_first (reply);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    int code = status->code;
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);
    return code;
}

static void
test_through_broker (void **state)
{
    (void) state;
    inv_config_t cfg = { 0 };
    cfg.broker_bind = "";
    cfg.heartbeat_ms = 200;
    cfg.liveness = 3;
    cfg.unknown_service_ms = 3000;
    cfg.max_request_bytes = 4096;
    zactor_t *broker = zactor_new (broker_actor, &cfg);
    zstr_send (broker, "ENDPOINT");
    char *endpoint = zstr_recv (broker);
    assert_string_equal (endpoint, BROKER_INPROC);
    inv_rpc_set_max_bytes (4096);
    zactor_t *worker = zactor_new (s_worker_actor, endpoint);

    mdp_client_t *client = mdp_client_new (endpoint, "province");
    assert_true ((size_t) zsock_maxmsgsize (mdp_client_sock (client)) == inv_limits_reply_socket ());
    mdp_client_set_timeout (client, 5000);
    mdp_client_set_retries (client, 1);
    assert_int_equal (s_broker_code (client, 4096), 200);
    assert_int_equal (s_broker_code (client, 4097), 413);
    assert_int_equal (s_broker_code (client, 10), 200);     /* still serving */

    mdp_client_destroy (&client);
    zactor_destroy (&worker);
    zactor_destroy (&broker);
    zstr_free (&endpoint);
    inv_rpc_set_max_bytes (0);
}

int
main (void)
{
    inv_log_init ("test_limits");
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_request_size),
        cmocka_unit_test (test_repeated_top),
        cmocka_unit_test (test_repeated_nested),
        cmocka_unit_test (test_through_broker),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
