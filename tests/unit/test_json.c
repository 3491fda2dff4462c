/*  test_json: protobuf -> JSON (proto3 mapping) and the small JSON reader.

    Every scalar type, oneofs, maps and proto3 optional fields are exercised through a
    message whose protobuf-c descriptor is written out here by hand (the platform's
    own .proto files use only some of the types); the platform's own messages are
    checked against exact known output.
*/
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

/* ---- a message with every field type ------------------------------------------------- */

typedef struct {
    ProtobufCMessage base;
    char *name;
    int32_t value;
} inner_t;

typedef struct {
    ProtobufCMessage base;
    char *key;
    int64_t value;
} label_entry_t;

typedef struct {
    ProtobufCMessage base;
    int32_t key;
    char *value;
} code_entry_t;

typedef struct {
    ProtobufCMessage base;
    int32_t i32, s32, sf32;
    int64_t i64, s64, sf64;
    uint32_t u32, f32;
    uint64_t u64, f64;
    float fl;
    double db;
    protobuf_c_boolean flag;
    int colour;
    char *text;
    ProtobufCBinaryData data;
    inner_t *inner;
    size_t n_numbers;
    int32_t *numbers;
    size_t n_words;
    char **words;
    size_t n_items;
    inner_t **items;
    size_t n_colours;
    int *colours;
    uint32_t choice_case;
    union {
        char *choice_text;
        int32_t choice_number;
    };
    size_t n_labels;
    label_entry_t **labels;
    protobuf_c_boolean has_maybe;
    int32_t maybe;
    size_t n_codes;
    code_entry_t **codes;
    size_t n_doubles;
    double *doubles;
} all_t;

static const ProtobufCEnumValue s_colour_values [] = {
    { "COLOUR_UNSPECIFIED", "COLOUR_UNSPECIFIED", 0 },
    { "RED", "RED", 1 },
    { "GREEN", "GREEN", 2 },
};
static const ProtobufCIntRange s_colour_ranges [] = { { 0, 0 }, { 0, 3 } };
static const ProtobufCEnumDescriptor s_colour_desc = {
    PROTOBUF_C__ENUM_DESCRIPTOR_MAGIC, "test.Colour", "Colour", "Colour", "test",
    3, s_colour_values, 0, NULL, 1, s_colour_ranges, NULL, NULL, NULL, NULL
};

#define FIELD(name, id, label, type, q, member, desc, flags) \
    { name, id, PROTOBUF_C_LABEL_##label, PROTOBUF_C_TYPE_##type, q, offsetof (all_t, member), desc, NULL, flags, 0, NULL, NULL }
#define QOFF(member) offsetof (all_t, member)

/* A message of two fields, `key` (1) and value (2), the way protoc-c writes one. */
#define PAIR_MESSAGE(var, type, full, name, key, key_type, value_type) \
static const ProtobufCFieldDescriptor var##_fields [] = { \
    { #key, 1, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_##key_type, 0, offsetof (type, key), \
      NULL, NULL, 0, 0, NULL, NULL }, \
    { "value", 2, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_##value_type, 0, offsetof (type, value), \
      NULL, NULL, 0, 0, NULL, NULL }, \
}; \
static const ProtobufCMessageDescriptor var##_desc = { \
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, full, name, name, "test", \
    sizeof (type), 2, var##_fields, NULL, 0, NULL, NULL, NULL, NULL, NULL \
}

PAIR_MESSAGE (s_inner, inner_t, "test.Inner", "Inner", name, STRING, INT32);
PAIR_MESSAGE (s_label, label_entry_t, "test.All.LabelsEntry", "LabelsEntry", key, STRING, INT64);
PAIR_MESSAGE (s_code, code_entry_t, "test.All.CodesEntry", "CodesEntry", key, INT32, STRING);

