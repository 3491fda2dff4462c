/*  test_clock: the CST clock, its calendar arithmetic, parsing and formatting, and
    setting / freezing it as tests and demos do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "inv_clock.h"

/* 2026-01-06T09:00:00+08:00 */
#define JAN6_9AM 1767661200000LL

static void
test_env_sets_clock_on_first_reading (void **state)
{
    (void) state;
    /* must run first: INNOV_CLOCK is read once, on the first reading */
    setenv ("INNOV_CLOCK", "2026-01-06T09:00:00", 1);
    assert_true (inv_clock_is_set ());
    int64_t now = inv_clock_now_ms ();
    assert_true (now >= JAN6_9AM);
    assert_true (now < JAN6_9AM + 60000);
    unsetenv ("INNOV_CLOCK");
    inv_clock_reset ();
    assert_false (inv_clock_is_set ());
}

static void
test_real_clock (void **state)
{
    (void) state;
    inv_clock_reset ();
    int64_t real = inv_clock_real_ms ();
    int64_t now = inv_clock_now_ms ();
    assert_true (now >= real);
    assert_true (now - real < 60000);
    assert_true (real > 1700000000000LL);      /* after 2023 */
}

static void
test_set_runs_on (void **state)
{
    (void) state;
    inv_clock_set_ms (JAN6_9AM);
    assert_true (inv_clock_is_set ());
    int64_t first = inv_clock_now_ms ();
    assert_true (first >= JAN6_9AM && first < JAN6_9AM + 60000);
    usleep (20 * 1000);
    int64_t second = inv_clock_now_ms ();
    assert_true (second > first);              /* time runs on from the set instant */
    /* the real clock is untouched */
    int64_t past = inv_clock_from_cst (2001, 1, 1, 0, 0, 0);
    inv_clock_set_ms (past);
    assert_true (inv_clock_now_ms () < past + 60000);
    assert_true (inv_clock_real_ms () > past + 365 * 86400000LL);
    inv_clock_reset ();
    assert_false (inv_clock_is_set ());
}

static void
test_freeze (void **state)
{
    (void) state;
    inv_clock_freeze (JAN6_9AM);
    assert_true (inv_clock_is_set ());
    assert_int_equal (inv_clock_now_ms (), JAN6_9AM);
    usleep (5 * 1000);
    assert_int_equal (inv_clock_now_ms (), JAN6_9AM);
    /* setting again unfreezes */
    inv_clock_set_ms (JAN6_9AM + 1000);
    assert_true (inv_clock_now_ms () >= JAN6_9AM + 1000);
    inv_clock_freeze (0);
    assert_int_equal (inv_clock_now_ms (), 0);
    inv_clock_reset ();
    assert_true (inv_clock_now_ms () > 1700000000000LL);
}

static void
test_to_cst_across_midnight (void **state)
{
    (void) state;
    inv_cst_t t;
    /* 2025-12-31T15:59:59Z is 23:59:59 CST on New Year's Eve */
    inv_clock_to_cst (1767196799000LL, &t);
    assert_int_equal (t.year, 2025);
    assert_int_equal (t.month, 12);
    assert_int_equal (t.day, 31);
    assert_int_equal (t.hour, 23);
    assert_int_equal (t.minute, 59);
    assert_int_equal (t.second, 59);
    assert_int_equal (t.weekday, 3);           /* Wednesday */
    /* one second later it is 2026 in China, still 2025 in UTC */
    inv_clock_to_cst (1767196800000LL, &t);
    assert_int_equal (t.year, 2026);
    assert_int_equal (t.month, 1);
    assert_int_equal (t.day, 1);
    assert_int_equal (t.hour, 0);
    assert_int_equal (t.minute, 0);
    assert_int_equal (t.second, 0);
    assert_int_equal (t.weekday, 4);           /* Thursday */
    /* the Unix epoch is 08:00 CST */
    inv_clock_to_cst (0, &t);
    assert_int_equal (t.year, 1970);
    assert_int_equal (t.hour, 8);
    assert_int_equal (t.weekday, 4);
    inv_clock_to_cst (JAN6_9AM, &t);
    assert_int_equal (t.day, 6);
    assert_int_equal (t.hour, 9);
    assert_int_equal (t.weekday, 2);           /* Tuesday */
}

