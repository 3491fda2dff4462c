/*  problems_keys: every Redis key the problems service reads or writes, in one place.

    Each is a format for inv_key (buf, size, province, FORMAT, ...), which puts the
    province hash tag in front ("{14}:problem:P7"), so one script may touch them all.
    A scope is "province", "city:<code>", "dept:<code>", "group:<id>" or
    "handler:<principal>"; docs/problems.md describes each key.
*/
#ifndef PROBLEMS_KEYS_H
#define PROBLEMS_KEYS_H

#define PROBLEMS_KEY_MAX        160

/* Hash: body (innov.Problem protobuf), version, state */
#define PROBLEMS_KEY_PROBLEM    "problem:%s"            /* problem id */
/* String: the last problem number given out */
#define PROBLEMS_KEY_SEQ        "problems.seq"
/* Set of the scopes that have figures (for scope "all") */
#define PROBLEMS_KEY_SCOPES     "problems.scopes"
/* Hash of counters of a scope: raised, open, resolved, closed, on_time, late,
   government, own */
#define PROBLEMS_KEY_COUNTERS   "problems.cnt:%s"       /* scope */
/* Sorted set: the scope's unresolved problem ids at their next deadline (Unix ms);
   overdue = ZCOUNT -inf now */
#define PROBLEMS_KEY_DUE        "problems.due:%s"       /* scope */
/* Hash: whole days from raised to resolved -> how many problems took that long */
#define PROBLEMS_KEY_DAYS       "problems.days:%s"      /* scope */
/* Sorted set: every problem id of the scope at its raising time */
#define PROBLEMS_KEY_INDEX      "problems.idx:%s"       /* scope */

#define PROBLEMS_FIELD_BODY     "body"

#endif
