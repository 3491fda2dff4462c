/*  inv_clock: the one clock every deadline is computed from, in China Standard Time.

    The clock is in one of three states, kept under one mutex:
      real     reads the host clock (CLOCK_REALTIME);
      set      reads base + (host now - host at the moment it was set), so a test that
               sets "2026-01-06T09:00" sees time run on from there;
      frozen   reads base until set again.
    INNOV_CLOCK is read once, on the first reading, so a process started with it set
    needs no code to honour it (inv_config_apply sets it explicitly too).

    Calendar conversion is pure arithmetic on days since 1970-01-01 in the proleptic
    Gregorian calendar, shifted by +8 hours; it never consults TZ or localtime, so it
    gives the same answer on every host.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "inv_clock.h"

enum { CLOCK_REAL = 0, CLOCK_SET, CLOCK_FROZEN };

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static int     s_state = CLOCK_REAL;
static int64_t s_base;          /* the instant the clock was set to */
static int64_t s_real_at_set;   /* host time when it was set */
static bool    s_env_read;

int64_t
inv_clock_real_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under s_lock: honour INNOV_CLOCK once, unless the clock was set already. */
static void
s_read_env_locked (void)
{
    if (s_env_read)
        return;
    s_env_read = true;
    const char *env = getenv ("INNOV_CLOCK");
    if (!env || !*env)
        return;
    int64_t ms = inv_clock_parse (env);
    if (ms < 0)
        return;                 /* inv_config reports the bad value */
    s_state = CLOCK_SET;
    s_base = ms;
    s_real_at_set = inv_clock_real_ms ();
}

int64_t
inv_clock_now_ms (void)
{
    pthread_mutex_lock (&s_lock);
    s_read_env_locked ();
    int64_t now;
    if (s_state == CLOCK_SET)
        now = s_base + (inv_clock_real_ms () - s_real_at_set);
    else
    if (s_state == CLOCK_FROZEN)
        now = s_base;
    else
        now = inv_clock_real_ms ();
    pthread_mutex_unlock (&s_lock);
    return now;
}

void
inv_clock_set_ms (int64_t ms)
{
    pthread_mutex_lock (&s_lock);
    s_env_read = true;
    s_state = CLOCK_SET;
    s_base = ms;
    s_real_at_set = inv_clock_real_ms ();
    pthread_mutex_unlock (&s_lock);
}

void
inv_clock_freeze (int64_t ms)
{
    pthread_mutex_lock (&s_lock);
    s_env_read = true;
    s_state = CLOCK_FROZEN;
    s_base = ms;
    pthread_mutex_unlock (&s_lock);
}

void
inv_clock_reset (void)
{
    pthread_mutex_lock (&s_lock);
    s_env_read = true;
    s_state = CLOCK_REAL;
    pthread_mutex_unlock (&s_lock);
}

bool
inv_clock_is_set (void)
{
    pthread_mutex_lock (&s_lock);
    s_read_env_locked ();
    bool set = s_state != CLOCK_REAL;
    pthread_mutex_unlock (&s_lock);
    return set;
}

/* ---- calendar arithmetic ------------------------------------------------------------ */

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool
s_is_leap (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_days_in_month (int year, int month)
{
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month == 2 && s_is_leap (year))
        return 29;
    return days [month - 1];
}

/* Days since 1970-01-01 of a Gregorian date. Years are counted from March so that
   the leap day falls at the end of the counting year. */
static int64_t
s_days_from_date (int64_t year, int month, int day)
{
    if (month <= 2)
        year--;
    int64_t era = s_floor_div (year, 400);
    int64_t year_of_era = year - era * 400;                         /* 0..399 */
    int64_t month_from_march = (month + 9) % 12;                    /* Mar = 0 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void
s_date_from_days (int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = s_floor_div (days, 146097);
    int64_t day_of_era = days - era * 146097;                        /* 0..146096 */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    int d = (int) (day_of_year - (153 * mp + 2) / 5 + 1);
    int m = (int) (mp < 10 ? mp + 3 : mp - 9);
    int64_t y = year_of_era + era * 400 + (m <= 2);
    *year = (int) y;
    *month = m;
    *day = d;
}

