/*  test_gateway: the HTTP gateway in front of a real broker, registry and notify, over
    real sockets (libcurl): every route family, auth (401 without or with a bad or
    revoked token, 403 outside the scope), the OpenAPI document against the routes
    served, the event stream resumed with Last-Event-ID (no gap, no repeat), import and
    export, the operations endpoints, 503 when the service is gone, and hostile input
    (malformed JSON, wrong types, huge bodies, bad tokens, bad paths) answered 4xx with
    a reason while the gateway stays up; and the routes of pairing, catalogue, report and
    problems with those services running. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <pthread.h>
#include <unistd.h>
#include <czmq.h>
#include <curl/curl.h>
#include <jansson.h>
#include "harness.h"
#include "http_client.h"
#include "inv_json.h"

#define ENT     "91140105MA0KXY8T11"        /* 太原 140100 / 小店区 140105 */

typedef struct {
    harness_t *h;
    char base [64];         /* http://127.0.0.1:PORT */
    char *province;         /* token of the province */
    char *taiyuan;          /* token of city:140100 */
    char *datong;           /* token of city:140200 */
    pid_t registry;
} fixture_t;

static char *
s_token (harness_t *h, const char *principal)
{
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "token", "create", "--principal", principal, "--name", "test", NULL);
    if (rc != 0)
        fail_msg ("token create %s: exit %d: %s%s", principal, rc, out? out: "", err? err: "");
    char *nl = strchr (out, '\n');
    if (nl)
        *nl = '\0';
    free (err);
    return out;
}

static int
s_up (void **state)
{
    fixture_t *f = (fixture_t *) calloc (1, sizeof *f);
    *state = f;
    f->h = harness_new ();
    if (!f->h)
        return -1;
    int port = harness_free_port ();
    char http [64];
    snprintf (http, sizeof http, "127.0.0.1:%d", port);
    snprintf (f->base, sizeof f->base, "http://127.0.0.1:%d", port);
    harness_setenv (f->h, "INNOV_HTTP", http);
    harness_setenv (f->h, "INNOV_UNKNOWN_SERVICE_MS", "100");
    harness_setenv (f->h, "INNOV_HTTP_MAX_BODY", "65536");
    harness_setenv (f->h, "INNOV_TIMEOUT_MS", "2000");
    harness_setenv (f->h, "INNOV_RETRIES", "1");
    if (harness_start_redis (f->h) < 0 || harness_start_broker (f->h) < 0
    ||  (f->registry = harness_start_service (f->h, "registry")) < 0
    ||  harness_start_service (f->h, "notify") < 0
    ||  harness_start_service (f->h, "gateway") < 0)
        return -1;
    f->province = s_token (f->h, "province");
    f->taiyuan = s_token (f->h, "city:140100");
    f->datong = s_token (f->h, "city:140200");
    return 0;
}

static int
s_down (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    harness_destroy (&f->h);
    free (f->province);
    free (f->taiyuan);
    free (f->datong);
    free (f);
    return 0;
}

/* One request; asserts the status; returns the body (malloc'd). */
static char *
s_call (fixture_t *f, long expect, const char *method, const char *path, const char *token,
        const char *body)
{
    char url [1024];
    snprintf (url, sizeof url, "%s%s", f->base, path);
    http_reply_t r;
    http_request (&r, method, url, token, body, body? strlen (body): 0, NULL);
    if (r.status != expect)
        fail_msg ("%s %s: %ld, expected %ld: %s %s", method, path, r.status, expect, r.body, r.error);
    return r.body;
}

static void
s_expect (fixture_t *f, long expect, const char *needle, const char *method, const char *path,
          const char *token, const char *body)
{
    char *text = s_call (f, expect, method, path, token, body);
    if (needle && !strstr (text, needle))
        fail_msg ("%s %s: \"%s\" not in: %s", method, path, needle, text);
    if (expect >= 400) {
        /* every refusal is a JSON status with a reason */
        char *message = inv_json_get (text, "message");
        if (!message || !*message)
            fail_msg ("%s %s: %ld without a reason: %s", method, path, expect, text);
        free (message);
    }
    free (text);
}

