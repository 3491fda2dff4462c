/*  stack: a running stack as an integration test sees it, on top of the harness.

    The tests bring a stack up the same way (a harness, its environment, then Redis, the
    broker and services in order), and speak to it in three ways: innovctl where a person
    would type, protobuf requests as a principal through an MDP client, and
    admin.clock.set to move the clock of the services with the test's own. Each call
    here asserts what the test expects and, when it fails, fails the running cmocka test
    with a message that names the command or method, the principal, the code and the
    message, so a test reads as its scenario only. Only test binaries (which link cmocka)
    use this file.

        harness_t *h = stack_new ("INNOV_TEST_MODE=1", "redis", "broker", "registry", NULL);
        char *text = stack_ctl (h, 0, "enterprise", "list", NULL);
        stack_ok (h, "province", "registry", "enterprise.add", &req.base, NULL, NULL);
        stack_clock (h, "2026-03-01T09:00:00", "registry", "notify", NULL);
*/
#ifndef STACK_H
#define STACK_H
#include <stdarg.h>
#include <stdbool.h>
#include "harness.h"
#include "inv_rpc.h"

/* A new harness with env set (space-separated NAME=value settings, or NULL), then each
   part started in order: "redis", "broker" or a service name. NULL (everything stopped)
   when one does not start. */
harness_t *stack_new (const char *env, const char *part, ...);
/* Start each part in order (as stack_new); 0, or -1 when one does not start. */
int  stack_start (harness_t *h, const char *part, ...);
/* A cmocka teardown for a harness kept in *state. */
int  stack_down (void **state);

/* innovctl (NULL-terminated arguments); fails the test unless it exits `expect`.
   Returns stdout + stderr joined (malloc'd). */
char *stack_ctl (harness_t *h, int expect, const char *arg, ...);
/* The same with a va_list; stdout alone when stdout_only (innovctl logs on stderr). */
char *stack_ctlv (harness_t *h, int expect, bool stdout_only, const char *arg, va_list args);
/* innovctl that must exit 0; its stdout alone (for --json). */
char *stack_json (harness_t *h, const char *arg, ...);
/* innovctl that must exit `expect` and, unless needle is NULL, print needle. */
void stack_expect (harness_t *h, int expect, const char *needle, const char *arg, ...);

/* method of service as principal `as` (8 s timeout, one retry); returns the status code.
   The reply goes to *reply (if not NULL), the status to *status_p (if not NULL; the
   caller frees both). */
int  stack_rpc (harness_t *h, const char *as, const char *service, const char *method,
                const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
                ProtobufCMessage **reply, Innov__Status **status_p);
/* stack_rpc that must answer 200. */
void stack_ok (harness_t *h, const char *as, const char *service, const char *method,
               const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
               ProtobufCMessage **reply);

/* admin.clock.set `when` on one service (as the province); fails the test unless 200. */
void stack_clock_of (harness_t *h, const char *service, const char *when);
/* The test's own clock, then every service named (NULL-terminated), to `when`. */
void stack_clock (harness_t *h, const char *when, const char *service, ...);
#endif
