/*  test_import: innovctl enterprise import / export against a real Redis, broker and
    registry, on files the test writes.

    A GB18030 spreadsheet with Chinese headers and four bad rows is imported: the
    report names each bad row's line, column and reason, the rejects file holds them
    (UTF-8 with a byte order mark, the original row plus the reason), the good rows are
    listed by city; the same file again changes nothing (no event, same versions); CSV
    and XLSX exports hold the rows with Chinese headers and names, and the exported CSV
    imports again unchanged. Also: an English header file (as gendata writes it), a
    header without a required column, and an unreachable broker.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "inv_valid.h"

static harness_t *H;

static const char *
s_code (const char *first17, char *out)
{
    assert_true (inv_credit_code_complete (first17, out));
    return out;
}

static char *
s_path (const char *name)
{
    char *path = NULL;
    assert_true (asprintf (&path, "%s/%s", harness_dir (H), name) > 0);
    return path;
}

static char *
s_read (const char *path, size_t *size_p)
{
    FILE *file = fopen (path, "rb");
    assert_non_null (file);
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *data = (char *) malloc ((size_t) size + 1);
    assert_int_equal (fread (data, 1, (size_t) size, file), (size_t) size);
    data [size] = 0;
    fclose (file);
    if (size_p)
        *size_p = (size_t) size;
    return data;
}

static int
s_count (const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr (text, needle); p; p = strstr (p + 1, needle))
        n++;
    return n;
}

static long long
s_events (void)
{
    char *out = harness_redis_cli (H, "XLEN", "{14}:events", NULL);
    long long n = out? atoll (out): -1;
    free (out);
    return n;
}

static char *
s_version (const char *code)
{
    char key [256];
    snprintf (key, sizeof key, "{14}:ent:%s", code);
    return harness_redis_cli (H, "HGET", key, "version", NULL);
}

static int
group_setup (void **state)
{
    (void) state;
    H = harness_new ();
    if (!H || harness_start_redis (H) < 0 || harness_start_broker (H) < 0
    ||  harness_start_service (H, "registry") < 0)
        return -1;
    return 0;
}

static int
group_teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    return 0;
}

/* ---- the spreadsheet round trip ------------------------------------------------------- */