static void
s_add_enterprise (fixture_t *f)
{
    char *text = s_call (f, 200, "POST", "/api/v1/enterprises", f->province,
        "{\"creditCode\":\"" ENT "\",\"name\":\"太原示例机械有限公司\",\"county\":\"140105\","
        "\"industry\":\"3311\",\"department\":\"gxt\",\"operatingRevenue\":1200.5,\"hasRdActivity\":true}");
    free (text);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_enterprise_routes (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_add_enterprise (f);
    char *text = s_call (f, 200, "GET", "/api/v1/enterprises/" ENT, f->taiyuan, NULL);
    char *v = inv_json_get (text, "enterprise.status");
    assert_string_equal (v, "NOT_STARTED");
    free (v);
    v = inv_json_get (text, "enterprise.version");
    assert_string_equal (v, "1");           /* 64-bit as a string */
    free (v);
    v = inv_json_get (text, "enterprise.city");
    assert_string_equal (v, "140100");
    free (v);
    free (text);

    /* PATCH names the fields it changes */
    text = s_call (f, 200, "PATCH", "/api/v1/enterprises/" ENT, f->taiyuan, "{\"mentorCapacity\":3}");
    v = inv_json_get (text, "enterprise.mentorCapacity");
    assert_string_equal (v, "3");
    free (v);
    v = inv_json_get (text, "enterprise.name");
    assert_string_equal (v, "太原示例机械有限公司");
    free (v);
    free (text);

    s_expect (f, 200, "IN_PROGRESS", "POST", "/api/v1/enterprises/" ENT "/transitions", f->taiyuan,
              "{\"to\":\"IN_PROGRESS\",\"reason\":\"已立项研发项目\"}");
    s_expect (f, 409, NULL, "POST", "/api/v1/enterprises/" ENT "/transitions", f->taiyuan,
              "{\"to\":\"IN_PROGRESS\"}");
    s_expect (f, 200, "ACTIVE", "POST", "/api/v1/enterprises/" ENT "/transitions", f->province,
              "{\"to\":\"ACTIVE\",\"reason\":\"建成企业技术中心\"}");
    s_expect (f, 200, "closing", "POST", "/api/v1/enterprises/" ENT "/close", f->taiyuan,
              "{\"evidence\":\"企业已注销\"}");
    s_expect (f, 200, "CLOSED", "POST", "/api/v1/enterprises/" ENT "/review", f->taiyuan,
              "{\"approve\":true,\"reason\":\"材料齐全\"}");
    text = s_call (f, 200, "GET", "/api/v1/enterprises/" ENT "/history", f->taiyuan, NULL);
    assert_int_equal (inv_json_length (text, "changes"), 4);
    free (text);

    s_expect (f, 200, ENT, "GET", "/api/v1/enterprises?city=140100&limit=10", f->taiyuan, NULL);
    s_expect (f, 200, ENT, "GET", "/api/v1/enterprises:search?fragment=%E7%A4%BA%E4%BE%8B", f->taiyuan, NULL);
    s_expect (f, 200, "\"key\":\"140100\"", "GET", "/api/v1/enterprises:count?groupBy=city", f->taiyuan, NULL);
    s_expect (f, 404, NULL, "GET", "/api/v1/enterprises/91140106145386530R", f->taiyuan, NULL);

    /* agencies, notices, subscriptions, events, tokens */
    s_expect (f, 200, "\"code\":\"140100\"", "GET", "/api/v1/agencies?kind=CITY", f->taiyuan, NULL);
    s_expect (f, 200, "太原", "GET", "/api/v1/agencies/140100", f->taiyuan, NULL);
    text = s_call (f, 200, "POST", "/api/v1/subscriptions", f->taiyuan,
                   "{\"typePrefix\":\"enterprise.\",\"city\":\"140100\"}");
    char *id = inv_json_get (text, "subscription.id");
    assert_non_null (id);
    free (text);
    s_expect (f, 200, id, "GET", "/api/v1/subscriptions", f->taiyuan, NULL);
    char path [128];
    snprintf (path, sizeof path, "/api/v1/subscriptions/%s", id);
    s_expect (f, 200, id, "DELETE", path, f->taiyuan, NULL);
    free (id);
    s_expect (f, 200, "notices", "GET", "/api/v1/notices", f->taiyuan, NULL);
    s_expect (f, 200, "unread", "GET", "/api/v1/notices:unread", f->taiyuan, NULL);
    s_expect (f, 400, "ids", "POST", "/api/v1/notices:ack", f->taiyuan, "{}");
    s_expect (f, 200, "enterprise.created", "GET", "/api/v1/events?afterSeq=0&topicPrefix=enterprise.", f->taiyuan, NULL);
    s_expect (f, 200, "city:140100", "GET", "/api/v1/tokens", f->taiyuan, NULL);
}

static void
test_auth (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_expect (f, 401, "no token", "GET", "/api/v1/enterprises", NULL, NULL);
    s_expect (f, 401, "malformed", "GET", "/api/v1/enterprises", "secret", NULL);
    s_expect (f, 401, "unknown", "GET", "/api/v1/enterprises",
              "inv_000000000000000000000000000000000000000000000000", NULL);
    /* Basic instead of Bearer */
    http_reply_t r;
    char url [256];
    snprintf (url, sizeof url, "%s/api/v1/enterprises", f->base);
    const char *basic [] = { "Authorization: Basic dXNlcjpwYXNz", NULL };
    http_request (&r, "GET", url, NULL, NULL, 0, basic);
    assert_int_equal (r.status, 401);
    http_reply_clear (&r);
    /* the token in the query (for EventSource) */
    snprintf (url, sizeof url, "%s/api/v1/agencies/140100?access_token=%s", f->base, f->datong);
    http_request (&r, "GET", url, NULL, NULL, 0, NULL);
    assert_int_equal (r.status, 200);
    http_reply_clear (&r);

    /* 403: 大同 may not write an enterprise of 太原; the registry's reason comes through */
    s_add_enterprise (f);
    s_expect (f, 403, "140200", "PATCH", "/api/v1/enterprises/" ENT, f->datong, "{\"mentorCapacity\":1}");
    /* 大同 may not make a token for 太原 */
    s_expect (f, 403, NULL, "POST", "/api/v1/tokens", f->datong, "{\"principal\":\"city:140100\"}");

    /* a revoked token is refused (within the 2 s cache) */
    char *token = s_token (f->h, "county:140105");
    s_expect (f, 200, NULL, "GET", "/api/v1/agencies/140105", token, NULL);
    char *list = s_call (f, 200, "GET", "/api/v1/tokens?principal=county:140105", f->province, NULL);
    char *id = inv_json_get (list, "tokens[0].id");
    assert_non_null (id);
    char path [128];
    snprintf (path, sizeof path, "/api/v1/tokens/%s", id);
    s_expect (f, 200, NULL, "DELETE", path, f->province, NULL);
    long status = 0;
    for (int i = 0; i < 40 && status != 401; i++) {
        snprintf (url, sizeof url, "%s/api/v1/agencies/140105", f->base);
        http_request (&r, "GET", url, token, NULL, 0, NULL);
        status = r.status;
        http_reply_clear (&r);
        if (status != 401)
            zclock_sleep (100);
    }
    assert_int_equal (status, 401);
    free (id);
    free (list);
    free (token);
}

/* Every path and method of the OpenAPI document is served (not a 404 "no route" nor a
   405), and the document lists the routes this test knows the gateway serves. */
static void
test_openapi_matches_routes (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    char *doc = s_call (f, 200, "GET", "/api/v1/openapi.json", NULL, NULL);
    assert_true (inv_json_valid (doc, NULL, 0));
    char *version = inv_json_get (doc, "openapi");
    assert_string_equal (version, "3.0.3");
    free (version);
    const char *known [] = { "/api/v1/enterprises", "/api/v1/enterprises/{creditCode}",
                             "/api/v1/enterprises:import", "/api/v1/enterprises:export",
                             "/api/v1/events/stream", "/api/v1/tokens", "/api/v1/notices",
                             "/api/v1/agencies/{code}", NULL };
    json_t *root = json_loads (doc, 0, NULL);
    assert_non_null (root);
    json_t *paths = json_object_get (root, "paths");
    for (size_t i = 0; known [i]; i++)
        if (!json_object_get (paths, known [i]))
            fail_msg ("%s is not in the OpenAPI document", known [i]);
    assert_non_null (json_object_get (json_object_get (json_object_get (root, "components"), "schemas"), "Enterprise"));
    const char *path;
    json_t *item;
    size_t checked = 0;
    json_object_foreach (paths, path, item) {
        const char *method;
        json_t *op;
        json_object_foreach (item, method, op) {
            /* fill path parameters with a harmless value */
            char concrete [512] = "";
            size_t used = 0;
            for (const char *p = path; *p && used < sizeof concrete - 8; ) {
                if (*p == '{') {
                    used += snprintf (concrete + used, sizeof concrete - used, "x1");
                    p = strchr (p, '}') + 1;
                }
                else
                    concrete [used++] = *p++;
            }
            concrete [used] = '\0';
            char upper [16];
            size_t n = 0;
            for (; method [n] && n < sizeof upper - 1; n++)
                upper [n] = (char) (method [n] - 32);
            upper [n] = '\0';
            char url [1024];
            snprintf (url, sizeof url, "%s%s", f->base, concrete);
            http_reply_t r;
            bool stream = strstr (path, "/stream") != NULL;
            http_request_timeout (&r, strcmp (upper, "GET") == 0? "HEAD": upper, url, f->province,
                                  strcmp (upper, "GET") == 0? NULL: "{}", strcmp (upper, "GET") == 0? 0: 2,
                                  NULL, stream? 1000: 10000);
            if (r.status == 0 || r.status == 405 || (r.status == 404 && strstr (r.body, "no route")))
                fail_msg ("%s %s (from the document) is not served: %ld %s", upper, concrete, r.status, r.body);
            http_reply_clear (&r);
            checked++;
        }
    }
    assert_true (checked >= 25);
    json_decref (root);
    free (doc);
}

/* Read an event stream until `count` events came (or the time is up): the seqs in order. */
typedef struct {
    char *text;
    size_t size;
    int wanted;
    int seen;
} sse_t;

static size_t
s_sse_write (char *data, size_t size, size_t count, void *arg)
{
    sse_t *s = (sse_t *) arg;
    size_t n = size * count;
    s->text = (char *) realloc (s->text, s->size + n + 1);
    memcpy (s->text + s->size, data, n);
    s->size += n;
    s->text [s->size] = '\0';
    s->seen = 0;
    for (const char *p = s->text; (p = strstr (p, "id: ")); p += 4)
        if (p == s->text || p [-1] == '\n')
            s->seen++;
    return s->seen >= s->wanted? 0: n;          /* 0 ends the transfer */
}

static size_t
s_stream (fixture_t *f, const char *token, const char *last_id, int wanted, uint64_t *seqs, size_t max)
{
    char url [256];
    snprintf (url, sizeof url, "%s/api/v1/events/stream?topic=enterprise.", f->base);
    CURL *curl = curl_easy_init ();
    struct curl_slist *headers = NULL;
    char line [256];
    snprintf (line, sizeof line, "Authorization: Bearer %s", token);
    headers = curl_slist_append (headers, line);
    if (last_id) {
        snprintf (line, sizeof line, "Last-Event-ID: %s", last_id);
        headers = curl_slist_append (headers, line);
    }
    sse_t s = { NULL, 0, wanted, 0 };
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_sse_write);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 8000L);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform (curl);
    curl_slist_free_all (headers);
    curl_easy_cleanup (curl);
    size_t n = 0;
    for (const char *p = s.text; p && (p = strstr (p, "id: ")); p += 4)
        if ((p == s.text || p [-1] == '\n') && n < max)
            seqs [n++] = strtoull (p + 4, NULL, 10);
    assert_true (s.text && strstr (s.text, "event: enterprise."));
    free (s.text);
    return n;
}

