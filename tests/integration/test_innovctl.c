/*  test_innovctl: the command-line client against a real Redis, broker and registry.

    One harness (redis-server, broker, registry) serves the group; each test adds
    enterprises with codes of its own. The tests that need an empty event stream or no
    broker at all make a harness of their own.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <czmq.h>
#include "stack.h"
#include "event.pb-c.h"
#include "inv_json.h"
#include "inv_table.h"
#include "inv_valid.h"

/* A valid credit code from its first 17 characters. */
static const char *
s_code (const char *first17, char *out)
{
    assert_true (inv_credit_code_complete (first17, out));
    return out;
}

static int
s_lines (const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    return n;
}

/* Adds an enterprise with the code completed from first17 (into code); fails the test
   unless innovctl exits 0 and prints the code. */
static void
s_add (harness_t *h, const char *first17, char *code, const char *name, const char *county)
{
    s_code (first17, code);
    char *out = stack_json (h, "enterprise", "add", "--code", code, "--name", name, "--county", county,
                            "--industry", "3311", "--department", "gxt", "--revenue", "12345.6",
                            "--rd-activity", "yes", NULL);
    assert_non_null (strstr (out, code));
    free (out);
}

/* The display column where `cell` starts in `line`, or -1. */
static int
s_column_of (const char *line, const char *cell)
{
    const char *at = strstr (line, cell);
    if (!at)
        return -1;
    char *prefix = strndup (line, (size_t) (at - line));
    int column = (int) inv_display_width (prefix);
    free (prefix);
    return column;
}

/* The line of text containing needle (malloc'd), or NULL. */
static char *
s_line_with (const char *text, const char *needle)
{
    const char *at = strstr (text, needle);
    if (!at)
        return NULL;
    const char *start = at;
    while (start > text && start [-1] != '\n')
        start--;
    const char *end = strchr (at, '\n');
    return strndup (start, end? (size_t) (end - start): strlen (start));
}

/* ---- shared stack ------------------------------------------------------------------------ */

static int
s_stack_up (void **state)
{
    *state = stack_new (NULL, "redis", "broker", "registry", NULL);
    return *state? 0: -1;
}

/* Tests with a harness of their own get it from a per-test fixture, so that it is
   destroyed (processes stopped, directory removed) even when an assertion fails. */
static int
s_own_bare (void **state)
{
    *state = harness_new ();
    return *state? 0: -1;
}

static void
test_services (void **state)
{
    harness_t *h = *state;
    char *out = NULL;
    assert_int_equal (harness_ctl (h, &out, NULL, "services", NULL), 0);
    char *line = s_line_with (out, "registry");
    assert_non_null (line);
    assert_non_null (strstr (out, "服务"));
    free (line);
    free (out);
    assert_int_equal (harness_ctl (h, &out, NULL, "services", "--json", NULL), 0);
    assert_true (inv_json_valid (out, NULL, 0));
    bool found = false;
    for (size_t i = 0; i < inv_json_length (out, "services"); i++) {
        char path [64];
        snprintf (path, sizeof path, "services[%zu].name", i);
        char *name = inv_json_get (out, path);
        if (name && strcmp (name, "registry") == 0) {
            snprintf (path, sizeof path, "services[%zu].workers", i);
            char *workers = inv_json_get (out, path);
            assert_true (atoi (workers) >= 1);
            free (workers);
            found = true;
        }
        free (name);
    }
    assert_true (found);
    free (out);
}

static void
test_add_then_list_by_city (void **state)
{
    harness_t *h = *state;
    char taiyuan [19], changzhi [19];
    s_add (h, "91140105MA0LT0001", taiyuan, "山西列表测试金属结构有限公司", "140105");
    s_add (h, "91140403MA0LT0002", changzhi, "Changzhi Test Co", "140403");

    char *out = stack_json (h, "enterprise", "list", "--city", "140100", NULL);
    assert_non_null (strstr (out, taiyuan));
    assert_null (strstr (out, changzhi));
    /* City and county shown by name; columns line up under their headers */
    char *header = s_line_with (out, "统一社会信用代码");
    char *row = s_line_with (out, taiyuan);
    assert_non_null (header);
    assert_non_null (row);
    assert_non_null (strstr (row, "太原市"));
    assert_non_null (strstr (row, "小店区"));
    assert_int_equal (s_column_of (row, "山西列表测试"), s_column_of (header, "企业名称"));
    assert_int_equal (s_column_of (row, "太原市"), s_column_of (header, "市"));
    assert_int_equal (s_column_of (row, "小店区"), s_column_of (header, "县区"));
    assert_int_equal (s_column_of (row, "3311"), s_column_of (header, "行业"));
    assert_int_equal (s_column_of (row, "省工信厅"), s_column_of (header, "主管部门"));
    assert_int_equal (s_column_of (row, "未开展"), s_column_of (header, "状态"));
    free (header);
    free (row);
    free (out);

    /* By name too, and by the other city */
    out = stack_json (h, "enterprise", "list", "--city", "长治市", NULL);
    assert_non_null (strstr (out, changzhi));
    assert_null (strstr (out, taiyuan));
    free (out);
}

