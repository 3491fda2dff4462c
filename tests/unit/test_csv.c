/*  test_csv: the spreadsheet reader and writer (inv_csv) and the enterprise columns
    (inv_entcsv): RFC 4180 quoting, line breaks inside fields, CRLF/CR/LF, the byte
    order mark, encoding detection, GB18030 files made with iconv (also larger than the
    reader's buffers), Chinese and English headers with their variants, and each
    refusal the file format makes (bad number, bad yes/no, bad status, missing column). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "inv_csv.h"
#include "inv_entcsv.h"

/* A reader over bytes (the FILE is closed by s_close). */
static inv_csv_t *
s_open (const char *bytes, size_t size, const char *encoding, FILE **file_p)
{
    FILE *file = fmemopen ((void *) bytes, size, "rb");
    assert_non_null (file);
    char err [256];
    inv_csv_t *csv = inv_csv_new (file, encoding, err, sizeof err);
    assert_non_null (csv);
    *file_p = file;
    return csv;
}

static void
s_close (inv_csv_t **csv, FILE *file)
{
    inv_csv_destroy (csv);
    fclose (file);
}

static void
s_expect (inv_csv_t *csv, size_t line, size_t count, ...)
{
    char **fields;
    size_t n;
    assert_int_equal (inv_csv_read (csv, &fields, &n), 1);
    assert_int_equal (inv_csv_line (csv), line);
    assert_int_equal (n, count);
    va_list args;
    va_start (args, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal (fields [i], va_arg (args, const char *));
    va_end (args);
}

/* Convert UTF-8 text to GB18030 with the iconv program; returns the bytes (malloc'd). */
static char *
s_gb18030 (const char *utf8, size_t *size_p)
{
    char in [] = "/tmp/test_csv_in_XXXXXX";
    int fd = mkstemp (in);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, utf8, strlen (utf8)), (ssize_t) strlen (utf8));
    close (fd);
    char command [256];
    snprintf (command, sizeof command, "iconv -f UTF-8 -t GB18030 %s", in);
    FILE *pipe = popen (command, "r");
    assert_non_null (pipe);
    size_t size = 0, cap = strlen (utf8) + 16;
    char *out = (char *) malloc (cap);
    size_t n;
    while ((n = fread (out + size, 1, cap - size, pipe)) > 0) {
        size += n;
        if (size == cap)
            out = (char *) realloc (out, cap *= 2);
    }
    assert_int_equal (pclose (pipe), 0);
    unlink (in);
    *size_p = size;
    return out;
}

/* ---- parsing ---------------------------------------------------------------------- */

static void
test_quotes_commas_newlines (void **state)
{
    (void) state;
    const char text [] =
        "a,b,c\r\n"
        "\"x, y\",\"say \"\"hi\"\"\",plain\r\n"
        "\"two\nlines\",\"\",last\n"
        "after,,\r"
        "\r\n"
        ",,\n"
        "end,\"q\"";
    FILE *file;
    inv_csv_t *csv = s_open (text, sizeof text - 1, NULL, &file);
    s_expect (csv, 1, 3, "a", "b", "c");
    s_expect (csv, 2, 3, "x, y", "say \"hi\"", "plain");
    s_expect (csv, 3, 3, "two\nlines", "", "last");
    s_expect (csv, 5, 3, "after", "", "");             /* a field spanned lines 3-4 */
    s_expect (csv, 8, 2, "end", "q");                  /* blank lines 6 and 7 skipped */
    char **fields;
    size_t n;
    assert_int_equal (inv_csv_read (csv, &fields, &n), 0);
    assert_string_equal (inv_csv_encoding (csv), "UTF-8");
    s_close (&csv, file);
}

static void
test_unclosed_quote (void **state)
{
    (void) state;
    const char text [] = "a,b\n1,\"never closed\n2,3\n";
    FILE *file;
    inv_csv_t *csv = s_open (text, sizeof text - 1, NULL, &file);
    s_expect (csv, 1, 2, "a", "b");
    char **fields;
    size_t n;
    assert_int_equal (inv_csv_read (csv, &fields, &n), -1);
    assert_non_null (strstr (inv_csv_error (csv), "line 2"));
    assert_non_null (strstr (inv_csv_error (csv), "never closed"));
    s_close (&csv, file);
}

