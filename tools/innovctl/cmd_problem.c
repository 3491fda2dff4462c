/*  innovctl problem: the problem list (问题清单) and its 13710 ladder, through the
    problems service (proto/problems.proto, docs/problems.md).

        problem raise --enterprise CODE --category C --description TEXT
                      [--kind government|own] [--complex] [--source S] [--group ID]
        problem get ID
        problem list [--scope S | --city C | --dept D | --group ID | --handler P] [--open]
                     [--limit N] [--offset N]
        problem assign ID --to dept:<code>|city:<code>|ent:<code> [--note TEXT]
        problem accept ID [--note TEXT]
        problem progress ID --note TEXT
        problem plan ID --plan TEXT --date DATE
        problem resolve ID --note TEXT
        problem close ID [--note TEXT]
        problem figures [--scope S]           (province, city:<code>, dept:<code>, group:<id>, all)

    Every write takes --idempotency-key (a fresh one is made otherwise). The light of an
    open problem is worked out here from its next deadline, as notify does: red when
    it has passed, yellow within 3 days, green before.
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_clock.h"
#include "inv_table.h"
#include "problems.pb-c.h"
#include "figures.pb-c.h"

#define PROBLEMS        "problems"
#define YELLOW_MS       (3LL * 24 * 3600 * 1000)

static const char *
s_label (const char *key, const char *table [][2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (streq (key, table [i][0]))
            return table [i][1];
    return key;
}

#define LABEL(key, table) s_label ((key), (table), sizeof (table) / sizeof ((table) [0]))

static const char *s_states [][2] = {
    { "raised", "待交办" }, { "assigned", "已交办" }, { "accepted", "已受理" },
    { "in_progress", "办理中" }, { "resolved", "已办结" }, { "closed", "已销号" }
};
static const char *s_kinds [][2] = { { "government", "政府职权" }, { "own", "企业自身" } };
static const char *s_sources [][2] = { { "group", "工作组" }, { "enterprise", "企业" }, { "hotline", "服务热线" } };
static const char *s_categories [][2] = {
    { "funding", "资金" }, { "talent", "人才" }, { "technology", "技术" }, { "land", "用地" },
    { "approval", "审批" }, { "market", "市场" }, { "policy", "政策" }, { "energy", "要素保障" },
    { "other", "其他" }
};
static const char *s_actions [][2] = {
    { "raise", "提出" }, { "assign", "交办" }, { "accept", "受理" }, { "progress", "进展" },
    { "plan", "计划" }, { "resolve", "办结" }, { "close", "销号" }
};

static const char *
s_light (const Innov__Problem *p)
{
    if (!p->next_due_ms)
        return "-";
    int64_t left = p->next_due_ms - inv_clock_now_ms ();
    return left <= 0? "红": left <= YELLOW_MS? "黄": "绿";
}

static int
s_usage (void)
{
    fprintf (stderr,
        "usage: innovctl problem raise --enterprise CODE --category C --description TEXT\n"
        "                        [--kind government|own] [--complex] [--source S] [--group ID]\n"
        "       innovctl problem get ID\n"
        "       innovctl problem list [--scope S | --city C | --dept D | --group ID | --handler P]\n"
        "                        [--open] [--limit N] [--offset N]\n"
        "       innovctl problem assign ID --to dept:<code>|city:<code>|ent:<code> [--note TEXT]\n"
        "       innovctl problem accept ID [--note TEXT]\n"
        "       innovctl problem progress ID --note TEXT\n"
        "       innovctl problem plan ID --plan TEXT --date DATE\n"
        "       innovctl problem resolve ID --note TEXT\n"
        "       innovctl problem close ID [--note TEXT]\n"
        "       innovctl problem figures [--scope province|city:<code>|dept:<code>|group:<id>|all]\n"
        "categories: funding talent technology land approval market policy energy other (or 资金 人才 ...)\n");
    return CTL_USAGE;
}

/* ---- output ------------------------------------------------------------------------- */