static void
test_json_output (void **state)
{
    harness_t *h = *state;
    char code [19];
    s_add (h, "91140107MA0JN0003", code, "山西\"引号\"测试有限公司", "140107");

    char *out = NULL;
    assert_int_equal (harness_ctl (h, &out, NULL, "enterprise", "get", code, "--json", NULL), 0);
    char reason [128];
    if (!inv_json_valid (out, reason, sizeof reason))
        print_error ("%s\n%s\n", reason, out);
    assert_true (inv_json_valid (out, NULL, 0));
    struct { const char *path, *value; } expect [] = {
        { "creditCode", code }, { "name", "山西\"引号\"测试有限公司" }, { "province", "14" },
        { "city", "140100" }, { "county", "140107" }, { "industry", "3311" },
        { "department", "gxt" }, { "operatingRevenue", "12345.6" }, { "hasRdActivity", "true" },
        { "status", "NOT_STARTED" }, { "version", "1" }, { "createdBy", "province" },
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect [0]; i++) {
        char *value = inv_json_get (out, expect [i].path);
        if (!value || strcmp (value, expect [i].value))
            print_error ("%s: %s, expected %s\n", expect [i].path, value, expect [i].value);
        assert_non_null (value);
        assert_string_equal (value, expect [i].value);
        free (value);
    }
    assert_null (inv_json_get (out, "cluster"));        /* default values are left out */
    free (out);

    assert_int_equal (harness_ctl (h, &out, NULL, "enterprise", "list", "--county", "140107",
                                   "--json", NULL), 0);
    assert_true (inv_json_valid (out, NULL, 0));
    assert_int_equal (inv_json_length (out, "enterprises"), 1);
    char *value = inv_json_get (out, "enterprises[0].creditCode");
    assert_string_equal (value, code);
    free (value);
    value = inv_json_get (out, "total");
    assert_string_equal (value, "1");
    free (value);
    free (out);
}

static void
test_update_and_conflict (void **state)
{
    harness_t *h = *state;
    char code [19];
    s_add (h, "91140108MA0UPDT04", code, "更新测试有限公司", "140108");
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "update", code, "--mentor-capacity", "3",
                          "--expected-version", "1", "--json", NULL);
    assert_int_equal (rc, 0);
    char *value = inv_json_get (out, "mentorCapacity");
    assert_string_equal (value, "3");
    free (value);
    value = inv_json_get (out, "version");
    assert_string_equal (value, "2");
    free (value);
    value = inv_json_get (out, "name");
    assert_string_equal (value, "更新测试有限公司");       /* fields not named stay */
    free (value);
    free (out);
    free (err);

    rc = harness_ctl (h, &out, &err, "enterprise", "update", code, "--mentor-capacity", "4",
                      "--expected-version", "1", NULL);
    assert_int_equal (rc, 1);
    assert_int_equal (s_lines (err), 1);
    assert_non_null (strstr (err, "409"));
    free (out);
    free (err);
}

static void
test_get_unknown_code (void **state)
{
    harness_t *h = *state;
    char code [19];
    s_code ("91140105MA0NN0005", code);
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "get", code, NULL);
    assert_int_equal (rc, 1);
    assert_int_equal (s_lines (err), 1);
    assert_non_null (strstr (err, "404"));
    assert_non_null (strstr (err, code));
    assert_string_equal (out, "");
    free (out);
    free (err);
}

static void
test_invalid_credit_code (void **state)
{
    harness_t *h = *state;
    char code [19];
    s_code ("91140105MA0BADC06", code);
    code [17] = code [17] == 'A'? 'B': 'A';          /* wrong check character */
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "add", "--code", code, "--name", "坏代码有限公司",
                          "--county", "140105", "--industry", "3311", "--department", "gxt", NULL);
    assert_int_equal (rc, 1);
    assert_int_equal (s_lines (err), 1);
    assert_non_null (strstr (err, "400"));
    assert_non_null (strstr (err, "credit_code"));
    free (out);
    free (err);
}

