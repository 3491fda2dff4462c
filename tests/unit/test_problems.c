/*  test_problems: the problems service's handlers called directly (no sockets) against
    a Redis of their own, with an enterprise lookup of the test's in place of the
    registry.

    - the median of a days histogram;
    - raising: every bad field named at once, scopes (403), an unknown enterprise, and
      nothing written by any refusal; the event stream holds problem.raised and the
      assign deadline with the right agency, due time and clearing event;
    - a random walk of 60 problems through the ladder by the right and the wrong
      principals, with the clock moving: after it, every scope's counters, deadline
      index, days histogram and list equal what the records themselves say;
    - idempotency: a raise retried with its key gives the first problem, a refused step
      retried with its key is refused again, a step retried after success answers as
      the first time and emits nothing more.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "inv_clock.h"
#include "inv_valid.h"
#include "../../services/problems/problems.h"
#include "problems.pb-c.h"
#include "notify.pb-c.h"
#include "figures.pb-c.h"

static redis_fixture_t *F;
static problems_t *S;
static char E1 [19], E2 [19];
static const int64_t T0 = 1775005200000LL;     /* 2026-04-01T09:00:00+08:00 */

/* The test's registry: two enterprises. */
static int
s_lookup (void *arg, const char *code, Innov__Enterprise **enterprise_p, char *reason, size_t size)
{
    (void) arg;
    bool one = streq (code, E1), two = streq (code, E2);
    if (!one && !two) {
        snprintf (reason, size, "no enterprise %s", code);
        return 404;
    }
    Innov__Enterprise view = INNOV__ENTERPRISE__INIT;
    view.credit_code = (char *) code;
    view.name = (char *) (one? "太原单元测试机械有限公司": "大同单元测试材料有限公司");
    view.city = (char *) (one? "140100": "140200");
    view.county = (char *) (one? "140105": "140213");
    view.department = (char *) (one? "gxt": "kjt");
    size_t len = protobuf_c_message_get_packed_size (&view.base);
    uint8_t *buf = malloc (len + 1);
    protobuf_c_message_pack (&view.base, buf);
    *enterprise_p = innov__enterprise__unpack (NULL, len, buf);
    free (buf);
    return 200;
}

static int
group_setup (void **state)
{
    if (redis_fixture_setup (state, &F, NULL, NULL) < 0)
        return -1;
    inv_config_t cfg = F->config;
    cfg.broker = "tcp://127.0.0.1:1";
    S = problems_new (&cfg);
    problems_set_lookup (S, s_lookup, NULL);
    inv_credit_code_complete ("91140105MA0UNT001", E1);
    inv_credit_code_complete ("91140213MA0UNT002", E2);
    return S? 0: -1;
}

static int
group_teardown (void **state)
{
    (void) state;
    problems_destroy (&S);
    redis_fixture_destroy (&F);
    inv_clock_reset ();
    return 0;
}

static int
test_setup (void **state)
{
    (void) state;
    inv_clock_freeze (T0);
    return redis_fixture_flush (F);
}

/* ---- calling handlers --------------------------------------------------------------- */

typedef struct {
    int code;
    char message [512];
    char id [32];
    char state [32];
} result_t;

static result_t
s_call (inv_handler_fn *handler, const char *caller, const ProtobufCMessage *request)
{
    inv_call_t call;
    inv_call_init (&call, S, caller, "test", request);
    handler (S, &call);
    result_t r = { call.code? call.code: 200, "", "", "" };
    snprintf (r.message, sizeof r.message, "%s", call.message);
    if (r.code == 200 && call.reply && call.reply->descriptor == &innov__problem_reply__descriptor) {
        const Innov__ProblemReply *reply = (const Innov__ProblemReply *) call.reply;
        snprintf (r.id, sizeof r.id, "%s", reply->problem->id);
        snprintf (r.state, sizeof r.state, "%s", reply->problem->state);
    }
    inv_call_clear (&call);
    return r;
}