static void
test_month_ends (void **state)
{
    (void) state;
    inv_cst_t t;
    /* leap day 2024 */
    int64_t leap = inv_clock_from_cst (2024, 2, 29, 23, 59, 59);
    assert_int_equal (leap, 1709222399000LL);
    inv_clock_to_cst (leap + 1000, &t);
    assert_int_equal (t.month, 3);
    assert_int_equal (t.day, 1);
    /* 2025 is not a leap year: Feb 28 then Mar 1 */
    inv_clock_to_cst (inv_clock_from_cst (2025, 2, 28, 12, 0, 0) + 86400000LL, &t);
    assert_int_equal (t.month, 3);
    assert_int_equal (t.day, 1);
    /* 2000 was a leap year, 1900 would not be; 2100 will not be */
    inv_clock_to_cst (inv_clock_from_cst (2000, 2, 28, 0, 0, 0) + 86400000LL, &t);
    assert_int_equal (t.day, 29);
    inv_clock_to_cst (inv_clock_from_cst (2100, 2, 28, 0, 0, 0) + 86400000LL, &t);
    assert_int_equal (t.month, 3);
    assert_int_equal (t.day, 1);
    /* every month end of 2026 rolls into the 1st of the next */
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int month = 1; month <= 12; month++) {
        inv_clock_to_cst (inv_clock_from_cst (2026, month, days [month - 1], 23, 0, 0) + 3600000LL, &t);
        assert_int_equal (t.day, 1);
        assert_int_equal (t.month, month == 12? 1: month + 1);
        assert_int_equal (t.year, month == 12? 2027: 2026);
    }
    /* normalisation: day 0 is the last day of the month before, month 13 next January */
    assert_int_equal (inv_clock_from_cst (2026, 3, 0, 0, 0, 0), inv_clock_from_cst (2026, 2, 28, 0, 0, 0));
    assert_int_equal (inv_clock_from_cst (2025, 13, 5, 0, 0, 0), inv_clock_from_cst (2026, 1, 5, 0, 0, 0));
    assert_int_equal (inv_clock_from_cst (2026, 0, 1, 0, 0, 0), inv_clock_from_cst (2025, 12, 1, 0, 0, 0));
    assert_int_equal (inv_clock_from_cst (2026, 1, 31, 24, 0, 0), inv_clock_from_cst (2026, 2, 1, 0, 0, 0));
}

static void
test_round_trip_every_day (void **state)
{
    (void) state;
    /* every day of 2024-2027 at 00:00 and 23:59:59 CST round-trips */
    int64_t ms = inv_clock_from_cst (2024, 1, 1, 0, 0, 0);
    for (int i = 0; i < 4 * 366; i++, ms += 86400000LL) {
        inv_cst_t t;
        inv_clock_to_cst (ms, &t);
        assert_int_equal (t.hour, 0);
        assert_int_equal (inv_clock_from_cst (t.year, t.month, t.day, 0, 0, 0), ms);
        inv_clock_to_cst (ms + 86399000LL, &t);
        assert_int_equal (t.hour, 23);
        assert_int_equal (t.second, 59);
        char text [40];
        inv_clock_format (ms + 86399123LL, text, sizeof text);
        assert_int_equal (inv_clock_parse (text), ms + 86399123LL);
    }
}

static void
test_parse_forms (void **state)
{
    (void) state;
    assert_int_equal (inv_clock_parse ("2026-01-06T09:00:00"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2026-01-06 09:00:00"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2026-01-06T09:00"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2026-01-06T09:00:00+08:00"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2026-01-06T01:00:00Z"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2026-01-06T09:00:00.250+08:00"), JAN6_9AM + 250);
    assert_int_equal (inv_clock_parse ("2026-01-06T09:00:00.5"), JAN6_9AM + 500);
    assert_int_equal (inv_clock_parse ("2026-01-06"), JAN6_9AM - 9 * 3600000LL);
    assert_int_equal (inv_clock_parse ("2026-01-06T03:00:00+02:00"), JAN6_9AM);
    assert_int_equal (inv_clock_parse ("2024-02-29"), inv_clock_from_cst (2024, 2, 29, 0, 0, 0));
}

static void
test_parse_refuses (void **state)
{
    (void) state;
    static const char *bad [] = {
        NULL, "", "yesterday", "2026-1-6", "2026-01-06T9:00", "2026-13-01", "2026-00-10",
        "2026-02-29", "2025-04-31", "2026-01-32", "2026-01-06T24:00", "2026-01-06T09:60",
        "2026-01-06T09:00:61", "2026-01-06T09:00:00+8", "2026-01-06T09:00:00 ", "2026-01-06x",
        "2026-01-06T09:00:00.", "2026-01-06T", "1969-12-31", "2026/01/06",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        if (inv_clock_parse (bad [i]) != -1)
            fail_msg ("\"%s\" should not parse", bad [i]? bad [i]: "(null)");
    }
}

static void
test_format (void **state)
{
    (void) state;
    char text [40];
    assert_string_equal (inv_clock_format (JAN6_9AM + 7, text, sizeof text),
                         "2026-01-06T09:00:00.007+08:00");
    assert_string_equal (inv_clock_format (0, text, sizeof text), "1970-01-01T08:00:00.000+08:00");
    assert_string_equal (inv_clock_format (1767196800000LL, text, sizeof text),
                         "2026-01-01T00:00:00.000+08:00");
    /* a short buffer is cut, never overrun */
    char small [11];
    inv_clock_format (JAN6_9AM, small, sizeof small);
    assert_string_equal (small, "2026-01-06");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_env_sets_clock_on_first_reading),
        cmocka_unit_test (test_real_clock),
        cmocka_unit_test (test_set_runs_on),
        cmocka_unit_test (test_freeze),
        cmocka_unit_test (test_to_cst_across_midnight),
        cmocka_unit_test (test_month_ends),
        cmocka_unit_test (test_round_trip_every_day),
        cmocka_unit_test (test_parse_forms),
        cmocka_unit_test (test_parse_refuses),
        cmocka_unit_test (test_format),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
