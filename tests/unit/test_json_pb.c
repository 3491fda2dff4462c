/*  test_json_pb: JSON to protobuf (inv_json_to_pb, inv_json_merge_pb, inv_json_set_field):
    a round trip through the writer gives the same message back; every proto3 JSON form
    is accepted (json and proto names, 64-bit integers as strings, enums by name or
    number, base64, NaN / Infinity, null); wrong input is refused naming the dotted
    field and the reason; partial messages free cleanly (run under ASan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "inv_json.h"
#include "registry.pb-c.h"
#include "event.pb-c.h"
#include "rpc.pb-c.h"

static ProtobufCMessage *
s_parse (const ProtobufCMessageDescriptor *desc, const char *text, inv_json_error_t *err)
{
    return inv_json_to_pb (desc, text, strlen (text), err);
}

static void
s_refused (const ProtobufCMessageDescriptor *desc, const char *text, const char *field, const char *reason)
{
    inv_json_error_t err;
    ProtobufCMessage *m = s_parse (desc, text, &err);
    if (m)
        fail_msg ("accepted: %s", text);
    if (strcmp (err.field, field) != 0)
        fail_msg ("%s: field \"%s\", expected \"%s\" (%s)", text, err.field, field, err.reason);
    if (reason && !strstr (err.reason, reason))
        fail_msg ("%s: reason \"%s\" lacks \"%s\"", text, err.reason, reason);
}

static void
test_round_trip (void **state)
{
    (void) state;
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = "91140105MA0KXY8T11";
    e.name = "太原示例机械有限公司 \"引号\" \\ 换行\n";
    e.operating_revenue = 1234.5;
    e.rd_expenditure = -0.25;
    e.has_rd_activity = 1;
    char *alliances [] = { "a1", "a2" };
    e.alliances = alliances;
    e.n_alliances = 2;
    e.mentor_capacity = 4294967295u;
    e.status = INNOV__INNOVATION_STATUS__ACTIVE;
    e.version = UINT64_MAX;
    e.created_ms = INT64_MIN;
    Innov__ClosingRequest closing = INNOV__CLOSING_REQUEST__INIT;
    closing.evidence = "证明";
    e.closing = &closing;
    Innov__AddEnterpriseRequest add = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    add.enterprise = &e;
    add.idempotency_key = "k";
    for (int defaults = 0; defaults < 2; defaults++) {
        char *json = inv_json_from_pb (&add.base, defaults, defaults);
        inv_json_error_t err;
        ProtobufCMessage *back = s_parse (&innov__add_enterprise_request__descriptor, json, &err);
        if (!back)
            fail_msg ("%s: %s: %s", json, err.field, err.reason);
        /* same message: same packed bytes */
        size_t a = protobuf_c_message_get_packed_size (&add.base);
        size_t b = protobuf_c_message_get_packed_size (back);
        assert_int_equal (a, b);
        uint8_t *pa = malloc (a), *pb = malloc (b);
        protobuf_c_message_pack (&add.base, pa);
        protobuf_c_message_pack (back, pb);
        assert_memory_equal (pa, pb, a);
        free (pa);
        free (pb);
        protobuf_c_message_free_unpacked (back, NULL);
        free (json);
    }
}

