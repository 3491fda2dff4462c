/*  notify_keys: every Redis key notify reads or writes, in one place.

    Each is a format for inv_key (buf, size, province, FORMAT, ...), which puts the
    province hash tag in front ("{14}:notify.dl:ledger:2026-03:city:140100"), so all
    keys of a province share one Redis Cluster slot and one script may touch them all.
    docs/notify.md describes each key.
*/
#ifndef NOTIFY_KEYS_H
#define NOTIFY_KEYS_H

#define NOTIFY_KEY_MAX          256

/* Hash: body (innov.Deadline protobuf), state (open|done|late), due, rung (index of the
   next rung to fire), agency */
#define NOTIFY_KEY_DEADLINE     "notify.dl:%s"          /* deadline id */
/* Sorted set: deadline id at the score of its next rung's fire time (Unix ms) */
#define NOTIFY_KEY_DUE          "notify.due"
/* Hash: "<clear type>|<clear subject>" -> deadline id */
#define NOTIFY_KEY_CLEAR        "notify.clear"
/* Hash: "<clear type>|<clear subject>" -> time of the clearing event, for events seen
   before their deadline was opened */
#define NOTIFY_KEY_SEEN         "notify.seen"
/* Sorted set: deadline ids cleared late, at the score of the clearing event's time */
#define NOTIFY_KEY_LATE         "notify.late"

/* Hash: body (innov.Notice protobuf), recipient, read (0|1). Its existence is the
   "notified once" mark of its cause. */
#define NOTIFY_KEY_NOTICE       "notice:%s"             /* notice id */
/* Sorted set: notice ids of an inbox at the score of their creation time */
#define NOTIFY_KEY_INBOX        "inbox:%s"              /* recipient principal */
/* Set: the unread notice ids of an inbox */
#define NOTIFY_KEY_UNREAD       "inbox.unread:%s"       /* recipient principal */

/* Hash: subscription id -> innov.Subscription protobuf */
#define NOTIFY_KEY_SUBS         "notify.subs"
/* Counter giving subscription ids */
#define NOTIFY_KEY_SUB_SEQ      "notify.sub.seq"

/* Webhooks. Hash: subscription id -> its webhook secret */
#define NOTIFY_KEY_SECRETS      "notify.sub.secret"
/* Hash: subscription, url, state (pending|delivered|failed), attempts, created, next,
   lease (token of the instance holding it) */
#define NOTIFY_KEY_DELIVERY     "notify.wh:%s"          /* delivery id = notice id */
/* List: the delivery's attempts, oldest first (innov.DeliveryAttempt protobuf) */
#define NOTIFY_KEY_DELIVERY_LOG "notify.wh.log:%s"      /* delivery id */
/* Sorted set: pending delivery ids at the time of their next attempt (or lease end) */
#define NOTIFY_KEY_DELIVERY_DUE "notify.wh.due"
/* Sorted set: a subscription's delivery ids at their creation time */
#define NOTIFY_KEY_SUB_DELIVERIES "notify.wh.sub:%s"    /* subscription id */

/* Consumer group of notify on the province's event stream */
#define NOTIFY_GROUP            "notify"

#endif
