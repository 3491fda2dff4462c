/*  innovctl group | pair | coverage: work groups, three-party pairings, mentor matching,
    guidance links and coverage, through the pairing service (proto/pairing.proto).

        group add --owner city:140100|dept:gxt --name NAME
        group get ID
        group list [--owner O] [--state forming|ready] [--limit N] [--cursor X]
        group member add ID --name N --kind official|technical|alliance|expert|pioneer
                            [--unit U] [--rank division] [--unit-kind university|institute|platform]
        group member remove ID --name N
        group assign ID CODE...         group unassign ID CODE...     (50 per request)
        group ready ID
        pair add CODE [--mentor CODE]
        pair end ID | --enterprise CODE [--reason R]
        pair get ID | CODE
        pair list [--city C | --enterprise CODE | --mentor CODE] [--limit N] [--cursor X]
        pair suggest [--city C] [--apply] [--limit N]
        pair guidance link|unlink AGENCY CODE...
        pair guidance list [--agency A | --enterprise CODE]
        coverage [--by province|city|department|cluster]
        coverage gaps [--city C | --dept D | --cluster K] [--reason R] [--limit N] [--cursor X]

    Tables by default, --json for the proto3 JSON of the replies.
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_table.h"
#include "pairing.pb-c.h"

#define PAIRING "pairing"
#define CODES_PER_REQUEST 50

static const char *
s_state_label (const char *state)
{
    return streq (state, "ready")? "已组建": streq (state, "forming")? "组建中":
           streq (state, "active")? "帮扶中": streq (state, "ended")? "已结束": state;
}

static const char *
s_kind_label (const char *kind)
{
    return streq (kind, "official")? "干部": streq (kind, "technical")? "技术人员":
           streq (kind, "alliance")? "联盟": streq (kind, "expert")? "专家": streq (kind, "pioneer")? "领军企业": kind;
}

static const char *
s_owner_label (const char *owner, char *buf, size_t size)
{
    if (strncmp (owner, "city:", 5) == 0)
        snprintf (buf, size, "%s推进小组", ctl_division_label (owner + 5));
    else
    if (strncmp (owner, "dept:", 5) == 0)
        snprintf (buf, size, "%s推进小组", ctl_department_label (owner + 5));
    else
        snprintf (buf, size, "%s", owner);
    return buf;
}

/* Prints a page's table, then "共 <total> <unit>" and the cursor of the next page;
   destroys the table. */
static void
s_print_page (inv_table_t **table_p, uint64_t total, const char *unit, const char *next_cursor)
{
    inv_table_print (*table_p, stdout);
    printf ("共 %" PRIu64 " %s", total, unit);
    ctl_page_end (next_cursor);
    inv_table_destroy (table_p);
}

/* ---- group ---- */

static void
s_print_group (ctl_t *ctl, const Innov__WorkGroup *g)
{
    if (ctl->cfg->json) {
        ctl_print_json (&g->base);
        return;
    }
    char owner [128], when [32];
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "专班", "%s", g->id);
    ctl_kv_add (kv, "名称", "%s", g->name);
    ctl_kv_add (kv, "所属", "%s (%s)", s_owner_label (g->owner, owner, sizeof owner), g->owner);
    ctl_kv_add (kv, "状态", "%s", s_state_label (g->state));
    ctl_kv_add (kv, "服务企业", "%u", g->enterprise_count);
    ctl_kv_add (kv, "版本", "%" PRIu64, g->version);
    ctl_kv_add (kv, "更新", "%s %s", ctl_time_text (g->updated_ms, when, sizeof when), g->updated_by);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
    if (g->n_members) {
        const char *headers [] = { "成员", "单位", "职级", "类别", "单位类别" };
        inv_table_t *t = inv_table_new (5, headers);
        for (size_t i = 0; i < g->n_members; i++) {
            const Innov__GroupMember *m = g->members [i];
            const char *cells [] = { m->name, m->unit, m->rank, s_kind_label (m->kind), m->unit_kind };
            inv_table_add (t, cells);
        }
        inv_table_print (t, stdout);
        inv_table_destroy (&t);
    }
    size_t shown = g->n_enterprises < 10? g->n_enterprises: 10;
    for (size_t i = 0; i < shown; i++)
        printf ("%s%s", i? " ": "企业: ", g->enterprises [i]);
    if (shown)
        printf ("%s\n", shown < g->enterprise_count? " ... (--json: the first 1000)": "");
}