static result_t
s_raise (const char *caller, const char *enterprise, const char *kind, bool complex, const char *group,
         const char *key)
{
    Innov__RaiseProblemRequest req = INNOV__RAISE_PROBLEM_REQUEST__INIT;
    req.enterprise = (char *) enterprise;
    req.category = (char *) "funding";
    req.description = (char *) "缺少资金";
    req.kind = (char *) kind;
    req.complex = complex;
    req.work_group = (char *) (group? group: "");
    req.idempotency_key = (char *) (key? key: "");
    return s_call (problems_raise, caller, &req.base);
}

static result_t
s_step (inv_handler_fn *handler, const char *caller, const char *id, const char *note, const char *key)
{
    Innov__ProblemStepRequest req = INNOV__PROBLEM_STEP_REQUEST__INIT;
    req.id = (char *) id;
    req.note = (char *) (note? note: "");
    req.idempotency_key = (char *) (key? key: "");
    return s_call (handler, caller, &req.base);
}

static result_t
s_assign (const char *caller, const char *id, const char *to)
{
    Innov__AssignProblemRequest req = INNOV__ASSIGN_PROBLEM_REQUEST__INIT;
    req.id = (char *) id;
    req.to = (char *) (to? to: "");
    return s_call (problems_assign, caller, &req.base);
}