static void
s_print_problem (const Innov__Problem *p)
{
    char t1 [32], t2 [32];
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "编号", "%s", p->id);
    ctl_kv_add (kv, "企业", "%s %s", p->enterprise, p->enterprise_name);
    ctl_kv_add (kv, "属地/主管", "%s / %s", ctl_division_label (p->city), ctl_department_label (p->department));
    ctl_kv_add (kv, "类别", "%s", LABEL (p->category, s_categories));
    ctl_kv_add (kv, "性质", "%s%s", LABEL (p->kind, s_kinds), p->complex? "（复杂）": "");
    ctl_kv_add (kv, "来源", "%s（%s）", LABEL (p->source, s_sources), p->raised_by);
    ctl_kv_add (kv, "描述", "%s", p->description);
    if (*p->work_group)
        ctl_kv_add (kv, "工作组", "%s", p->work_group);
    if (*p->handler)
        ctl_kv_add (kv, "承办", "%s", p->handler);
    ctl_kv_add (kv, "状态", "%s", LABEL (p->state, s_states));
    if (p->next_due_ms)
        ctl_kv_add (kv, "下一时限", "%s  %s", ctl_time_text (p->next_due_ms, t1, sizeof t1), s_light (p));
    if (p->plan_ms)
        ctl_kv_add (kv, "计划", "%s（%s 前）", p->plan, ctl_time_text (p->plan_ms, t1, sizeof t1));
    if (p->resolved_ms)
        ctl_kv_add (kv, "办结", "%s  %s，用时 %u 天，%s", ctl_time_text (p->resolved_ms, t1, sizeof t1),
                    p->resolution, p->days_to_solve, p->on_time? "按期": "逾期");
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
    const char *headers [] = { "时间", "步骤", "经办", "说明" };
    inv_table_t *table = inv_table_new (4, headers);
    for (size_t i = 0; i < p->n_steps; i++) {
        const Innov__ProblemStep *s = p->steps [i];
        const char *cells [] = { ctl_time_text (s->time_ms, t2, sizeof t2), LABEL (s->action, s_actions),
                                 s->actor, s->note };
        inv_table_add (table, cells);
    }
    printf ("\n");
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
}