static void
test_forms (void **state)
{
    (void) state;
    inv_json_error_t err;
    Innov__Enterprise *e = (Innov__Enterprise *) s_parse (&innov__enterprise__descriptor,
        "{\"credit_code\":\"X\",\"version\":\"18446744073709551615\",\"createdMs\":-5,"
        "\"status\":2,\"mentorCapacity\":\"7\",\"operatingRevenue\":\"NaN\",\"rdExpenditure\":\"-Infinity\","
        "\"name\":null,\"alliances\":null,\"updatedMs\":3.0,\"closing\":{}}", &err);
    if (!e)
        fail_msg ("%s: %s", err.field, err.reason);
    assert_string_equal (e->credit_code, "X");
    assert_true (e->version == UINT64_MAX);
    assert_true (e->created_ms == -5);
    assert_int_equal (e->status, INNOV__INNOVATION_STATUS__IN_PROGRESS);
    assert_int_equal (e->mentor_capacity, 7);
    assert_true (isnan (e->operating_revenue));
    assert_true (isinf (e->rd_expenditure) && e->rd_expenditure < 0);
    assert_string_equal (e->name, "");
    assert_true (e->updated_ms == 3);
    assert_non_null (e->closing);
    innov__enterprise__free_unpacked (e, NULL);

    Innov__Event *ev = (Innov__Event *) s_parse (&innov__event__descriptor, "{\"payload\":\"aGVsbG8\"}", &err);
    assert_non_null (ev);
    assert_int_equal (ev->payload.len, 5);
    assert_memory_equal (ev->payload.data, "hello", 5);
    innov__event__free_unpacked (ev, NULL);
    /* empty text: empty message */
    ev = (Innov__Event *) s_parse (&innov__event__descriptor, "  \n", &err);
    assert_non_null (ev);
    innov__event__free_unpacked (ev, NULL);
}

static void
test_refusals (void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *add = &innov__add_enterprise_request__descriptor;
    s_refused (add, "{\"enterprise\":{\"name\":1}}", "enterprise.name", "expected a string");
    s_refused (add, "{\"enterprise\":{\"mentorCapacity\":-1}}", "enterprise.mentor_capacity", "non-negative");
    s_refused (add, "{\"enterprise\":{\"mentorCapacity\":4294967296}}", "enterprise.mentor_capacity", "out of range");
    s_refused (add, "{\"enterprise\":{\"mentorCapacity\":1.5}}", "enterprise.mentor_capacity", NULL);
    s_refused (add, "{\"enterprise\":{\"version\":\"12a\"}}", "enterprise.version", "not a non-negative integer");
    s_refused (add, "{\"enterprise\":{\"createdMs\":\"99999999999999999999\"}}", "enterprise.created_ms", "out of range");
    s_refused (add, "{\"enterprise\":{\"status\":\"DONE\"}}", "enterprise.status", "not one of");
    s_refused (add, "{\"enterprise\":{\"status\":99}}", "enterprise.status", NULL);
    s_refused (add, "{\"enterprise\":{\"hasRdActivity\":\"true\"}}", "enterprise.has_rd_activity", NULL);
    s_refused (add, "{\"enterprise\":{\"alliances\":[\"a\",null]}}", "enterprise.alliances[1]", "null");
    s_refused (add, "{\"enterprise\":{\"alliances\":\"a\"}}", "enterprise.alliances", "expected an array");
    s_refused (add, "{\"enterprise\":{\"closing\":[]}}", "enterprise.closing", "expected an object");
    s_refused (add, "{\"enterprise\":{\"colour\":1}}", "enterprise.colour", "is not a field");
    s_refused (add, "{\"enterprise\":\"x\"}", "enterprise", "expected an object");
    s_refused (add, "{\"enterprise\":{\"name\":\"a\\u0000b\"}}", "", "\\u0000");
    s_refused (add, "[]", "", "expected an object");
    s_refused (add, "{\"a\":1,\"a\":2}", "", "not valid JSON");
    s_refused (add, "{\"idempotencyKey\":\"x\"", "", "not valid JSON");
    s_refused (&innov__event__descriptor, "{\"payload\":\"@@@\"}", "payload", "base64");
    s_refused (&innov__event__descriptor, "{\"seq\":true}", "seq", NULL);
}

typedef struct {
    char names [8][32];
    int count;
} names_t;

static void
s_name (void *arg, const char *name)
{
    names_t *n = (names_t *) arg;
    snprintf (n->names [n->count++], 32, "%s", name);
}