static void
s_bump (fixture_t *f, int capacity)
{
    char body [64];
    snprintf (body, sizeof body, "{\"mentorCapacity\":%d}", capacity);
    free (s_call (f, 200, "PATCH", "/api/v1/enterprises/" ENT, f->province, body));
}

static void
test_stream_resume (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_add_enterprise (f);
    for (int i = 1; i <= 4; i++)
        s_bump (f, i);
    /* from the start: the first three enterprise events */
    uint64_t first [16], second [32];
    size_t n1 = s_stream (f, f->taiyuan, "0", 3, first, 16);
    assert_int_equal (n1, 3);
    for (size_t i = 1; i < n1; i++)
        assert_true (first [i] > first [i - 1]);
    /* while disconnected: more changes; resume after the last seen */
    for (int i = 5; i <= 7; i++)
        s_bump (f, i);
    char last [32];
    snprintf (last, sizeof last, "%" PRIu64, first [n1 - 1]);
    size_t n2 = s_stream (f, f->taiyuan, last, 5, second, 32);
    assert_int_equal (n2, 5);      /* 2 left of the first four, 3 made while away */
    assert_true (second [0] > first [n1 - 1]);
    for (size_t i = 1; i < n2; i++)
        assert_true (second [i] > second [i - 1]);
    /* no gap: the replay has exactly the enterprise events after `last` */
    char path [128];
    snprintf (path, sizeof path, "/api/v1/events?afterSeq=%s&topicPrefix=enterprise.", last);
    char *replay = s_call (f, 200, "GET", path, f->taiyuan, NULL);
    assert_int_equal (inv_json_length (replay, "events"), 5);
    for (size_t i = 0; i < 5; i++) {
        char key [32];
        snprintf (key, sizeof key, "events[%zu].seq", i);
        char *seq = inv_json_get (replay, key);
        assert_int_equal (strtoull (seq, NULL, 10), second [i]);
        free (seq);
    }
    free (replay);
    s_expect (f, 400, "Last-Event-ID", "GET", "/api/v1/events/stream?lastEventId=abc", f->taiyuan, NULL);
}

