/*  test_pairing: a city walked to full coverage through the broker with innovctl, and an
    enterprise leaving its pairing through the registry's events.

    The ledger comes from gendata (the province's profile, imported with innovctl); the
    test keeps its own reading of the same CSV and counts directly what the coverage
    figures must say: the city's enterprises without innovation activity (tracked), and
    among them those whose industry division has an ACTIVE enterprise somewhere in the
    province (the ones that must end up with a mentor). The city forms a work group
    (refused ready while the composition rule is broken, refused to another city),
    serves every enterprise of the city with it, runs the matching with --apply and
    reaches 100%: covered = tracked, mentored = the direct count, no gap left. Then one
    paired enterprise turns ACTIVE in the registry and the pairing service ends its
    pairing from the event alone. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>
#include "stack.h"
#include "inv_json.h"

#define CITY        "140100"
#define COUNT       "600"

typedef struct {
    char code [20];
    char county [8];
    char industry [8];
    char status [16];
} row_t;

static row_t S_rows [1000];
static size_t S_n;

static int
s_stack_up (void **state)
{
    *state = stack_new ("PAIRING_MENTOR_CAPACITY=20", "redis", "broker", "registry", "pairing", NULL);
    return *state? 0: -1;
}

/* The ledger: gendata's CSV, imported, and read here too. */
static void
s_load_ledger (harness_t *h)
{
    char *csv = zsys_sprintf ("%s/ledger.csv", harness_dir (h));
    char *command = zsys_sprintf ("%s --count %s --seed 4242 --out %s", harness_bin ("gendata"), COUNT, csv);
    assert_int_equal (system (command), 0);
    zstr_free (&command);
    free (stack_ctl (h, 0, "enterprise", "import", csv, NULL));
    FILE *f = fopen (csv, "r");
    assert_non_null (f);
    char line [1024];
    S_n = 0;
    assert_non_null (fgets (line, sizeof line, f));        /* header */
    while (fgets (line, sizeof line, f) && S_n < 1000) {
        char *fields [12] = { 0 };
        int nf = 0;
        for (char *p = line, *tok; nf < 12 && (tok = strsep (&p, ",\r\n")); )
            fields [nf++] = tok;
        assert_true (nf >= 11);
        row_t *r = &S_rows [S_n++];
        snprintf (r->code, sizeof r->code, "%s", fields [0]);
        snprintf (r->county, sizeof r->county, "%s", fields [2]);
        snprintf (r->industry, sizeof r->industry, "%s", fields [3]);
        snprintf (r->status, sizeof r->status, "%s", fields [10]);
    }
    fclose (f);
    zstr_free (&csv);
}

static bool
s_tracked (const row_t *r)
{
    return streq (r->status, "not_started") || streq (r->status, "in_progress") || !*r->status;
}

static bool
s_in_city (const row_t *r)
{
    return strncmp (r->county, CITY, 4) == 0;
}

/* A mentor is possible: an ACTIVE enterprise of the same division in the province. */
static bool
s_mentor_possible (const row_t *r)
{
    for (size_t i = 0; i < S_n; i++)
        if (streq (S_rows [i].status, "active") && strncmp (S_rows [i].industry, r->industry, 2) == 0)
            return true;
    return false;
}

/* A number of the city's coverage row (or the province's with by "province"). */
static long
s_coverage (harness_t *h, const char *by, const char *scope, const char *field)
{
    char *out = stack_ctl (h, 0, "--json", "coverage", "--by", by, NULL);
    long value = -1;
    size_t rows = inv_json_length (out, "rows");
    for (size_t i = 0; i < rows; i++) {
        char path [64];
        snprintf (path, sizeof path, "rows[%zu].scope", i);
        char *s = inv_json_get (out, path);
        if (s && streq (s, scope)) {
            snprintf (path, sizeof path, "rows[%zu].%s", i, field);
            char *v = inv_json_get (out, path);
            value = v? atol (v): 0;
            free (v);
        }
        free (s);
    }
    free (out);
    return value;
}