static void
test_bom_is_dropped (void **state)
{
    (void) state;
    const char text [] = "\xEF\xBB\xBF" "企业名称,县区代码\r\n太原,140105\r\n";
    FILE *file;
    inv_csv_t *csv = s_open (text, sizeof text - 1, NULL, &file);
    s_expect (csv, 1, 2, "企业名称", "县区代码");
    s_expect (csv, 2, 2, "太原", "140105");
    assert_string_equal (inv_csv_encoding (csv), "UTF-8");
    s_close (&csv, file);
}

static void
test_detect (void **state)
{
    (void) state;
    size_t bom;
    assert_string_equal (inv_csv_detect ((const unsigned char *) "\xEF\xBB\xBF" "a", 4, true, &bom), "UTF-8");
    assert_int_equal (bom, 3);
    assert_string_equal (inv_csv_detect ((const unsigned char *) "太原市", strlen ("太原市"), true, &bom), "UTF-8");
    assert_int_equal (bom, 0);
    assert_string_equal (inv_csv_detect ((const unsigned char *) "plain,ascii", 11, true, &bom), "UTF-8");
    /* 太原 in GB18030: CC AB D4 AD, also valid 2-byte UTF-8, but no Chinese in UTF-8 looks so */
    assert_string_equal (inv_csv_detect ((const unsigned char *) "\xCC\xAB\xD4\xAD", 4, true, &bom), "GB18030");
    /* 山西 in GB18030: C9 BD CE F7, not UTF-8 at all */
    assert_string_equal (inv_csv_detect ((const unsigned char *) "a,\xC9\xBD\xCE\xF7", 6, true, &bom), "GB18030");
    /* a UTF-8 character cut at the end of a probe is not held against UTF-8 */
    assert_string_equal (inv_csv_detect ((const unsigned char *) "a\xE5\xA4", 3, false, &bom), "UTF-8");
    assert_string_equal (inv_csv_detect ((const unsigned char *) "a\xE5\xA4", 3, true, &bom), "GB18030");
}

static void
test_gb18030_file (void **state)
{
    (void) state;
    size_t size;
    char *bytes = s_gb18030 ("统一社会信用代码,企业名称\r\n91140105MA0KXY8T11,\"太原示例机械（集团）有限公司\"\r\n", &size);
    assert_null (memmem (bytes, size, "太原", strlen ("太原")));     /* really converted */
    FILE *file;
    inv_csv_t *csv = s_open (bytes, size, NULL, &file);
    s_expect (csv, 1, 2, "统一社会信用代码", "企业名称");
    s_expect (csv, 2, 2, "91140105MA0KXY8T11", "太原示例机械（集团）有限公司");
    assert_string_equal (inv_csv_encoding (csv), "GB18030");
    s_close (&csv, file);
    /* --encoding utf-8 on the same bytes: no conversion, the names stay undecoded */
    csv = s_open (bytes, size, "utf-8", &file);
    char **fields;
    size_t n;
    assert_int_equal (inv_csv_read (csv, &fields, &n), 1);
    assert_string_not_equal (fields [0], "统一社会信用代码");
    s_close (&csv, file);
    free (bytes);
}

/* A GB18030 file much larger than the reader's buffers: characters cut at every
   buffer boundary must come out whole. */
static void
test_gb18030_streams (void **state)
{
    (void) state;
    size_t rows = 6000;
    char *text = NULL;
    size_t text_size = 0;
    FILE *out = open_memstream (&text, &text_size);
    fputs ("企业名称,县区\n", out);
    for (size_t i = 0; i < rows; i++)
        fprintf (out, "\"山西示例第%zu号煤机装备，有限公司\",阳曲县\n", i);
    fclose (out);
    size_t size;
    char *bytes = s_gb18030 (text, &size);
    assert_true (size > 4 * 65536);
    FILE *file;
    inv_csv_t *csv = s_open (bytes, size, NULL, &file);
    s_expect (csv, 1, 2, "企业名称", "县区");
    for (size_t i = 0; i < rows; i++) {
        char name [128];
        snprintf (name, sizeof name, "山西示例第%zu号煤机装备，有限公司", i);
        s_expect (csv, i + 2, 2, name, "阳曲县");
    }
    char **fields;
    size_t n;
    assert_int_equal (inv_csv_read (csv, &fields, &n), 0);
    assert_int_equal (inv_csv_bytes_read (csv), size);
    s_close (&csv, file);
    free (bytes);
    free (text);
}