static void
test_import_export (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    /* GB18030 with a Chinese header, one good row, two bad rows */
    const char *utf8 =
        "统一社会信用代码,企业名称,县区代码,行业代码,主管部门,营业收入(万元)\n"
        "91140105MA0KXY8T11,太原示例机械有限公司,140105,3311,省工信厅,100\n"
        "91140105MA0KXY8T12,坏代码示例有限公司,140105,3311,省工信厅,100\n"
        "91140105MA0KXY8T11,坏数字示例有限公司,140105,3311,省工信厅,一百\n";
    char *gb = NULL;
    size_t gb_size = 0;
    {
        char path [512];
        snprintf (path, sizeof path, "%s/in.csv", harness_dir (f->h));
        FILE *out = fopen (path, "w");
        fputs (utf8, out);
        fclose (out);
        char command [1200];
        snprintf (command, sizeof command, "iconv -f UTF-8 -t GB18030 %s", path);
        FILE *in = popen (command, "r");
        char chunk [4096];
        size_t got;
        FILE *mem = open_memstream (&gb, &gb_size);
        while ((got = fread (chunk, 1, sizeof chunk, in)) > 0)
            fwrite (chunk, 1, got, mem);
        fclose (mem);
        pclose (in);
    }
    char url [256];
    snprintf (url, sizeof url, "%s/api/v1/enterprises:import", f->base);
    http_reply_t r;
    const char *csv [] = { "Content-Type: text/csv", NULL };
    http_request (&r, "POST", url, f->province, gb, gb_size, csv);
    assert_int_equal (r.status, 200);
    char *v = inv_json_get (r.body, "encoding");
    assert_string_equal (v, "GB18030");
    free (v);
    v = inv_json_get (r.body, "created");
    assert_string_equal (v, "1");
    free (v);
    v = inv_json_get (r.body, "rejected");
    assert_string_equal (v, "2");
    free (v);
    v = inv_json_get (r.body, "rejections[0].line");
    assert_string_equal (v, "3");
    free (v);
    v = inv_json_get (r.body, "rejections[0].column");
    assert_string_equal (v, "统一社会信用代码");
    free (v);
    v = inv_json_get (r.body, "rejections[1].field");
    assert_string_equal (v, "operating_revenue");
    free (v);
    http_reply_clear (&r);
    /* again: nothing changes */
    http_request (&r, "POST", url, f->province, gb, gb_size, csv);
    v = inv_json_get (r.body, "unchanged");
    assert_string_equal (v, "1");
    free (v);
    http_reply_clear (&r);
    free (gb);
    s_expect (f, 400, "header", "POST", "/api/v1/enterprises:import", f->province, "a,b\n1,2\n");

    char *text = s_call (f, 200, "GET", "/api/v1/enterprises:export?format=csv&city=140100", f->taiyuan, NULL);
    assert_non_null (strstr (text, "统一社会信用代码"));
    assert_non_null (strstr (text, ENT));
    free (text);
    snprintf (url, sizeof url, "%s/api/v1/enterprises:export?format=xlsx", f->base);
    http_request (&r, "GET", url, f->taiyuan, NULL, 0, NULL);
    assert_int_equal (r.status, 200);
    assert_true (r.size > 100 && memcmp (r.body, "PK", 2) == 0);
    assert_non_null (strstr (r.content_type, "spreadsheetml"));
    http_reply_clear (&r);
    s_expect (f, 400, "format", "GET", "/api/v1/enterprises:export?format=pdf", f->taiyuan, NULL);
    s_expect (f, 400, "bogus", "GET", "/api/v1/enterprises:export?bogus=1", f->taiyuan, NULL);
}