/* Wait until the projection has seen the whole ledger (the province's tracked count). */
static void
s_wait_projection (harness_t *h, long expected)
{
    long seen = -1;
    for (int i = 0; i < 200 && seen != expected; i++) {
        seen = s_coverage (h, "province", "province", "tracked");
        if (seen != expected)
            zclock_sleep (50);
    }
    assert_int_equal (seen, expected);
}

static void
test_city_reaches_full_coverage (void **state)
{
    harness_t *h = *state;
    s_load_ledger (h);
    long tracked_province = 0, tracked_city = 0, must_mentor = 0;
    const char *city_codes [1000];
    size_t n_city = 0;
    for (size_t i = 0; i < S_n; i++) {
        tracked_province += s_tracked (&S_rows [i]);
        if (s_in_city (&S_rows [i])) {
            city_codes [n_city++] = S_rows [i].code;
            if (s_tracked (&S_rows [i])) {
                tracked_city++;
                must_mentor += s_mentor_possible (&S_rows [i]);
            }
        }
    }
    assert_true (tracked_city > 10);
    s_wait_projection (h, tracked_province);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "tracked"), tracked_city);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "noWorkGroup"), tracked_city);

    /* the city forms its work group; another city may not */
    free (stack_ctl (h, 1, "--as", "city:140200", "group", "add", "--owner", "city:" CITY, "--name", "专班", NULL));
    char *out = stack_ctl (h, 0, "--as", "city:" CITY, "--json", "group", "add", "--owner", "city:" CITY,
                           "--name", "太原市第一工作专班", NULL);
    char *id = inv_json_get (out, "id");
    assert_non_null (id);
    free (out);
    const char *members [][5] = {
        { "王处长", "太原市工信局", "division", "official", "" },
        { "李科长", "太原市工信局", "", "official", "" },
        { "赵干部", "小店区工信局", "", "official", "" },
        { "孙专家", "省产业联盟", "", "alliance", "" },
        { "周教授", "太原理工大学", "", "technical", "university" },
    };
    for (int i = 0; i < 4; i++)
        free (stack_ctl (h, 0, "--as", "city:" CITY, "group", "member", "add", id, "--name", members [i][0],
                         "--unit", members [i][1], "--rank", members [i][2], "--kind", members [i][3], NULL));
    /* four members and no technical professional: both rules named */
    out = stack_ctl (h, 1, "--as", "city:" CITY, "group", "ready", id, NULL);
    assert_non_null (strstr (out, "members: has 4 members"));
    assert_non_null (strstr (out, "members.unit_kind"));
    free (out);
    free (stack_ctl (h, 0, "--as", "city:" CITY, "group", "member", "add", id, "--name", members [4][0],
                     "--unit", members [4][1], "--kind", members [4][3], "--unit-kind", members [4][4], NULL));
    /* the group serves every enterprise of the city (in one command, 50 per request) */
    const char *args [1100];
    size_t na = 0;
    args [na++] = "--as"; args [na++] = "city:" CITY; args [na++] = "group"; args [na++] = "assign";
    args [na++] = id;
    for (size_t i = 0; i < n_city; i++)
        args [na++] = city_codes [i];
    args [na] = NULL;
    /* harness_ctl takes a fixed list: run innovctl through the shell instead */
    char *line = zsys_sprintf ("%s", "");
    for (size_t i = 0; i < na; i++) {
        char *next = zsys_sprintf ("%s '%s'", line, args [i]);
        zstr_free (&line);
        line = next;
    }
    char *command = zsys_sprintf ("INNOV_BROKER=%s %s %s > /dev/null", harness_broker (h), harness_bin ("innovctl"), line);
    assert_int_equal (system (command), 0);
    zstr_free (&command);
    zstr_free (&line);
    /* forming: still no work group; ready: the gaps move on to "no pairing" */
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "noWorkGroup"), tracked_city);
    free (stack_ctl (h, 0, "--as", "city:" CITY, "group", "ready", id, NULL));
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "noWorkGroup"), 0);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "noPairing"), tracked_city);

    /* matching: another city may not apply it for this one */
    free (stack_ctl (h, 1, "--as", "city:140200", "pair", "suggest", "--city", CITY, "--apply", NULL));
    out = stack_ctl (h, 0, "--as", "city:" CITY, "--json", "pair", "suggest", "--city", CITY, "--apply", NULL);
    char *considered = inv_json_get (out, "considered");
    assert_non_null (considered);
    assert_int_equal (atol (considered), tracked_city);
    free (considered);
    free (out);
    /* 100%: checked against the direct count */
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "covered"), tracked_city);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "gaps"), 0);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "pairings"), tracked_city);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "mentored"), must_mentor);
    out = stack_ctl (h, 0, "coverage", "gaps", "--city", CITY, NULL);
    assert_non_null (strstr (out, "共 0 个缺口"));
    free (out);
    /* the table says 100.0% */
    out = stack_ctl (h, 0, "coverage", "--by", "city", NULL);
    assert_non_null (strstr (out, "100.0%"));
    free (out);
    /* another run finds nothing left to do */
    out = stack_ctl (h, 0, "--json", "pair", "suggest", "--city", CITY, NULL);
    char *proposed = inv_json_get (out, "proposed");
    assert_true (!proposed || atol (proposed) == 0);
    free (proposed);
    free (out);
    zstr_free (&id);
}

