/*  report_keys: every Redis key the report service reads or writes, in one place.

    Each is a format for inv_key (buf, size, province, FORMAT, ...), which puts the
    province hash tag in front ("{14}:report:2026-03:city:140100"), so one script may
    touch them all. docs/report.md describes each key and what maintains it.
    Months are dispatch months "YYYY-MM" (the month whose 5th the report is due by).
*/
#ifndef REPORT_KEYS_H
#define REPORT_KEYS_H

#define REPORT_KEY_MAX              160

/* Hash: body (innov.LedgerReport), revision, first (ms of the first submission),
   late 0/1, amended 0/1. Written by report_submit.lua. */
#define REPORT_KEY_REPORT           "report:%s:%s"          /* month, agency principal */

/* String: innov.MonthSnapshot, the whole province's ledger figures at the start of the
   month (the close of the month before). Written once by report_snapshot.lua. */
#define REPORT_KEY_SNAPSHOT         "report.snap:%s"        /* month */

/* Enterprises closed (销号) in a calendar month, from enterprise.closed events
   (report_closed.lua, run by the follower of consumer group "report"):
   sorted set of credit codes scored by the closing time, hash code -> innov.ClosedEnterprise,
   hash of counts: "province", "city:<code>", "dept:<code>". */
#define REPORT_KEY_CLOSED           "report.closed:%s"      /* calendar month */
#define REPORT_KEY_CLOSED_ENT       "report.closed.ent:%s"
#define REPORT_KEY_CLOSED_COUNT     "report.closed.cnt:%s"

#define REPORT_GROUP                "report"                /* consumer group */
#endif
