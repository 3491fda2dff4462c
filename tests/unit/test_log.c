/*  test_log: the line format, level names and filtering, and the real-time stamp
    that does not follow the settable clock. stderr is captured in a temporary file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "inv_log.h"
#include "inv_clock.h"

typedef struct {
    char path [64];
    int saved;
    int fd;
} capture_t;

static void
s_capture_start (capture_t *c)
{
    snprintf (c->path, sizeof c->path, "/tmp/test_log_XXXXXX");
    c->fd = mkstemp (c->path);
    assert_true (c->fd >= 0);
    fflush (stderr);
    c->saved = dup (STDERR_FILENO);
    dup2 (c->fd, STDERR_FILENO);
}

/* Stop capturing; returns what was written (free it). */
static char *
s_capture_end (capture_t *c)
{
    dup2 (c->saved, STDERR_FILENO);
    close (c->saved);
    off_t size = lseek (c->fd, 0, SEEK_END);
    char *text = calloc (1, (size_t) size + 1);
    assert_non_null (text);
    assert_int_equal (pread (c->fd, text, (size_t) size, 0), size);
    close (c->fd);
    unlink (c->path);
    return text;
}

static void
test_level_names (void **state)
{
    (void) state;
    assert_int_equal (inv_log_level_parse ("debug"), INV_LOG_DEBUG);
    assert_int_equal (inv_log_level_parse ("INFO"), INV_LOG_INFO);
    assert_int_equal (inv_log_level_parse ("warn"), INV_LOG_WARN);
    assert_int_equal (inv_log_level_parse ("warning"), INV_LOG_WARN);
    assert_int_equal (inv_log_level_parse ("error"), INV_LOG_ERROR);
    assert_int_equal (inv_log_level_parse ("loud"), -1);
    assert_int_equal (inv_log_level_parse (""), -1);
    assert_int_equal (inv_log_level_parse (NULL), -1);
}

static void
test_line_format (void **state)
{
    (void) state;
    inv_log_init ("registry");
    inv_log_set_level (INV_LOG_INFO);
    capture_t c;
    s_capture_start (&c);
    inv_info ("enterprise.add %s ok", "91140100MA0K000001");
    char *text = s_capture_end (&c);
    /* 2026-11-27T21:50:01.123+08:00 registry[1234] INFO enterprise.add ... ok\n */
    assert_true (strlen (text) > 30);
    assert_memory_equal (text + 23, "+08:00 registry[", 16);
    char expect [64];
    snprintf (expect, sizeof expect, "registry[%d] INFO enterprise.add 91140100MA0K000001 ok\n",
              (int) getpid ());
    assert_non_null (strstr (text, expect));
    assert_int_equal (text [strlen (text) - 1], '\n');
    assert_ptr_equal (strchr (text, '\n'), text + strlen (text) - 1);     /* one line */
    free (text);
}

static void
test_filtering (void **state)
{
    (void) state;
    inv_log_init ("svc");
    capture_t c;
    s_capture_start (&c);
    inv_log_set_level (INV_LOG_WARN);
    inv_debug ("hidden debug");
    inv_info ("hidden info");
    inv_warn ("shown warn");
    inv_error ("shown error");
    inv_log_set_level (INV_LOG_DEBUG);
    inv_debug ("shown debug");
    inv_log_set_level (99);                 /* ignored: stays at debug */
    inv_debug ("shown again");
    char *text = s_capture_end (&c);
    assert_null (strstr (text, "hidden"));
    assert_non_null (strstr (text, "WARN shown warn"));
    assert_non_null (strstr (text, "ERROR shown error"));
    assert_non_null (strstr (text, "DEBUG shown debug"));
    assert_non_null (strstr (text, "DEBUG shown again"));
    free (text);
    inv_log_set_level (INV_LOG_INFO);
}

static void
test_level_from_environment (void **state)
{
    (void) state;
    setenv ("INNOV_LOG_LEVEL", "error", 1);
    inv_log_init ("svc");
    unsetenv ("INNOV_LOG_LEVEL");
    capture_t c;
    s_capture_start (&c);
    inv_warn ("hidden warn");
    inv_error ("shown error");
    char *text = s_capture_end (&c);
    assert_null (strstr (text, "hidden"));
    assert_non_null (strstr (text, "shown error"));
    free (text);
    inv_log_set_level (INV_LOG_INFO);
}

static void
test_stamp_is_real_time (void **state)
{
    (void) state;
    inv_clock_freeze (inv_clock_from_cst (2001, 1, 1, 0, 0, 0));
    capture_t c;
    s_capture_start (&c);
    inv_info ("while the clock is set");
    char *text = s_capture_end (&c);
    inv_clock_reset ();
    assert_true (strncmp (text, "2001-", 5) != 0);
    inv_cst_t now;
    inv_clock_to_cst (inv_clock_real_ms (), &now);
    char year [8];
    snprintf (year, sizeof year, "%04d-", now.year);
    /* the year may turn between the two readings only at New Year's midnight */
    assert_true (strncmp (text, year, 5) == 0 || now.month == 1);
    free (text);
}

static void
test_long_line_is_cut (void **state)
{
    (void) state;
    char *big = malloc (5000);
    memset (big, 'x', 4999);
    big [4999] = '\0';
    capture_t c;
    s_capture_start (&c);
    inv_info ("%s", big);
    char *text = s_capture_end (&c);
    size_t len = strlen (text);
    assert_true (len < 2100);
    assert_int_equal (text [len - 1], '\n');
    assert_non_null (strstr (text, "x...\n"));
    free (text);
    free (big);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_level_names),
        cmocka_unit_test (test_line_format),
        cmocka_unit_test (test_filtering),
        cmocka_unit_test (test_level_from_environment),
        cmocka_unit_test (test_stamp_is_real_time),
        cmocka_unit_test (test_long_line_is_cut),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