static int
s_group_call (ctl_t *ctl, const char *method, const ProtobufCMessage *request, bool print)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, PAIRING, method, request, &innov__group_reply__descriptor, &reply);
    if (rc == CTL_OK && print && ((Innov__GroupReply *) reply)->group)
        s_print_group (ctl, ((Innov__GroupReply *) reply)->group);
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

static int
s_group_add (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "owner", true, NULL }, { "name", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse ("group add", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__WorkGroup g = INNOV__WORK_GROUP__INIT;
    g.owner = (char *) ctl_opt_text (opts, "owner");
    g.name = (char *) ctl_opt_text (opts, "name");
    Innov__AddGroupRequest req = INNOV__ADD_GROUP_REQUEST__INIT;
    req.group = &g;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    req.province = (char *) ctl->cfg->province;
    return s_group_call (ctl, "group.add", &req.base, true);
}

static int
s_group_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    const char *id;
    int rc = ctl_parse_one ("group get", argc, argv, opts, "the work group id", &id);
    if (rc)
        return rc;
    Innov__GetGroupRequest req = INNOV__GET_GROUP_REQUEST__INIT;
    req.id = (char *) id;
    req.province = (char *) ctl->cfg->province;
    return s_group_call (ctl, "group.get", &req.base, true);
}

static void
s_show_groups (const ProtobufCMessage *reply)
{
    const Innov__ListGroupsReply *page = (const Innov__ListGroupsReply *) reply;
    const char *headers [] = { "专班", "名称", "所属", "状态", "成员", "服务企业" };
    inv_table_t *t = inv_table_new (6, headers);
    inv_table_set_right (t, 4, true);
    inv_table_set_right (t, 5, true);
    for (size_t i = 0; i < page->n_groups; i++) {
        const Innov__WorkGroup *g = page->groups [i];
        char owner [128], members [16], ents [16];
        snprintf (members, sizeof members, "%zu", g->n_members);
        snprintf (ents, sizeof ents, "%u", g->enterprise_count);
        const char *cells [] = { g->id, g->name, s_owner_label (g->owner, owner, sizeof owner),
                                 s_state_label (g->state), members, ents };
        inv_table_add (t, cells);
    }
    s_print_page (&t, page->total, "个", page->next_cursor);
}