static const ProtobufCFieldDescriptor s_all_fields [] = {
    FIELD ("i32", 1, NONE, INT32, 0, i32, NULL, 0),
    FIELD ("s32", 2, NONE, SINT32, 0, s32, NULL, 0),
    FIELD ("sf32", 3, NONE, SFIXED32, 0, sf32, NULL, 0),
    FIELD ("i64", 4, NONE, INT64, 0, i64, NULL, 0),
    FIELD ("s64", 5, NONE, SINT64, 0, s64, NULL, 0),
    FIELD ("sf64", 6, NONE, SFIXED64, 0, sf64, NULL, 0),
    FIELD ("u32", 7, NONE, UINT32, 0, u32, NULL, 0),
    FIELD ("f32", 8, NONE, FIXED32, 0, f32, NULL, 0),
    FIELD ("u64", 9, NONE, UINT64, 0, u64, NULL, 0),
    FIELD ("f64", 10, NONE, FIXED64, 0, f64, NULL, 0),
    FIELD ("fl", 11, NONE, FLOAT, 0, fl, NULL, 0),
    FIELD ("db", 12, NONE, DOUBLE, 0, db, NULL, 0),
    FIELD ("flag", 13, NONE, BOOL, 0, flag, NULL, 0),
    FIELD ("colour", 14, NONE, ENUM, 0, colour, &s_colour_desc, 0),
    FIELD ("text", 15, NONE, STRING, 0, text, NULL, 0),
    FIELD ("data", 16, NONE, BYTES, 0, data, NULL, 0),
    FIELD ("inner_message", 17, NONE, MESSAGE, 0, inner, &s_inner_desc, 0),
    FIELD ("numbers", 18, REPEATED, INT32, QOFF (n_numbers), numbers, NULL, PROTOBUF_C_FIELD_FLAG_PACKED),
    FIELD ("words", 19, REPEATED, STRING, QOFF (n_words), words, NULL, 0),
    FIELD ("items", 20, REPEATED, MESSAGE, QOFF (n_items), items, &s_inner_desc, 0),
    FIELD ("colours", 21, REPEATED, ENUM, QOFF (n_colours), colours, &s_colour_desc, 0),
    FIELD ("choice_text", 22, NONE, STRING, QOFF (choice_case), choice_text, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF),
    FIELD ("choice_number", 23, NONE, INT32, QOFF (choice_case), choice_number, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF),
    FIELD ("labels", 24, REPEATED, MESSAGE, QOFF (n_labels), labels, &s_label_desc, 0),
    FIELD ("maybe", 25, OPTIONAL, INT32, QOFF (has_maybe), maybe, NULL, 0),
    FIELD ("codes", 26, REPEATED, MESSAGE, QOFF (n_codes), codes, &s_code_desc, 0),
    FIELD ("doubles", 27, REPEATED, DOUBLE, QOFF (n_doubles), doubles, NULL, 0),
};
static const ProtobufCMessageDescriptor s_all_desc = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "test.All", "All", "All", "test",
    sizeof (all_t), sizeof s_all_fields / sizeof s_all_fields [0], s_all_fields, NULL, 0, NULL,
    NULL, NULL, NULL, NULL
};

static void
s_all_init (all_t *m)
{
    memset (m, 0, sizeof *m);
    m->base.descriptor = &s_all_desc;
    m->text = (char *) "";
}

static void
s_expect (const ProtobufCMessage *m, bool pretty, bool defaults, const char *expected)
{
    char *json = inv_json_from_pb (m, pretty, defaults);
    assert_non_null (json);
    if (strcmp (json, expected) != 0)
        print_error ("got:      %s\nexpected: %s\n", json, expected);
    assert_string_equal (json, expected);
    char reason [128];
    assert_true (inv_json_valid (json, reason, sizeof reason));
    free (json);
}

static char *
s_string (const char *text)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&out, &len);
    inv_json_write_string (mem, text);
    fclose (mem);
    return out;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void
test_empty_message (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    s_expect (&m.base, false, false, "{}");
    s_expect (&m.base, true, false, "{}");
}