static void
test_operations (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_expect (f, 200, "ok", "GET", "/healthz", NULL, NULL);
    s_expect (f, 200, "\"broker\": true", "GET", "/readyz", NULL, NULL);
    free (s_call (f, 401, "GET", "/api/v1/enterprises", NULL, NULL));
    char *text = s_call (f, 200, "GET", "/metrics", NULL, NULL);
    assert_non_null (strstr (text, "innov_gateway_requests_total{route=\"/enterprises\",method=\"GET\",code=\"401\"}"));
    assert_non_null (strstr (text, "innov_gateway_request_seconds_bucket"));
    assert_non_null (strstr (text, "innov_broker_workers{service=\"registry\"} 1"));
    free (text);
    text = s_call (f, 200, "GET", "/", NULL, NULL);
    assert_non_null (strstr (text, "<html"));
    free (text);
    s_expect (f, 404, NULL, "GET", "/static/none.js", NULL, NULL);
}

static void
test_hostile_input (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    const char *t = f->province;
    s_expect (f, 400, "not valid JSON", "POST", "/api/v1/enterprises", t, "{\"name\":");
    s_expect (f, 400, "not valid JSON", "POST", "/api/v1/enterprises", t, "[1,2");
    s_expect (f, 400, "expected an object", "POST", "/api/v1/enterprises", t, "[1,2]");
    s_expect (f, 400, "enterprise.name", "POST", "/api/v1/enterprises", t, "{\"name\":17}");
    s_expect (f, 400, "enterprise.mentor_capacity", "POST", "/api/v1/enterprises", t, "{\"mentorCapacity\":-1}");
    s_expect (f, 400, "enterprise.mentor_capacity", "POST", "/api/v1/enterprises", t, "{\"mentorCapacity\":1e40}");
    s_expect (f, 400, "enterprise.has_rd_activity", "POST", "/api/v1/enterprises", t, "{\"hasRdActivity\":\"yes\"}");
    s_expect (f, 400, "enterprise.status", "POST", "/api/v1/enterprises", t, "{\"status\":\"DONE\"}");
    s_expect (f, 400, "enterprise.alliances[1]", "POST", "/api/v1/enterprises", t, "{\"alliances\":[\"a\",2]}");
    s_expect (f, 400, "is not a field", "POST", "/api/v1/enterprises", t, "{\"color\":\"red\"}");
    s_expect (f, 400, "u0000", "POST", "/api/v1/enterprises", t, "{\"name\":\"a\\u0000b\"}");
    s_expect (f, 400, "not valid JSON", "POST", "/api/v1/enterprises", t, "{\"name\":\"a\",\"name\":\"b\"}");
    s_expect (f, 400, "not valid JSON", "POST", "/api/v1/enterprises", t, "{\"name\":\"\xff\xfe\"}");
    s_expect (f, 400, "takes no body", "DELETE", "/api/v1/tokens/tk99", t, "{\"x\":1}");
    s_expect (f, 400, "limit", "GET", "/api/v1/enterprises?limit=ten", t, NULL);
    s_expect (f, 400, "nope", "GET", "/api/v1/enterprises?nope=1", t, NULL);
    /* deep nesting */
    char *deep = (char *) malloc (20001);
    memset (deep, '[', 20000);
    deep [20000] = '\0';
    s_expect (f, 400, NULL, "POST", "/api/v1/enterprises", t, deep);
    free (deep);
    /* a body over --http-max-body (64 KiB here) */
    size_t huge = 200 * 1024;
    char *big = (char *) malloc (huge + 1);
    memset (big, ' ', huge);
    big [0] = '{';
    big [huge - 1] = '}';
    big [huge] = '\0';
    s_expect (f, 413, "larger than", "POST", "/api/v1/enterprises", t, big);
    free (big);
    /* bad tokens and paths */
    s_expect (f, 401, NULL, "GET", "/api/v1/enterprises", "inv_zz", NULL);
    s_expect (f, 401, NULL, "GET", "/api/v1/enterprises", "inv_00000000000000000000000000000000000000000000000g", NULL);
    s_expect (f, 404, "no route", "GET", "/api/v1/../../etc/passwd", t, NULL);
    s_expect (f, 404, "no route", "GET", "/api/v2/enterprises", t, NULL);
    s_expect (f, 404, "no route", "GET", "/api/v1/enterprises/a/b/c/d", t, NULL);
    s_expect (f, 404, NULL, "GET", "/static/../main.c", t, NULL);
    s_expect (f, 405, "allowed", "PUT", "/api/v1/enterprises", t, "{}");
    char longpath [6000];
    snprintf (longpath, sizeof longpath, "/api/v1/enterprises/");
    memset (longpath + 20, 'A', 5000);
    longpath [5020] = '\0';
    char url [6200];
    snprintf (url, sizeof url, "%s%s", f->base, longpath);
    http_reply_t r;
    http_request (&r, "GET", url, t, NULL, 0, NULL);
    assert_true (r.status >= 400 && r.status < 500);
    http_reply_clear (&r);
    /* still up */
    s_expect (f, 200, "ok", "GET", "/healthz", NULL, NULL);
    s_expect (f, 200, NULL, "GET", "/api/v1/agencies/140100", t, NULL);
}

