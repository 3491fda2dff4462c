/*  test_principal: parsing principals strictly, and the write scope over enterprises. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "inv_principal.h"

#define CODE "91140100MA0K000001"

static void
test_parse_accepts_the_known_kinds (void **state)
{
    (void) state;
    struct { const char *text; inv_principal_kind_t kind; const char *code; } cases [] = {
        { "province",            INV_P_PROVINCE,   "" },
        { "anonymous",           INV_P_ANONYMOUS,  "" },
        { "dept:gxt",            INV_P_DEPARTMENT, "gxt" },
        { "city:140100",         INV_P_CITY,       "140100" },
        { "county:140105",       INV_P_COUNTY,     "140105" },
        { "group:tY-2026.01",    INV_P_GROUP,      "tY-2026.01" },
        { "ent:" CODE,           INV_P_ENTERPRISE, CODE },
        { "service:pairing",     INV_P_SERVICE,    "pairing" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        inv_principal_t p;
        assert_int_equal (inv_principal_parse (cases [i].text, &p), 0);
        assert_int_equal (p.kind, cases [i].kind);
        assert_string_equal (p.code, cases [i].code);
    }
    assert_string_equal (inv_principal_kind_name (INV_P_CITY), "city");
    assert_string_equal (inv_principal_kind_name (INV_P_DEPARTMENT), "dept");
    assert_string_equal (inv_principal_kind_name (INV_P_ENTERPRISE), "ent");
}

static void
test_parse_refuses_anything_else (void **state)
{
    (void) state;
    const char *bad [] = {
        "", "Province", "province:14", "anonymous:x", "city", "city:", "city:1401",
        "city:14010a", "city:1401000", "county:abc", "dept:", "dept:GXT", "dept:g xt",
        "ent:91140100ma0k000001", "ent:91140100MA0K00000", "ent:91140100MA0K00000I",
        "service:", "foo:bar", ":gxt", "group:", "group:a/b", " province",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        inv_principal_t p;
        if (inv_principal_parse (bad [i], &p) == 0)
            fail_msg ("\"%s\" parsed as a principal", bad [i]);
    }
    assert_int_equal (inv_principal_parse (NULL, NULL), -1);
}

static bool
s_may (const char *who, const char *city, const char *county, const char *dept, char *reason)
{
    inv_principal_t p;
    assert_int_equal (inv_principal_parse (who, &p), 0);
    return inv_principal_may_write_enterprise (&p, CODE, city, county, dept, reason, 256);
}

static void
test_write_scope (void **state)
{
    (void) state;
    char reason [256];
    assert_true (s_may ("province", "140100", "140105", "gxt", reason));
    assert_true (s_may ("service:import", "140100", "140105", "gxt", reason));
    assert_true (s_may ("city:140100", "140100", "140105", "gxt", reason));
    assert_true (s_may ("county:140105", "140100", "140105", "gxt", reason));
    assert_true (s_may ("dept:gxt", "140200", "140212", "gxt", reason));
    assert_true (s_may ("ent:" CODE, "140200", "140212", "kjt", reason));

    assert_false (s_may ("city:140200", "140100", "140105", "gxt", reason));
    assert_string_equal (reason, "city:140200 may only write enterprises of city 140200, not of 140100");
    assert_false (s_may ("county:140106", "140100", "140105", "gxt", reason));
    assert_non_null (strstr (reason, "140105"));
    assert_false (s_may ("dept:kjt", "140100", "140105", "gxt", reason));
    assert_non_null (strstr (reason, "gxt"));
    assert_false (s_may ("ent:91140100MA0K000029", "140100", "140105", "gxt", reason));
    assert_non_null (strstr (reason, CODE));
    assert_false (s_may ("group:g1", "140100", "140105", "gxt", reason));
    assert_non_null (strstr (reason, "group:g1"));
    assert_false (s_may ("anonymous", "140100", "140105", "gxt", reason));
    assert_non_null (strstr (reason, "anonymous"));
    /* no reason buffer is fine */
    inv_principal_t p;
    inv_principal_parse ("city:140200", &p);
    assert_false (inv_principal_may_write_enterprise (&p, CODE, "140100", "140105", "gxt", NULL, 0));
    /* missing attributes never match */
    assert_false (s_may ("city:140100", NULL, NULL, NULL, reason));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_parse_accepts_the_known_kinds),
        cmocka_unit_test (test_parse_refuses_anything_else),
        cmocka_unit_test (test_write_scope),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