static void
test_gb18030_spreadsheet (void **state)
{
    (void) state;
    char c [6][24];
    s_code ("91140105MA0XMP001", c [0]);
    s_code ("91140121MA0XMP002", c [1]);
    s_code ("91140122MA0XMP003", c [2]);
    s_code ("91140213MA0XMP004", c [3]);
    s_code ("91140404MA0XMP005", c [4]);
    s_code ("91140105MA0XMP006", c [5]);
    char bad [24];
    s_code ("91140105MA0XMP007", bad);
    bad [17] = bad [17] == '0'? '1': '0';                       /* a wrong check character */
    char *utf8 = s_path ("ledger-utf8.csv");
    FILE *out = fopen (utf8, "w");
    assert_non_null (out);
    fprintf (out, "统一社会信用代码, 企业名称 ,县区代码,行业代码,主管部门,产业集群,营业收入（万元）,研发费用(万元),"
                  "是否有研发机构,是否有研发活动,状态\r\n");
    fprintf (out, "%s,太原导入示例机械有限公司,140105,3311,省工信厅,半导体,\"12,500.5\",300,是,否,未开展\r\n", c [0]);
    fprintf (out, "%s,\"清徐导入示例醋业有限公司, 二厂\",140121,1462,工业和信息化厅,,800,0,否,否,\r\n", c [1]);
    fprintf (out, "%s,阳曲导入示例煤业有限公司,140122,0610,nyj,,5000,10,Y,Y,推进中\r\n", c [2]);
    fprintf (out, "%s,大同导入示例光伏有限公司,140213,3825,省工信厅,光伏,900,50,1,1,未开展\r\n", c [3]);
    fprintf (out, "%s,长治导入示例装备有限公司,140404,3511,gxt,coal_machinery,700,20,true,false,\r\n", c [4]);
    fprintf (out, "%s,坏代码导入示例有限公司,140105,3311,gxt,,1,1,否,否,\r\n", bad);                 /* line 7 */
    fprintf (out, "%s,未知县导入示例有限公司,149999,3311,gxt,,1,1,否,否,\r\n", c [5]);                 /* line 8 */
    fprintf (out, "%s,未知部门导入示例有限公司,140105,3311,省不存在厅,,1,1,否,否,\r\n", c [5]);         /* line 9 */
    fprintf (out, "%s,坏数字导入示例有限公司,140105,3311,gxt,,一百,1,否,否,\r\n", c [5]);               /* line 10 */
    fclose (out);
    char *gb = s_path ("ledger.csv");
    char command [1024];
    snprintf (command, sizeof command, "iconv -f UTF-8 -t GB18030 '%s' > '%s'", utf8, gb);
    assert_int_equal (system (command), 0);
    size_t size;
    char *bytes = s_read (gb, &size);
    assert_null (memmem (bytes, size, "太原", strlen ("太原")));
    free (bytes);

    char *rejects = s_path ("rejects.csv");
    char *stdout_text = NULL, *stderr_text = NULL;
    long long events = s_events ();
    int rc = harness_ctl (H, &stdout_text, &stderr_text, "enterprise", "import", gb, "--rejects", rejects,
                          "--batch", "2", NULL);
    assert_int_equal (rc, 1);                                    /* some rows refused */
    assert_non_null (strstr (stdout_text, "(GB18030): read 9, created 5, updated 0, unchanged 0, rejected 4"));
    char expect [256];
    snprintf (expect, sizeof expect, "ledger.csv:7: 统一社会信用代码: wrong check character");
    assert_non_null (strstr (stderr_text, expect));
    assert_non_null (strstr (stderr_text, "ledger.csv:8: 县区代码: 149999 is not a known division code"));
    assert_non_null (strstr (stderr_text, "ledger.csv:9: 主管部门: 省不存在厅 is not a known provincial department"));
    assert_non_null (strstr (stderr_text, "ledger.csv:10: 营业收入（万元）: \"一百\" is not a number"));
    free (stdout_text);
    free (stderr_text);
    assert_int_equal (s_events (), events + 5);

    /* the rejects file: BOM, the header plus a reason column, the four rows in order */
    char *text = s_read (rejects, NULL);
    assert_memory_equal (text, "\xEF\xBB\xBF" "统一社会信用代码,", strlen ("\xEF\xBB\xBF" "统一社会信用代码,"));
    assert_non_null (strstr (text, "是否有研发活动,状态,错误原因\r\n"));
    assert_int_equal (s_count (text, "\r\n"), 5);
    char *bad_code = strstr (text, "坏代码导入示例"), *bad_county = strstr (text, "未知县导入示例");
    char *bad_dept = strstr (text, "未知部门导入示例"), *bad_number = strstr (text, "坏数字导入示例");
    assert_true (bad_code && bad_county && bad_dept && bad_number);
    assert_true (bad_code < bad_county && bad_county < bad_dept && bad_dept < bad_number);
    assert_non_null (strstr (text, ",县区代码: 149999 is not a known division code\r\n"));
    free (text);

    /* the list by city: the three of 太原 (a name with a comma came through whole) */
    rc = harness_ctl (H, &stdout_text, NULL, "enterprise", "list", "--city", "140100", NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (stdout_text, c [0]));
    assert_non_null (strstr (stdout_text, c [1]));
    assert_non_null (strstr (stdout_text, c [2]));
    assert_null (strstr (stdout_text, c [3]));
    assert_non_null (strstr (stdout_text, "清徐导入示例醋业有限公司, 二厂"));
    free (stdout_text);
    rc = harness_ctl (H, &stdout_text, NULL, "--json", "enterprise", "get", c [0], NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (stdout_text, "12500.5"));
    free (stdout_text);

    /* again: nothing changes */
    rc = harness_ctl (H, &stdout_text, &stderr_text, "enterprise", "import", gb, NULL);
    assert_int_equal (rc, 1);
    assert_non_null (strstr (stdout_text, "read 9, created 0, updated 0, unchanged 5, rejected 4"));
    free (stdout_text);
    free (stderr_text);
    assert_int_equal (s_events (), events + 5);
    for (int i = 0; i < 5; i++) {
        char *version = s_version (c [i]);
        assert_non_null (version);
        assert_int_equal (atoi (version), 1);
        free (version);
    }

    /* export CSV of 太原: BOM, Chinese headers, names next to codes */
    char *csv = s_path ("taiyuan.csv");
    rc = harness_ctl (H, &stdout_text, NULL, "enterprise", "export", "--out", csv, "--city", "太原市", NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (stdout_text, "3 enterprises"));
    free (stdout_text);
    text = s_read (csv, NULL);
    assert_memory_equal (text, "\xEF\xBB\xBF" "统一社会信用代码,企业名称,市代码,市,县区代码,县区,",
                         strlen ("\xEF\xBB\xBF" "统一社会信用代码,企业名称,市代码,市,县区代码,县区,"));
    assert_int_equal (s_count (text, "\r\n"), 4);
    snprintf (expect, sizeof expect, "%s,太原导入示例机械有限公司,140100,太原市,140105,小店区,3311,", c [0]);
    assert_non_null (strstr (text, expect));
    assert_non_null (strstr (text, "\"清徐导入示例醋业有限公司, 二厂\""));
    assert_non_null (strstr (text, ",gxt,省工信厅,semiconductor,半导体,12500.50,300.00,是,否,未开展,1\r\n"));
    free (text);

    /* the exported file imports again unchanged */
    rc = harness_ctl (H, &stdout_text, NULL, "enterprise", "import", csv, NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (stdout_text, "(UTF-8): read 3, created 0, updated 0, unchanged 3, rejected 0"));
    free (stdout_text);
    assert_int_equal (s_events (), events + 5);

    /* export XLSX: a zip whose sheet holds the names */
    char *xlsx = s_path ("ledger.xlsx");
    rc = harness_ctl (H, &stdout_text, NULL, "enterprise", "export", "--out", xlsx, NULL);
    assert_int_equal (rc, 0);
    free (stdout_text);
    bytes = s_read (xlsx, &size);
    assert_true (size > 1000);
    assert_memory_equal (bytes, "PK\x03\x04", 4);
    free (bytes);
    snprintf (command, sizeof command, "unzip -p '%s' xl/worksheets/sheet1.xml", xlsx);
    int status = -1;
    char *sheet = harness_shell (command, &status);
    assert_non_null (sheet);
    assert_int_equal (status, 0);
    assert_non_null (strstr (sheet, "统一社会信用代码"));
    assert_non_null (strstr (sheet, "长治导入示例装备有限公司"));
    assert_non_null (strstr (sheet, "大同市"));
    assert_non_null (strstr (sheet, "state=\"frozen\""));
    free (sheet);

    free (utf8); free (gb); free (rejects); free (csv); free (xlsx);
}

