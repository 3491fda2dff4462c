/*  test_registry_workflow: an enterprise walked from not started to closed through the
    broker with innovctl, acting as different principals: illegal steps refused with the
    allowed ones named, a review refused to a county, one rejected review, then the
    approval; the history and the event stream hold every step in order. Also the name
    search and the agencies through innovctl. */
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
#include "inv_valid.h"

static int
s_stack_up (void **state)
{
    *state = stack_new (NULL, "redis", "broker", "registry", NULL);
    return *state? 0: -1;
}

static void
test_walk_to_closed (void **state)
{
    harness_t *h = *state;
    char code [19];
    assert_true (inv_credit_code_complete ("91140105MA0WFLW01", code));
    free (stack_ctl (h, 0, "enterprise", "add", "--code", code, "--name", "太原流程测试机械有限公司",
                     "--county", "140105", "--industry", "3311", "--department", "省工信厅", NULL));

    /* illegal steps name the allowed one; status is not an update field any more */
    stack_expect (h, 1, "allowed from there: enterprise.transition to IN_PROGRESS",
                  "enterprise", "status", code, "--to", "active", NULL);
    stack_expect (h, 1, "409", "enterprise", "close", code, "--evidence", "停产", NULL);
    stack_expect (h, 1, "enterprise.transition", "enterprise", "update", code, "--status", "active", NULL);
    stack_expect (h, 2, "--to", "enterprise", "status", code, "--to", "closed", NULL);
    stack_expect (h, 2, "--reason", "enterprise", "review", code, "--reject", NULL);

    /* out of scope */
    stack_expect (h, 1, "403", "--as", "city:140200", "enterprise", "status", code, "--to", "in_progress", NULL);

    /* the walk, acting as the enterprise itself, its county and the province */
    char self [32];
    snprintf (self, sizeof self, "ent:%s", code);
    stack_expect (h, 0, "推进中", "--as", self, "enterprise", "status", code, "--to", "in_progress",
                  "--reason", "已立项研发项目", NULL);
    stack_expect (h, 0, "已开展", "--as", "county:140105", "enterprise", "status", code, "--to", "active",
                  "--reason", "建成企业技术中心", NULL);
    stack_expect (h, 0, "销号审核中", "enterprise", "close", code, "--evidence", "企业已注销",
                  "--file", "files/2026/zx-1.pdf", NULL);
    stack_expect (h, 1, "enterprise.review", "enterprise", "close", code, "--evidence", "again", NULL);

    /* review: not by the county; rejected by the department, then approved by the city */
    stack_expect (h, 1, "403", "--as", "county:140105", "enterprise", "review", code, "--approve", NULL);
    stack_expect (h, 0, "已开展", "--as", "dept:gxt", "enterprise", "review", code, "--reject",
                  "--reason", "缺少注销证明", NULL);
    stack_expect (h, 0, "销号审核中", "--as", "county:140105", "enterprise", "close", code,
                  "--file", "files/2026/zx-2.pdf", NULL);
    stack_expect (h, 0, "已销号", "--as", "city:140100", "enterprise", "review", code, "--approve",
                  "--reason", "材料齐全", NULL);
    stack_expect (h, 1, "CLOSED is final", "enterprise", "status", code, "--to", "active", NULL);

    /* the history: six steps, who and why */
    char *text = stack_ctl (h, 0, "enterprise", "history", code, "--json", NULL);
    assert_int_equal (inv_json_length (text, "changes"), 6);
    const char *expect [][4] = {
        { "transition", "NOT_STARTED", "IN_PROGRESS", "" }, { "transition", "IN_PROGRESS", "ACTIVE", "county:140105" },
        { "close_request", "ACTIVE", "ACTIVE", "province" }, { "close_reject", "ACTIVE", "ACTIVE", "dept:gxt" },
        { "close_request", "ACTIVE", "ACTIVE", "county:140105" }, { "close_approve", "ACTIVE", "CLOSED", "city:140100" },
    };
    for (int i = 0; i < 6; i++) {
        const char *fields [] = { "action", "from", "to", "actor" };
        for (int f = 0; f < 4; f++) {
            char path [64];
            snprintf (path, sizeof path, "changes[%d].%s", i, fields [f]);
            char *value = inv_json_get (text, path);
            assert_non_null (value);
            assert_string_equal (value, f == 3 && i == 0? self: expect [i][f]);
            free (value);
        }
    }
    char *reason = inv_json_get (text, "changes[3].reason");
    assert_string_equal (reason, "缺少注销证明");
    free (reason);
    free (text);
    text = stack_ctl (h, 0, "enterprise", "history", code, NULL);
    assert_non_null (strstr (text, "销号驳回"));
    assert_non_null (strstr (text, "共 6 条"));
    free (text);

    /* the events, in order, replayed from the start */
    text = stack_ctl (h, 0, "events", "tail", "--since", "0", "--topic", "enterprise.", "--count", "7", NULL);
    const char *types [] = { "enterprise.created", "enterprise.status_changed", "enterprise.status_changed",
                             "enterprise.close_requested", "enterprise.close_rejected",
                             "enterprise.close_requested", "enterprise.closed" };
    const char *at = text;
    for (int i = 0; i < 7; i++) {
        const char *found = strstr (at, types [i]);
        if (!found)
            fail_msg ("event %d %s missing after: %s", i, types [i], at);
        at = found + strlen (types [i]);
    }
    free (text);

    /* counts follow */
    text = stack_ctl (h, 0, "enterprise", "count", "--by", "status", "--json", NULL);
    char *closed = inv_json_get (text, "rows[3].closed");
    assert_string_equal (closed, "1");
    free (closed);
    free (text);
}

