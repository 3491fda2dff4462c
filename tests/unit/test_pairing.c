/*  test_pairing: the pairing service's handlers and projection called directly (no
    sockets) against a real redis-server shared with a registry: enterprises are written
    through the registry's handlers and their events fed to the projection as the
    follower would (twice, to show the handlers are idempotent). Work groups with the
    composition rule and scope, pairings with mentors and capacities, coverage counters
    and gaps against a direct count, an enterprise turning ACTIVE and a mentor closing,
    guidance links, figures; and the matcher: determinism, capacities, tiers, and the
    distance to the exact optimum on small instances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "registry_fixture.h"
#include "unit_call.h"
#include "../../services/pairing/pairing.h"
#include "../../services/pairing/pairing_match.h"
#include "inv_event.h"
#include "inv_valid.h"
#include "registry.pb-c.h"

static registry_fixture_t F;
static pairing_t *P;
static uint64_t S_seq;              /* events fed so far */
static const char *S_cluster = "";  /* cluster of the enterprises s_add_ent makes */

static int
s_group_setup (void **state)
{
    (void) state;
    if (registry_fixture_setup (&F))
        return -1;
    inv_config_t cfg = { .redis = harness_redis (F.harness), .province = "14" };
    P = pairing_new (&cfg, 0);
    return P? 0: -1;
}

static int
s_group_teardown (void **state)
{
    (void) state;
    pairing_destroy (&P);
    return registry_fixture_teardown (&F);
}

static int
s_flush (void **state)
{
    (void) state;
    S_seq = 0;
    return registry_fixture_flush (&F);
}

/* Feed the events written since the last feed to the projection (as the follower does). */
static void
s_feed_from (uint64_t after)
{
    for (;;) {
        Innov__Event **events = NULL;
        size_t count = 0;
        assert_true (inv_event_range (F.redis, "14", after, "", 1000, &events, &count) >= 0);
        for (size_t i = 0; i < count; i++) {
            assert_true (pairing_project_event (P, events [i]) >= 0);
            after = events [i]->seq;
            inv_event_free (&events [i]);
        }
        free (events);
        assert_int_equal (pairing_project_flush (P), 0);
        if (count < 1000)
            break;
    }
}

static void
s_feed (void)
{
    int64_t last = inv_event_last_seq (F.redis, "14");
    s_feed_from (S_seq);
    S_seq = (uint64_t) last;
}

static int
s_call (inv_handler_fn *fn, void *ctx, const char *caller, const char *method, const ProtobufCMessage *req,
        inv_call_t *call)
{
    return unit_call (call, ctx, fn, caller, method, req);
}

static int
s_call_simple (inv_handler_fn *fn, const char *caller, const char *method, const ProtobufCMessage *req)
{
    return unit_call_code (P, fn, caller, method, req);
}

/* An enterprise of Taiyuan numbered n. */
static const char *
s_add_ent (int n, const char *county, const char *industry, Innov__InnovationStatus status, uint32_t capacity)
{
    static char codes [400][20];
    char *code = codes [n % 400];
    registry_fixture_code (n, code);
    char name [64];
    snprintf (name, sizeof name, "测试企业%d有限公司", n);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = code;
    e.name = name;
    e.county = (char *) county;
    e.industry = (char *) industry;
    e.department = (char *) "gxt";
    e.cluster = (char *) S_cluster;
    e.status = status;
    e.mentor_capacity = capacity;
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    inv_call_t call;
    assert_int_equal (s_call (registry_enterprise_add, F.registry, "province", "enterprise.add", &req.base, &call), 200);
    inv_call_clear (&call);
    return code;
}

static void
s_transition (const char *code, Innov__InnovationStatus to)
{
    Innov__TransitionRequest req = INNOV__TRANSITION_REQUEST__INIT;
    req.credit_code = (char *) code;
    req.to = to;
    inv_call_t call;
    assert_int_equal (s_call (registry_enterprise_transition, F.registry, "province", "enterprise.transition",
                              &req.base, &call), 200);
    inv_call_clear (&call);
}

static long long
s_cov (const char *scope, const char *field)
{
    return registry_fixture_integer (&F, "HGET {14}:pair.cov:%s %s", scope, field);
}