static void
test_service_down (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    harness_kill (f->h, f->registry, SIGKILL);
    f->registry = -1;
    /* the broker answers 503 once no registry worker came within 100 ms */
    long status = 0;
    for (int i = 0; i < 20 && status != 503; i++) {
        char url [256];
        snprintf (url, sizeof url, "%s/api/v1/enterprises/" ENT, f->base);
        http_reply_t r;
        http_request (&r, "GET", url, f->province, NULL, 0, NULL);
        status = r.status;
        if (status == 503)
            assert_non_null (strstr (r.body, "registry"));
        http_reply_clear (&r);
    }
    assert_int_equal (status, 503);
    s_expect (f, 200, "ok", "GET", "/healthz", NULL, NULL);
}

/* 50 connections at once, each a series of reads and a few refused writes: every
   answer is the right one and the metrics count them all. */
typedef struct {
    fixture_t *f;
    int ok, wrong;
} worker_t;

static void *
s_worker (void *arg)
{
    worker_t *w = (worker_t *) arg;
    char url [256];
    snprintf (url, sizeof url, "%s/api/v1/enterprises/" ENT, w->f->base);
    for (int i = 0; i < 20; i++) {
        http_reply_t r;
        bool write = i % 5 == 4;
        http_request (&r, write? "PATCH": "GET", url, write? w->f->datong: w->f->taiyuan,
                      write? "{\"mentorCapacity\":1}": NULL, write? 20: 0, NULL);
        if (r.status == (write? 403: 200) && strstr (r.body, write? "140200": ENT))
            w->ok++;
        else
            w->wrong++;
        http_reply_clear (&r);
    }
    return NULL;
}