static void
test_every_scalar_type (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    m.i32 = -42; m.s32 = -7; m.sf32 = 2147483647;
    m.i64 = INT64_MIN; m.s64 = -1; m.sf64 = 9007199254740993LL;
    m.u32 = 4294967295U; m.f32 = 7;
    m.u64 = UINT64_MAX; m.f64 = 1;
    m.fl = 0.1f; m.db = 0.1;
    m.flag = 1;
    m.colour = 2;
    m.text = (char *) "太原";
    uint8_t bytes [] = { 0xFB, 0xFF, 0x00, 'a' };
    m.data.data = bytes;
    m.data.len = sizeof bytes;
    s_expect (&m.base, false, false,
              "{\"i32\":-42,\"s32\":-7,\"sf32\":2147483647,"
              "\"i64\":\"-9223372036854775808\",\"s64\":\"-1\",\"sf64\":\"9007199254740993\","
              "\"u32\":4294967295,\"f32\":7,\"u64\":\"18446744073709551615\",\"f64\":\"1\","
              "\"fl\":0.1,\"db\":0.1,\"flag\":true,\"colour\":\"GREEN\",\"text\":\"太原\","
              "\"data\":\"+/8AYQ==\"}");
}

static void
test_doubles (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    double values [] = { 1.0 / 3, 1e21, 123456789.12, -0.0, 5e-324, 1.7976931348623157e308,
                         NAN, INFINITY, -INFINITY, 2, 0.30000000000000004 };
    m.doubles = values;
    m.n_doubles = sizeof values / sizeof values [0];
    s_expect (&m.base, false, false,
              "{\"doubles\":[0.3333333333333333,1e+21,123456789.12,-0,5e-324,"
              "1.7976931348623157e+308,\"NaN\",\"Infinity\",\"-Infinity\",2,0.30000000000000004]}");
    /* Shortest text that reads back to the same value */
    for (size_t i = 0; i < 6; i++) {
        m.n_doubles = 1;
        m.doubles = &values [i];
        char *json = inv_json_from_pb (&m.base, false, false);
        char *text = inv_json_get (json, "doubles[0]");
        assert_non_null (text);
        assert_true (strtod (text, NULL) == values [i]);
        free (text);
        free (json);
    }
    /* A float is printed as the float, not as the double it widens to */
    s_all_init (&m);
    m.fl = 3.14159f;
    s_expect (&m.base, false, false, "{\"fl\":3.14159}");
    m.fl = NAN;
    s_expect (&m.base, false, false, "{\"fl\":\"NaN\"}");
}

