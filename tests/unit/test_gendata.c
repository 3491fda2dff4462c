/*  test_gendata: the enterprise data generator (tools/gendata/gen.c, compiled in
    here since tools are not libraries): valid codes, real counties, plausible figures,
    the same records for the same seed, both profiles (shanxi and national); and the
    gendata binary's CSV, profiles and defaults.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../tools/gendata/gen.c"
#include "harness.h"

#define SAMPLE 3000

static bool
s_org_code_valid (const char *org9)
{
    static const int weights [8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = s_org_value (org9 [i]);
        if (v < 0)
            return false;
        sum += v * weights [i];
    }
    int check = org9 [8] == 'X'? 10: org9 [8] - '0';
    return check >= 0 && check <= 10 && (sum + check) % 11 == 0;
}

static void
test_org_check_char (void **state)
{
    (void) state;
    /* 1*3 + 2*7 + 3*9 + 4*10 + 5*5 + 6*8 + 7*4 + 8*2 = 201; 11 - 201 % 11 = 8 */
    assert_int_equal (gen_org_check_char ("12345678"), '8');
    /* sum % 11 == 1 gives 10, written X; sum % 11 == 0 gives 11, written 0 */
    assert_int_equal (gen_org_check_char ("00000006"), 'X');    /* 6*2 = 12 */
    assert_int_equal (gen_org_check_char ("00000000"), '0');
    /* Letters count 10 (A) to 35 (Z): 22*3 + 10*7 = 136; 11 - 136 % 11 = 7 */
    assert_int_equal (gen_org_check_char ("MA000000"), '7');
    assert_int_equal (gen_org_check_char ("1234567a"), 0);
}

static void
test_records_are_valid (void **state)
{
    (void) state;
    char err [128];
    gen_t *gen = gen_new (gen_profile_find ("shanxi"), "14", 42, err, sizeof err);
    assert_non_null (gen);
    zhashx_t *codes = zhashx_new ();
    zhashx_t *names = zhashx_new ();
    for (int i = 0; i < SAMPLE; i++) {
        gen_record_t r;
        gen_next (gen, &r);
        char reason [256];
        if (!inv_credit_code_valid (r.credit_code, reason, sizeof reason))
            print_error ("%s: %s\n", r.credit_code, reason);
        assert_true (inv_credit_code_valid (r.credit_code, NULL, 0));
        assert_int_equal (strlen (r.credit_code), 18);
        assert_memory_equal (r.credit_code, "91", 2);
        assert_memory_equal (r.credit_code + 2, r.county, 6);
        assert_true (s_org_code_valid (r.credit_code + 8));

        const inv_division_t *county = inv_division_find (r.county);
        assert_non_null (county);
        assert_true (inv_division_is_county (r.county));
        assert_string_equal (county->province, "14");
        assert_string_equal (county->city, r.city);

        assert_true (inv_industry_valid (r.industry, NULL, 0));
        int division = atoi (r.industry) / 100;
        assert_true (division >= 6 && division <= 46);      /* sections B, C, D */
        assert_non_null (inv_department_find (r.department));
        if (r.cluster [0])
            assert_non_null (inv_cluster_find (r.cluster));

        assert_true (strlen (r.name) > 0 && strstr (r.name, "公司") != NULL);
        assert_true (r.operating_revenue >= 2000.0);
        assert_true (r.rd_expenditure >= 0 && r.rd_expenditure < r.operating_revenue);
        if (!r.has_rd_activity)
            assert_true (r.rd_expenditure == 0);
        if (r.has_rd_activity)
            assert_true (!strcmp (r.status, "active") || !strcmp (r.status, "closed"));
        else
            assert_true (!strcmp (r.status, "not_started") || !strcmp (r.status, "in_progress"));

        assert_null (zhashx_lookup (codes, r.credit_code));
        assert_null (zhashx_lookup (names, r.name));
        zhashx_insert (codes, r.credit_code, (void *) 1);
        zhashx_insert (names, r.name, (void *) 1);
    }
    zhashx_destroy (&codes);
    zhashx_destroy (&names);
    gen_destroy (&gen);
    assert_null (gen);
}