static result_t
s_plan (const char *caller, const char *id, int64_t due)
{
    Innov__PlanProblemRequest req = INNOV__PLAN_PROBLEM_REQUEST__INIT;
    req.id = (char *) id;
    req.plan = (char *) "分期办理";
    req.due_ms = due;
    return s_call (problems_plan, caller, &req.base);
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_median (void **state)
{
    (void) state;
    long long d1 [] = { 5 }, c1 [] = { 1 };
    assert_true (problems_median (d1, c1, 1) == 5);
    long long d2 [] = { 9, 2, 4 }, c2 [] = { 1, 1, 1 };
    assert_true (problems_median (d2, c2, 3) == 4);
    long long d3 [] = { 10, 2 }, c3 [] = { 1, 1 };
    assert_true (problems_median (d3, c3, 2) == 6);
    long long d4 [] = { 3, 1, 7 }, c4 [] = { 2, 5, 2 };        /* 1 1 1 1 1 3 3 7 7 */
    assert_true (problems_median (d4, c4, 3) == 1);
    long long d5 [] = { 3, 1 }, c5 [] = { 2, 2 };              /* 1 1 3 3 */
    assert_true (problems_median (d5, c5, 2) == 2);
    assert_true (problems_median (NULL, NULL, 0) == 0);
}

static void
test_raise_refusals_and_events (void **state)
{
    (void) state;
    /* every bad field at once */
    Innov__RaiseProblemRequest bad = INNOV__RAISE_PROBLEM_REQUEST__INIT;
    bad.enterprise = (char *) "91140105MA0UNT0019";
    bad.category = (char *) "weather";
    bad.kind = (char *) "both";
    bad.source = (char *) "radio";
    bad.work_group = (char *) "a b";
    result_t r = s_call (problems_raise, "group:G1", &bad.base);
    assert_int_equal (r.code, 400);
    const char *fields [] = { "enterprise:", "category:", "description:", "kind:", "work_group:", "source:" };
    for (size_t i = 0; i < 6; i++)
        if (!strstr (r.message, fields [i]))
            fail_msg ("%s not in %s", fields [i], r.message);
    /* scopes */
    assert_int_equal (s_raise ("dept:gxt", E1, "government", false, NULL, NULL).code, 403);
    assert_int_equal (s_raise ("county:140105", E1, "government", false, NULL, NULL).code, 403);
    assert_int_equal (s_raise ("anonymous", E1, "government", false, NULL, NULL).code, 403);
    char other [32];
    snprintf (other, sizeof other, "ent:%s", E2);
    assert_int_equal (s_raise (other, E1, "government", false, NULL, NULL).code, 403);
    assert_int_equal (s_raise ("city:140200", E1, "government", false, NULL, NULL).code, 403);
    assert_int_equal (s_raise ("group:G1", E1, "government", false, "G2", NULL).code, 403);
    /* own problems need a work group; an unknown enterprise is a field error */
    r = s_raise ("province", E1, "own", false, NULL, NULL);
    assert_int_equal (r.code, 400);
    assert_non_null (strstr (r.message, "work_group"));
    char unknown [19];
    inv_credit_code_complete ("91140105MA0UNT009", unknown);
    r = s_raise ("province", unknown, "government", false, NULL, NULL);
    assert_int_equal (r.code, 400);
    assert_non_null (strstr (r.message, "not a registered enterprise"));
    assert_int_equal (redis_fixture_integer (F, "DBSIZE"), 0);          /* not even a problem number drawn */

    /* one raised: the record, its event and its assign deadline */
    r = s_raise ("group:G1", E1, "government", false, NULL, NULL);
    assert_int_equal (r.code, 200);
    assert_string_equal (r.state, "raised");
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), 2);
    redisReply *entries = inv_redis_command (F->redis, "XRANGE {14}:events - +");
    assert_non_null (entries);
    assert_int_equal (entries->elements, 2);
    redisReply *fields1 = entries->element [1]->element [1];
    Innov__DeadlineAnnounced *a = NULL;
    const char *type = NULL, *city = NULL;
    for (size_t i = 0; i + 1 < fields1->elements; i += 2) {
        const char *name = fields1->element [i]->str;
        redisReply *value = fields1->element [i + 1];
        if (streq (name, "type"))
            type = value->str;
        if (streq (name, "city"))
            city = value->str;
        if (streq (name, "payload"))
            a = innov__deadline_announced__unpack (NULL, value->len, (const uint8_t *) value->str);
    }
    assert_string_equal (type, "deadline.announced");
    assert_string_equal (city, "140100");
    assert_non_null (a);
    char want [64];
    snprintf (want, sizeof want, "problem:%s:assign", r.id);
    assert_string_equal (a->id, want);
    assert_string_equal (a->agency, "city:140100");
    assert_true (a->due_ms == T0 + PROBLEMS_ASSIGN_MS);
    assert_string_equal (a->clear_type, "problem.deadline_met");
    snprintf (want, sizeof want, "%s:assign", r.id);
    assert_string_equal (a->clear_subject, want);
    innov__deadline_announced__free_unpacked (a, NULL);
    freeReplyObject (entries);
    /* own problems: the work group answers for the assignment */
    r = s_raise ("province", E2, "own", false, "G7", NULL);
    assert_int_equal (r.code, 200);
    Innov__GetProblemRequest get = INNOV__GET_PROBLEM_REQUEST__INIT;
    get.id = r.id;
    assert_int_equal (s_call (problems_get, "anonymous", &get.base).code, 403);
    char self [32];
    snprintf (self, sizeof self, "ent:%s", E1);
    assert_int_equal (s_call (problems_get, self, &get.base).code, 403);
    snprintf (self, sizeof self, "ent:%s", E2);
    assert_int_equal (s_call (problems_get, self, &get.base).code, 200);
    get.id = (char *) "P999";
    assert_int_equal (s_call (problems_get, "province", &get.base).code, 404);
}

/* ---- the random walk and the invariants --------------------------------------------- */

typedef struct {
    long long raised, open, resolved, closed, on_time, late, government, own;
    zhash_t *due;           /* id -> next due text */
    zhash_t *days;          /* days -> count text */
    zlist_t *members;       /* ids listed */
} tally_t;

static tally_t *
s_tally_of (zhash_t *tallies, const char *scope)
{
    tally_t *t = (tally_t *) zhash_lookup (tallies, scope);
    if (!t) {
        t = (tally_t *) calloc (1, sizeof *t);
        t->due = zhash_new ();
        zhash_autofree (t->due);
        t->days = zhash_new ();
        zhash_autofree (t->days);
        t->members = zlist_new ();
        zlist_autofree (t->members);
        zhash_insert (tallies, scope, t);
    }
    return t;
}