static void
test_count (void **state)
{
    harness_t *h = *state;
    char code [19];
    s_add (h, "91140202MA0CNT007", code, "大同计数测试有限公司", "140213");
    char *out = NULL;
    assert_int_equal (harness_ctl (h, &out, NULL, "enterprise", "count", NULL), 0);
    char *line = s_line_with (out, "大同市");
    assert_non_null (line);
    free (line);
    free (out);
    assert_int_equal (harness_ctl (h, &out, NULL, "enterprise", "count", "--by", "status", "--json", NULL), 0);
    assert_true (inv_json_valid (out, NULL, 0));
    char *total = inv_json_get (out, "total");
    assert_non_null (total);
    assert_true (atoi (total) >= 1);
    free (total);
    free (out);
}

static void
test_usage_errors (void **state)
{
    harness_t *h = *state;
    struct { const char *a, *b, *c, *d; } cases [] = {
        { "frobnicate", NULL, NULL, NULL },
        { "enterprise", "list", "--bogus", NULL },
        { "enterprise", "list", "--limit", "many" },
        { "enterprise", "add", "--revenue", "lots" },
        { "enterprise", "update", "91140105MA0GRDXQ3T", NULL },
        { "enterprise", "count", "--by", "colour" },
        { "events", "tail", "--count", "0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = harness_ctl (h, &out, &err, cases [i].a, cases [i].b, cases [i].c, cases [i].d, NULL);
        if (rc != 2)
            print_error ("case %zu: exit %d: %s", i, rc, err);
        assert_int_equal (rc, 2);
        assert_int_equal (s_lines (err), 1);
        free (out);
        free (err);
    }
}

static void
test_gendata_load (void **state)
{
    harness_t *h = *state;
    char command [2048];
    snprintf (command, sizeof command,
              "INNOV_BROKER=%s INNOV_LOG_LEVEL=error %s --count 25 --seed 11 --load --province 14",
              harness_broker (h), harness_bin ("gendata"));
    for (int run = 0; run < 2; run++) {
        FILE *pipe = popen (command, "r");
        assert_non_null (pipe);
        char line [512] = "";
        char *got = fgets (line, sizeof line, pipe);
        assert_int_equal (pclose (pipe), 0);
        assert_non_null (got);
        /* A second run finds every record there already */
        assert_non_null (strstr (line, run == 0? "25 added, 0 already present, 0 failed"
                                               : "0 added, 25 already present, 0 failed"));
    }
}

/* ---- harnesses of their own -------------------------------------------------------------- */

static void
test_broker_unreachable (void **state)
{
    harness_t *h = *state;
    char broker [64];
    snprintf (broker, sizeof broker, "tcp://127.0.0.1:%d", harness_free_port ());
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "--broker", broker, "--timeout-ms", "300", "--retries", "1",
                          "enterprise", "get", "91140105MA0GRDXQ3T", NULL);
    assert_int_equal (rc, 3);
    assert_int_equal (s_lines (err), 1);
    assert_non_null (strstr (err, "503"));
    free (out);
    free (err);
    rc = harness_ctl (h, &out, &err, "services", "--broker", broker, "--timeout-ms", "300",
                      "--retries", "1", NULL);
    assert_int_equal (rc, 3);
    assert_int_equal (s_lines (err), 1);
    free (out);
    free (err);
}

static void
test_events_tail (void **state)
{
    harness_t *h = *state;
    char first [19], second [19];
    s_add (h, "91140105MA0EN0008", first, "事件一有限公司", "140105");
    s_add (h, "91140802MA0EN0009", second, "事件二有限公司", "140802");

    char *out = stack_json (h, "events", "tail", "--since", "0", "--count", "2", NULL);
    assert_int_equal (s_lines (out), 2);
    char *line1 = s_line_with (out, first);
    char *line2 = s_line_with (out, second);
    assert_non_null (line1);
    assert_non_null (line2);
    assert_non_null (strstr (line1, "enterprise.created"));
    assert_non_null (strstr (line2, "enterprise.created"));
    assert_true (strncmp (line1, "1 ", 2) == 0);
    assert_true (strncmp (line2, "2 ", 2) == 0);
    assert_non_null (strstr (line1, "province"));
    free (line1);
    free (line2);
    free (out);

    /* JSON, one object per line, from after the first */
    out = stack_json (h, "events", "tail", "--since", "1", "--count", "1", "--json", NULL);
    assert_int_equal (s_lines (out), 1);
    assert_true (inv_json_valid (out, NULL, 0));
    char *value = inv_json_get (out, "seq");
    assert_string_equal (value, "2");
    free (value);
    value = inv_json_get (out, "subject");
    assert_string_equal (value, second);
    free (value);
    value = inv_json_get (out, "city");
    assert_string_equal (value, "140800");
    free (value);
    free (out);
}

/* Live events with a repeat and a gap: the test publishes the events itself on an
   XPUB socket of its own (seq 1, seq 1 again, then seq 4); innovctl must skip the
   repeat and fetch 2 and 3 from events.replay before it prints 4. */
