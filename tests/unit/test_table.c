/*  test_table: display width of UTF-8 text and tables that line up when Chinese
    (two columns per character) and ASCII are mixed.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "inv_table.h"

static char *
s_print (inv_table_t *table)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    inv_table_print (table, out);
    fclose (out);
    return text;
}

static void
test_widths (void **state)
{
    (void) state;
    struct { const char *text; size_t width; } cases [] = {
        { "", 0 },
        { "abc 123", 7 },
        { "太原市", 6 },                          /* CJK ideographs */
        { "小店区140105", 12 },
        { "，。、「」", 10 },                     /* CJK punctuation */
        { "　", 2 },                              /* ideographic space */
        { "ＡＢＣ１", 8 },                        /* fullwidth forms */
        { "ｱｲｳ", 3 },                             /* halfwidth katakana */
        { "한국어", 6 },                          /* Hangul syllables */
        { "ひらがなカタカナ", 16 },               /* kana */
        { "e\xCC\x81", 1 },                       /* e + combining acute */
        { "a\xE2\x80\x8B" "b", 2 },               /* zero width space */
        { "\xF0\xA0\x80\x80", 2 },                /* CJK extension B */
        { "\xF0\x9F\x98\x80", 2 },                /* emoji */
        { "é ü ß", 5 },                           /* Latin-1 letters */
        { "Ω≈√", 3 },                             /* narrow symbols */
        { "a\tb\n", 2 },                          /* controls take no column */
        { "\xFF" "a", 2 },                        /* invalid byte shows as one */
        { "\xE5\xA4", 2 },                        /* cut-short sequence: one per byte */
        { "山西省工业和信息化厅 gxt", 24 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        size_t width = inv_display_width (cases [i].text);
        if (width != cases [i].width)
            print_error ("case %zu \"%s\": %zu, expected %zu\n", i, cases [i].text, width, cases [i].width);
        assert_int_equal (width, cases [i].width);
    }
    assert_int_equal (inv_display_width (NULL), 0);
}

static void
test_mixed_table (void **state)
{
    (void) state;
    const char *headers [] = { "统一社会信用代码", "企业名称", "市", "状态" };
    inv_table_t *table = inv_table_new (4, headers);
    const char *r1 [] = { "91140105MA0GRDXQ3F", "山西华鑫煤机装备有限公司", "太原市", "已开展" };
    const char *r2 [] = { "911404279049490323", "ACME Ltd", "长治市", "not_started" };
    const char *r3 [] = { "X", NULL, "", "推进中" };
    inv_table_add (table, r1);
    inv_table_add (table, r2);
    inv_table_add (table, r3);
    assert_int_equal (inv_table_rows (table), 3);
    char *text = s_print (table);
    const char *expected =
        "统一社会信用代码    企业名称                  市      状态\n"
        "------------------  ------------------------  ------  -----------\n"
        "91140105MA0GRDXQ3F  山西华鑫煤机装备有限公司  太原市  已开展\n"
        "911404279049490323  ACME Ltd                  长治市  not_started\n"
        "X                                                     推进中\n";
    if (strcmp (text, expected) != 0)
        print_error ("got:\n%s\nexpected:\n%s\n", text, expected);
    assert_string_equal (text, expected);

    /* Every cell starts at its header's display column */
    const char **rows [] = { headers, r1, r2, r3 };
    char *line [5];
    char *save = NULL;
    int n = 0;
    for (char *l = strtok_r (text, "\n", &save); l && n < 5; l = strtok_r (NULL, "\n", &save))
        line [n++] = l;
    assert_int_equal (n, 5);
    for (int c = 0; c < 4; c++) {
        size_t expected_col = 0;
        for (int r = 0; r < 4; r++) {
            const char *cell = rows [r][c];
            if (!cell || !*cell)
                continue;
            char *l = line [r == 0? 0: r + 1];
            char *at = strstr (l, cell);
            assert_non_null (at);
            char saved = *at;
            *at = '\0';
            size_t col = inv_display_width (l);
            *at = saved;
            if (r == 0)
                expected_col = col;
            assert_int_equal (col, expected_col);
        }
    }
    free (text);
    inv_table_destroy (&table);
    assert_null (table);
}

static void
test_right_aligned_and_clean_cells (void **state)
{
    (void) state;
    const char *headers [] = { "市", "合计" };
    inv_table_t *table = inv_table_new (2, headers);
    inv_table_set_right (table, 1, true);
    const char *r1 [] = { "太原市", "1234" };
    const char *r2 [] = { "a\tb\nc", "5" };
    inv_table_add (table, r1);
    inv_table_add (table, r2);
    char *text = s_print (table);
    assert_string_equal (text,
        "市      合计\n"
        "------  ----\n"
        "太原市  1234\n"
        "a b c      5\n");
    free (text);
    inv_table_destroy (&table);
}

static void
test_empty_table (void **state)
{
    (void) state;
    const char *headers [] = { "服务", "工作进程" };
    inv_table_t *table = inv_table_new (2, headers);
    char *text = s_print (table);
    assert_string_equal (text, "服务  工作进程\n----  --------\n");
    free (text);
    inv_table_destroy (&table);
    inv_table_destroy (&table);     /* twice is harmless */
}

static void
test_self_test (void **state)
{
    (void) state;
    inv_table_test (false);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_widths),
        cmocka_unit_test (test_mixed_table),
        cmocka_unit_test (test_right_aligned_and_clean_cells),
        cmocka_unit_test (test_empty_table),
        cmocka_unit_test (test_self_test),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
