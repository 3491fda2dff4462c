/*  bench-catalogue: what the catalogue's requests cost through the broker, against the
    registry's enterprise.get measured in the same run (one MDP round trip and one Redis
    read: the floor of any request on this machine today).

        bench-catalogue [--enterprises N] [--policies P]

    It starts its own stack with the test harness (redis-server on a free port, the
    broker, registry and catalogue, warnings only), loads N enterprises (default 1,000)
    into the registry, then times, as the province:
      (a) baseline: N enterprise.get;
      (b) project.apply of N projects (two milestones each: the key-technology check, the
          registry read, one write script);
      (c) project.advance of each to under_review, then to selected under a quota of N
          (the quota check, the state change and two deadline.announced in one script);
      (d) tech.list as of a past date over a directory of 100 entries with 3 versions each;
      (e) policy.menu of 50 enterprises against P policies (default 50): the registry reads
          plus the matching, against 50 enterprise.get (what the menu must fetch anyway).
    Prints the mean per request and the ratio to the baseline. Exit 0 when every request
    succeeded.
*/
#include <czmq.h>
#include "harness.h"
#include "inv_rpc.h"
#include "inv_valid.h"
#include "mdp_client.h"
#include "registry.pb-c.h"
#include "catalogue.pb-c.h"

static harness_t *H;
static mdp_client_t *C;
static int s_failures;

static int64_t
s_now_us (void)
{
    return zclock_usecs ();
}

static void
s_call (const char *service, const char *method, const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
        ProtobufCMessage **reply)
{
    Innov__Status *status = NULL;
    ProtobufCMessage *r = NULL;
    int code = inv_rpc_call (C, service, method, req, desc, &r, &status);
    if (code != 200) {
        if (s_failures++ < 5)
            fprintf (stderr, "bench-catalogue: %s: %d %s\n", method, code, status && status->message? status->message: "");
    }
    if (status)
        innov__status__free_unpacked (status, NULL);
    if (reply)
        *reply = r;
    else
    if (r)
        protobuf_c_message_free_unpacked (r, NULL);
}

static void
s_row (const char *what, int count, int64_t us, double baseline_us)
{
    double mean = count? (double) us / count: 0;
    printf ("%-44s %7d  %10.1f us  %8.2f x\n", what, count, mean, baseline_us > 0? mean / baseline_us: 0);
}

