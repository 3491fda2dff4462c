/*  stack: a running stack as an integration test sees it (see stack.h).

    Design: every call is a thin layer over the harness (for processes and innovctl) and
    over inv_rpc_call (for requests); what this file adds is the checking. A failed
    check calls cmocka's fail_msg with everything needed to see why from the log alone:
    the whole innovctl command line, its exit code and output; the method, principal,
    code and status message of a request; the service, time and answer of a clock move.
    innovctl gets the test's words as they are (harness_ctlv); a copy of the argument
    list is walked again only to write the command line into a failure message.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>
#include "stack.h"
#include "inv_clock.h"

static int
s_start_part (harness_t *h, const char *part)
{
    if (streq (part, "redis"))
        return harness_start_redis (h) < 0? -1: 0;
    if (streq (part, "broker"))
        return harness_start_broker (h) < 0? -1: 0;
    return harness_start_service (h, part) < 0? -1: 0;
}

static int
s_start_parts (harness_t *h, const char *part, va_list ap)
{
    for (const char *p = part; p; p = va_arg (ap, const char *))
        if (s_start_part (h, p))
            return -1;
    return 0;
}

harness_t *
stack_new (const char *env, const char *part, ...)
{
    harness_t *h = harness_new ();
    if (!h)
        return NULL;
    char *settings = strdup (env? env: "");
    char *save = NULL;
    for (char *word = strtok_r (settings, " ", &save); word; word = strtok_r (NULL, " ", &save)) {
        char *equals = strchr (word, '=');
        assert_non_null (equals);
        *equals = 0;
        harness_setenv (h, word, equals + 1);
    }
    free (settings);
    va_list ap;
    va_start (ap, part);
    int rc = s_start_parts (h, part, ap);
    va_end (ap);
    if (rc)
        harness_destroy (&h);
    return h;
}

int
stack_start (harness_t *h, const char *part, ...)
{
    va_list ap;
    va_start (ap, part);
    int rc = s_start_parts (h, part, ap);
    va_end (ap);
    return rc;
}

int
stack_down (void **state)
{
    harness_t *h = (harness_t *) *state;
    harness_destroy (&h);
    *state = NULL;
    return 0;
}

/* ---- innovctl ------------------------------------------------------------------------ */

char *
stack_ctlv (harness_t *h, int expect, bool stdout_only, const char *arg, va_list args)
{
    va_list words;
    va_copy (words, args);
    char *out = NULL, *err = NULL;
    int rc = harness_ctlv (h, &out, &err, arg, args);
    if (rc != expect) {
        char line [1024] = "";
        for (const char *word = arg; word; word = va_arg (words, const char *))
            snprintf (line + strlen (line), sizeof line - strlen (line), " %s", word);
        fail_msg ("innovctl%s: exit %d, expected %d: %s%s", line, rc, expect,
                  out? out: "", err? err: "");
    }
    va_end (words);
    char *joined = zsys_sprintf ("%s%s", out? out: "", err && !stdout_only? err: "");
    free (out);
    free (err);
    return joined;
}

char *
stack_ctl (harness_t *h, int expect, const char *arg, ...)
{
    va_list ap;
    va_start (ap, arg);
    char *text = stack_ctlv (h, expect, false, arg, ap);
    va_end (ap);
    return text;
}

char *
stack_json (harness_t *h, const char *arg, ...)
{
    va_list ap;
    va_start (ap, arg);
    char *text = stack_ctlv (h, 0, true, arg, ap);
    va_end (ap);
    return text;
}

void
stack_expect (harness_t *h, int expect, const char *needle, const char *arg, ...)
{
    va_list ap;
    va_start (ap, arg);
    char *text = stack_ctlv (h, expect, false, arg, ap);
    va_end (ap);
    if (needle && !strstr (text, needle))
        fail_msg ("\"%s\" not in: %s", needle, text);
    free (text);
}

/* ---- requests ------------------------------------------------------------------------ */

int
stack_rpc (harness_t *h, const char *as, const char *service, const char *method,
           const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
           ProtobufCMessage **reply, Innov__Status **status_p)
{
    mdp_client_t *client = mdp_client_new (harness_broker (h), as);
    assert_non_null (client);
    mdp_client_set_timeout (client, 8000);
    mdp_client_set_retries (client, 1);
    int code = inv_rpc_call (client, service, method, req, desc, reply, status_p);
    mdp_client_destroy (&client);
    return code;
}

void
stack_ok (harness_t *h, const char *as, const char *service, const char *method,
          const ProtobufCMessage *req, const ProtobufCMessageDescriptor *desc,
          ProtobufCMessage **reply)
{
    Innov__Status *status = NULL;
    ProtobufCMessage *unwanted = NULL;
    int code = stack_rpc (h, as, service, method, req, desc, reply? reply: &unwanted, &status);
    if (code != 200)
        fail_msg ("%s as %s: %d %s", method, as, code, status && status->message? status->message: "");
    if (status)
        innov__status__free_unpacked (status, NULL);
    if (unwanted)
        protobuf_c_message_free_unpacked (unwanted, NULL);
}

/* ---- the clock ------------------------------------------------------------------------ */

void
stack_clock_of (harness_t *h, const char *service, const char *when)
{
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    assert_non_null (client);
    mdp_client_set_timeout (client, 5000);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "admin.clock.set");
    zmsg_addstr (body, when);
    zmsg_t *reply = mdp_client_request (client, service, &body, NULL);
    assert_non_null (reply);
    zframe_t *frame = zmsg_first (reply);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    if (status->code != 200)
        fail_msg ("admin.clock.set %s on %s: %d %s", when, service, status->code, status->message);
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);
    mdp_client_destroy (&client);
}

void
stack_clock (harness_t *h, const char *when, const char *service, ...)
{
    inv_clock_set_ms (inv_clock_parse (when));
    va_list ap;
    va_start (ap, service);
    for (const char *s = service; s; s = va_arg (ap, const char *))
        stack_clock_of (h, s, when);
    va_end (ap);
}
