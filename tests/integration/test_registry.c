/*  test_registry (integration): real redis-server, broker and registry processes.

    Writes through MDP come back as events on the broker's XPUB endpoint in sequence
    order and from events.replay; bad input gets a 400 naming the problem while the
    process stays up; and a write retried with its idempotency key after a worker was
    killed is applied exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include <hiredis.h>
#include "harness.h"
#include "inv_rpc.h"
#include "inv_valid.h"
#include "mdp_client.h"
#include "registry.pb-c.h"
#include "event.pb-c.h"

static harness_t *H;

static int
setup (void **state)
{
    (void) state;
    H = harness_new ();
    if (!H)
        return -1;
    harness_setenv (H, "INNOV_HEARTBEAT_MS", "500");
    if (harness_start_redis (H) < 0 || harness_start_broker (H) < 0)
        return -1;
    return 0;
}

static int
teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    return 0;
}

static const char *
s_code (int n, char *buf)
{
    char first17 [32];
    snprintf (first17, sizeof first17, "91140100%09d", n % 1000000000);
    assert_true (inv_credit_code_complete (first17, buf));
    return buf;
}

static void
s_enterprise (Innov__Enterprise *e, const char *code)
{
    innov__enterprise__init (e);
    e->credit_code = (char *) code;
    e->name = (char *) "晋中示范装备有限公司";
    e->county = (char *) "140702";
    e->industry = (char *) "35";
    e->department = (char *) "gxt";
    e->operating_revenue = 30000;
}

static int
s_add (mdp_client_t *client, const Innov__Enterprise *e, const char *key, Innov__Status **status_p)
{
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = (Innov__Enterprise *) e;
    req.idempotency_key = (char *) (key? key: "");
    return inv_rpc_call (client, "registry", "enterprise.add", &req.base, NULL, NULL, status_p);
}

static bool
s_has_detail (const Innov__Status *status, const char *field)
{
    for (size_t i = 0; status && i < status->n_details; i++)
        if (streq (status->details [i]->field, field))
            return true;
    return false;
}

static Innov__Event *
s_next_event (zsock_t *sub, char **topic_p)
{
    zmsg_t *msg = zmsg_recv (sub);
    if (!msg)
        return NULL;
    assert_int_equal (zmsg_size (msg), 2);
    char *topic = zmsg_popstr (msg);
    zframe_t *frame = zmsg_pop (msg);
    Innov__Event *event = innov__event__unpack (NULL, zframe_size (frame), zframe_data (frame));
    zframe_destroy (&frame);
    zmsg_destroy (&msg);
    *topic_p = topic;
    return event;
}

static long long
s_redis_integer (const char *command, const char *key)
{
    char *out = harness_redis_cli (H, command, key, NULL);
    assert_non_null (out);
    long long value = atoll (out);
    free (out);
    return value;
}

static void
test_writes_become_events (void **state)
{
    (void) state;
    assert_true (harness_start_service (H, "registry") > 0);
    zsock_t *sub = zsock_new_sub (harness_events (H), "");
    assert_non_null (sub);
    zsock_set_rcvtimeo (sub, 5000);
    zclock_sleep (300);                 /* let the subscription reach the XPUB */

    mdp_client_t *client = mdp_client_new (harness_broker (H), "province");
    char code1 [19], code2 [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (1, code1));
    assert_int_equal (s_add (client, &e, "a-1", NULL), 200);
    s_enterprise (&e, s_code (2, code2));
    assert_int_equal (s_add (client, &e, "a-2", NULL), 200);

    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    get.credit_code = code1;
    Innov__EnterpriseReply *got = NULL;
    assert_int_equal (inv_rpc_call (client, "registry", "enterprise.get", &get.base,
                                    &innov__enterprise_reply__descriptor, (ProtobufCMessage **) &got, NULL), 200);
    assert_string_equal (got->enterprise->city, "140700");
    assert_int_equal (got->enterprise->version, 1);
    innov__enterprise_reply__free_unpacked (got, NULL);

    Innov__Enterprise change = INNOV__ENTERPRISE__INIT;
    change.credit_code = code1;
    change.mentor_capacity = 3;
    char *fields [] = { (char *) "mentor_capacity" };
    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    up.enterprise = &change;
    up.fields = fields;
    up.n_fields = 1;
    assert_int_equal (inv_rpc_call (client, "registry", "enterprise.update", &up.base, NULL, NULL, NULL), 200);

    const char *types [] = { "enterprise.created", "enterprise.created", "enterprise.updated" };
    const char *subjects [] = { code1, code2, code1 };
    for (int i = 0; i < 3; i++) {
        char *topic = NULL;
        Innov__Event *event = s_next_event (sub, &topic);
        assert_non_null (event);
        assert_string_equal (topic, types [i]);
        assert_string_equal (event->type, types [i]);
        assert_string_equal (event->subject, subjects [i]);
        assert_int_equal (event->seq, i + 1);
        assert_string_equal (event->province, "14");
        assert_string_equal (event->actor, "province");
        assert_string_equal (event->city, "140700");
        assert_string_equal (event->payload_type, "innov.Enterprise");
        Innov__Enterprise *payload = innov__enterprise__unpack (NULL, event->payload.len, event->payload.data);
        assert_non_null (payload);
        assert_string_equal (payload->credit_code, subjects [i]);
        innov__enterprise__free_unpacked (payload, NULL);
        innov__event__free_unpacked (event, NULL);
        free (topic);
    }

    Innov__ReplayRequest replay = INNOV__REPLAY_REQUEST__INIT;
    Innov__ReplayReply *events = NULL;
    assert_int_equal (inv_rpc_call (client, "events", "events.replay", &replay.base,
                                    &innov__replay_reply__descriptor, (ProtobufCMessage **) &events, NULL), 200);
    assert_int_equal (events->n_events, 3);
    assert_int_equal (events->last_seq, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal (events->events [i]->seq, i + 1);
    innov__replay_reply__free_unpacked (events, NULL);

    replay.after_seq = 1;
    replay.topic_prefix = (char *) "enterprise.updated";
    assert_int_equal (inv_rpc_call (client, "events", "events.replay", &replay.base,
                                    &innov__replay_reply__descriptor, (ProtobufCMessage **) &events, NULL), 200);
    assert_int_equal (events->n_events, 1);
    assert_int_equal (events->events [0]->seq, 3);
    innov__replay_reply__free_unpacked (events, NULL);

    mdp_client_destroy (&client);
    zsock_destroy (&sub);
}