static int
s_group_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "group list";
    ctl_opt_t opts [] = { { "owner", true, NULL }, { "state", true, NULL }, { "limit", true, NULL },
                          { "cursor", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListGroupsRequest req = INNOV__LIST_GROUPS_REQUEST__INIT;
    req.owner = (char *) ctl_opt_text (opts, "owner");
    req.state = (char *) ctl_opt_text (opts, "state");
    req.cursor = (char *) ctl_opt_text (opts, "cursor");
    req.province = (char *) ctl->cfg->province;
    if ((rc = ctl_opt_limit (command, opts, &req.limit)))
        return rc;
    return ctl_call_print (ctl, PAIRING, "group.list", &req.base,
                           &innov__list_groups_reply__descriptor, s_show_groups);
}

static int
s_group_member (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || (!streq (argv [0], "add") && !streq (argv [0], "remove")))
        return ctl_usage ("group member", "give add or remove");
    bool add = streq (argv [0], "add");
    const char *command = add? "group member add": "group member remove";
    ctl_opt_t opts [] = { { "name", true, NULL }, { "unit", true, NULL }, { "rank", true, NULL },
                          { "kind", true, NULL }, { "unit-kind", true, NULL },
                          { "expected-version", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc - 1, argv + 1, opts, "the work group id", &id);
    if (rc)
        return rc;
    Innov__GroupMember m = INNOV__GROUP_MEMBER__INIT;
    m.name = (char *) ctl_opt_text (opts, "name");
    m.unit = (char *) ctl_opt_text (opts, "unit");
    m.rank = (char *) ctl_opt_text (opts, "rank");
    m.kind = (char *) ctl_opt_text (opts, "kind");
    m.unit_kind = (char *) ctl_opt_text (opts, "unit-kind");
    Innov__GroupMemberRequest req = INNOV__GROUP_MEMBER_REQUEST__INIT;
    req.group_id = (char *) id;
    req.member = &m;
    if ((rc = ctl_expected_version (command, opts, &req.expected_version)))
        return rc;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    req.province = (char *) ctl->cfg->province;
    return s_group_call (ctl, add? "group.member.add": "group.member.remove", &req.base, true);
}

static int
s_group_assign (ctl_t *ctl, int argc, char **argv, bool assign)
{
    const char *command = assign? "group assign": "group unassign";
    ctl_opt_t opts [] = { { NULL } };
    const char *pos [1001];
    int npos = 0;
    int rc = ctl_parse (command, argc, argv, opts, pos, 1001, &npos);
    if (rc)
        return rc;
    if (npos < 2)
        return ctl_usage (command, "give the work group id and at least one credit code");
    for (int start = 1; start < npos; start += CODES_PER_REQUEST) {
        int n = npos - start < CODES_PER_REQUEST? npos - start: CODES_PER_REQUEST;
        Innov__GroupEnterprisesRequest req = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
        req.group_id = (char *) pos [0];
        req.enterprises = (char **) (pos + start);
        req.n_enterprises = (size_t) n;
        req.province = (char *) ctl->cfg->province;
        rc = s_group_call (ctl, assign? "group.assign": "group.unassign", &req.base, start + n >= npos);
        if (rc)
            return rc;
    }
    return CTL_OK;
}

static int
s_group_ready (ctl_t *ctl, int argc, char **argv)
{
    Innov__GroupReadyRequest req = INNOV__GROUP_READY_REQUEST__INIT;
    char key [CTL_KEY_SIZE];
    int rc = ctl_parse_id_write ("group ready", argc, argv, "the work group id", &req.group_id, key,
                                 &req.idempotency_key);
    if (rc)
        return rc;
    req.province = (char *) ctl->cfg->province;
    return s_group_call (ctl, "group.ready", &req.base, true);
}

static int
s_group_usage (void)
{
    fprintf (stderr,
        "usage: innovctl group add --owner city:<code>|dept:<code> --name NAME\n"
        "       innovctl group get ID\n"
        "       innovctl group list [--owner O] [--state forming|ready] [--limit N] [--cursor X]\n"
        "       innovctl group member add ID --name N --kind official|technical|alliance|expert|pioneer\n"
        "                                 [--unit U] [--rank division] [--unit-kind university|institute|platform]\n"
        "       innovctl group member remove ID --name N\n"
        "       innovctl group assign|unassign ID CODE...\n"
        "       innovctl group ready ID\n");
    return CTL_USAGE;
}

int
cmd_group (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || streq (argv [0], "help"))
        return s_group_usage ();
    const char *sub = argv [0];
    if (streq (sub, "add"))      return s_group_add (ctl, argc - 1, argv + 1);
    if (streq (sub, "get"))      return s_group_get (ctl, argc - 1, argv + 1);
    if (streq (sub, "list"))     return s_group_list (ctl, argc - 1, argv + 1);
    if (streq (sub, "member"))   return s_group_member (ctl, argc - 1, argv + 1);
    if (streq (sub, "assign"))   return s_group_assign (ctl, argc - 1, argv + 1, true);
    if (streq (sub, "unassign")) return s_group_assign (ctl, argc - 1, argv + 1, false);
    if (streq (sub, "ready"))    return s_group_ready (ctl, argc - 1, argv + 1);
    fprintf (stderr, "innovctl: group: unknown sub-command \"%s\"\n", sub);
    return s_group_usage ();
}