/* Events after seq `after` whose type starts with prefix. */
static int
s_count_events (const char *prefix, uint64_t after)
{
    redisReply *r = inv_redis_command (F.redis, "XRANGE {14}:events %llu-1 +", (unsigned long long) after + 1);
    assert_non_null (r);
    int n = 0;
    for (size_t i = 0; i < r->elements; i++)
        n += strncmp (r->element [i]->element [1]->element [1]->str, prefix, strlen (prefix)) == 0;
    freeReplyObject (r);
    return n;
}

static void
s_member (Innov__GroupMember *m, const char *name, const char *kind, const char *rank, const char *unit_kind)
{
    innov__group_member__init (m);
    m->name = (char *) name;
    m->unit = (char *) "单位";
    m->kind = (char *) kind;
    m->rank = (char *) rank;
    m->unit_kind = (char *) unit_kind;
}

/* A work group of owner with five members (a valid composition); its id into id. */
static void
s_make_group (const char *owner, const char *caller, char *id, size_t size)
{
    Innov__WorkGroup g = INNOV__WORK_GROUP__INIT;
    g.name = (char *) "工作专班";
    g.owner = (char *) owner;
    Innov__AddGroupRequest req = INNOV__ADD_GROUP_REQUEST__INIT;
    req.group = &g;
    inv_call_t call;
    assert_int_equal (s_call (pairing_group_add, P, caller, "group.add", &req.base, &call), 200);
    snprintf (id, size, "%s", ((Innov__GroupReply *) call.reply)->group->id);
    inv_call_clear (&call);
    const char *names [] = { "处长", "科长", "干部甲", "干部乙", "教授" };
    for (int i = 0; i < 5; i++) {
        Innov__GroupMember m;
        s_member (&m, names [i], i == 4? "technical": "official", i == 0? "division": "", i == 4? "university": "");
        Innov__GroupMemberRequest mr = INNOV__GROUP_MEMBER_REQUEST__INIT;
        mr.group_id = id;
        mr.member = &m;
        assert_int_equal (s_call_simple (pairing_group_member_add, caller, "group.member.add", &mr.base), 200);
    }
}

static int
s_assign (const char *id, const char **codes, size_t n)
{
    Innov__GroupEnterprisesRequest req = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
    req.group_id = (char *) id;
    req.enterprises = (char **) codes;
    req.n_enterprises = n;
    return s_call_simple (pairing_group_assign, "province", "group.assign", &req.base);
}

static int
s_ready (const char *id)
{
    Innov__GroupReadyRequest req = INNOV__GROUP_READY_REQUEST__INIT;
    req.group_id = (char *) id;
    return s_call_simple (pairing_group_ready, "province", "group.ready", &req.base);
}

/* ---- work groups ---- */

static void
test_group_rule_names_each_violation (void **state)
{
    (void) state;
    Innov__WorkGroup g = INNOV__WORK_GROUP__INIT;
    Innov__GroupMember m [7], *mp [7];
    for (int i = 0; i < 7; i++) {
        s_member (&m [i], "x", "official", "", "");
        mp [i] = &m [i];
    }
    g.members = mp;
    g.n_members = 4;
    inv_call_t call;
    inv_call_init (&call, NULL, "province", "group.ready", NULL);
    assert_false (pairing_group_check_rule (&g, &call, ""));
    assert_int_equal (call.code, 400);
    assert_int_equal (zlist_size (call.details), 3);
    assert_true (unit_call_has_detail (&call, "members"));
    assert_true (unit_call_has_detail (&call, "members.rank"));
    assert_true (unit_call_has_detail (&call, "members.unit_kind"));
    inv_call_clear (&call);
    /* a technical member of a company does not count; of an institute it does */
    g.n_members = 6;
    m [0].rank = (char *) "division";
    m [1].kind = (char *) "technical";
    m [1].unit_kind = (char *) "enterprise";
    inv_call_init (&call, NULL, "province", "group.ready", NULL);
    assert_false (pairing_group_check_rule (&g, &call, ""));
    assert_int_equal (zlist_size (call.details), 1);
    assert_true (unit_call_has_detail (&call, "members.unit_kind"));
    inv_call_clear (&call);
    m [1].unit_kind = (char *) "institute";
    inv_call_init (&call, NULL, "province", "group.ready", NULL);
    assert_true (pairing_group_check_rule (&g, &call, ""));
    inv_call_clear (&call);
    g.n_members = 7;
    inv_call_init (&call, NULL, "province", "group.ready", NULL);
    assert_false (pairing_group_check_rule (&g, &call, ""));
    assert_true (unit_call_has_detail (&call, "members"));
    inv_call_clear (&call);
}

