/*  report: the reporting service: monthly ledger reports, coverage and assessment,
    bulletins and campaign summaries. Its contract is proto/report.proto; what it
    stores is in report_keys.h; docs/report.md describes both.

    A process runs the worker (report_methods, over report_t) and the follower
    (report_engine_new: the events of enterprise.closed and the monthly snapshot).
*/
#ifndef REPORT_H
#define REPORT_H
#include <czmq.h>
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"
#include "event.pb-c.h"

typedef struct _report_t report_t;

/* NULL when the Redis address is bad. */
report_t *report_new (const inv_config_t *cfg);
void report_destroy (report_t **self_p);
inv_redis_t *report_redis (report_t *self);

extern const inv_method_t report_methods [];

/* The follower thread: consumer group "report" (enterprise.closed into the month's
   closed set) and the tick that takes each month's snapshot. */
zactor_t *report_engine_new (const inv_config_t *cfg);

/* What the follower does, callable without the thread (unit tests): one event, one
   tick at now_ms. 0 when handled. */
int report_handle_event (report_t *self, const Innov__Event *event);
int report_tick (report_t *self, int64_t now_ms);
#endif