static void
test_english_headers_with_bom (void **state)
{
    (void) state;
    char code [24];
    s_code ("91140105MA0ENG001", code);
    char *path = s_path ("english.csv");
    FILE *out = fopen (path, "w");
    fprintf (out, "\xEF\xBB\xBF" "credit_code,name,county,industry,department,cluster,operating_revenue,"
                  "rd_expenditure,has_rd_institution,has_rd_activity,status\n");
    fprintf (out, "%s,英文表头示例有限公司,140105,3311,gxt,semiconductor,100.00,1.00,yes,no,in_progress\n", code);
    fclose (out);
    char *stdout_text = NULL;
    int rc = harness_ctl (H, &stdout_text, NULL, "enterprise", "import", path, NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (stdout_text, "(UTF-8): read 1, created 1, updated 0, unchanged 0, rejected 0"));
    free (stdout_text);
    free (path);
}

static void
test_missing_column (void **state)
{
    (void) state;
    char *path = s_path ("short.csv");
    FILE *out = fopen (path, "w");
    fprintf (out, "企业名称,行业代码,主管部门\n示例,3311,gxt\n");
    fclose (out);
    char *stdout_text = NULL, *stderr_text = NULL;
    int rc = harness_ctl (H, &stdout_text, &stderr_text, "enterprise", "import", path, NULL);
    assert_int_equal (rc, 1);
    assert_non_null (strstr (stderr_text, "missing column 统一社会信用代码 (credit_code), 县区代码 (county)"));
    free (stdout_text);
    free (stderr_text);
    free (path);
}

static void
test_unreachable (void **state)
{
    (void) state;
    harness_t *h = harness_new ();
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", harness_free_port ());
    harness_setenv (h, "INNOV_BROKER", endpoint);
    harness_setenv (h, "INNOV_TIMEOUT_MS", "200");
    harness_setenv (h, "INNOV_RETRIES", "1");
    char path [512];
    snprintf (path, sizeof path, "%s/one.csv", harness_dir (h));
    FILE *out = fopen (path, "w");
    fprintf (out, "credit_code,name,county,industry,department\n91140105MA0KXY8T11,n,140105,3311,gxt\n");
    fclose (out);
    char *stdout_text = NULL, *stderr_text = NULL;
    int rc = harness_ctl (h, &stdout_text, &stderr_text, "enterprise", "import", path, NULL);
    assert_int_equal (rc, 3);
    assert_non_null (strstr (stderr_text, "did not answer"));
    free (stdout_text);
    free (stderr_text);
    harness_destroy (&h);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_gb18030_spreadsheet),
        cmocka_unit_test (test_english_headers_with_bom),
        cmocka_unit_test (test_missing_column),
        cmocka_unit_test (test_unreachable),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
