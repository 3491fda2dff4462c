/*  test_valid: credit codes (check characters of real codes, every reason), the
    division and department tables with their aliases, the 14 clusters, and industry
    codes under GB/T 4754-2017. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "inv_valid.h"

/* ---- credit codes ---- */

static void
test_real_codes_pass (void **state)
{
    (void) state;
    /* codes of real registered enterprises, as printed on their licences */
    static const char *codes [] = {
        "91350100M000100Y43", "91110108551385082Q", "914403001922038216",
        "91440300708461136T", "91110000100017643K", NULL
    };
    for (int i = 0; codes [i]; i++) {
        char reason [256] = "";
        if (!inv_credit_code_valid (codes [i], reason, sizeof reason))
            fail_msg ("%s refused: %s", codes [i], reason);
        assert_int_equal (inv_credit_code_check_char (codes [i]), codes [i][17]);
    }
}

static void
test_complete (void **state)
{
    (void) state;
    char code [19];
    assert_true (inv_credit_code_complete ("91350100M000100Y4", code));
    assert_string_equal (code, "91350100M000100Y43");
    /* check value 31 is written '0' and 30 as 'Y': find prefixes that produce them */
    bool seen_zero = false, seen_y = false;
    char prefix [18] = "91140100MA0K00000";
    for (int i = 0; i < 31 && !(seen_zero && seen_y); i++) {
        prefix [16] = "0123456789ABCDEFGHJKLMNPQRTUWXY" [i];
        assert_true (inv_credit_code_complete (prefix, code));
        assert_true (inv_credit_code_valid (code, NULL, 0));
        seen_zero |= code [17] == '0';
        seen_y |= code [17] == 'Y';
    }
    assert_true (seen_zero);
    assert_true (seen_y);
    /* every one of the 31 check characters is reachable, and each completed code is valid */
    int seen [128] = { 0 };
    for (int i = 0; i < 31 * 31; i++) {
        prefix [15] = "0123456789ABCDEFGHJKLMNPQRTUWXY" [i / 31];
        prefix [16] = "0123456789ABCDEFGHJKLMNPQRTUWXY" [i % 31];
        assert_true (inv_credit_code_complete (prefix, code));
        assert_true (inv_credit_code_valid (code, NULL, 0));
        seen [(int) code [17]] = 1;
    }
    int distinct = 0;
    for (int c = 0; c < 128; c++)
        distinct += seen [c];
    assert_int_equal (distinct, 31);
    /* refused prefixes */
    assert_false (inv_credit_code_complete ("91140100MA0K0000", code));        /* 16 */
    assert_false (inv_credit_code_complete ("91140100MA0K0000I", code));       /* I */
    assert_false (inv_credit_code_complete ("91140100ma0k00001", code));       /* lower case */
    assert_int_equal (inv_credit_code_check_char (NULL), 0);
    assert_int_equal (inv_credit_code_check_char ("9114010OMA0K00001"), 0);    /* O */
}

/* The check refuses code and its reason contains the given text; what names the kind
   of code in a failure ("" for credit codes). */
static void
s_refused_by (bool (*valid) (const char *, char *, size_t), const char *what,
              const char *code, const char *expect)
{
    char reason [256] = "";
    if (valid (code, reason, sizeof reason))
        fail_msg ("%s%s should be refused", what, code? code: "(null)");
    if (!strstr (reason, expect))
        fail_msg ("%s%s: reason \"%s\" should contain \"%s\"", what, code? code: "(null)", reason, expect);
}

static void
s_refused (const char *code, const char *expect)
{
    s_refused_by (inv_credit_code_valid, "", code, expect);
}

static void
test_reasons (void **state)
{
    (void) state;
    s_refused (NULL, "empty");
    s_refused ("", "empty");
    s_refused ("91350100M000100Y4", "has 17 characters; a credit code has 18");
    s_refused ("91350100M000100Y433", "has 19 characters");
    /* 统 is 3 bytes: 20 bytes but 18 characters, so the character is blamed, not the length */
    s_refused ("91350100统000100Y43", "bad character '统' at position 9");
    s_refused ("9135010统0000100Y43", "bad character '统' at position 8");
    s_refused ("91350100O000100Y43", "bad character 'O' at position 9");
    s_refused ("91350100I000100Y43", "bad character 'I' at position 9");
    s_refused ("91350100S000100Y43", "bad character 'S' at position 9");
    s_refused ("91350100V000100Y43", "bad character 'V' at position 9");
    s_refused ("Z1350100M000100Y43", "bad character 'Z' at position 1");
    s_refused ("91350100M000100Y4-", "bad character '-' at position 18");
    s_refused ("91350100M000100Y4 ", "position 18");
    s_refused ("91350100m000100Y43", "lower case");
    s_refused ("91350100m000100Y43", "write 'M'");
    s_refused ("91350100m000100Y43", "position 9");
    s_refused ("913A0100M000100Y43", "bad character 'A' at position 4");
    s_refused ("913A0100M000100Y43", "division code");
    s_refused ("91350100M000100Y44", "wrong check character '4' at position 18: expected '3'");
    s_refused ("91350100M000100Y4Y", "expected '3'");
    /* a transposition of two digits is caught by the check */
    s_refused ("91530100M000100Y43", "wrong check character");
    char reason [8];
    /* a small buffer is never overrun */
    assert_false (inv_credit_code_valid ("91350100M000100Y44", reason, sizeof reason));
    assert_int_equal (strlen (reason), sizeof reason - 1);
}