typedef struct {
    harness_t *h;
    const char *events;
    char *out, *err;
    int rc;
} tail_run_t;

static void *
s_tail_thread (void *arg)
{
    tail_run_t *run = arg;
    run->rc = harness_ctl (run->h, &run->out, &run->err, "events", "tail", "--events", run->events,
                           "--count", "4", NULL);
    return NULL;
}

static void
s_publish (zsock_t *pub, uint64_t seq, const char *subject)
{
    Innov__Event event = INNOV__EVENT__INIT;
    event.type = (char *) "enterprise.created";
    event.subject = (char *) subject;
    event.actor = (char *) "province";
    event.seq = seq;
    event.province = (char *) "14";
    event.time_ms = 1767661200000LL;
    size_t size = innov__event__get_packed_size (&event);
    zframe_t *frame = zframe_new (NULL, size);
    innov__event__pack (&event, zframe_data (frame));
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, event.type);
    zmsg_append (msg, &frame);
    zmsg_send (&msg, pub);
}

static void
test_events_gap_and_repeat (void **state)
{
    harness_t *h = *state;
    const char *prefixes [] = { "91140105MA0GP0001", "91140105MA0GP0002", "91140105MA0GP0003" };
    char codes [3][19];
    for (int i = 0; i < 3; i++)
        s_add (h, prefixes [i], codes [i], i == 0? "缺口一有限公司": i == 1? "缺口二有限公司": "缺口三有限公司",
               "140105");
    char events [64];
    snprintf (events, sizeof events, "tcp://127.0.0.1:%d", harness_free_port ());
    zsock_t *pub = zsock_new (ZMQ_XPUB);
    assert_non_null (pub);
    assert_true (zsock_bind (pub, "%s", events) > 0);     /* the port */

    tail_run_t run = { h, events, NULL, NULL, -1 };
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_tail_thread, &run), 0);
    /* Wait for the subscription, so nothing published is lost to a slow joiner. No
       assertion until the thread is joined: innovctl must be made to finish first. */
    zsock_set_rcvtimeo (pub, 10000);
    zframe_t *subscription = zframe_recv (pub);
    bool subscribed = subscription && zframe_size (subscription) >= 1 && zframe_data (subscription) [0] == 1;
    zframe_destroy (&subscription);
    if (subscribed) {
        s_publish (pub, 1, "live-1");
        s_publish (pub, 1, "live-1-again");
        s_publish (pub, 4, "live-4");
    }
    struct timespec deadline;
    clock_gettime (CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    if (pthread_timedjoin_np (thread, NULL, &deadline) != 0) {
        /* Stuck: push it to its count with events it must not need, then fail below */
        for (uint64_t seq = 100; seq < 104; seq++)
            s_publish (pub, seq, "push");
        pthread_join (thread, NULL);
    }
    zsock_destroy (&pub);
    assert_true (subscribed);

    if (run.rc != 0)
        print_error ("exit %d: %s\n", run.rc, run.err);
    assert_int_equal (run.rc, 0);
    assert_int_equal (s_lines (run.out), 4);
    char *lines [4];
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r (run.out, "\n", &save); l && n < 4; l = strtok_r (NULL, "\n", &save))
        lines [n++] = l;
    assert_int_equal (n, 4);
    assert_non_null (strstr (lines [0], "live-1"));
    assert_null (strstr (run.out, "live-1-again"));
    assert_true (strncmp (lines [1], "2 ", 2) == 0);
    assert_non_null (strstr (lines [1], codes [1]));          /* replayed from the stream */
    assert_true (strncmp (lines [2], "3 ", 2) == 0);
    assert_non_null (strstr (lines [2], codes [2]));
    assert_non_null (strstr (lines [3], "live-4"));
    free (run.out);
    free (run.err);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_services),
        cmocka_unit_test (test_add_then_list_by_city),
        cmocka_unit_test (test_json_output),
        cmocka_unit_test (test_update_and_conflict),
        cmocka_unit_test (test_get_unknown_code),
        cmocka_unit_test (test_invalid_credit_code),
        cmocka_unit_test (test_count),
        cmocka_unit_test (test_usage_errors),
        cmocka_unit_test (test_gendata_load),
        cmocka_unit_test_setup_teardown (test_broker_unreachable, s_own_bare, stack_down),
        cmocka_unit_test_setup_teardown (test_events_tail, s_stack_up, stack_down),
        cmocka_unit_test_setup_teardown (test_events_gap_and_repeat, s_stack_up, stack_down),
    };
    int failed = cmocka_run_group_tests_name ("innovctl", tests, s_stack_up, stack_down);
    return failed;
}