static void
test_figures_are_plausible (void **state)
{
    (void) state;
    char err [128];
    gen_t *gen = gen_new (gen_profile_find ("shanxi"), "14", 7, err, sizeof err);
    double revenue = 0, rd = 0;
    int with_rd = 0, manufacturing = 0, clustered = 0;
    zhashx_t *cities = zhashx_new ();
    for (int i = 0; i < SAMPLE; i++) {
        gen_record_t r;
        gen_next (gen, &r);
        revenue += r.operating_revenue;
        rd += r.rd_expenditure;
        with_rd += r.has_rd_activity;
        int division = atoi (r.industry) / 100;
        manufacturing += division >= 13 && division <= 43;
        clustered += r.cluster [0] != '\0';
        zhashx_update (cities, r.city, (void *) 1);
    }
    double share = (double) with_rd / SAMPLE;
    double intensity = rd / revenue;
    assert_true (share > 0.30 && share < 0.50);             /* about 40% */
    assert_true (intensity > 0.004 && intensity < 0.012);   /* about 0.7% */
    assert_true (manufacturing > SAMPLE / 2);
    assert_true (clustered > SAMPLE / 10 && clustered < SAMPLE / 2);
    assert_int_equal (zhashx_size (cities), 11);             /* every city of Shanxi */
    zhashx_destroy (&cities);
    gen_destroy (&gen);
}

static char *
s_csv_profile (const char *profile, uint64_t seed, int count)
{
    char err [128];
    gen_t *gen = gen_new (gen_profile_find (profile), "14", seed, err, sizeof err);
    assert_non_null (gen);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    gen_csv_header (out);
    for (int i = 0; i < count; i++) {
        gen_record_t r;
        gen_next (gen, &r);
        gen_csv_row (out, &r);
    }
    fclose (out);
    gen_destroy (&gen);
    return text;
}

static char *
s_csv (uint64_t seed, int count)
{
    return s_csv_profile ("shanxi", seed, count);
}

static void
test_deterministic_by_seed (void **state)
{
    (void) state;
    char *a = s_csv (1, 500), *b = s_csv (1, 500), *c = s_csv (2, 500);
    assert_string_equal (a, b);
    assert_string_not_equal (a, c);
    /* A shorter run is a prefix of a longer one */
    char *d = s_csv (1, 100);
    assert_memory_equal (a, d, strlen (d));
    free (a);
    free (b);
    free (c);
    free (d);
}

static void
test_unknown_province (void **state)
{
    (void) state;
    char err [128] = "";
    gen_t *gen = gen_new (gen_profile_find ("shanxi"), "15", 1, err, sizeof err);
    assert_null (gen);
    assert_non_null (strstr (err, "15"));
    /* The national profile takes every province the table holds, whatever --province says */
    gen = gen_new (gen_profile_find ("national"), "15", 1, err, sizeof err);
    assert_non_null (gen);
    gen_destroy (&gen);
}

static void
test_csv_format (void **state)
{
    (void) state;
    char *text = s_csv (3, 20);
    char *save = NULL;
    int lines = 0;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        int commas = 0;
        for (char *p = line; *p; p++)
            commas += *p == ',';
        assert_int_equal (commas, 10);
        if (lines == 0)
            assert_string_equal (line, "credit_code,name,county,industry,department,cluster,"
                                 "operating_revenue,rd_expenditure,has_rd_institution,has_rd_activity,status");
        lines++;
    }
    assert_int_equal (lines, 21);
    free (text);

    /* Quoting when a field holds a comma or a quote */
    gen_record_t r;
    memset (&r, 0, sizeof r);
    strcpy (r.credit_code, "911401001234567890");
    strcpy (r.name, "A, \"B\"");
    r.status = "active";
    char *row = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&row, &len);
    gen_csv_row (out, &r);
    fclose (out);
    assert_string_equal (row, "911401001234567890,\"A, \"\"B\"\"\",,,,,0.00,0.00,no,no,active\n");
    free (row);
}