static void
test_bytes_base64 (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    const char *cases [][2] = {
        { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    for (size_t i = 0; i < 6; i++) {
        m.data.data = (uint8_t *) cases [i][0];
        m.data.len = strlen (cases [i][0]);
        char expected [64];
        snprintf (expected, sizeof expected, "{\"data\":\"%s\"}", cases [i][1]);
        s_expect (&m.base, false, false, expected);
    }
}

static void
test_nested_repeated_oneof_map (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    inner_t inner = { { &s_inner_desc, 0, NULL }, (char *) "a", 1 };
    inner_t empty = { { &s_inner_desc, 0, NULL }, (char *) "", 0 };
    inner_t *items [] = { &inner, &empty };
    int32_t numbers [] = { 3, -1 };
    char *words [] = { (char *) "x", (char *) "" };
    int colours [] = { 1, 7 };
    label_entry_t l1 = { { &s_label_desc, 0, NULL }, (char *) "k\"1", 5 };
    label_entry_t l2 = { { &s_label_desc, 0, NULL }, (char *) "k2", 0 };
    label_entry_t *labels [] = { &l1, &l2 };
    code_entry_t c1 = { { &s_code_desc, 0, NULL }, -3, (char *) "minus" };
    code_entry_t *codes [] = { &c1 };
    m.inner = &empty;
    m.items = items; m.n_items = 2;
    m.numbers = numbers; m.n_numbers = 2;
    m.words = words; m.n_words = 2;
    m.colours = colours; m.n_colours = 2;
    m.labels = labels; m.n_labels = 2;
    m.codes = codes; m.n_codes = 1;
    m.choice_case = 23;
    m.choice_number = 0;             /* a set oneof member is written even when zero */
    m.has_maybe = 1;
    m.maybe = 0;                     /* so is a present proto3 optional */
    s_expect (&m.base, false, false,
              "{\"innerMessage\":{},\"numbers\":[3,-1],\"words\":[\"x\",\"\"],"
              "\"items\":[{\"name\":\"a\",\"value\":1},{}],\"colours\":[\"RED\",7],"
              "\"choiceNumber\":0,\"labels\":{\"k\\\"1\":\"5\",\"k2\":\"0\"},\"maybe\":0,"
              "\"codes\":{\"-3\":\"minus\"}}");
    m.choice_case = 22;
    m.choice_text = (char *) "t";
    m.n_items = 0; m.n_numbers = 0; m.n_words = 0; m.n_colours = 0; m.n_labels = 0; m.n_codes = 0;
    m.inner = NULL;
    m.has_maybe = 0;
    s_expect (&m.base, false, false, "{\"choiceText\":\"t\"}");
}

static void
test_pretty (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    inner_t inner = { { &s_inner_desc, 0, NULL }, (char *) "a", 1 };
    inner_t *items [] = { &inner };
    int32_t numbers [] = { 1, 2 };
    m.i32 = 1;
    m.numbers = numbers; m.n_numbers = 2;
    m.items = items; m.n_items = 1;
    s_expect (&m.base, true, false,
              "{\n"
              "  \"i32\": 1,\n"
              "  \"numbers\": [\n"
              "    1,\n"
              "    2\n"
              "  ],\n"
              "  \"items\": [\n"
              "    {\n"
              "      \"name\": \"a\",\n"
              "      \"value\": 1\n"
              "    }\n"
              "  ]\n"
              "}");
}

static void
test_emit_defaults (void **state)
{
    (void) state;
    all_t m;
    s_all_init (&m);
    s_expect (&m.base, false, true,
              "{\"i32\":0,\"s32\":0,\"sf32\":0,\"i64\":\"0\",\"s64\":\"0\",\"sf64\":\"0\","
              "\"u32\":0,\"f32\":0,\"u64\":\"0\",\"f64\":\"0\",\"fl\":0,\"db\":0,\"flag\":false,"
              "\"colour\":\"COLOUR_UNSPECIFIED\",\"text\":\"\",\"data\":\"\",\"numbers\":[],"
              "\"words\":[],\"items\":[],\"colours\":[],\"labels\":{},\"codes\":{},\"doubles\":[]}");
}

static void
test_string_escaping (void **state)
{
    (void) state;
    struct { const char *in, *out; } cases [] = {
        { "plain", "\"plain\"" },
        { "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
        { "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
        { "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
        { "山西省工信厅", "\"山西省工信厅\"" },
        { "é\xF0\x9F\x98\x80", "\"é\xF0\x9F\x98\x80\"" },              /* 2- and 4-byte UTF-8 kept */
        { "a\xE2\x80\xA8" "b\xE2\x80\xA9", "\"a\\u2028b\\u2029\"" },   /* JS line separators */
        { "\xFF", "\"\\ufffd\"" },                                      /* not UTF-8 */
        { "\xC0\x80", "\"\\ufffd\\ufffd\"" },                           /* overlong */
        { "\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },                /* surrogate */
        { "x\xE5\xA4", "\"x\\ufffd\\ufffd\"" },                         /* cut short */
        { "", "\"\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *json = s_string (cases [i].in);
        assert_string_equal (json, cases [i].out);
        assert_true (inv_json_valid (json, NULL, 0));
        free (json);
    }
    char *json = s_string (NULL);
    assert_string_equal (json, "\"\"");
    free (json);
    /* Reading back gives the text (valid UTF-8 unchanged) */
    json = s_string ("名称 \"x\"\n\t\x01 \xF0\x9F\x98\x80");
    char wrapped [256];
    snprintf (wrapped, sizeof wrapped, "{\"v\":%s}", json);
    char *back = inv_json_get (wrapped, "v");
    assert_string_equal (back, "名称 \"x\"\n\t\x01 \xF0\x9F\x98\x80");
    free (back);
    free (json);
}

static void
s_enterprise_sample (Innov__Enterprise *e, char **alliances)
{
    innov__enterprise__init (e);
    e->credit_code = (char *) "91140105MA0GRDXQ3F";
    e->name = (char *) "山西华鑫煤机装备有限公司";
    e->province = (char *) "14";
    e->city = (char *) "140100";
    e->county = (char *) "140105";
    e->industry = (char *) "3511";
    e->department = (char *) "gxt";
    e->cluster = (char *) "coal_machinery";
    e->operating_revenue = 12345.67;
    e->rd_expenditure = 86.4;
    e->has_rd_institution = 1;
    e->has_rd_activity = 1;
    e->alliances = alliances;
    e->n_alliances = 1;
    e->mentor_capacity = 2;
    e->status = INNOV__INNOVATION_STATUS__ACTIVE;
    e->version = 3;
    e->created_ms = 1767661200000LL;
    e->updated_ms = 1767664800123LL;
    e->created_by = (char *) "province";
    e->updated_by = (char *) "city:140100";
}

static void
test_registry_enterprise (void **state)
{
    (void) state;
    char *alliances [] = { (char *) "alliance:coal_machinery" };
    Innov__Enterprise e;
    s_enterprise_sample (&e, alliances);
    s_expect (&e.base, false, false,
              "{\"creditCode\":\"91140105MA0GRDXQ3F\",\"name\":\"山西华鑫煤机装备有限公司\","
              "\"province\":\"14\",\"city\":\"140100\",\"county\":\"140105\",\"industry\":\"3511\","
              "\"department\":\"gxt\",\"cluster\":\"coal_machinery\",\"operatingRevenue\":12345.67,"
              "\"rdExpenditure\":86.4,\"hasRdInstitution\":true,\"hasRdActivity\":true,"
              "\"alliances\":[\"alliance:coal_machinery\"],\"mentorCapacity\":2,\"status\":\"ACTIVE\","
              "\"version\":\"3\",\"createdMs\":\"1767661200000\",\"updatedMs\":\"1767664800123\","
              "\"createdBy\":\"province\",\"updatedBy\":\"city:140100\"}");

    /* Through the wire: packed, unpacked, then printed, nested in its reply */
    Innov__EnterpriseReply reply = INNOV__ENTERPRISE_REPLY__INIT;
    reply.enterprise = &e;
    size_t size = innov__enterprise_reply__get_packed_size (&reply);
    uint8_t *buffer = malloc (size);
    innov__enterprise_reply__pack (&reply, buffer);
    Innov__EnterpriseReply *copy = innov__enterprise_reply__unpack (NULL, size, buffer);
    free (buffer);
    assert_non_null (copy);
    char *json = inv_json_from_pb (&copy->base, true, false);
    assert_true (inv_json_valid (json, NULL, 0));
    char *value = inv_json_get (json, "enterprise.name");
    assert_string_equal (value, "山西华鑫煤机装备有限公司");
    free (value);
    value = inv_json_get (json, "enterprise.version");
    assert_string_equal (value, "3");
    free (value);
    value = inv_json_get (json, "enterprise.operatingRevenue");
    assert_string_equal (value, "12345.67");
    free (value);
    value = inv_json_get (json, "enterprise.alliances[0]");
    assert_string_equal (value, "alliance:coal_machinery");
    free (value);
    free (json);
    innov__enterprise_reply__free_unpacked (copy, NULL);

    /* Defaults: an unpacked empty record omits everything, or lists everything */
    Innov__Enterprise blank = INNOV__ENTERPRISE__INIT;
    s_expect (&blank.base, false, false, "{}");
    s_expect (&blank.base, false, true,
              "{\"creditCode\":\"\",\"name\":\"\",\"province\":\"\",\"city\":\"\",\"county\":\"\","
              "\"industry\":\"\",\"department\":\"\",\"cluster\":\"\",\"operatingRevenue\":0,"
              "\"rdExpenditure\":0,\"hasRdInstitution\":false,\"hasRdActivity\":false,"
              "\"alliances\":[],\"mentorCapacity\":0,\"status\":\"STATUS_UNSPECIFIED\","
              "\"version\":\"0\",\"createdMs\":\"0\",\"updatedMs\":\"0\",\"createdBy\":\"\","
              "\"updatedBy\":\"\"}");
}

static void
test_event_and_status (void **state)
{
    (void) state;
    Innov__Event event = INNOV__EVENT__INIT;
    event.type = (char *) "enterprise.created";
    event.subject = (char *) "91140105MA0GRDXQ3F";
    event.actor = (char *) "province";
    event.time_ms = 1767661200000LL;
    event.seq = 1;
    event.province = (char *) "14";
    event.payload_type = (char *) "innov.Enterprise";
    event.payload.data = (uint8_t *) "\x0a\x02hi";
    event.payload.len = 4;
    s_expect (&event.base, false, false,
              "{\"type\":\"enterprise.created\",\"subject\":\"91140105MA0GRDXQ3F\","
              "\"actor\":\"province\",\"timeMs\":\"1767661200000\",\"seq\":\"1\",\"province\":\"14\","
              "\"payloadType\":\"innov.Enterprise\",\"payload\":\"CgJoaQ==\"}");

    Innov__FieldError e1 = INNOV__FIELD_ERROR__INIT, e2 = INNOV__FIELD_ERROR__INIT;
    e1.field = (char *) "enterprise.credit_code";
    e1.reason = (char *) "check character should be \"X\"";
    e2.field = (char *) "enterprise.name";
    e2.reason = (char *) "is required";
    Innov__FieldError *details [] = { &e1, &e2 };
    Innov__Status status = INNOV__STATUS__INIT;
    status.code = 400;
    status.message = (char *) "invalid enterprise";
    status.details = details;
    status.n_details = 2;
    s_expect (&status.base, false, false,
              "{\"code\":400,\"message\":\"invalid enterprise\",\"details\":["
              "{\"field\":\"enterprise.credit_code\",\"reason\":\"check character should be \\\"X\\\"\"},"
              "{\"field\":\"enterprise.name\",\"reason\":\"is required\"}]}");
}

static void
test_reader (void **state)
{
    (void) state;
    const char *doc = " { \"a\" : [ 1 , { \"b\" : \"x\\u00e9\\ud83d\\ude00\" } , null ] ,"
                      " \"c\" : { \"d\" : -1.5e3 } , \"e\" : true , \"f\": [] } ";
    char reason [128];
    assert_true (inv_json_valid (doc, reason, sizeof reason));
    char *v = inv_json_get (doc, "a[1].b");
    assert_string_equal (v, "x\xC3\xA9\xF0\x9F\x98\x80");
    free (v);
    v = inv_json_get (doc, "c.d");
    assert_string_equal (v, "-1.5e3");
    free (v);
    v = inv_json_get (doc, "a[2]");
    assert_string_equal (v, "null");
    free (v);
    v = inv_json_get (doc, "c");
    assert_string_equal (v, "{ \"d\" : -1.5e3 }");
    free (v);
    assert_null (inv_json_get (doc, "a[3]"));
    assert_null (inv_json_get (doc, "z"));
    assert_null (inv_json_get (doc, "e.x"));
    assert_int_equal (inv_json_length (doc, "a"), 3);
    assert_int_equal (inv_json_length (doc, "f"), 0);
    assert_int_equal (inv_json_length (doc, ""), 4);

    const char *bad [] = {
        "", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "\"\x01\"", "\"\\x\"", "tru",
        "{} {}", "\"\xFF\"", "[1 2]", "{\"a\":1,}", "-", "1e",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        reason [0] = '\0';
        assert_false (inv_json_valid (bad [i], reason, sizeof reason));
        assert_true (strlen (reason) > 0);
    }
    assert_null (inv_json_get ("{\"a\":", "a"));
    /* Deep nesting is refused, not a stack overflow */
    char deep [2000];
    memset (deep, '[', sizeof deep - 1);
    deep [sizeof deep - 1] = '\0';
    assert_false (inv_json_valid (deep, NULL, 0));
}

static void
test_self_test (void **state)
{
    (void) state;
    inv_json_test (false);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_empty_message),
        cmocka_unit_test (test_every_scalar_type),
        cmocka_unit_test (test_doubles),
        cmocka_unit_test (test_bytes_base64),
        cmocka_unit_test (test_nested_repeated_oneof_map),
        cmocka_unit_test (test_pretty),
        cmocka_unit_test (test_emit_defaults),
        cmocka_unit_test (test_string_escaping),
        cmocka_unit_test (test_registry_enterprise),
        cmocka_unit_test (test_event_and_status),
        cmocka_unit_test (test_reader),
        cmocka_unit_test (test_self_test),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