static void
test_bad_input_gets_400 (void **state)
{
    (void) state;
    pid_t pid = harness_start_service (H, "registry");
    assert_true (pid > 0);
    mdp_client_t *client = mdp_client_new (harness_broker (H), "province");
    Innov__Status *status = NULL;
    Innov__Enterprise e;

    s_enterprise (&e, "91140100MA0K00000X");
    assert_int_equal (s_add (client, &e, NULL, &status), 400);
    assert_true (s_has_detail (status, "enterprise.credit_code"));
    innov__status__free_unpacked (status, NULL);

    char code [19];
    s_enterprise (&e, s_code (50, code));
    e.county = (char *) "149999";
    assert_int_equal (s_add (client, &e, NULL, &status), 400);
    assert_true (s_has_detail (status, "enterprise.county"));
    assert_non_null (strstr (status->details [0]->reason, "149999"));
    innov__status__free_unpacked (status, NULL);

    /* a request frame that is not protobuf */
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "enterprise.add");
    zmsg_addmem (body, "\xff\xff\xff\xff", 4);
    zmsg_t *answer = mdp_client_request (client, "registry", &body, NULL);
    assert_non_null (answer);
    zframe_t *frame = zmsg_first (answer);
    status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    assert_int_equal (status->code, 400);
    assert_non_null (strstr (status->message, "does not decode"));
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&answer);

    /* a method the registry does not have */
    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    assert_int_equal (inv_rpc_call (client, "registry", "enterprise.delete", &get.base, NULL, NULL, &status), 400);
    assert_non_null (strstr (status->message, "enterprise.delete"));
    innov__status__free_unpacked (status, NULL);

    /* still up, still answering, nothing written */
    assert_int_equal (kill (pid, 0), 0);
    get.credit_code = code;
    assert_int_equal (inv_rpc_call (client, "registry", "enterprise.get", &get.base, NULL, NULL, NULL), 404);
    assert_int_equal (s_redis_integer ("DBSIZE", NULL), 0);
    mdp_client_destroy (&client);
}