static void
test_merge_and_set (void **state)
{
    (void) state;
    Innov__UpdateEnterpriseRequest *u = (Innov__UpdateEnterpriseRequest *) malloc (sizeof *u);
    innov__update_enterprise_request__init (u);
    inv_json_error_t err;
    /* set builds the sub-message; repeated fields grow */
    assert_int_equal (inv_json_set_field (&u->base, "enterprise.credit_code", "C1", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "fields", "name", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "fields", "county", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "expectedVersion", "3", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "enterprise.status", "ACTIVE", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "enterprise.has_rd_activity", "true", &err), 0);
    assert_int_equal (inv_json_set_field (&u->base, "enterprise.credit_code", "C2", &err), 0);   /* replaced */
    assert_int_equal (inv_json_set_field (&u->base, "expected_version", "x", &err), -1);
    assert_string_equal (err.field, "expected_version");
    assert_int_equal (inv_json_set_field (&u->base, "enterprise.nope", "1", &err), -1);
    assert_string_equal (err.field, "enterprise.nope");
    assert_int_equal (inv_json_set_field (&u->base, "fields.x", "1", &err), -1);
    assert_string_equal (u->enterprise->credit_code, "C2");
    assert_int_equal (u->n_fields, 2);
    assert_string_equal (u->fields [1], "county");
    assert_true (u->expected_version == 3);
    assert_int_equal (u->enterprise->status, INNOV__INNOVATION_STATUS__ACTIVE);
    /* merge names the members given */
    names_t names = { .count = 0 };
    const char *body = "{\"name\":\"新名\",\"mentor_capacity\":2}";
    assert_int_equal (inv_json_merge_pb (&u->enterprise->base, body, strlen (body), &err, s_name, &names), 0);
    assert_int_equal (names.count, 2);
    assert_string_equal (names.names [0], "name");
    assert_string_equal (names.names [1], "mentor_capacity");
    assert_string_equal (u->enterprise->name, "新名");
    assert_string_equal (u->enterprise->credit_code, "C2");        /* kept */
    /* a failed merge leaves a message that still frees cleanly */
    body = "{\"alliances\":[\"a\",\"b\",3]}";
    assert_int_equal (inv_json_merge_pb (&u->enterprise->base, body, strlen (body), &err, NULL, NULL), -1);
    assert_string_equal (err.field, "alliances[2]");
    protobuf_c_message_free_unpacked (&u->base, NULL);

    const ProtobufCMessageDescriptor *owner = NULL;
    const ProtobufCFieldDescriptor *f = inv_json_find_field (&innov__update_enterprise_request__descriptor,
                                                             "enterprise.creditCode", &owner);
    assert_non_null (f);
    assert_string_equal (f->name, "credit_code");
    assert_ptr_equal (owner, &innov__enterprise__descriptor);
    assert_null (inv_json_find_field (&innov__enterprise__descriptor, "closing.x", NULL));
    char buf [64];
    assert_string_equal (inv_json_name ("rd_expenditure_total", buf, sizeof buf), "rdExpenditureTotal");
}

static void
test_deep_and_large (void **state)
{
    (void) state;
    /* nesting beyond jansson's limit is refused, not a crash */
    size_t depth = 5000;
    char *deep = malloc (depth * 2 + 1);
    memset (deep, '[', depth);
    memset (deep + depth, ']', depth);
    deep [depth * 2] = '\0';
    inv_json_error_t err;
    assert_null (s_parse (&innov__enterprise__descriptor, deep, &err));
    free (deep);
    /* many elements */
    size_t n = 20000;
    char *text = malloc (n * 6 + 64);
    size_t used = sprintf (text, "{\"alliances\":[");
    for (size_t i = 0; i < n; i++)
        used += sprintf (text + used, "%s\"a%zu\"", i? ",": "", i % 10);
    sprintf (text + used, "]}");
    Innov__Enterprise *e = (Innov__Enterprise *) s_parse (&innov__enterprise__descriptor, text, &err);
    assert_non_null (e);
    assert_int_equal (e->n_alliances, n);
    innov__enterprise__free_unpacked (e, NULL);
    free (text);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_forms),
        cmocka_unit_test (test_refusals),
        cmocka_unit_test (test_merge_and_set),
        cmocka_unit_test (test_deep_and_large),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