static void
test_profiles (void **state)
{
    (void) state;
    const gen_profile_t *shanxi = gen_profile_find ("shanxi");
    const gen_profile_t *national = gen_profile_find ("national");
    assert_non_null (shanxi);
    assert_non_null (national);
    assert_null (gen_profile_find ("Shanxi"));
    assert_null (gen_profile_find (""));
    assert_null (gen_profile_find (NULL));
    assert_int_equal (shanxi->count, 10000);
    assert_int_equal (national->count, 500000);
    assert_false (shanxi->every_province);
    assert_true (national->every_province);
    assert_non_null (strstr (gen_profile_names (), "national"));
    /* NULL profile is the default, shanxi */
    char err [128];
    gen_t *gen = gen_new (NULL, NULL, 1, err, sizeof err);
    assert_non_null (gen);
    assert_ptr_equal (gen->profile, shanxi);
    gen_destroy (&gen);
}

/* The national profile draws from every county the division table holds: a change
   of the table is enough to spread it over more provinces. */
static void
test_national_uses_every_county (void **state)
{
    (void) state;
    size_t count = 0, counties = 0;
    const inv_division_t *all = inv_division_all (&count);
    for (size_t i = 0; i < count; i++)
        counties += all [i].level == INV_DIV_COUNTY;
    char err [128];
    gen_t *gen = gen_new (gen_profile_find ("national"), "14", 5, err, sizeof err);
    assert_non_null (gen);
    assert_int_equal (gen_county_count (gen), counties);
    gen_destroy (&gen);
}

/* National: valid records, about 70% not yet innovating, intensity near 0.7%,
   manufacturing the largest share, every city present. */
static void
test_national_distribution (void **state)
{
    (void) state;
    const int sample = 20000;
    char err [128];
    gen_t *gen = gen_new (gen_profile_find ("national"), "14", 11, err, sizeof err);
    assert_non_null (gen);
    double revenue = 0, rd = 0;
    int innovating = 0, manufacturing = 0, clustered = 0, institutions = 0, large = 0;
    zhashx_t *cities = zhashx_new ();
    zhashx_t *codes = zhashx_new ();
    for (int i = 0; i < sample; i++) {
        gen_record_t r;
        gen_next (gen, &r);
        assert_true (inv_credit_code_valid (r.credit_code, NULL, 0));
        assert_true (inv_division_is_county (r.county));
        assert_null (zhashx_lookup (codes, r.credit_code));
        zhashx_insert (codes, r.credit_code, (void *) 1);
        assert_true (r.operating_revenue >= 2000.0);
        revenue += r.operating_revenue;
        rd += r.rd_expenditure;
        large += r.operating_revenue >= 40000.0;
        bool not_yet = !strcmp (r.status, "not_started") || !strcmp (r.status, "in_progress");
        assert_true (not_yet == !r.has_rd_activity);
        innovating += !not_yet;
        institutions += r.has_rd_institution;
        int division = atoi (r.industry) / 100;
        manufacturing += division >= 13 && division <= 43;
        clustered += r.cluster [0] != '\0';
        zhashx_update (cities, r.city, (void *) 1);
    }
    double not_innovating = 1.0 - (double) innovating / sample;
    double intensity = rd / revenue;
    print_message ("national: %.1f%% not innovating, intensity %.2f%%, %.1f%% manufacturing, "
                   "%.1f%% clustered, %.1f%% with R&D institution, %.1f%% above 4 亿元\n",
                   100 * not_innovating, 100 * intensity, 100.0 * manufacturing / sample,
                   100.0 * clustered / sample, 100.0 * institutions / sample, 100.0 * large / sample);
    assert_true (not_innovating > 0.66 && not_innovating < 0.74);   /* about 70% */
    assert_true (intensity > 0.005 && intensity < 0.010);           /* about 0.7% */
    assert_true (manufacturing > sample * 6 / 10);                  /* weighted to manufacturing */
    assert_true (clustered > sample / 10 && clustered < sample / 2);
    /* Revenue is log-normal: a long tail of large enterprises, most near the threshold */
    assert_true (large > sample / 100 && large < sample / 3);
    assert_int_equal (zhashx_size (cities), 11);
    zhashx_destroy (&cities);
    zhashx_destroy (&codes);
    gen_destroy (&gen);
}

/* Profiles are different streams of records, each deterministic by seed. */
static void
test_national_deterministic (void **state)
{
    (void) state;
    char *a = s_csv_profile ("national", 4, 300), *b = s_csv_profile ("national", 4, 300);
    char *c = s_csv_profile ("shanxi", 4, 300);
    assert_string_equal (a, b);
    assert_string_not_equal (a, c);
    free (a);
    free (b);
    free (c);
}