static void
test_retry_after_worker_death_applies_once (void **state)
{
    (void) state;
    pid_t first = harness_start_service (H, "registry");
    assert_true (first > 0);
    mdp_client_t *client = mdp_client_new (harness_broker (H), "province");
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (77, code));

    /* the only worker is frozen: the request reaches it and the client gives up */
    assert_int_equal (harness_kill (H, first, SIGSTOP), 0);
    mdp_client_set_timeout (client, 800);
    mdp_client_set_retries (client, 1);
    assert_int_equal (s_add (client, &e, "import-77", NULL), 503);

    /* a second worker comes, the first dies with the request in hand */
    pid_t second = harness_start_service (H, "registry");
    assert_true (second > 0);
    harness_kill (H, first, SIGKILL);
    mdp_client_set_timeout (client, 3000);
    mdp_client_set_retries (client, 3);
    assert_int_equal (s_add (client, &e, "import-77", NULL), 200);

    /* and a retry after a success (its reply lost) returns the first reply */
    Innov__Status *status = NULL;
    assert_int_equal (s_add (client, &e, "import-77", &status), 200);
    innov__status__free_unpacked (status, NULL);

    assert_int_equal (s_redis_integer ("ZCARD", "{14}:ent.idx:all"), 1);
    assert_int_equal (s_redis_integer ("XLEN", "{14}:events"), 1);
    assert_int_equal (s_redis_integer ("GET", "{14}:seq"), 1);

    /* without the key the same record is a duplicate */
    assert_int_equal (s_add (client, &e, NULL, NULL), 409);
    mdp_client_destroy (&client);
}

/* redis-server on a port of our choosing, so it can come back at the same address */
static pid_t
s_start_own_redis (const char *port)
{
    char dir [512];
    snprintf (dir, sizeof dir, "%s", harness_dir (H));
    pid_t pid = harness_spawn (H, "redis-server", "--port", port, "--bind", "127.0.0.1",
                               "--dir", dir, "--save", "", "--appendonly", "yes",
                               "--appendfsync", "always", NULL);
    assert_true (pid > 0);
    for (int i = 0; i < 500; i++) {
        redisContext *c = redisConnect ("127.0.0.1", atoi (port));
        bool up = c && !c->err;
        if (up) {
            redisReply *reply = redisCommand (c, "PING");
            up = reply && reply->type == REDIS_REPLY_STATUS;
            if (reply)
                freeReplyObject (reply);
        }
        if (c)
            redisFree (c);
        if (up)
            return pid;
        usleep (20 * 1000);
    }
    fail_msg ("redis-server did not start on port %s", port);
    return -1;
}

static void
test_relay_resumes_after_redis_restart (void **state)
{
    (void) state;
    harness_t *previous = H;
    H = harness_new ();
    harness_setenv (H, "INNOV_HEARTBEAT_MS", "500");
    char port [16], address [64];
    snprintf (port, sizeof port, "%d", harness_free_port ());
    snprintf (address, sizeof address, "127.0.0.1:%s", port);
    harness_setenv (H, "INNOV_REDIS", address);
    pid_t redis = s_start_own_redis (port);
    assert_true (harness_start_broker (H) > 0);
    assert_true (harness_start_service (H, "registry") > 0);
    zsock_t *sub = zsock_new_sub (harness_events (H), "enterprise.");
    zsock_set_rcvtimeo (sub, 8000);
    zclock_sleep (300);

    mdp_client_t *client = mdp_client_new (harness_broker (H), "province");
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (301, code));
    assert_int_equal (s_add (client, &e, "r-1", NULL), 200);

    harness_kill (H, redis, SIGTERM);
    redis = s_start_own_redis (port);
    s_enterprise (&e, s_code (302, code));
    int rc = 0;
    for (int attempt = 0; attempt < 20 && rc != 200; attempt++) {
        rc = s_add (client, &e, "r-2", NULL);
        if (rc != 200)
            zclock_sleep (250);
    }
    assert_int_equal (rc, 200);
    for (uint64_t seq = 1; seq <= 2; seq++) {
        char *topic = NULL;
        Innov__Event *event = s_next_event (sub, &topic);
        assert_non_null (event);
        assert_int_equal (event->seq, seq);
        innov__event__free_unpacked (event, NULL);
        free (topic);
    }
    mdp_client_destroy (&client);
    zsock_destroy (&sub);
    harness_destroy (&H);
    H = previous;
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_writes_become_events, setup, teardown),
        cmocka_unit_test_setup_teardown (test_bad_input_gets_400, setup, teardown),
        cmocka_unit_test_setup_teardown (test_retry_after_worker_death_applies_once, setup, teardown),
        cmocka_unit_test (test_relay_resumes_after_redis_restart),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