static void
s_show_list (const ProtobufCMessage *message)
{
    const Innov__ListProblemsReply *reply = (const Innov__ListProblemsReply *) message;
    const char *headers [] = { "编号", "企业", "类别", "性质", "承办", "状态", "灯", "下一时限" };
    inv_table_t *table = inv_table_new (8, headers);
    for (size_t i = 0; i < reply->n_problems; i++) {
        const Innov__Problem *p = reply->problems [i];
        char due [32];
        const char *cells [] = { p->id, p->enterprise_name, LABEL (p->category, s_categories),
                                 LABEL (p->kind, s_kinds), *p->handler? p->handler: "-",
                                 LABEL (p->state, s_states), s_light (p),
                                 ctl_time_text (p->next_due_ms, due, sizeof due) };
        inv_table_add (table, cells);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
    printf ("共 %u 条，显示 %zu 条\n", reply->total, reply->n_problems);
}

static void
s_show_figures (const ProtobufCMessage *message)
{
    const Innov__FiguresReply *reply = (const Innov__FiguresReply *) message;
    const char *names [] = { "problems.raised", "problems.open", "problems.overdue", "problems.resolved",
                             "problems.closed", "problems.solved_on_time", "problems.solved_late",
                             "problems.median_days" };
    const char *headers [9] = { "范围" };
    for (size_t i = 0; i < 8; i++)
        headers [i + 1] = names [i];
    /* headers from the first row's labels when there is one */
    if (reply->n_rows)
        for (size_t i = 0; i < 8; i++)
            for (size_t j = 0; j < reply->rows [0]->n_figures; j++)
                if (streq (reply->rows [0]->figures [j]->name, names [i]))
                    headers [i + 1] = reply->rows [0]->figures [j]->label;
    inv_table_t *table = inv_table_new (9, headers);
    for (size_t i = 1; i < 9; i++)
        inv_table_set_right (table, i, true);
    for (size_t r = 0; r < reply->n_rows; r++) {
        const Innov__FigureRow *row = reply->rows [r];
        char values [8][32];
        const char *cells [9] = { row->scope };
        for (size_t i = 0; i < 8; i++) {
            snprintf (values [i], sizeof values [i], "0");
            for (size_t j = 0; j < row->n_figures; j++)
                if (streq (row->figures [j]->name, names [i]))
                    snprintf (values [i], sizeof values [i], "%g", row->figures [j]->value);
            cells [i + 1] = values [i];
        }
        inv_table_add (table, cells);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
}

static void
s_show_problem (const ProtobufCMessage *reply)
{
    const Innov__ProblemReply *r = (const Innov__ProblemReply *) reply;
    if (r->problem)
        s_print_problem (r->problem);
}

/* ---- commands ----------------------------------------------------------------------- */

static int
s_raise (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "problem raise";
    ctl_opt_t opts [] = { { "enterprise", true, NULL }, { "category", true, NULL },
                          { "description", true, NULL }, { "kind", true, NULL }, { "complex", false, NULL },
                          { "source", true, NULL }, { "group", true, NULL },
                          { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    if (!ctl_opt (opts, "enterprise") || !ctl_opt (opts, "category") || !ctl_opt (opts, "description"))
        return ctl_usage (command, "give --enterprise, --category and --description");
    char key [CTL_KEY_SIZE];
    Innov__RaiseProblemRequest request = INNOV__RAISE_PROBLEM_REQUEST__INIT;
    request.enterprise = (char *) ctl_opt_text (opts, "enterprise");
    request.category = (char *) ctl_opt_text (opts, "category");
    request.description = (char *) ctl_opt_text (opts, "description");
    request.kind = (char *) (ctl_opt (opts, "kind")? ctl_opt (opts, "kind"): "government");
    request.complex = ctl_opt (opts, "complex") != NULL;
    request.source = (char *) ctl_opt_text (opts, "source");
    request.work_group = (char *) ctl_opt_text (opts, "group");
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return ctl_call_print (ctl, PROBLEMS, "problem.raise", &request.base,
                           &innov__problem_reply__descriptor, s_show_problem);
}

static int
s_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    const char *id;
    int rc = ctl_parse_one ("problem get", argc, argv, opts, "a problem id", &id);
    if (rc)
        return rc;
    Innov__GetProblemRequest request = INNOV__GET_PROBLEM_REQUEST__INIT;
    request.id = (char *) id;
    return ctl_call_print (ctl, PROBLEMS, "problem.get", &request.base,
                           &innov__problem_reply__descriptor, s_show_problem);
}

static int
s_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "problem list";
    ctl_opt_t opts [] = { { "scope", true, NULL }, { "city", true, NULL }, { "dept", true, NULL },
                          { "group", true, NULL }, { "handler", true, NULL }, { "open", false, NULL },
                          { "limit", true, NULL }, { "offset", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__ListProblemsRequest request = INNOV__LIST_PROBLEMS_REQUEST__INIT;
    if (rc || (rc = ctl_opt_limit (command, opts, &request.limit)))
        return rc;
    uint64_t offset = 0;
    if (ctl_opt (opts, "offset") && !ctl_parse_uint (ctl_opt (opts, "offset"), UINT32_MAX, &offset))
        return ctl_usage (command, "--offset: \"%s\" is not a whole number", ctl_opt (opts, "offset"));
    request.offset = (uint32_t) offset;
    const char *prefixes [][2] = { { "city", "city:" }, { "dept", "dept:" }, { "group", "group:" },
                                   { "handler", "handler:" } };
    char scope [160] = "";
    int given = 0;
    if (ctl_opt (opts, "scope")) {
        snprintf (scope, sizeof scope, "%s", ctl_opt (opts, "scope"));
        given++;
    }
    for (size_t i = 0; i < 4; i++)
        if (ctl_opt (opts, prefixes [i][0])) {
            snprintf (scope, sizeof scope, "%s%s", prefixes [i][1], ctl_opt (opts, prefixes [i][0]));
            given++;
        }
    if (given > 1)
        return ctl_usage (command, "give one of --scope, --city, --dept, --group, --handler");
    request.scope = scope;
    request.open_only = ctl_opt (opts, "open") != NULL;
    return ctl_call_print (ctl, PROBLEMS, "problem.list", &request.base,
                           &innov__list_problems_reply__descriptor, s_show_list);
}

/* assign, accept, progress, resolve, close */
static int
s_step (ctl_t *ctl, const char *step, int argc, char **argv)
{
    char command [64], method [64], key [CTL_KEY_SIZE];
    snprintf (command, sizeof command, "problem %s", step);
    snprintf (method, sizeof method, "problem.%s", step);
    bool assign = streq (step, "assign");
    bool note_needed = streq (step, "progress") || streq (step, "resolve");
    ctl_opt_t opts [] = { { "note", true, NULL }, { "idempotency-key", true, NULL },
                          { assign? "to": NULL, true, NULL }, { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc, argv, opts, "a problem id", &id);
    if (rc)
        return rc;
    if (note_needed && !ctl_opt (opts, "note"))
        return ctl_usage (command, "give --note");
    if (assign) {
        Innov__AssignProblemRequest request = INNOV__ASSIGN_PROBLEM_REQUEST__INIT;
        request.id = (char *) id;
        request.to = (char *) ctl_opt_text (opts, "to");
        request.note = (char *) ctl_opt_text (opts, "note");
        request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
        return ctl_call_print (ctl, PROBLEMS, method, &request.base,
                               &innov__problem_reply__descriptor, s_show_problem);
    }
    Innov__ProblemStepRequest request = INNOV__PROBLEM_STEP_REQUEST__INIT;
    request.id = (char *) id;
    request.note = (char *) ctl_opt_text (opts, "note");
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return ctl_call_print (ctl, PROBLEMS, method, &request.base, &innov__problem_reply__descriptor, s_show_problem);
}

static int
s_plan (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "problem plan";
    ctl_opt_t opts [] = { { "plan", true, NULL }, { "date", true, NULL }, { "idempotency-key", true, NULL },
                          { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc, argv, opts, "a problem id", &id);
    if (rc)
        return rc;
    if (!ctl_opt (opts, "plan") || !ctl_opt (opts, "date"))
        return ctl_usage (command, "give --plan and --date");
    int64_t due = inv_clock_parse (ctl_opt (opts, "date"));
    if (due < 0)
        return ctl_usage (command, "--date: \"%s\" is not a date (2026-06-30 or 2026-06-30T18:00)",
                          ctl_opt (opts, "date"));
    char key [CTL_KEY_SIZE];
    Innov__PlanProblemRequest request = INNOV__PLAN_PROBLEM_REQUEST__INIT;
    request.id = (char *) id;
    request.plan = (char *) ctl_opt_text (opts, "plan");
    request.due_ms = due;
    request.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return ctl_call_print (ctl, PROBLEMS, "problem.plan", &request.base,
                           &innov__problem_reply__descriptor, s_show_problem);
}

static int
s_figures (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "scope", true, NULL }, { NULL } };
    int rc = ctl_parse ("problem figures", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__FiguresRequest request = INNOV__FIGURES_REQUEST__INIT;
    request.scope = (char *) ctl_opt_text (opts, "scope");
    return ctl_call_print (ctl, PROBLEMS, "figures.get", &request.base,
                           &innov__figures_reply__descriptor, s_show_figures);
}

int
cmd_problem (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || streq (argv [0], "help"))
        return s_usage ();
    const char *sub = argv [0];
    if (streq (sub, "raise"))
        return s_raise (ctl, argc - 1, argv + 1);
    if (streq (sub, "get"))
        return s_get (ctl, argc - 1, argv + 1);
    if (streq (sub, "list"))
        return s_list (ctl, argc - 1, argv + 1);
    if (streq (sub, "plan"))
        return s_plan (ctl, argc - 1, argv + 1);
    if (streq (sub, "figures"))
        return s_figures (ctl, argc - 1, argv + 1);
    if (streq (sub, "assign") || streq (sub, "accept") || streq (sub, "progress")
    ||  streq (sub, "resolve") || streq (sub, "close"))
        return s_step (ctl, sub, argc - 1, argv + 1);
    fprintf (stderr, "innovctl: problem: unknown sub-command \"%s\"\n", sub);
    return s_usage ();
}
