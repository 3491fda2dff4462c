/*  innovctl agency list | get | add | update: the agencies that work on the ledger
    (provincial group, departments, cities, counties, alliances, expert teams, platforms)
    through the registry (proto/registry.proto).

        agency list [--kind K] [--parent CODE] [--limit N] [--cursor X]
        agency get CODE
        agency add --kind alliance|expert_team|platform --code CODE --name NAME
                   [--short-name S] [--cluster K] [--industry NN] [--field F]
        agency update CODE [--name N] [--short-name S] [--field F]

    Kinds are written as the enum names in any case, or their short forms (group,
    department, city, county, alliance, expert_team / expert, platform).
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ctl.h"
#include "inv_table.h"

#define REGISTRY "registry"

static const struct { const char *word; Innov__AgencyKind kind; const char *label; } s_kinds [] = {
    { "group",       INNOV__AGENCY_KIND__PROVINCIAL_GROUP, "推进小组" },
    { "department",  INNOV__AGENCY_KIND__DEPARTMENT,       "省直部门" },
    { "city",        INNOV__AGENCY_KIND__CITY,             "市" },
    { "county",      INNOV__AGENCY_KIND__COUNTY,           "县区" },
    { "alliance",    INNOV__AGENCY_KIND__ALLIANCE,         "产业联盟" },
    { "expert_team", INNOV__AGENCY_KIND__EXPERT_TEAM,      "专家团队" },
    { "expert",      INNOV__AGENCY_KIND__EXPERT_TEAM,      "专家团队" },
    { "platform",    INNOV__AGENCY_KIND__PLATFORM,         "创新平台" },
};
#define KINDS (sizeof s_kinds / sizeof s_kinds [0])

/* Kind by word or enum name; -1 if unknown. */
static int
s_parse_kind (const char *text)
{
    for (size_t i = 0; i < KINDS; i++)
        if (strcasecmp (text, s_kinds [i].word) == 0)
            return s_kinds [i].kind;
    const ProtobufCEnumValue *value = protobuf_c_enum_descriptor_get_value_by_name (&innov__agency_kind__descriptor, text);
    if (!value) {
        char upper [32];
        size_t i = 0;
        for (; text [i] && i < sizeof upper - 1; i++)
            upper [i] = (char) (text [i] >= 'a' && text [i] <= 'z'? text [i] - 32: text [i]);
        upper [i] = 0;
        value = protobuf_c_enum_descriptor_get_value_by_name (&innov__agency_kind__descriptor, upper);
    }
    return value && value->value > 0? value->value: -1;
}

static const char *
s_kind_label (int kind)
{
    for (size_t i = 0; i < KINDS; i++)
        if ((int) s_kinds [i].kind == kind)
            return s_kinds [i].label;
    return "?";
}

static void
s_print_agency (ctl_t *ctl, const Innov__Agency *a)
{
    if (ctl->cfg->json) {
        ctl_print_json (&a->base);
        return;
    }
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "代码", "%s", a->code);
    ctl_kv_add (kv, "类别", "%s", s_kind_label (a->kind));
    ctl_kv_add (kv, "名称", "%s", a->name);
    if (*a->short_name)
        ctl_kv_add (kv, "简称", "%s", a->short_name);
    for (size_t i = 0; i < a->n_aliases; i++)
        ctl_kv_add (kv, "别名", "%s", a->aliases [i]);
    if (*a->parent)
        ctl_kv_add (kv, "上级", "%s", a->parent);
    if (*a->field)
        ctl_kv_add (kv, "职责领域", "%s", a->field);
    if (*a->cluster)
        ctl_kv_add (kv, "产业集群", "%s (%s)", ctl_cluster_label (a->cluster), a->cluster);
    if (*a->industry)
        ctl_kv_add (kv, "行业", "%s", a->industry);
    ctl_kv_add (kv, "版本", "%" PRIu64, a->version);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
}

/* Call an agency method and print the agency replied. */
static int
s_agency_call (ctl_t *ctl, const char *method, const ProtobufCMessage *request)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, REGISTRY, method, request, &innov__agency_reply__descriptor, &reply);
    if (rc == CTL_OK && reply && ((Innov__AgencyReply *) reply)->agency)
        s_print_agency (ctl, ((Innov__AgencyReply *) reply)->agency);
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