static void
s_tally_free (void *item)
{
    tally_t *t = (tally_t *) item;
    zhash_destroy (&t->due);
    zhash_destroy (&t->days);
    zlist_destroy (&t->members);
    free (t);
}

static long long
s_hget (const char *key, const char *field)
{
    return redis_fixture_integer (F, "HGET %s %s", key, field);
}

/* Recompute every scope's figures from the records and compare with what the scripts kept. */
static void
s_check_invariants (int n_problems)
{
    zhash_t *tallies = zhash_new ();
    for (int i = 1; i <= n_problems; i++) {
        redisReply *r = inv_redis_command (F->redis, "HGET {14}:problem:P%d body", i);
        assert_non_null (r);
        if (r->type != REDIS_REPLY_STRING) {
            freeReplyObject (r);
            continue;
        }
        Innov__Problem *p = innov__problem__unpack (NULL, r->len, (const uint8_t *) r->str);
        freeReplyObject (r);
        assert_non_null (p);
        char scopes [5][96];
        int n = 0;
        snprintf (scopes [n++], 96, "province");
        snprintf (scopes [n++], 96, "city:%s", p->city);
        snprintf (scopes [n++], 96, "dept:%s", p->department);
        if (*p->work_group)
            snprintf (scopes [n++], 96, "group:%s", p->work_group);
        if (*p->handler)
            snprintf (scopes [n++], 96, "handler:%s", p->handler);
        bool done = streq (p->state, "resolved") || streq (p->state, "closed");
        for (int s = 0; s < n; s++) {
            tally_t *t = s_tally_of (tallies, scopes [s]);
            t->raised++;
            t->open += !done;
            t->resolved += streq (p->state, "resolved");
            t->closed += streq (p->state, "closed");
            t->on_time += done && p->on_time;
            t->late += done && !p->on_time;
            t->government += streq (p->kind, "government");
            t->own += streq (p->kind, "own");
            zlist_append (t->members, p->id);
            if (!done) {
                char due [24];
                snprintf (due, sizeof due, "%lld", (long long) p->next_due_ms);
                zhash_insert (t->due, p->id, due);
            }
            else {
                char day [16];
                snprintf (day, sizeof day, "%u", p->days_to_solve);
                const char *had = (const char *) zhash_lookup (t->days, day);
                char count [16];
                snprintf (count, sizeof count, "%d", had? atoi (had) + 1: 1);
                zhash_update (t->days, day, count);
            }
        }
        innov__problem__free_unpacked (p, NULL);
    }
    assert_int_equal (redis_fixture_integer (F, "SCARD {14}:problems.scopes"), (long long) zhash_size (tallies));
    for (tally_t *t = (tally_t *) zhash_first (tallies); t; t = (tally_t *) zhash_next (tallies)) {
        const char *scope = zhash_cursor (tallies);
        char k [160];
        snprintf (k, sizeof k, "{14}:problems.cnt:%s", scope);
        const char *names [] = { "raised", "open", "resolved", "closed", "on_time", "late", "government", "own" };
        for (int f = 0; f < 8; f++)
            if (s_hget (k, names [f]) != (&t->raised) [f])
                fail_msg ("%s %s: stored %lld, records say %lld", scope, names [f], s_hget (k, names [f]),
                          (&t->raised) [f]);
        snprintf (k, sizeof k, "{14}:problems.due:%s", scope);
        assert_int_equal (redis_fixture_integer (F, "ZCARD %s", k), (long long) zhash_size (t->due));
        for (const char *due = (const char *) zhash_first (t->due); due; due = (const char *) zhash_next (t->due))
            assert_int_equal (redis_fixture_integer (F, "ZSCORE %s %s", k, zhash_cursor (t->due)), atoll (due));
        snprintf (k, sizeof k, "{14}:problems.days:%s", scope);
        long long histogram = 0;
        for (const char *c = (const char *) zhash_first (t->days); c; c = (const char *) zhash_next (t->days)) {
            assert_int_equal (s_hget (k, zhash_cursor (t->days)), atoll (c));
            histogram += atoll (c);
        }
        assert_int_equal (histogram, t->resolved + t->closed);
        snprintf (k, sizeof k, "{14}:problems.idx:%s", scope);
        assert_int_equal (redis_fixture_integer (F, "ZCARD %s", k), (long long) zlist_size (t->members));
        s_tally_free (t);
    }
    zhash_destroy (&tallies);
}