static void
test_concurrent_connections (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_add_enterprise (f);
    pthread_t threads [50];
    worker_t workers [50];
    for (int i = 0; i < 50; i++) {
        workers [i] = (worker_t) { f, 0, 0 };
        pthread_create (&threads [i], NULL, s_worker, &workers [i]);
    }
    int ok = 0, wrong = 0;
    for (int i = 0; i < 50; i++) {
        pthread_join (threads [i], NULL);
        ok += workers [i].ok;
        wrong += workers [i].wrong;
    }
    assert_int_equal (wrong, 0);
    assert_int_equal (ok, 1000);
    char *text = s_call (f, 200, "GET", "/metrics", NULL, NULL);
    assert_non_null (strstr (text, "innov_gateway_requests_total{route=\"/enterprises/{creditCode}\",method=\"GET\",code=\"200\"} 800"));
    assert_non_null (strstr (text, "innov_gateway_requests_total{route=\"/enterprises/{creditCode}\",method=\"PATCH\",code=\"403\"} 200"));
    free (text);
}

/* The routes of the other services, with those services running: a read of each
   family answers 200 with its reply message (skipped when a service is not built). */
static void
test_other_services (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    const char *services [] = { "pairing", "catalogue", "report", "problems" };
    for (size_t i = 0; i < 4; i++) {
        char path [512];
        snprintf (path, sizeof path, "%s", harness_bin (services [i]));
        if (access (path, X_OK) != 0 || harness_start_service (f->h, services [i]) < 0) {
            print_message ("service %s did not start: skipped\n", services [i]);
            skip ();
        }
    }
    s_add_enterprise (f);
    s_expect (f, 200, "\"groups\"", "GET", "/api/v1/groups", f->taiyuan, NULL);
    s_expect (f, 200, "\"rows\"", "GET", "/api/v1/coverage?by=city", f->taiyuan, NULL);
    s_expect (f, 200, "\"pairings\"", "GET", "/api/v1/pairings?city=140100", f->taiyuan, NULL);
    s_expect (f, 200, "\"entries\"", "GET", "/api/v1/technologies", f->taiyuan, NULL);
    s_expect (f, 200, "\"projects\"", "GET", "/api/v1/projects", f->taiyuan, NULL);
    s_expect (f, 200, "\"policies\"", "GET", "/api/v1/policies", f->taiyuan, NULL);
    s_expect (f, 200, "\"rows\"", "GET", "/api/v1/reports:status", f->province, NULL);
    s_expect (f, 200, "\"problems\"", "GET", "/api/v1/problems", f->province, NULL);
    s_expect (f, 404, NULL, "GET", "/api/v1/groups/no-such-group", f->province, NULL);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_enterprise_routes, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_auth, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_openapi_matches_routes, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_stream_resume, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_import_export, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_operations, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_hostile_input, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_service_down, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_concurrent_connections, s_up, s_down),
        cmocka_unit_test_setup_teardown (test_other_services, s_up, s_down),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