static void
s_print_agencies (const ProtobufCMessage *reply)
{
    const Innov__ListAgenciesReply *page = (const Innov__ListAgenciesReply *) reply;
    const char *headers [] = { "代码", "类别", "名称", "简称", "上级" };
    inv_table_t *table = inv_table_new (5, headers);
    for (size_t i = 0; i < page->n_agencies; i++) {
        const Innov__Agency *a = page->agencies [i];
        const char *cells [] = { a->code, s_kind_label (a->kind), a->name, a->short_name, a->parent };
        inv_table_add (table, cells);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
    printf ("共 %" PRIu64 " 个，显示 %zu 个", page->total, page->n_agencies);
    ctl_page_end (page->next_cursor);
}

static int
s_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "agency list";
    ctl_opt_t opts [] = { { "kind", true, NULL }, { "parent", true, NULL }, { "limit", true, NULL },
                          { "cursor", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListAgenciesRequest request = INNOV__LIST_AGENCIES_REQUEST__INIT;
    if (ctl_opt (opts, "kind")) {
        int kind = s_parse_kind (ctl_opt (opts, "kind"));
        if (kind < 0)
            return ctl_usage (command, "--kind: \"%s\" is not one of group, department, city, county, "
                              "alliance, expert_team, platform", ctl_opt (opts, "kind"));
        request.kind = (Innov__AgencyKind) kind;
    }
    request.parent = (char *) ctl_opt_text (opts, "parent");
    request.cursor = (char *) ctl_opt_text (opts, "cursor");
    request.province = (char *) ctl->cfg->province;
    rc = ctl_opt_limit (command, opts, &request.limit);
    if (rc)
        return rc;
    return ctl_call_print (ctl, REGISTRY, "agency.list", &request.base, &innov__list_agencies_reply__descriptor,
                           s_print_agencies);
}

static int
s_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    const char *pos [1];
    int rc = ctl_parse_one ("agency get", argc, argv, opts, "the agency code (gxt, 140100, alliance.semiconductor ...)", &pos [0]);
    if (rc)
        return rc;
    Innov__GetAgencyRequest request = INNOV__GET_AGENCY_REQUEST__INIT;
    request.code = (char *) pos [0];
    request.province = (char *) ctl->cfg->province;
    return s_agency_call (ctl, "agency.get", &request.base);
}

static int
s_add (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "agency add";
    ctl_opt_t opts [] = { { "kind", true, NULL }, { "code", true, NULL }, { "name", true, NULL },
                          { "short-name", true, NULL }, { "cluster", true, NULL }, { "industry", true, NULL },
                          { "field", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    const char *kind_text = ctl_opt (opts, "kind");
    int kind = kind_text? s_parse_kind (kind_text): -1;
    if (kind < 0)
        return ctl_usage (command, "--kind: give alliance, expert_team or platform");
    Innov__Agency agency = INNOV__AGENCY__INIT;
    agency.kind = (Innov__AgencyKind) kind;
    agency.code = (char *) ctl_opt_text (opts, "code");
    agency.name = (char *) ctl_opt_text (opts, "name");
    agency.short_name = (char *) ctl_opt_text (opts, "short-name");
    agency.cluster = (char *) ctl_opt_text (opts, "cluster");
    agency.industry = (char *) ctl_opt_text (opts, "industry");
    agency.field = (char *) ctl_opt_text (opts, "field");
    Innov__AddAgencyRequest request = INNOV__ADD_AGENCY_REQUEST__INIT;
    request.agency = &agency;
    char key [CTL_KEY_SIZE];
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_agency_call (ctl, "agency.add", &request.base);
}

static int
s_update (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "agency update";
    ctl_opt_t opts [] = { { "name", true, NULL }, { "short-name", true, NULL }, { "field", true, NULL },
                          { "expected-version", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *pos [1];
    int rc = ctl_parse_one (command, argc, argv, opts, "the agency code", &pos [0]);
    if (rc)
        return rc;
    if (!ctl_opt (opts, "name") && !ctl_opt (opts, "short-name") && !ctl_opt (opts, "field"))
        return ctl_usage (command, "nothing to change: give --name, --short-name or --field");
    Innov__Agency agency = INNOV__AGENCY__INIT;
    agency.code = (char *) pos [0];
    agency.name = (char *) ctl_opt_text (opts, "name");
    agency.short_name = (char *) ctl_opt_text (opts, "short-name");
    agency.field = (char *) ctl_opt_text (opts, "field");
    Innov__UpdateAgencyRequest request = INNOV__UPDATE_AGENCY_REQUEST__INIT;
    request.agency = &agency;
    rc = ctl_expected_version (command, opts, &request.expected_version);
    if (rc)
        return rc;
    char key [CTL_KEY_SIZE];
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_agency_call (ctl, "agency.update", &request.base);
}

int
cmd_agency (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = {
        { "list", s_list }, { "get", s_get }, { "add", s_add }, { "update", s_update }, { NULL } };
    if (argc < 1)
        return ctl_usage ("agency", "give a sub-command: list, get, add or update");
    int rc = ctl_run_sub (ctl, subs, argc, argv);
    if (rc >= 0)
        return rc;
    return ctl_usage ("agency", "unknown sub-command \"%s\" (list, get, add, update)", argv [0]);
}