/* ---- divisions ---- */

static void
test_divisions (void **state)
{
    (void) state;
    size_t count;
    const inv_division_t *all = inv_division_all (&count);
    size_t cities = 0, counties = 0, provinces = 0;
    for (size_t i = 0; i < count; i++) {
        if (all [i].level == INV_DIV_CITY) cities++;
        if (all [i].level == INV_DIV_COUNTY) counties++;
        if (all [i].level == INV_DIV_PROVINCE) provinces++;
        assert_string_equal (all [i].province, "14");
    }
    assert_int_equal (cities, 11);
    assert_int_equal (counties, 117);
    assert_int_equal (provinces, 1);
    assert_int_equal (count, 129);
    assert_string_equal (all [0].code, "140100");              /* table order */

    const inv_division_t *d = inv_division_find ("140105");
    assert_non_null (d);
    assert_string_equal (d->name, "小店区");
    assert_string_equal (d->kind, "district");
    assert_int_equal (d->level, INV_DIV_COUNTY);
    assert_string_equal (d->city, "140100");
    d = inv_division_find ("140100");
    assert_non_null (d);
    assert_string_equal (d->name, "太原市");
    assert_string_equal (d->kind, "prefecture");
    assert_int_equal (d->level, INV_DIV_CITY);
    assert_string_equal (d->city, "140100");
    d = inv_division_find ("140000");
    assert_non_null (d);
    assert_string_equal (d->name, "山西省");
    assert_int_equal (d->level, INV_DIV_PROVINCE);
    d = inv_division_find ("140121");
    assert_non_null (d);
    assert_string_equal (d->name, "清徐县");
    assert_string_equal (d->kind, "county");

    assert_true (inv_division_is_county ("140105"));
    assert_false (inv_division_is_county ("140100"));
    assert_true (inv_division_is_city ("140100"));
    assert_true (inv_division_is_city ("141100"));
    assert_false (inv_division_is_city ("140105"));
    assert_false (inv_division_is_city ("140000"));
    assert_null (inv_division_find ("140199"));
    assert_null (inv_division_find ("1401"));
    assert_null (inv_division_find (""));
    assert_null (inv_division_find (NULL));
    assert_null (inv_division_find ("110105"));                /* another province */
    /* every county's city is a city of the table */
    for (size_t i = 0; i < count; i++)
        if (all [i].level == INV_DIV_COUNTY)
            assert_true (inv_division_is_city (all [i].city));
}

static void *
s_lookup_thread (void *arg)
{
    (void) arg;
    for (int i = 0; i < 100; i++) {
        if (!inv_division_find ("140105") || !inv_department_find ("省工信厅"))
            return (void *) 1;
    }
    return NULL;
}