/* ---- pair ---- */

static void
s_print_pairing (ctl_t *ctl, const Innov__Pairing *p)
{
    if (ctl->cfg->json) {
        ctl_print_json (&p->base);
        return;
    }
    char when [32];
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "结对", "%s", p->id);
    ctl_kv_add (kv, "企业", "%s (行业 %s)", p->enterprise, p->industry);
    ctl_kv_add (kv, "部门", "%s", ctl_department_label (p->department));
    ctl_kv_add (kv, "市/县", "%s / %s", ctl_division_label (p->city), ctl_division_label (p->county));
    ctl_kv_add (kv, "导师企业", "%s", *p->mentor? p->mentor: "-");
    if (*p->explanation)
        ctl_kv_add (kv, "匹配说明", "%s", p->explanation);
    ctl_kv_add (kv, "状态", "%s%s%s", s_state_label (p->state), *p->end_reason? " ": "", p->end_reason);
    ctl_kv_add (kv, "开始", "%s", ctl_time_text (p->start_ms, when, sizeof when));
    if (p->end_ms)
        ctl_kv_add (kv, "结束", "%s", ctl_time_text (p->end_ms, when, sizeof when));
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
    if (p->n_history) {
        const char *headers [] = { "时间", "动作", "操作者", "说明" };
        inv_table_t *t = inv_table_new (4, headers);
        for (size_t i = 0; i < p->n_history; i++) {
            const Innov__PairingStep *s = p->history [i];
            const char *cells [] = { ctl_time_text (s->time_ms, when, sizeof when), s->action, s->actor, s->detail };
            inv_table_add (t, cells);
        }
        inv_table_print (t, stdout);
        inv_table_destroy (&t);
    }
}

static int
s_pair_call (ctl_t *ctl, const char *method, const ProtobufCMessage *request)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, PAIRING, method, request, &innov__pairing_reply__descriptor, &reply);
    if (rc == CTL_OK && ((Innov__PairingReply *) reply)->pairing)
        s_print_pairing (ctl, ((Innov__PairingReply *) reply)->pairing);
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

static int
s_pair_add (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "mentor", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *code;
    int rc = ctl_parse_one ("pair add", argc, argv, opts, "the credit code of the enterprise", &code);
    if (rc)
        return rc;
    Innov__AddPairingRequest req = INNOV__ADD_PAIRING_REQUEST__INIT;
    req.enterprise = (char *) code;
    req.mentor = (char *) ctl_opt_text (opts, "mentor");
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    req.province = (char *) ctl->cfg->province;
    return s_pair_call (ctl, "pair.add", &req.base);
}

static int
s_pair_end (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "enterprise", true, NULL }, { "reason", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *pos [1];
    int npos = 0;
    int rc = ctl_parse ("pair end", argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (!npos && !ctl_opt (opts, "enterprise"))
        return ctl_usage ("pair end", "give the pairing id or --enterprise CODE");
    Innov__EndPairingRequest req = INNOV__END_PAIRING_REQUEST__INIT;
    req.id = (char *) (npos? pos [0]: "");
    req.enterprise = (char *) ctl_opt_text (opts, "enterprise");
    req.reason = (char *) ctl_opt_text (opts, "reason");
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    req.province = (char *) ctl->cfg->province;
    return s_pair_call (ctl, "pair.end", &req.base);
}

static int
s_pair_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    const char *arg;
    int rc = ctl_parse_one ("pair get", argc, argv, opts, "a pairing id (PR...) or a credit code", &arg);
    if (rc)
        return rc;
    Innov__GetPairingRequest req = INNOV__GET_PAIRING_REQUEST__INIT;
    if (strncmp (arg, "PR", 2) == 0 && strlen (arg) == 11)
        req.id = (char *) arg;
    else
        req.enterprise = (char *) arg;
    req.province = (char *) ctl->cfg->province;
    return s_pair_call (ctl, "pair.get", &req.base);
}