static void
test_active_enterprise_ends_its_pairing (void **state)
{
    harness_t *h = *state;
    /* a paired enterprise of the city */
    char *out = stack_ctl (h, 0, "--json", "pair", "list", "--city", CITY, "--limit", "1", NULL);
    char *code = inv_json_get (out, "pairings[0].enterprise");
    char *pid = inv_json_get (out, "pairings[0].id");
    assert_non_null (code);
    assert_non_null (pid);
    free (out);
    long tracked = s_coverage (h, "city", "city:" CITY, "tracked");
    long pairings = s_coverage (h, "city", "city:" CITY, "pairings");
    /* its status moves on in the registry (from wherever it stands) */
    out = stack_ctl (h, 0, "--json", "enterprise", "get", code, NULL);
    char *status = inv_json_get (out, "status");
    free (out);
    if (status && streq (status, "NOT_STARTED"))
        free (stack_ctl (h, 0, "enterprise", "status", code, "--to", "in_progress", NULL));
    free (status);
    free (stack_ctl (h, 0, "enterprise", "status", code, "--to", "active", "--reason", "建成研发机构", NULL));
    /* the pairing service ends the pairing from the event alone */
    char *state_text = NULL;
    for (int i = 0; i < 200; i++) {
        out = stack_ctl (h, 0, "--json", "pair", "get", pid, NULL);
        free (state_text);
        state_text = inv_json_get (out, "state");
        free (out);
        if (state_text && streq (state_text, "ended"))
            break;
        zclock_sleep (50);
    }
    assert_string_equal (state_text, "ended");
    free (state_text);
    out = stack_ctl (h, 0, "--json", "pair", "get", pid, NULL);
    char *reason = inv_json_get (out, "endReason");
    assert_string_equal (reason, "enterprise_active");
    assert_non_null (strstr (out, "\"ended\""));
    free (reason);
    free (out);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "tracked"), tracked - 1);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "pairings"), pairings - 1);
    assert_int_equal (s_coverage (h, "city", "city:" CITY, "gaps"), 0);
    /* the enterprise may not be paired again */
    free (stack_ctl (h, 1, "pair", "add", code, NULL));
    /* the event is in the stream */
    out = stack_ctl (h, 0, "events", "tail", "--since", "0", "--topic", "pairing.ended", "--count", "1", NULL);
    assert_non_null (strstr (out, pid));
    free (out);
    free (code);
    free (pid);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_city_reaches_full_coverage),
        cmocka_unit_test (test_active_enterprise_ends_its_pairing),
    };
    return cmocka_run_group_tests (tests, s_stack_up, stack_down);
}