void
inv_clock_to_cst (int64_t ms, inv_cst_t *out)
{
    int64_t local = ms + INV_CST_OFFSET_MS;
    int64_t days = s_floor_div (local, 86400000LL);
    int64_t in_day = (local - days * 86400000LL) / 1000;            /* seconds 0..86399 */
    s_date_from_days (days, &out->year, &out->month, &out->day);
    out->hour = (int) (in_day / 3600);
    out->minute = (int) (in_day / 60 % 60);
    out->second = (int) (in_day % 60);
    /* 1970-01-01 was a Thursday (4) */
    out->weekday = (int) ((days % 7 + 7 + 4) % 7);
}

int64_t
inv_clock_from_cst (int year, int month, int day, int hour, int minute, int second)
{
    /* Months outside 1-12 roll into neighbouring years; days, hours, minutes and
       seconds out of range simply add up, so "day 0" is the last day of the month before. */
    int64_t y = year + s_floor_div (month - 1, 12);
    int m = (int) ((month - 1) - s_floor_div (month - 1, 12) * 12) + 1;
    int64_t days = s_days_from_date (y, m, 1) + (day - 1);
    int64_t seconds = days * 86400 + (int64_t) hour * 3600 + (int64_t) minute * 60 + second;
    return seconds * 1000 - INV_CST_OFFSET_MS;
}

/* Read exactly `width` digits; returns -1 if they are not all digits. */
static int
s_digits (const char **p, int width)
{
    int value = 0;
    for (int i = 0; i < width; i++) {
        char c = (*p) [i];
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    *p += width;
    return value;
}

int64_t
inv_clock_parse (const char *text)
{
    if (!text)
        return -1;
    const char *p = text;
    int year = s_digits (&p, 4);
    if (year < 1970 || *p++ != '-')
        return -1;
    int month = s_digits (&p, 2);
    if (month < 1 || month > 12 || *p++ != '-')
        return -1;
    int day = s_digits (&p, 2);
    if (day < 1 || day > s_days_in_month (year, month))
        return -1;
    int hour = 0, minute = 0, second = 0, millis = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        hour = s_digits (&p, 2);
        if (hour < 0 || hour > 23 || *p++ != ':')
            return -1;
        minute = s_digits (&p, 2);
        if (minute < 0 || minute > 59)
            return -1;
        if (*p == ':') {
            p++;
            second = s_digits (&p, 2);
            if (second < 0 || second > 59)
                return -1;
            if (*p == '.') {
                p++;
                int digits = 0;
                while (*p >= '0' && *p <= '9') {
                    if (digits < 3)
                        millis = millis * 10 + (*p - '0');
                    digits++;
                    p++;
                }
                if (digits == 0)
                    return -1;
                for (; digits < 3; digits++)
                    millis *= 10;
            }
        }
    }
    int64_t offset_ms = INV_CST_OFFSET_MS;
    if (*p == 'Z') {
        offset_ms = 0;
        p++;
    }
    else
    if (*p == '+' || *p == '-') {
        int sign = *p++ == '-'? -1: 1;
        int oh = s_digits (&p, 2);
        if (oh < 0 || oh > 14 || *p++ != ':')
            return -1;
        int om = s_digits (&p, 2);
        if (om < 0 || om > 59)
            return -1;
        offset_ms = sign * ((int64_t) oh * 3600 + om * 60) * 1000;
    }
    if (*p != '\0')
        return -1;
    int64_t ms = inv_clock_from_cst (year, month, day, hour, minute, second)
               + INV_CST_OFFSET_MS - offset_ms + millis;
    return ms < 0? -1: ms;
}

char *
inv_clock_format (int64_t ms, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    inv_cst_t t;
    inv_clock_to_cst (ms, &t);
    int millis = (int) (ms - s_floor_div (ms, 1000) * 1000);
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00",
              t.year, t.month, t.day, t.hour, t.minute, t.second, millis);
    return buf;
}