int
main (int argc, char **argv)
{
    int n = 1000, policies = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (streq (argv [i], "--enterprises"))
            n = atoi (argv [i + 1]);
        else
        if (streq (argv [i], "--policies"))
            policies = atoi (argv [i + 1]);
    }
    if (n < 50)
        n = 50;
    H = harness_new ();
    harness_setenv (H, "INNOV_LOG_LEVEL", "warn");
    if (!H || harness_start_redis (H) < 0 || harness_start_broker (H) < 0 || harness_start_service (H, "registry") < 0
    ||  harness_start_service (H, "catalogue") < 0) {
        fprintf (stderr, "bench-catalogue: the stack did not start\n");
        harness_destroy (&H);
        return 1;
    }
    C = mdp_client_new (harness_broker (H), "province");
    mdp_client_set_timeout (C, 10000);
    char (*codes) [19] = calloc ((size_t) n, 19);
    for (int i = 0; i < n; i++) {
        char first17 [24];
        snprintf (first17, sizeof first17, "91140100MB%07d", i);
        inv_credit_code_complete (first17, codes [i]);
        Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
        char name [64];
        snprintf (name, sizeof name, "基准测试企业%05d有限公司", i);
        e.credit_code = codes [i];
        e.name = name;
        e.county = (char *) (i % 2? "140105": "140212");
        e.industry = (char *) (i % 3? "3311": "2614");
        e.department = (char *) "gxt";
        e.operating_revenue = 100.0 * i;
        e.has_rd_institution = i % 4 == 0;
        Innov__AddEnterpriseRequest add = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
        add.enterprise = &e;
        s_call ("registry", "enterprise.add", &add.base, &innov__enterprise_reply__descriptor, NULL);
    }
    printf ("%-44s %7s  %13s  %10s\n", "request", "count", "mean", "vs baseline");

    /* (a) baseline */
    int64_t t0 = s_now_us ();
    for (int i = 0; i < n; i++) {
        Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
        get.credit_code = codes [i];
        s_call ("registry", "enterprise.get", &get.base, &innov__enterprise_reply__descriptor, NULL);
    }
    int64_t base_us = s_now_us () - t0;
    double base = (double) base_us / n;
    s_row ("registry enterprise.get (baseline)", n, base_us, base);

    /* a directory of 100 entries, published, each amended twice */
    for (int i = 0; i < 100; i++) {
        Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
        char name [64];
        snprintf (name, sizeof name, "关键技术%03d", i);
        e.name = name;
        e.sector = 1 + i % 3;
        e.proposer_kind = 1 + i % 4;
        e.proposer = (char *) "太原理工大学";
        e.year = 2026;
        Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
        req.entry = &e;
        s_call ("catalogue", "tech.add", &req.base, &innov__tech_reply__descriptor, NULL);
    }
    Innov__TechPublishRequest pub = INNOV__TECH_PUBLISH_REQUEST__INIT;
    pub.year = 2026;
    s_call ("catalogue", "tech.publish", &pub.base, &innov__directory_reply__descriptor, NULL);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 100; i++) {
            Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
            char id [32], desc [64];
            snprintf (id, sizeof id, "T2026-%03d", i + 1);
            snprintf (desc, sizeof desc, "第%d次调整", round + 1);
            e.id = id;
            e.description = desc;
            e.reason = desc;
            Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
            req.entry = &e;
            s_call ("catalogue", "tech.amend", &req.base, &innov__tech_reply__descriptor, NULL);
        }

    /* (b) applications */
    Innov__ProjectQuotaRequest quota = INNOV__PROJECT_QUOTA_REQUEST__INIT;
    quota.year = 2026;
    quota.quota = (uint32_t) n;
    s_call ("catalogue", "project.quota", &quota.base, &innov__project_plan_reply__descriptor, NULL);
    char (*ids) [32] = calloc ((size_t) n, 32);
    t0 = s_now_us ();
    for (int i = 0; i < n; i++) {
        Innov__Project p = INNOV__PROJECT__INIT;
        char tech [32];
        snprintf (tech, sizeof tech, "T2026-%03d", 1 + i % 100);
        p.credit_code = codes [i];
        p.name = (char *) "基准项目";
        p.kind = 1;
        p.tech_id = tech;
        p.chain_action = 3;
        p.budget = 1000;
        p.year = 2026;
        Innov__ProjectMilestoneInput m1 = INNOV__PROJECT_MILESTONE_INPUT__INIT, m2 = m1, *ms [] = { &m1, &m2 };
        m1.title = (char *) "中试";
        m1.due = (char *) "2026-09-30";
        m2.title = (char *) "投产";
        m2.due = (char *) "2026-12-31";
        Innov__ApplyProjectRequest req = INNOV__APPLY_PROJECT_REQUEST__INIT;
        req.project = &p;
        req.milestones = ms;
        req.n_milestones = 2;
        ProtobufCMessage *reply = NULL;
        s_call ("catalogue", "project.apply", &req.base, &innov__project_reply__descriptor, &reply);
        if (reply) {
            snprintf (ids [i], 32, "%s", ((Innov__ProjectReply *) reply)->project->id);
            protobuf_c_message_free_unpacked (reply, NULL);
        }
    }
    s_row ("catalogue project.apply", n, s_now_us () - t0, base);

    /* (c) review and select */
    const char *steps [] = { "under_review", "selected" };
    for (int s = 0; s < 2; s++) {
        t0 = s_now_us ();
        for (int i = 0; i < n; i++) {
            Innov__AdvanceProjectRequest req = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
            req.id = ids [i];
            req.to = (char *) steps [s];
            s_call ("catalogue", "project.advance", &req.base, &innov__project_reply__descriptor, NULL);
        }
        char what [64];
        snprintf (what, sizeof what, "catalogue project.advance to %s", steps [s]);
        s_row (what, n, s_now_us () - t0, base);
    }

    /* (d) the directory as of a past date */
    t0 = s_now_us ();
    for (int i = 0; i < 100; i++) {
        Innov__TechListRequest req = INNOV__TECH_LIST_REQUEST__INIT;
        req.year = 2026;
        req.as_of = (char *) "2026-12-31";
        s_call ("catalogue", "tech.list", &req.base, &innov__tech_list_reply__descriptor, NULL);
    }
    s_row ("catalogue tech.list --as-of (100 x 3 versions)", 100, s_now_us () - t0, base);

    /* (e) the menu of 50 enterprises */
    for (int i = 0; i < policies; i++) {
        Innov__Policy p = INNOV__POLICY__INIT;
        Innov__PolicyConditions c = INNOV__POLICY_CONDITIONS__INIT;
        char title [64], *prefixes [] = { (char *) (i % 2? "33": "26") };
        snprintf (title, sizeof title, "政策%03d", i);
        p.title = title;
        p.level = 2;
        p.conditions = &c;
        c.industry_prefixes = prefixes;
        c.n_industry_prefixes = i % 3? 1: 0;
        c.min_revenue = 10.0 * i;
        c.rd_institution = i % 5 == 0? 1: 0;
        Innov__PolicyWriteRequest req = INNOV__POLICY_WRITE_REQUEST__INIT;
        req.policy = &p;
        s_call ("catalogue", "policy.add", &req.base, &innov__policy_reply__descriptor, NULL);
    }
    char *list [50];
    for (int i = 0; i < 50; i++)
        list [i] = codes [i];
    int rounds = 20;
    t0 = s_now_us ();
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < 50; i++) {
            Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
            get.credit_code = codes [i];
            s_call ("registry", "enterprise.get", &get.base, &innov__enterprise_reply__descriptor, NULL);
        }
    double fifty = (double) (s_now_us () - t0) / rounds;
    s_row ("50 x enterprise.get (menu baseline)", rounds, (int64_t) (fifty * rounds), fifty);
    t0 = s_now_us ();
    for (int r = 0; r < rounds; r++) {
        Innov__PolicyMenuRequest req = INNOV__POLICY_MENU_REQUEST__INIT;
        req.enterprises = list;
        req.n_enterprises = 50;
        s_call ("catalogue", "policy.menu", &req.base, &innov__policy_menu_reply__descriptor, NULL);
    }
    char what [64];
    snprintf (what, sizeof what, "catalogue policy.menu (50 ent. x %d pol.)", policies);
    s_row (what, rounds, s_now_us () - t0, fifty);

    mdp_client_destroy (&C);
    free (codes);
    free (ids);
    harness_destroy (&H);
    if (s_failures)
        fprintf (stderr, "bench-catalogue: %d requests failed\n", s_failures);
    return s_failures? 1: 0;
}