/* Place prefixes lose their administrative suffix; two-character names keep it. */
static void
test_short_place (void **state)
{
    (void) state;
    char out [64];
    s_short_place ("山西省", out, sizeof out);
    assert_string_equal (out, "山西");
    s_short_place ("太原市", out, sizeof out);
    assert_string_equal (out, "太原");
    s_short_place ("小店区", out, sizeof out);
    assert_string_equal (out, "小店");
    s_short_place ("城区", out, sizeof out);
    assert_string_equal (out, "城区");
    s_short_place ("内蒙古自治区", out, sizeof out);
    assert_string_equal (out, "内蒙古");
    s_short_place ("广西壮族自治区", out, sizeof out);
    assert_string_equal (out, "广西");
}

/* The binary writes the same CSV as the generator, for the same seed. */
static void
test_binary_output (void **state)
{
    (void) state;
    char command [1024];
    snprintf (command, sizeof command, "%s --count 50 --seed 9 2>/dev/null", harness_bin ("gendata"));
    if (access (harness_bin ("gendata"), X_OK) != 0)
        skip ();
    FILE *pipe = popen (command, "r");
    assert_non_null (pipe);
    char *got = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&got, &len);
    char buffer [4096];
    size_t n;
    while ((n = fread (buffer, 1, sizeof buffer, pipe)) > 0)
        fwrite (buffer, 1, n, mem);
    fclose (mem);
    assert_int_equal (pclose (pipe), 0);
    char *expected = s_csv (9, 50);
    assert_string_equal (got, expected);
    free (got);
    free (expected);

    snprintf (command, sizeof command, "%s --count nope >/dev/null 2>&1", harness_bin ("gendata"));
    int rc = system (command);
    assert_int_equal (WEXITSTATUS (rc), 2);
    snprintf (command, sizeof command, "%s --profile moon 2>&1 >/dev/null | grep -q 'not a profile'",
              harness_bin ("gendata"));
    rc = system (command);
    assert_int_equal (WEXITSTATUS (rc), 0);
}

static long
s_lines (const char *command)
{
    FILE *pipe = popen (command, "r");
    assert_non_null (pipe);
    long lines = 0;
    int c;
    while ((c = fgetc (pipe)) != EOF)
        lines += c == '\n';
    assert_int_equal (pclose (pipe), 0);
    return lines;
}

/* --profile picks the data set and its default size; --count overrides it. */
static void
test_binary_profiles (void **state)
{
    (void) state;
    if (access (harness_bin ("gendata"), X_OK) != 0)
        skip ();
    char command [1024];
    snprintf (command, sizeof command, "%s 2>/dev/null", harness_bin ("gendata"));
    assert_int_equal (s_lines (command), 10001);                    /* shanxi, the default */
    snprintf (command, sizeof command, "%s --profile national --count 40 --seed 2 2>/dev/null",
              harness_bin ("gendata"));
    assert_int_equal (s_lines (command), 41);

    /* The same records as the library, written to --out */
    char path [256];
    snprintf (path, sizeof path, "/tmp/test_gendata_%d.csv", (int) getpid ());
    snprintf (command, sizeof command, "%s --profile=national --count 40 --seed 2 --out %s",
              harness_bin ("gendata"), path);
    assert_int_equal (system (command), 0);
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    char got [65536];
    size_t n = fread (got, 1, sizeof got - 1, file);
    got [n] = '\0';
    fclose (file);
    unlink (path);
    char *expected = s_csv_profile ("national", 2, 40);
    assert_string_equal (got, expected);
    free (expected);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_org_check_char),
        cmocka_unit_test (test_records_are_valid),
        cmocka_unit_test (test_figures_are_plausible),
        cmocka_unit_test (test_deterministic_by_seed),
        cmocka_unit_test (test_unknown_province),
        cmocka_unit_test (test_csv_format),
        cmocka_unit_test (test_profiles),
        cmocka_unit_test (test_national_uses_every_county),
        cmocka_unit_test (test_national_distribution),
        cmocka_unit_test (test_national_deterministic),
        cmocka_unit_test (test_short_place),
        cmocka_unit_test (test_binary_output),
        cmocka_unit_test (test_binary_profiles),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