/* Who normally takes step (the order of the walk's switch) on problem id. */
static void
s_rightful (const char *id, int step, char *out, size_t size)
{
    redisReply *r = inv_redis_command (F->redis, "HGET {14}:problem:%s body", id);
    assert_non_null (r);
    Innov__Problem *p = innov__problem__unpack (NULL, r->len, (const uint8_t *) r->str);
    freeReplyObject (r);
    assert_non_null (p);
    bool own = streq (p->kind, "own");
    if (step == 0)
        snprintf (out, size, "city:%s", p->city);
    else
    if (step == 6)
        snprintf (out, size, "province");
    else
    if (own && rand () % 2)
        snprintf (out, size, "ent:%s", p->enterprise);
    else
    if (own)
        snprintf (out, size, "group:%s", p->work_group);
    else
        snprintf (out, size, "%s", *p->handler? p->handler: "province");
    innov__problem__free_unpacked (p, NULL);
}

static void
test_random_walk (void **state)
{
    (void) state;
    srand (2026);
    const int N = 60;
    const char *callers [] = { "province", "city:140100", "city:140200", "dept:gxt", "dept:kjt", "group:G1",
                               "group:G2", NULL, NULL };
    char ent1 [32], ent2 [32];
    snprintf (ent1, sizeof ent1, "ent:%s", E1);
    snprintf (ent2, sizeof ent2, "ent:%s", E2);
    callers [7] = ent1;
    callers [8] = ent2;
    int raised = 0;
    for (int i = 0; i < N; i++) {
        bool one = rand () % 2;
        bool own = rand () % 3 == 0;
        const char *group = own || rand () % 2? (rand () % 2? "G1": "G2"): NULL;
        const char *raiser = group && rand () % 2? (streq (group, "G1")? "group:G1": "group:G2")
                           : rand () % 2? (one? ent1: ent2): one? "city:140100": "province";
        result_t r = s_raise (raiser, one? E1: E2, own? "own": "government", rand () % 2, group, NULL);
        assert_int_equal (r.code, 200);
        raised++;
    }
    int ok = 0, refused = 0;
    for (int turn = 0; turn < 1200; turn++) {
        inv_clock_freeze (T0 + (int64_t) turn * 3600000LL);        /* an hour per turn */
        char id [16];
        snprintf (id, sizeof id, "P%d", 1 + rand () % N);
        int step = rand () % 7;
        /* two times in three the caller the step wants, else anyone */
        char right [64];
        s_rightful (id, step, right, sizeof right);
        const char *caller = rand () % 3? right: callers [rand () % 9];
        result_t r;
        switch (step) {
            case 0: {
                const char *to [] = { "dept:gxt", "dept:kjt", "city:140100", "city:140200", "", ent1, ent2 };
                r = s_assign (caller, id, to [rand () % 7]);
                break;
            }
            case 1: r = s_step (problems_accept, caller, id, NULL, NULL); break;
            case 2: r = s_step (problems_progress, caller, id, "进展", NULL); break;
            case 3: r = s_plan (caller, id, inv_clock_now_ms () + (rand () % 40 + 1) * 86400000LL); break;
            case 4:
            case 5: r = s_step (problems_resolve, caller, id, "办结", NULL); break;
            default: r = s_step (problems_close, caller, id, NULL, NULL); break;
        }
        if (r.code == 200)
            ok++;
        else {
            assert_true (r.code == 403 || r.code == 409 || r.code == 400);
            refused++;
        }
        if (turn % 300 == 299)
            s_check_invariants (raised);
    }
    assert_true (ok > 80);
    assert_true (refused > 50);
    s_check_invariants (raised);

    /* figures.get answers from those counters: overdue is the due index up to now */
    Innov__FiguresRequest req = INNOV__FIGURES_REQUEST__INIT;
    req.scope = (char *) "province";
    inv_call_t call;
    inv_call_init (&call, S, "province", "figures.get", &req.base);
    problems_figures (S, &call);
    assert_int_equal (call.code? call.code: 200, 200);
    const Innov__FiguresReply *reply = (const Innov__FiguresReply *) call.reply;
    assert_int_equal (reply->n_rows, 1);
    for (size_t i = 0; i < reply->rows [0]->n_figures; i++) {
        const Innov__Figure *f = reply->rows [0]->figures [i];
        if (streq (f->name, "problems.raised"))
            assert_true (f->value == N);
        if (streq (f->name, "problems.overdue"))
            assert_true (f->value == (double) redis_fixture_integer (F, "ZCOUNT {14}:problems.due:province -inf %lld",
                                                     (long long) inv_clock_now_ms ()));
        if (streq (f->name, "problems.open"))
            assert_true (f->value == (double) redis_fixture_integer (F, "ZCARD {14}:problems.due:province"));
    }
    inv_call_clear (&call);
    req.scope = (char *) "county:140105";
    inv_call_init (&call, S, "province", "figures.get", &req.base);
    problems_figures (S, &call);
    assert_int_equal (((const Innov__FiguresReply *) call.reply)->n_rows, 0);
    inv_call_clear (&call);
    req.scope = (char *) "city:999999";
    inv_call_init (&call, S, "province", "figures.get", &req.base);
    problems_figures (S, &call);
    assert_int_equal (call.code, 400);
    inv_call_clear (&call);
}

