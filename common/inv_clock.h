/*  inv_clock: the one clock every deadline is computed from, in China Standard Time.

    Real time by default. Tests and demos set it (INNOV_CLOCK=2026-01-06T09:00:00 or
    inv_clock_set_ms), after which it runs on from that instant (or stays frozen with
    inv_clock_freeze). All calendar functions work in UTC+8, whatever the host's TZ.
*/
#ifndef INV_CLOCK_H
#define INV_CLOCK_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define INV_CST_OFFSET_MS (8LL * 3600 * 1000)

int64_t inv_clock_now_ms (void);          /* the (possibly set) clock, Unix ms */
int64_t inv_clock_real_ms (void);         /* the host clock, Unix ms, never set */
void    inv_clock_set_ms (int64_t ms);    /* from now on the clock reads ms + elapsed */
void    inv_clock_freeze (int64_t ms);    /* the clock reads ms until set again */
void    inv_clock_reset (void);           /* back to real time */
bool    inv_clock_is_set (void);

/* Calendar in CST. Months 1-12, days 1-31, weekday 0 = Sunday .. 6 = Saturday
   (as in struct tm). inv_clock_from_cst normalises out-of-range fields (day 0 is the
   last day of the month before, month 13 is January of the next year). */
typedef struct { int year, month, day, hour, minute, second, weekday; } inv_cst_t;
void    inv_clock_to_cst (int64_t ms, inv_cst_t *out);
int64_t inv_clock_from_cst (int year, int month, int day, int hour, int minute, int second);
/* "2026-01-06", "2026-01-06T09:00", "2026-01-06T09:00:00", "2026-01-06 09:00:00",
   optional fraction ".123" after the seconds, optional "+08:00"/"Z" (or any other
   "+HH:MM"/"-HH:MM") suffix honoured; without a suffix the text is CST. Years from 1970;
   impossible dates (2026-02-29, 24:00) are refused. Returns -1 on bad input. */
int64_t inv_clock_parse (const char *text);
/* "2026-01-06T09:00:00.000+08:00"; returns buf. */
char   *inv_clock_format (int64_t ms, char *buf, size_t size);

#endif