static void
s_show_pairings (const ProtobufCMessage *reply)
{
    const Innov__ListPairingsReply *page = (const Innov__ListPairingsReply *) reply;
    const char *headers [] = { "结对", "企业", "行业", "部门", "县区", "导师企业", "质量", "状态" };
    inv_table_t *t = inv_table_new (8, headers);
    for (size_t i = 0; i < page->n_pairings; i++) {
        const Innov__Pairing *p = page->pairings [i];
        char q [8];
        snprintf (q, sizeof q, "%u", p->quality);
        const char *cells [] = { p->id, p->enterprise, p->industry, ctl_department_label (p->department),
                                 ctl_division_label (p->county), *p->mentor? p->mentor: "-", q,
                                 s_state_label (p->state) };
        inv_table_add (t, cells);
    }
    s_print_page (&t, page->total, "个", page->next_cursor);
}

static int
s_pair_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "pair list";
    ctl_opt_t opts [] = { { "city", true, NULL }, { "enterprise", true, NULL }, { "mentor", true, NULL },
                          { "limit", true, NULL }, { "cursor", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListPairingsRequest req = INNOV__LIST_PAIRINGS_REQUEST__INIT;
    req.city = (char *) ctl_opt_text (opts, "city");
    req.enterprise = (char *) ctl_opt_text (opts, "enterprise");
    req.mentor = (char *) ctl_opt_text (opts, "mentor");
    req.cursor = (char *) ctl_opt_text (opts, "cursor");
    req.province = (char *) ctl->cfg->province;
    if ((rc = ctl_opt_limit (command, opts, &req.limit)))
        return rc;
    return ctl_call_print (ctl, PAIRING, "pair.list", &req.base, &innov__list_pairings_reply__descriptor,
                           s_show_pairings);
}

static int
s_pair_suggest (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "pair suggest";
    ctl_opt_t opts [] = { { "city", true, NULL }, { "apply", false, NULL }, { "limit", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__SuggestRequest req = INNOV__SUGGEST_REQUEST__INIT;
    req.city = (char *) ctl_opt_text (opts, "city");
    req.apply = ctl_opt (opts, "apply") != NULL;
    req.province = (char *) ctl->cfg->province;
    if ((rc = ctl_opt_limit (command, opts, &req.limit)))
        return rc;
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, PAIRING, "pair.suggest", &req.base, &innov__suggest_reply__descriptor, &reply);
    if (rc)
        return rc;
    /* --apply: the service applies for a few seconds per request; repeat until done */
    uint64_t applied = ((Innov__SuggestReply *) reply)->applied, skipped = ((Innov__SuggestReply *) reply)->skipped;
    while (req.apply && ((Innov__SuggestReply *) reply)->remaining && ((Innov__SuggestReply *) reply)->applied) {
        if (!ctl->cfg->json)
            fprintf (stderr, "已写入 %" PRIu64 "，剩余 %" PRIu64 "，继续...\n", applied, ((Innov__SuggestReply *) reply)->remaining);
        protobuf_c_message_free_unpacked (reply, NULL);
        reply = NULL;
        rc = ctl_call (ctl, PAIRING, "pair.suggest", &req.base, &innov__suggest_reply__descriptor, &reply);
        if (rc)
            return rc;
        applied += ((Innov__SuggestReply *) reply)->applied;
        skipped += ((Innov__SuggestReply *) reply)->skipped;
    }
    if (req.apply) {
        ((Innov__SuggestReply *) reply)->applied = applied;
        ((Innov__SuggestReply *) reply)->skipped = skipped;
    }
    const Innov__SuggestReply *r = (const Innov__SuggestReply *) reply;
    if (ctl->cfg->json)
        ctl_print_json (reply);
    else {
        const char *headers [] = { "企业", "导师企业", "行业位数", "地域", "质量", "说明" };
        inv_table_t *t = inv_table_new (6, headers);
        for (size_t i = 0; i < r->n_proposals; i++) {
            const Innov__Proposal *p = r->proposals [i];
            char digits [8], q [8];
            snprintf (digits, sizeof digits, "%u", p->industry_digits);
            snprintf (q, sizeof q, "%u", p->quality);
            const char *cells [] = { p->enterprise, *p->mentor? p->mentor: "-", p->industry_digits? digits: "-",
                                     p->geography, q, p->explanation };
            inv_table_add (t, cells);
        }
        inv_table_print (t, stdout);
        printf ("待匹配 %" PRIu64 "，有导师 %" PRIu64 "（同4位 %" PRIu64 "，同3位 %" PRIu64 "，同2位 %" PRIu64 "），"
                "无导师 %" PRIu64 "；导师企业 %" PRIu64 "；质量合计 %" PRIu64 "\n",
                r->considered, r->proposed, r->same_4digit, r->same_3digit, r->same_2digit, r->without_mentor,
                r->mentors, r->quality_sum);
        if (req.apply)
            printf ("已写入 %" PRIu64 "，跳过 %" PRIu64 "\n", r->applied, r->skipped);
        printf ("读取 %.0f ms，匹配 %.0f ms，写入 %.0f ms\n", r->load_ms, r->match_ms, r->apply_ms);
        inv_table_destroy (&t);
    }
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

static void
s_show_guidance (const ProtobufCMessage *reply)
{
    const Innov__ListGuidanceReply *r = (const Innov__ListGuidanceReply *) reply;
    if (r->n_clusters) {
        const char *headers [] = { "产业集群", "代码", "联盟", "联盟指导企业" };
        inv_table_t *t = inv_table_new (4, headers);
        inv_table_set_right (t, 2, true);
        inv_table_set_right (t, 3, true);
        for (size_t i = 0; i < r->n_clusters; i++) {
            char a [16], l [24];
            snprintf (a, sizeof a, "%u", r->clusters [i]->alliances);
            snprintf (l, sizeof l, "%" PRIu64, r->clusters [i]->linked);
            const char *cells [] = { r->clusters [i]->label, r->clusters [i]->cluster, a, l };
            inv_table_add (t, cells);
        }
        inv_table_print (t, stdout);
        printf ("无产业联盟的集群 %zu 个:", r->n_clusters_without_alliance);
        for (size_t i = 0; i < r->n_clusters_without_alliance; i++)
            printf (" %s", ctl_cluster_label (r->clusters_without_alliance [i]));
        printf ("\n");
        inv_table_destroy (&t);
    }
    else {
        const char *headers [] = { "机构", "类别", "企业" };
        inv_table_t *t = inv_table_new (3, headers);
        for (size_t i = 0; i < r->n_links; i++) {
            const Innov__GuidanceLink *l = r->links [i];
            const char *kind = l->kind == INNOV__AGENCY_KIND__ALLIANCE? "产业联盟":
                               l->kind == INNOV__AGENCY_KIND__EXPERT_TEAM? "专家团队": "创新平台";
            const char *cells [] = { l->agency, kind, l->enterprise };
            inv_table_add (t, cells);
        }
        inv_table_print (t, stdout);
        printf ("共 %zu 条\n", r->n_links);
        inv_table_destroy (&t);
    }
}

static int
s_guidance (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1)
        return ctl_usage ("pair guidance", "give link, unlink or list");
    if (streq (argv [0], "list")) {
        ctl_opt_t opts [] = { { "agency", true, NULL }, { "enterprise", true, NULL }, { NULL } };
        int rc = ctl_parse ("pair guidance list", argc - 1, argv + 1, opts, NULL, 0, NULL);
        if (rc)
            return rc;
        Innov__ListGuidanceRequest req = INNOV__LIST_GUIDANCE_REQUEST__INIT;
        req.agency = (char *) ctl_opt_text (opts, "agency");
        req.enterprise = (char *) ctl_opt_text (opts, "enterprise");
        req.province = (char *) ctl->cfg->province;
        return ctl_call_print (ctl, PAIRING, "guidance.list", &req.base, &innov__list_guidance_reply__descriptor,
                               s_show_guidance);
    }
    bool link = streq (argv [0], "link");
    if (!link && !streq (argv [0], "unlink"))
        return ctl_usage ("pair guidance", "give link, unlink or list");
    const char *command = link? "pair guidance link": "pair guidance unlink";
    ctl_opt_t opts [] = { { NULL } };
    const char *pos [1001];
    int npos = 0;
    int rc = ctl_parse (command, argc - 1, argv + 1, opts, pos, 1001, &npos);
    if (rc)
        return rc;
    if (npos < 2)
        return ctl_usage (command, "give the agency code and at least one credit code");
    uint64_t changed = 0;
    for (int start = 1; start < npos; start += CODES_PER_REQUEST) {
        int n = npos - start < CODES_PER_REQUEST? npos - start: CODES_PER_REQUEST;
        Innov__LinkRequest req = INNOV__LINK_REQUEST__INIT;
        req.agency = (char *) pos [0];
        req.enterprises = (char **) (pos + start);
        req.n_enterprises = (size_t) n;
        req.province = (char *) ctl->cfg->province;
        ProtobufCMessage *reply = NULL;
        rc = ctl_call (ctl, PAIRING, link? "guidance.link": "guidance.unlink", &req.base,
                       &innov__link_reply__descriptor, &reply);
        if (rc)
            return rc;
        changed += ((Innov__LinkReply *) reply)->changed;
        protobuf_c_message_free_unpacked (reply, NULL);
    }
    if (ctl->cfg->json)
        printf ("{\n  \"changed\": %" PRIu64 "\n}\n", changed);
    else
        printf ("%s %" PRIu64 " 家企业\n", link? "已建立指导关系": "已解除指导关系", changed);
    return CTL_OK;
}

static int
s_pair_usage (void)
{
    fprintf (stderr,
        "usage: innovctl pair add CODE [--mentor CODE]\n"
        "       innovctl pair end ID | --enterprise CODE [--reason R]\n"
        "       innovctl pair get ID | CODE\n"
        "       innovctl pair list [--city C | --enterprise CODE | --mentor CODE] [--limit N] [--cursor X]\n"
        "       innovctl pair suggest [--city C] [--apply] [--limit N]\n"
        "       innovctl pair guidance link|unlink AGENCY CODE...\n"
        "       innovctl pair guidance list [--agency A | --enterprise CODE]\n");
    return CTL_USAGE;
}

int
cmd_pair (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || streq (argv [0], "help"))
        return s_pair_usage ();
    const char *sub = argv [0];
    if (streq (sub, "add"))      return s_pair_add (ctl, argc - 1, argv + 1);
    if (streq (sub, "end"))      return s_pair_end (ctl, argc - 1, argv + 1);
    if (streq (sub, "get"))      return s_pair_get (ctl, argc - 1, argv + 1);
    if (streq (sub, "list"))     return s_pair_list (ctl, argc - 1, argv + 1);
    if (streq (sub, "suggest"))  return s_pair_suggest (ctl, argc - 1, argv + 1);
    if (streq (sub, "guidance")) return s_guidance (ctl, argc - 1, argv + 1);
    fprintf (stderr, "innovctl: pair: unknown sub-command \"%s\"\n", sub);
    return s_pair_usage ();
}

/* ---- coverage ---- */

static void
s_show_gaps (const ProtobufCMessage *reply)
{
    const Innov__GapsReply *page = (const Innov__GapsReply *) reply;
    const char *headers [] = { "企业", "市", "行业", "缺口", "细分", "说明" };
    inv_table_t *t = inv_table_new (6, headers);
    for (size_t i = 0; i < page->n_gaps; i++) {
        const Innov__Gap *g = page->gaps [i];
        const char *cells [] = { g->enterprise, ctl_division_label (g->city), g->industry, g->reason, g->detail,
                                 g->explanation };
        inv_table_add (t, cells);
    }
    s_print_page (&t, page->total, "个缺口", page->next_cursor);
}

static int
s_coverage_gaps (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "coverage gaps";
    ctl_opt_t opts [] = { { "city", true, NULL }, { "dept", true, NULL }, { "cluster", true, NULL },
                          { "reason", true, NULL }, { "limit", true, NULL }, { "cursor", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__GapsRequest req = INNOV__GAPS_REQUEST__INIT;
    char scope [96] = "province";
    if (ctl_opt (opts, "city"))
        snprintf (scope, sizeof scope, "city:%s", ctl_opt (opts, "city"));
    else
    if (ctl_opt (opts, "dept"))
        snprintf (scope, sizeof scope, "dept:%s", ctl_opt (opts, "dept"));
    else
    if (ctl_opt (opts, "cluster"))
        snprintf (scope, sizeof scope, "cluster:%s", ctl_opt (opts, "cluster"));
    req.scope = scope;
    req.reason = (char *) ctl_opt_text (opts, "reason");
    req.cursor = (char *) ctl_opt_text (opts, "cursor");
    req.province = (char *) ctl->cfg->province;
    if ((rc = ctl_opt_limit (command, opts, &req.limit)))
        return rc;
    return ctl_call_print (ctl, PAIRING, "coverage.gaps", &req.base, &innov__gaps_reply__descriptor, s_show_gaps);
}

static void
s_show_coverage (const ProtobufCMessage *reply)
{
    const Innov__CoverageReply *r = (const Innov__CoverageReply *) reply;
    const char *headers [] = { "范围", "名称", "未开展", "全覆盖", "覆盖率", "缺口", "无专班", "未结对",
                               "无导师", "结对", "有导师" };
    inv_table_t *t = inv_table_new (11, headers);
    for (size_t c = 2; c < 11; c++)
        inv_table_set_right (t, c, true);
    for (size_t i = 0; i < r->n_rows; i++) {
        const Innov__CoverageRow *row = r->rows [i];
        char v [9][24];
        snprintf (v [0], 24, "%" PRIu64, row->tracked);
        snprintf (v [1], 24, "%" PRIu64, row->covered);
        snprintf (v [2], 24, "%.1f%%", row->covered_pct);
        snprintf (v [3], 24, "%" PRIu64, row->gaps);
        snprintf (v [4], 24, "%" PRIu64, row->no_work_group);
        snprintf (v [5], 24, "%" PRIu64, row->no_pairing);
        snprintf (v [6], 24, "%" PRIu64, row->no_mentor);
        snprintf (v [7], 24, "%" PRIu64, row->pairings);
        snprintf (v [8], 24, "%" PRIu64, row->mentored);
        const char *cells [] = { row->scope, row->label, v [0], v [1], v [2], v [3], v [4], v [5], v [6],
                                 v [7], v [8] };
        inv_table_add (t, cells);
    }
    inv_table_print (t, stdout);
    inv_table_destroy (&t);
}

int
cmd_coverage (ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 1 && streq (argv [0], "help")) {
        fprintf (stderr,
            "usage: innovctl coverage [--by province|city|department|cluster]\n"
            "       innovctl coverage gaps [--city C | --dept D | --cluster K] [--reason no_department|no_work_group|"
            "no_pairing|no_mentor] [--limit N] [--cursor X]\n");
        return CTL_USAGE;
    }
    if (argc >= 1 && streq (argv [0], "gaps"))
        return s_coverage_gaps (ctl, argc - 1, argv + 1);
    ctl_opt_t opts [] = { { "by", true, NULL }, { NULL } };
    int rc = ctl_parse ("coverage", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__CoverageRequest req = INNOV__COVERAGE_REQUEST__INIT;
    req.by = (char *) ctl_opt_text (opts, "by");
    req.province = (char *) ctl->cfg->province;
    return ctl_call_print (ctl, PAIRING, "coverage.get", &req.base,
                           &innov__coverage_reply__descriptor, s_show_coverage);
}