static void
test_unknown_encoding (void **state)
{
    (void) state;
    char err [256];
    assert_null (inv_csv_new (stdin, "no-such-charset", err, sizeof err));
    assert_non_null (strstr (err, "no-such-charset"));
}

static void
test_writer_round_trip (void **state)
{
    (void) state;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    inv_csv_write_bom (out);
    const char *row [] = { "plain", "a,b", "say \"x\"", "two\nlines", " padded ", "" };
    inv_csv_write_row (out, row, 6);
    fclose (out);
    assert_non_null (strstr (text, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\" padded \",\r\n"));
    FILE *file;
    inv_csv_t *csv = s_open (text, size, NULL, &file);
    s_expect (csv, 1, 6, "plain", "a,b", "say \"x\"", "two\nlines", " padded ", "");
    s_close (&csv, file);
    free (text);
    char trimmed [] = "\xE3\x80\x80 太原 \t";
    assert_string_equal (inv_csv_trim (trimmed), "太原");
}

/* ---- enterprise columns --------------------------------------------------------------- */

/* Rows are trimmed in place, so the tests hand over writable copies. */
static char **
s_row (size_t count, char **literal)
{
    static char *copies [32];
    for (size_t i = 0; i < 32; i++) {
        free (copies [i]);
        copies [i] = i < count? strdup (literal [i]): NULL;
    }
    return copies;
}

static void
test_chinese_headers (void **state)
{
    (void) state;
    char *header [] = { "统一社会信用代码", " 企业名称 ", "县区代码", "行业代码", "主管部门", "产业集群",
                        "营业收入（万元）", "研发费用 (万元)", "是否有研发机构", "是否有研发活动", "状态", "备注" };
    inv_entcsv_map_t map;
    char err [256];
    assert_int_equal (inv_entcsv_map (&map, s_row (12, header), 12, err, sizeof err), 0);
    assert_int_equal (map.index [INV_COL_NAME], 1);
    assert_string_equal (map.header [INV_COL_NAME], "企业名称");
    assert_int_equal (map.index [INV_COL_REVENUE], 6);
    assert_int_equal (map.index [INV_COL_RD], 7);
    assert_int_equal (map.index [INV_COL_STATUS], 10);
    assert_int_equal (inv_entcsv_col_of_header ("营业收入(万元)"), INV_COL_REVENUE);
    assert_int_equal (inv_entcsv_col_of_header ("备注"), -1);

    char *row [] = { "91140105MA0KXY8T11", "太原示例", "140105", "3311", "省工信厅", "半导体",
                     "1,234.50", "", "是", "N", "推进中", "x" };
    Innov__Enterprise e;
    int col;
    char reason [512];
    assert_int_equal (inv_entcsv_row (&map, s_row (12, row), 12, &e, &col, reason, sizeof reason), 0);
    assert_string_equal (e.credit_code, "91140105MA0KXY8T11");
    assert_string_equal (e.department, "省工信厅");
    assert_true (e.operating_revenue == 1234.5);
    assert_true (e.rd_expenditure == 0);
    assert_true (e.has_rd_institution);
    assert_false (e.has_rd_activity);
    assert_int_equal (e.status, INNOV__INNOVATION_STATUS__IN_PROGRESS);
}

static void
test_english_headers (void **state)
{
    (void) state;
    char *header [] = { "\xEF\xBB\xBF" "credit_code", "name", "county", "industry", "department", "cluster",
                        "operating_revenue", "rd_expenditure", "has_rd_institution", "has_rd_activity", "Status" };
    inv_entcsv_map_t map;
    char err [256];
    assert_int_equal (inv_entcsv_map (&map, s_row (11, header), 11, err, sizeof err), 0);
    for (int c = 0; c < INV_COL_COUNT; c++)
        assert_int_equal (map.index [c], c);
    assert_string_equal (map.header [INV_COL_CREDIT_CODE], "credit_code");
    char *row [] = { "91140105MA0KXY8T11", "n", "140105", "3311", "gxt", "", "10", "1.5", "yes", "true",
                     "active" };
    Innov__Enterprise e;
    int col;
    char reason [512];
    assert_int_equal (inv_entcsv_row (&map, s_row (11, row), 11, &e, &col, reason, sizeof reason), 0);
    assert_true (e.has_rd_institution && e.has_rd_activity);
    assert_int_equal (e.status, INNOV__INNOVATION_STATUS__ACTIVE);
}