static void
test_tables_thread_safe (void **state)
{
    (void) state;
    /* first use may race; all threads must see complete tables */
    pthread_t threads [8];
    for (int i = 0; i < 8; i++)
        assert_int_equal (pthread_create (&threads [i], NULL, s_lookup_thread, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *result;
        pthread_join (threads [i], &result);
        assert_null (result);
    }
}

/* ---- departments ---- */

static void
test_departments (void **state)
{
    (void) state;
    size_t count;
    const inv_department_t *all = inv_department_all (&count);
    assert_int_equal (count, 14);
    assert_string_equal (all [0].code, "gxt");
    assert_string_equal (all [0].name, "山西省工业和信息化厅");
    assert_string_equal (all [0].short_name, "省工信厅");
    assert_non_null (strstr (all [0].field, "manufacturing"));

    static const char *gxt_names [] = {
        "gxt", "GXT", "山西省工业和信息化厅", "省工信厅", "省工业和信息化厅", "工信厅", "山西省工信厅",
        " 工信厅 ", "工业和信息化厅", NULL
    };
    for (int i = 0; gxt_names [i]; i++) {
        const inv_department_t *d = inv_department_find (gxt_names [i]);
        if (!d || strcmp (d->code, "gxt"))
            fail_msg ("\"%s\" should resolve to gxt", gxt_names [i]);
    }
    const inv_department_t *d = inv_department_find ("发改委");
    assert_non_null (d);
    assert_string_equal (d->code, "fgw");
    d = inv_department_find ("省卫健委");
    assert_non_null (d);
    assert_string_equal (d->code, "wjw");
    d = inv_department_find ("金融监管局");
    assert_non_null (d);
    assert_string_equal (d->code, "jrj");
    d = inv_department_find ("能源局");
    assert_non_null (d);
    assert_string_equal (d->code, "nyj");
    assert_non_null (strstr (d->field, "coal"));
    /* every record resolves by its own code, name and short name */
    for (size_t i = 0; i < count; i++) {
        assert_ptr_equal (inv_department_find (all [i].code), &all [i]);
        assert_ptr_equal (inv_department_find (all [i].name), &all [i]);
        assert_ptr_equal (inv_department_find (all [i].short_name), &all [i]);
    }
    assert_null (inv_department_find ("教育部"));
    assert_null (inv_department_find ("省"));
    assert_null (inv_department_find ("山西省"));
    assert_null (inv_department_find (""));
    assert_null (inv_department_find ("  "));
    assert_null (inv_department_find (NULL));
}

/* ---- clusters ---- */

static void
test_clusters (void **state)
{
    (void) state;
    size_t count;
    const inv_cluster_t *all = inv_cluster_all (&count);
    assert_int_equal (count, 14);
    for (size_t i = 0; i < count; i++) {
        assert_ptr_equal (inv_cluster_find (all [i].code), &all [i]);
        assert_ptr_equal (inv_cluster_find (all [i].name), &all [i]);
        for (const char *p = all [i].code; *p; p++)
            assert_true ((*p >= 'a' && *p <= 'z') || *p == '_');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal (all [i].code, all [j].code);
    }
    const inv_cluster_t *c = inv_cluster_find ("xinchuang");
    assert_non_null (c);
    assert_string_equal (c->name, "信息技术应用创新");
    c = inv_cluster_find ("Semiconductor");
    assert_non_null (c);
    assert_string_equal (c->name, "半导体");
    assert_ptr_equal (inv_cluster_find ("智能网联新能源汽车"), inv_cluster_find ("节能与新能源汽车"));
    assert_non_null (inv_cluster_find ("现代生物医药和大健康"));
    assert_non_null (inv_cluster_find ("煤机智能制造装备"));
    assert_null (inv_cluster_find ("钢铁"));
    assert_null (inv_cluster_find (""));
    assert_null (inv_cluster_find (NULL));
}

/* ---- industry ---- */

static void
s_industry_refused (const char *code, const char *expect)
{
    s_refused_by (inv_industry_valid, "industry ", code, expect);
}

static void
test_industry (void **state)
{
    (void) state;
    static const char *good [] = { "06", "0610", "12", "13", "131", "1311", "36", "3612", "39",
                                   "43", "44", "4411", "46", NULL };
    for (int i = 0; good [i]; i++) {
        char reason [256] = "";
        if (!inv_industry_valid (good [i], reason, sizeof reason))
            fail_msg ("industry %s refused: %s", good [i], reason);
    }
    s_industry_refused (NULL, "empty");
    s_industry_refused ("", "empty");
    s_industry_refused ("3", "2 to 4 digits");
    s_industry_refused ("36120", "2 to 4 digits");
    s_industry_refused ("C36", "not digits");
    s_industry_refused ("36a", "not digits");
    s_industry_refused ("00", "division 00 does not exist");
    s_industry_refused ("9801", "division 98 does not exist");
    s_industry_refused ("99", "does not exist");
    s_industry_refused ("5110", "division 51 is in section F");
    s_industry_refused ("5110", "not industry");
    s_industry_refused ("01", "section A");
    s_industry_refused ("05", "section A");
    s_industry_refused ("47", "section E");
    s_industry_refused ("65", "section I");
    s_industry_refused ("97", "section T");

    assert_int_equal (inv_industry_section ("0610"), 'B');
    assert_int_equal (inv_industry_section ("13"), 'C');
    assert_int_equal (inv_industry_section ("43"), 'C');
    assert_int_equal (inv_industry_section ("46"), 'D');
    assert_int_equal (inv_industry_section ("70"), 'K');
    assert_int_equal (inv_industry_section ("83"), 'P');
    assert_int_equal (inv_industry_section ("91"), 'S');
    assert_int_equal (inv_industry_section ("00"), 0);
    assert_int_equal (inv_industry_section ("x"), 0);
    /* every division 01-97 has a section, in order, without a hole */
    char prev = 'A';
    for (int division = 1; division <= 97; division++) {
        char code [3];
        snprintf (code, sizeof code, "%02d", division);
        char section = inv_industry_section (code);
        assert_true (section == prev || section == prev + 1);
        prev = section;
        bool industrial = division >= 6 && division <= 46;
        assert_int_equal (inv_industry_valid (code, NULL, 0), industrial);
        assert_int_equal (inv_industry_division_name (code) != NULL, industrial);
    }
    assert_int_equal (prev, 'T');
    assert_string_equal (inv_industry_division_name ("3612"), "汽车制造业");
    assert_string_equal (inv_industry_division_name ("06"), "煤炭开采和洗选业");
    assert_string_equal (inv_industry_division_name ("27"), "医药制造业");
    assert_string_equal (inv_industry_division_name ("46"), "水的生产和供应业");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_tables_thread_safe),
        cmocka_unit_test (test_real_codes_pass),
        cmocka_unit_test (test_complete),
        cmocka_unit_test (test_reasons),
        cmocka_unit_test (test_divisions),
        cmocka_unit_test (test_departments),
        cmocka_unit_test (test_clusters),
        cmocka_unit_test (test_industry),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