static void
test_group_scope_and_ready (void **state)
{
    (void) state;
    const char *a = s_add_ent (1, "140105", "3311", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    s_feed ();
    /* a city may not create another city's group, nor a department's */
    Innov__WorkGroup g = INNOV__WORK_GROUP__INIT;
    g.name = (char *) "专班";
    g.owner = (char *) "city:140100";
    Innov__AddGroupRequest req = INNOV__ADD_GROUP_REQUEST__INIT;
    req.group = &g;
    assert_int_equal (s_call_simple (pairing_group_add, "city:140200", "group.add", &req.base), 403);
    assert_int_equal (s_call_simple (pairing_group_add, "dept:gxt", "group.add", &req.base), 403);
    g.owner = (char *) "town:1";
    assert_int_equal (s_call_simple (pairing_group_add, "province", "group.add", &req.base), 400);
    /* the city's own group: an empty group is refused ready, naming three rules */
    g.owner = (char *) "city:140100";
    inv_call_t call;
    assert_int_equal (s_call (pairing_group_add, P, "city:140100", "group.add", &req.base, &call), 200);
    char empty [40];
    snprintf (empty, sizeof empty, "%s", ((Innov__GroupReply *) call.reply)->group->id);
    inv_call_clear (&call);
    Innov__GroupReadyRequest rr = INNOV__GROUP_READY_REQUEST__INIT;
    rr.group_id = empty;
    assert_int_equal (s_call (pairing_group_ready, P, "city:140100", "group.ready", &rr.base, &call), 400);
    assert_int_equal (zlist_size (call.details), 3);
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.gcnt:city:140100 forming"), 1);

    char id [40];
    s_make_group ("city:140100", "city:140100", id, sizeof id);
    /* another city may not assign to it; an enterprise of another city is refused */
    Innov__GroupEnterprisesRequest ar = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
    ar.group_id = id;
    ar.enterprises = (char **) &a;
    ar.n_enterprises = 1;
    assert_int_equal (s_call_simple (pairing_group_assign, "city:140200", "group.assign", &ar.base), 403);
    char other [20];
    registry_fixture_code (99, other);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = other; e.name = (char *) "大同测试企业有限公司"; e.county = (char *) "140212";
    e.industry = (char *) "3311"; e.department = (char *) "gxt";
    Innov__AddEnterpriseRequest add = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    add.enterprise = &e;
    assert_int_equal (s_call (registry_enterprise_add, F.registry, "province", "enterprise.add", &add.base, &call), 200);
    inv_call_clear (&call);
    s_feed ();
    const char *both [] = { a, other };
    ar.enterprises = (char **) both;
    ar.n_enterprises = 2;
    assert_int_equal (s_call (pairing_group_assign, P, "city:140100", "group.assign", &ar.base, &call), 400);
    assert_true (unit_call_has_detail (&call, "enterprises[1]"));
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:pair.group.ents:%s", id), 0);   /* nothing half-written */
    /* assigned to a forming group: still no work group; ready: counted */
    assert_int_equal (s_assign (id, &a, 1), 200);
    assert_int_equal (s_cov ("city:140100", "no_work_group"), 1);
    assert_int_equal (s_ready (id), 200);
    assert_int_equal (s_cov ("city:140100", "no_work_group"), 0);
    assert_int_equal (s_cov ("city:140100", "no_pairing"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.gcnt:city:140100 ready"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.gcnt:province forming"), 1);
    assert_int_equal (s_ready (id), 409);
    /* removing a member of a ready group that breaks the rule is refused */
    Innov__GroupMember m;
    s_member (&m, "教授", "", "", "");
    Innov__GroupMemberRequest mr = INNOV__GROUP_MEMBER_REQUEST__INIT;
    mr.group_id = id;
    mr.member = &m;
    assert_int_equal (s_call (pairing_group_member_remove, P, "province", "group.member.remove", &mr.base, &call), 400);
    assert_true (unit_call_has_detail (&call, "members"));
    inv_call_clear (&call);
    /* unassigning from the ready group brings the gap back */
    ar.enterprises = (char **) &a;
    ar.n_enterprises = 1;
    assert_int_equal (s_call_simple (pairing_group_unassign, "province", "group.unassign", &ar.base), 200);
    assert_int_equal (s_cov ("city:140100", "no_work_group"), 1);
    /* events: group.created x2, group.updated x5, group.assigned, group.ready, group.unassigned */
    assert_int_equal (s_count_events ("group.", 0), 2 + 5 + 1 + 1 + 1);
}

/* ---- coverage through the event path ---- */

/* The direct count of the test's own data: tracked and covered from what it knows. */
static void
test_coverage_pairing_and_events (void **state)
{
    (void) state;
    /* mentors: two of class 3311 (capacity 1 and 2), one of 2611 (capacity 1) */
    const char *m1 = s_add_ent (10, "140105", "3311", INNOV__INNOVATION_STATUS__ACTIVE, 1);
    const char *m2 = s_add_ent (11, "140106", "3311", INNOV__INNOVATION_STATUS__ACTIVE, 2);
    const char *m3 = s_add_ent (12, "140105", "2611", INNOV__INNOVATION_STATUS__ACTIVE, 1);
    s_add_ent (13, "140105", "3311", INNOV__INNOVATION_STATUS__ACTIVE, 0);       /* not a mentor */
    const char *e [6];
    e [0] = s_add_ent (20, "140105", "3311", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    e [1] = s_add_ent (21, "140105", "3312", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    e [2] = s_add_ent (22, "140106", "3399", INNOV__INNOVATION_STATUS__IN_PROGRESS, 0);
    e [3] = s_add_ent (23, "140105", "2611", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    e [4] = s_add_ent (24, "140105", "2612", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    e [5] = s_add_ent (25, "140105", "1311", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);  /* no mentor possible */
    s_feed ();
    s_feed_from (0);                /* every event again: nothing changes */
    assert_int_equal (s_cov ("province", "tracked"), 6);
    assert_int_equal (s_cov ("city:140100", "no_work_group"), 6);
    assert_int_equal (s_cov ("dept:gxt", "tracked"), 6);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:33 mentors"), 2);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:33 cap"), 3);
    char id [40];
    s_make_group ("city:140100", "province", id, sizeof id);
    assert_int_equal (s_assign (id, e, 6), 200);
    assert_int_equal (s_ready (id), 200);
    assert_int_equal (s_cov ("province", "no_pairing"), 6);

    /* pair.add: capacity, industry and eligibility are checked */
    Innov__AddPairingRequest pr = INNOV__ADD_PAIRING_REQUEST__INIT;
    pr.enterprise = (char *) e [0];
    pr.mentor = (char *) m3;
    inv_call_t call;
    assert_int_equal (s_call (pairing_pair_add, P, "province", "pair.add", &pr.base, &call), 400);
    assert_true (unit_call_has_detail (&call, "mentor"));
    inv_call_clear (&call);
    pr.mentor = (char *) m1;
    assert_int_equal (s_call_simple (pairing_pair_add, "city:140200", "pair.add", &pr.base), 403);
    assert_int_equal (s_call_simple (pairing_pair_add, "city:140100", "pair.add", &pr.base), 200);
    assert_int_equal (s_call_simple (pairing_pair_add, "province", "pair.add", &pr.base), 409);   /* paired */
    pr.enterprise = (char *) e [1];
    assert_int_equal (s_call (pairing_pair_add, P, "province", "pair.add", &pr.base, &call), 400);   /* m1 full */
    assert_non_null (strstr (call.message, "capacity exhausted"));
    inv_call_clear (&call);
    pr.enterprise = (char *) m2;
    pr.mentor = (char *) "";
    assert_int_equal (s_call_simple (pairing_pair_add, "province", "pair.add", &pr.base), 409);      /* ACTIVE */
    assert_int_equal (s_cov ("province", "covered"), 1);
    assert_int_equal (s_cov ("province", "pairings"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.ent:%s load", m1), 1);

    /* matching covers the rest: e1 and e2 with m2 (3-digit 331 and 2-digit 33), e3 with m3,
       e4 capacity exhausted (m3 full), e5 without a mentor possible */
    Innov__SuggestRequest sr = INNOV__SUGGEST_REQUEST__INIT;
    sr.apply = true;
    sr.limit = 100;
    assert_int_equal (s_call_simple (pairing_pair_suggest, "city:140200", "pair.suggest", &sr.base), 403);
    assert_int_equal (s_call (pairing_pair_suggest, P, "province", "pair.suggest", &sr.base, &call), 200);
    const Innov__SuggestReply *r = (const Innov__SuggestReply *) call.reply;
    assert_int_equal (r->considered, 5);
    assert_int_equal (r->proposed, 3);
    assert_int_equal (r->same_3digit, 1);
    assert_int_equal (r->same_2digit, 1);
    assert_int_equal (r->same_4digit, 1);
    assert_int_equal (r->applied, 5);
    inv_call_clear (&call);
    /* direct count: e0..e3 have mentors; e5 has none possible (covered); e4 lacks one */
    assert_int_equal (s_cov ("province", "tracked"), 6);
    assert_int_equal (s_cov ("province", "covered"), 5);
    assert_int_equal (s_cov ("province", "no_mentor"), 1);
    assert_int_equal (s_cov ("province", "pairings"), 6);
    assert_int_equal (s_cov ("province", "mentored"), 4);
    assert_int_equal (registry_fixture_integer (&F, "ZSCORE {14}:pair.gaps:province:no_mentor %s", e [4]), 0);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:pair.gaps:city:140100:no_mentor"), 1);
    Innov__GapsRequest gr = INNOV__GAPS_REQUEST__INIT;
    gr.scope = (char *) "city:140100";
    assert_int_equal (s_call (pairing_coverage_gaps, P, "province", "coverage.gaps", &gr.base, &call), 200);
    const Innov__GapsReply *gaps = (const Innov__GapsReply *) call.reply;
    assert_int_equal (gaps->n_gaps, 1);
    assert_string_equal (gaps->gaps [0]->enterprise, e [4]);
    assert_string_equal (gaps->gaps [0]->detail, "mentor_capacity_exhausted");
    inv_call_clear (&call);

    /* e0 turns ACTIVE: its pairing ends through the event path, m1 gets room again */
    uint64_t before = (uint64_t) inv_event_last_seq (F.redis, "14");
    s_transition (e [0], INNOV__INNOVATION_STATUS__IN_PROGRESS);
    s_transition (e [0], INNOV__INNOVATION_STATUS__ACTIVE);
    s_feed ();
    s_feed_from (before);           /* delivered twice: ended once */
    assert_int_equal (s_cov ("province", "tracked"), 5);
    assert_int_equal (s_cov ("province", "pairings"), 5);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.ent:%s load", m1), 0);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.ent:%s pid", e [0]), 0);
    Innov__ListPairingsRequest lr = INNOV__LIST_PAIRINGS_REQUEST__INIT;
    lr.enterprise = (char *) e [0];
    assert_int_equal (s_call (pairing_pair_list, P, "province", "pair.list", &lr.base, &call), 200);
    const Innov__ListPairingsReply *list = (const Innov__ListPairingsReply *) call.reply;
    assert_int_equal (list->n_pairings, 1);
    assert_string_equal (list->pairings [0]->state, "ended");
    assert_string_equal (list->pairings [0]->end_reason, "enterprise_active");
    inv_call_clear (&call);
    assert_int_equal (s_count_events ("pairing.ended", before), 1);
}

static void
test_mentor_close_releases_mentees (void **state)
{
    (void) state;
    const char *m = s_add_ent (30, "140105", "2611", INNOV__INNOVATION_STATUS__ACTIVE, 2);
    const char *e = s_add_ent (31, "140105", "2611", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    s_feed ();
    char id [40];
    s_make_group ("dept:gxt", "dept:gxt", id, sizeof id);
    assert_int_equal (s_assign (id, &e, 1), 200);
    assert_int_equal (s_ready (id), 200);
    Innov__AddPairingRequest pr = INNOV__ADD_PAIRING_REQUEST__INIT;
    pr.enterprise = (char *) e;
    pr.mentor = (char *) m;
    assert_int_equal (s_call_simple (pairing_pair_add, "dept:gxt", "pair.add", &pr.base), 200);
    assert_int_equal (s_cov ("dept:gxt", "covered"), 1);
    /* the mentor's record changes (capacity 2 -> 3, and a free one's 2 -> 0): the division's
       counters follow, the pairing stays */
    const char *spare = s_add_ent (33, "140105", "2612", INNOV__INNOVATION_STATUS__ACTIVE, 2);
    s_feed ();
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:26 cap"), 4);
    const char *fields [] = { "mentor_capacity" };
    for (int i = 0; i < 2; i++) {
        Innov__Enterprise ue = INNOV__ENTERPRISE__INIT;
        ue.credit_code = (char *) (i? spare: m);
        ue.mentor_capacity = i? 0: 3;
        Innov__UpdateEnterpriseRequest ur = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
        ur.enterprise = &ue;
        ur.fields = (char **) fields;
        ur.n_fields = 1;
        inv_call_t uc;
        assert_int_equal (s_call (registry_enterprise_update, F.registry, "province", "enterprise.update", &ur.base, &uc), 200);
        inv_call_clear (&uc);
    }
    s_feed ();
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:26 cap"), 3);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:26 load"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:26 mentors"), 1);
    assert_int_equal (s_cov ("dept:gxt", "covered"), 1);
    assert_int_equal (s_cov ("dept:gxt", "mentored"), 1);
    /* close m (request + approval) */
    Innov__CloseRequest cr = INNOV__CLOSE_REQUEST__INIT;
    cr.credit_code = (char *) m;
    cr.evidence = (char *) "注销";
    inv_call_t call;
    assert_int_equal (s_call (registry_enterprise_close, F.registry, "province", "enterprise.close", &cr.base, &call), 200);
    inv_call_clear (&call);
    Innov__ReviewRequest rv = INNOV__REVIEW_REQUEST__INIT;
    rv.credit_code = (char *) m;
    rv.approve = true;
    assert_int_equal (s_call (registry_enterprise_review, F.registry, "province", "enterprise.review", &rv.base, &call), 200);
    inv_call_clear (&call);
    s_feed ();
    /* the mentee keeps its pairing, without a mentor; no mentor of 26 is left: covered */
    assert_int_equal (s_cov ("dept:gxt", "pairings"), 1);
    assert_int_equal (s_cov ("dept:gxt", "mentored"), 0);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:26 mentors"), 0);
    assert_int_equal (s_cov ("dept:gxt", "covered"), 1);
    /* a new mentor of 26 appears: the mentee becomes a gap (no_mentor) until matched */
    s_add_ent (32, "140106", "2619", INNOV__INNOVATION_STATUS__ACTIVE, 1);
    s_feed ();
    assert_int_equal (s_cov ("dept:gxt", "covered"), 0);
    assert_int_equal (s_cov ("dept:gxt", "no_mentor"), 1);
    Innov__SuggestRequest sr = INNOV__SUGGEST_REQUEST__INIT;
    sr.apply = true;
    assert_int_equal (s_call_simple (pairing_pair_suggest, "province", "pair.suggest", &sr.base), 200);
    assert_int_equal (s_cov ("dept:gxt", "covered"), 1);
    assert_int_equal (s_cov ("dept:gxt", "mentored"), 1);
    /* figures */
    Innov__FiguresRequest fr = INNOV__FIGURES_REQUEST__INIT;
    fr.scope = (char *) "dept:gxt";
    assert_int_equal (s_call (pairing_figures_get, P, "province", "figures.get", &fr.base, &call), 200);
    const Innov__FiguresReply *figs = (const Innov__FiguresReply *) call.reply;
    assert_int_equal (figs->n_rows, 1);
    bool seen = false;
    for (size_t i = 0; i < figs->rows [0]->n_figures; i++)
        if (streq (figs->rows [0]->figures [i]->name, "groups.ready")) {
            assert_true (figs->rows [0]->figures [i]->value == 1.0);
            assert_string_equal (figs->rows [0]->figures [i]->label, "已组建工作专班");
            seen = true;
        }
    assert_true (seen);
    inv_call_clear (&call);
}

static void
test_guidance_links (void **state)
{
    (void) state;
    const char *e = s_add_ent (40, "140105", "3311", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    S_cluster = "photovoltaic";
    const char *pv = s_add_ent (41, "140105", "3825", INNOV__INNOVATION_STATUS__NOT_STARTED, 0);
    S_cluster = "";
    Innov__Agency a = INNOV__AGENCY__INIT;
    a.code = (char *) "platform.sxlab";
    a.kind = INNOV__AGENCY_KIND__PLATFORM;
    a.name = (char *) "山西创新平台";
    Innov__AddAgencyRequest ar = INNOV__ADD_AGENCY_REQUEST__INIT;
    ar.agency = &a;
    inv_call_t call;
    assert_int_equal (s_call (registry_agency_add, F.registry, "province", "agency.add", &ar.base, &call), 200);
    inv_call_clear (&call);
    s_feed ();
    Innov__ListGuidanceRequest gl = INNOV__LIST_GUIDANCE_REQUEST__INIT;
    assert_int_equal (s_call (pairing_guidance_list, P, "province", "guidance.list", &gl.base, &call), 200);
    const Innov__ListGuidanceReply *r = (const Innov__ListGuidanceReply *) call.reply;
    assert_int_equal (r->n_clusters, 14);
    assert_int_equal (r->clusters [0]->alliances, 1);            /* seeded: one per cluster */
    assert_int_equal (r->n_clusters_without_alliance, 14);        /* none guides anyone yet */
    inv_call_clear (&call);
    /* the photovoltaic alliance may not guide an enterprise of another cluster */
    Innov__LinkRequest lr = INNOV__LINK_REQUEST__INIT;
    lr.agency = (char *) "alliance.photovoltaic";
    const char *both [] = { pv, e };
    lr.enterprises = (char **) both;
    lr.n_enterprises = 2;
    assert_int_equal (s_call (pairing_guidance_link, P, "province", "guidance.link", &lr.base, &call), 400);
    assert_true (unit_call_has_detail (&call, "enterprises[1]"));
    inv_call_clear (&call);
    lr.n_enterprises = 1;
    assert_int_equal (s_call_simple (pairing_guidance_link, "city:140200", "guidance.link", &lr.base), 403);
    assert_int_equal (s_call_simple (pairing_guidance_link, "province", "guidance.link", &lr.base), 200);
    /* expert team of division 33 takes e, not pv (38); the platform takes both */
    lr.agency = (char *) "expert.33";
    lr.enterprises = (char **) &e;
    assert_int_equal (s_call_simple (pairing_guidance_link, "city:140100", "guidance.link", &lr.base), 200);
    lr.enterprises = (char **) &pv;
    assert_int_equal (s_call_simple (pairing_guidance_link, "province", "guidance.link", &lr.base), 400);
    lr.agency = (char *) "platform.sxlab";
    lr.enterprises = (char **) both;
    lr.n_enterprises = 2;
    assert_int_equal (s_call_simple (pairing_guidance_link, "province", "guidance.link", &lr.base), 200);
    lr.agency = (char *) "nobody";
    assert_int_equal (s_call_simple (pairing_guidance_link, "province", "guidance.link", &lr.base), 404);
    assert_int_equal (s_call (pairing_guidance_list, P, "province", "guidance.list", &gl.base, &call), 200);
    r = (const Innov__ListGuidanceReply *) call.reply;
    assert_int_equal (r->n_clusters_without_alliance, 13);
    inv_call_clear (&call);
    gl.enterprise = (char *) e;
    assert_int_equal (s_call (pairing_guidance_list, P, "province", "guidance.list", &gl.base, &call), 200);
    r = (const Innov__ListGuidanceReply *) call.reply;
    assert_int_equal (r->n_links, 2);                              /* expert.33, platform.sxlab */
    inv_call_clear (&call);
    assert_int_equal (s_count_events ("guidance.linked", 0), 4);
}

/* ---- the matcher ---- */

static void
s_random_instance (uint32_t seed, pairing_mentee_t *e, size_t n, pairing_mentor_t *m, size_t k)
{
    static const char *inds [] = { "3311", "3312", "3321", "3399", "2611", "2612", "1311" };
    static const char *counties [] = { "140105", "140106", "140202", "140212" };
    srand (seed);
    for (size_t i = 0; i < n; i++) {
        memset (&e [i], 0, sizeof e [i]);
        snprintf (e [i].code, sizeof e [i].code, "E%05zu", (i * 7919) % 100000);
        snprintf (e [i].ind, sizeof e [i].ind, "%s", inds [rand () % 7]);
        const char *c = counties [rand () % 4];
        snprintf (e [i].county, sizeof e [i].county, "%s", c);
        snprintf (e [i].city, sizeof e [i].city, "%.4s00", c);
    }
    for (size_t j = 0; j < k; j++) {
        memset (&m [j], 0, sizeof m [j]);
        snprintf (m [j].code, sizeof m [j].code, "M%04zu", j);
        snprintf (m [j].ind, sizeof m [j].ind, "%s", inds [rand () % 6]);
        const char *c = counties [rand () % 4];
        snprintf (m [j].county, sizeof m [j].county, "%s", c);
        snprintf (m [j].city, sizeof m [j].city, "%.4s00", c);
        m [j].cap = 1 + (uint32_t) (rand () % 3);
    }
}

static void
test_match_deterministic_and_within_capacity (void **state)
{
    (void) state;
    enum { N = 300, M = 40 };
    pairing_mentee_t e [N], e2 [N];
    pairing_mentor_t m [M], m2 [M];
    pairing_result_t r [N], r2 [N];
    s_random_instance (7, e, N, m, M);
    /* the same sets in another order give the same pairs */
    for (size_t i = 0; i < N; i++)
        e2 [i] = e [N - 1 - i];
    for (size_t j = 0; j < M; j++)
        m2 [j] = m [M - 1 - j];
    long a = pairing_match (e, N, m, M, r);
    long b = pairing_match (e2, N, m2, M, r2);
    assert_true (a > 0);
    assert_int_equal (a, b);
    uint32_t cap_total = 0;
    for (size_t j = 0; j < M; j++)
        cap_total += m [j].cap;
    assert_true ((uint32_t) a <= cap_total);
    uint32_t used [M] = { 0 };
    for (size_t i = 0; i < N; i++) {
        const pairing_result_t *x = &r [i], *y = &r2 [N - 1 - i];
        assert_int_equal (x->mentor >= 0, y->mentor >= 0);
        if (x->mentor < 0)
            continue;
        assert_string_equal (m [x->mentor].code, m2 [y->mentor].code);
        used [x->mentor]++;
        /* the quality reported is the pair's */
        assert_int_equal (x->quality, pairing_quality (&e [i], &m [x->mentor], NULL, NULL));
        assert_true (x->quality > 0);
    }
    for (size_t j = 0; j < M; j++) {
        assert_true (used [j] <= m [j].cap);
        assert_int_equal (used [j], m [j].load);
    }
}

static void
test_match_prefers_class_then_place (void **state)
{
    (void) state;
    pairing_mentee_t e [2] = { { "E1", "3311", "140105", "140100" }, { "E2", "3312", "140105", "140100" } };
    pairing_mentor_t m [3] = {
        { "M1", "3312", "140105", "140100", 1, 0 },     /* same county, other class */
        { "M2", "3311", "140212", "140200", 1, 0 },     /* same class, other city */
        { "M3", "3311", "140106", "140100", 1, 0 },     /* same class, same city */
    };
    pairing_result_t r [2];
    assert_int_equal (pairing_match (e, 2, m, 3, r), 2);
    assert_string_equal (m [r [0].mentor].code, "M3");      /* 4 digits + city beats 3 digits + county */
    assert_int_equal (r [0].quality, 10);
    assert_string_equal (m [r [1].mentor].code, "M1");
    assert_int_equal (r [1].quality, 11);
    /* balancing: two mentors of capacity 2 in one bucket share two mentees */
    pairing_mentee_t f [2] = { { "F1", "3311", "140105", "140100" }, { "F2", "3311", "140105", "140100" } };
    pairing_mentor_t n [2] = { { "N1", "3311", "140105", "140100", 2, 0 }, { "N2", "3311", "140105", "140100", 2, 0 } };
    assert_int_equal (pairing_match (f, 2, n, 2, r), 2);
    assert_int_equal (n [0].load, 1);
    assert_int_equal (n [1].load, 1);
}

static void
test_match_close_to_optimum (void **state)
{
    (void) state;
    enum { N = 30, M = 8 };
    uint64_t greedy_total = 0, exact_total = 0;
    for (uint32_t seed = 1; seed <= 50; seed++) {
        pairing_mentee_t e [N];
        pairing_mentor_t m [M], mc [M];
        pairing_result_t r [N], x [N];
        s_random_instance (seed, e, N, m, M);
        memcpy (mc, m, sizeof m);
        long exact = pairing_match_exact (e, N, m, M, x);
        assert_true (pairing_match (e, N, mc, M, r) >= 0);
        uint64_t greedy = pairing_match_objective (r, N);
        assert_true (exact >= 0);
        assert_true (greedy <= (uint64_t) exact);
        assert_int_equal (pairing_match_objective (x, N), (uint64_t) exact);
        greedy_total += greedy;
        exact_total += (uint64_t) exact;
    }
    /* the greedy keeps at least 90% of the optimum's quality on these instances */
    assert_true (greedy_total * 10 >= exact_total * 9);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_group_rule_names_each_violation),
        cmocka_unit_test_setup (test_group_scope_and_ready, s_flush),
        cmocka_unit_test_setup (test_coverage_pairing_and_events, s_flush),
        cmocka_unit_test_setup (test_mentor_close_releases_mentees, s_flush),
        cmocka_unit_test_setup (test_guidance_links, s_flush),
        cmocka_unit_test (test_match_deterministic_and_within_capacity),
        cmocka_unit_test (test_match_prefers_class_then_place),
        cmocka_unit_test (test_match_close_to_optimum),
    };
    return cmocka_run_group_tests (tests, s_group_setup, s_group_teardown);
}