static void
test_idempotency (void **state)
{
    (void) state;
    result_t a = s_raise ("group:G1", E1, "government", false, NULL, "k-1");
    result_t b = s_raise ("group:G1", E1, "government", false, NULL, "k-1");
    assert_int_equal (a.code, 200);
    assert_int_equal (b.code, 200);
    assert_string_equal (a.id, b.id);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:problem:P2"), 0);
    assert_int_equal (redis_fixture_integer (F, "HGET {14}:problems.cnt:province raised"), 1);
    long long events = redis_fixture_integer (F, "XLEN {14}:events");
    /* a refused step (not accepted yet) with a key: refused again, nothing written */
    assert_int_equal (s_step (problems_accept, "dept:gxt", a.id, NULL, "k-2").code, 403);
    assert_int_equal (s_assign ("city:140100", a.id, "dept:gxt").code, 200);
    assert_int_equal (s_step (problems_resolve, "dept:gxt", a.id, "x", "k-3").code, 409);
    assert_int_equal (s_step (problems_resolve, "dept:gxt", a.id, "x", "k-3").code, 409);
    assert_int_equal (s_step (problems_accept, "dept:gxt", a.id, NULL, "k-4").code, 200);
    long long after = redis_fixture_integer (F, "XLEN {14}:events");
    result_t again = s_step (problems_accept, "dept:gxt", a.id, NULL, "k-4");
    assert_int_equal (again.code, 200);
    assert_string_equal (again.state, "accepted");
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), after);
    assert_true (after > events);
    /* a plan needs a complex problem and a date ahead */
    assert_int_equal (s_plan ("dept:gxt", a.id, T0 + 86400000LL).code, 409);
    assert_int_equal (s_plan ("dept:gxt", a.id, T0 - 1).code, 400);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_median),
        cmocka_unit_test_setup (test_raise_refusals_and_events, test_setup),
        cmocka_unit_test_setup (test_random_walk, test_setup),
        cmocka_unit_test_setup (test_idempotency, test_setup),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