static void
test_missing_required_column (void **state)
{
    (void) state;
    char *header [] = { "企业名称", "行业代码", "主管部门" };
    inv_entcsv_map_t map;
    char err [256];
    assert_int_equal (inv_entcsv_map (&map, s_row (3, header), 3, err, sizeof err), -1);
    assert_non_null (strstr (err, "missing column"));
    assert_non_null (strstr (err, "统一社会信用代码 (credit_code)"));
    assert_non_null (strstr (err, "县区代码 (county)"));
    assert_null (strstr (err, "企业名称"));
}

static void
test_row_refusals (void **state)
{
    (void) state;
    char *header [] = { "统一社会信用代码", "企业名称", "县区代码", "行业代码", "主管部门",
                        "营业收入(万元)", "是否有研发机构", "状态" };
    inv_entcsv_map_t map;
    char err [256];
    assert_int_equal (inv_entcsv_map (&map, s_row (8, header), 8, err, sizeof err), 0);
    Innov__Enterprise e;
    int col;
    char reason [512];

    char *bad_number [] = { "C", "N", "140105", "3311", "gxt", "12万", "是", "" };
    assert_int_equal (inv_entcsv_row (&map, s_row (8, bad_number), 8, &e, &col, reason, sizeof reason), -1);
    assert_int_equal (col, INV_COL_REVENUE);
    assert_string_equal (reason, "营业收入(万元): \"12万\" is not a number (10k yuan)");

    char *bad_yes_no [] = { "C", "N", "140105", "3311", "gxt", "1", "maybe", "" };
    assert_int_equal (inv_entcsv_row (&map, s_row (8, bad_yes_no), 8, &e, &col, reason, sizeof reason), -1);
    assert_int_equal (col, INV_COL_HAS_INST);
    assert_non_null (strstr (reason, "是否有研发机构: \"maybe\" is not 是/否"));

    char *bad_status [] = { "C", "N", "140105", "3311", "gxt", "1", "否", "done" };
    assert_int_equal (inv_entcsv_row (&map, s_row (8, bad_status), 8, &e, &col, reason, sizeof reason), -1);
    assert_int_equal (col, INV_COL_STATUS);

    char *short_row [] = { "C", "N", "140105", "3311" };
    assert_int_equal (inv_entcsv_row (&map, s_row (4, short_row), 4, &e, &col, reason, sizeof reason), -1);
    assert_int_equal (col, INV_COL_DEPARTMENT);
    assert_non_null (strstr (reason, "主管部门: missing column: the row has 4 fields"));

    char *two [] = { "C", "N", "140105", "3311", "gxt", "x", "?", "" };
    assert_int_equal (inv_entcsv_row (&map, s_row (8, two), 8, &e, &col, reason, sizeof reason), -1);
    assert_int_equal (col, INV_COL_REVENUE);
    assert_non_null (strstr (reason, "; 是否有研发机构"));            /* every fault of the row */

    assert_int_equal (inv_entcsv_col_of_field ("enterprise.county"), INV_COL_COUNTY);
    assert_int_equal (inv_entcsv_col_of_field ("operating_revenue"), INV_COL_REVENUE);
    assert_int_equal (inv_entcsv_col_of_field ("nothing"), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_quotes_commas_newlines),
        cmocka_unit_test (test_unclosed_quote),
        cmocka_unit_test (test_bom_is_dropped),
        cmocka_unit_test (test_detect),
        cmocka_unit_test (test_gb18030_file),
        cmocka_unit_test (test_gb18030_streams),
        cmocka_unit_test (test_unknown_encoding),
        cmocka_unit_test (test_writer_round_trip),
        cmocka_unit_test (test_chinese_headers),
        cmocka_unit_test (test_english_headers),
        cmocka_unit_test (test_missing_required_column),
        cmocka_unit_test (test_row_refusals),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