static void
test_search_and_agencies (void **state)
{
    harness_t *h = *state;
    char code [19];
    assert_true (inv_credit_code_complete ("91140105MA0FND001", code));
    free (stack_ctl (h, 0, "enterprise", "add", "--code", code, "--name", "山西搜索示例光电有限公司",
                     "--county", "140105", "--industry", "3976", "--department", "gxt", NULL));
    stack_expect (h, 0, code, "enterprise", "search", "搜索示例", NULL);
    stack_expect (h, 0, code, "enterprise", "search", "山西搜索", "--json", NULL);
    stack_expect (h, 0, "找到 0 家", "enterprise", "search", "没有这个名字", NULL);
    stack_expect (h, 1, "fragment", "enterprise", "search", "x", NULL);
    stack_expect (h, 1, "403", "--as", "anonymous", "enterprise", "search", "搜索", NULL);

    stack_expect (h, 0, "共 11 个", "agency", "list", "--kind", "city", NULL);
    stack_expect (h, 0, "小店区", "agency", "list", "--parent", "140100", NULL);
    stack_expect (h, 0, "省工信厅", "agency", "get", "gxt", NULL);
    stack_expect (h, 0, "alliance.semiconductor", "agency", "list", "--kind", "alliance", NULL);
    stack_expect (h, 0, "platform.demo", "agency", "add", "--kind", "platform", "--code", "platform.demo",
                  "--name", "示例创新平台", NULL);
    stack_expect (h, 1, "403", "--as", "city:140100", "agency", "add", "--kind", "platform", "--code",
                  "platform.demo2", "--name", "x", NULL);
    stack_expect (h, 0, "太原市人民政府", "--as", "city:140100", "agency", "update", "140100",
                  "--name", "太原市人民政府", NULL);
    stack_expect (h, 1, "403", "--as", "city:140100", "agency", "update", "140200", "--name", "x", NULL);
    stack_expect (h, 2, "--kind", "agency", "list", "--kind", "colour", NULL);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_walk_to_closed),
        cmocka_unit_test (test_search_and_agencies),
    };
    return cmocka_run_group_tests (tests, s_stack_up, stack_down);
}
