/*  ctl: the parts every innovctl command shares (see ctl.h).

    Errors are reported as one line on stderr, "innovctl: <reason>", so a script can
    show it as is; a refused request gives its status code, message and each field
    error "field: reason", separated by "; ". Line breaks inside a message from a
    service are turned into spaces so the report stays one line.

    The MDP client is made on first use from the settings (inv_client_from_config),
    acting as ctl->principal: in development (no CURVE certificate) that is the
    --as principal, or "province" when none is given; over CURVE the broker takes the
    principal from the certificate and the claim is not sent.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ctl.h"
#include "inv_clock.h"
#include "inv_entcsv.h"
#include "inv_json.h"
#include "inv_service.h"
#include "inv_table.h"
#include "inv_valid.h"

/* ---- options --------------------------------------------------------------------------- */

static ctl_opt_t *
s_find_opt (ctl_opt_t *opts, const char *name, size_t len)
{
    for (ctl_opt_t *opt = opts; opt->name; opt++)
        if (strlen (opt->name) == len && strncmp (opt->name, name, len) == 0)
            return opt;
    return NULL;
}

int
ctl_parse (const char *command, int argc, char **argv, ctl_opt_t *opts,
           const char **pos, int max_pos, int *npos_p)
{
    int npos = 0;
    bool flags_over = false;
    for (ctl_opt_t *opt = opts; opt->name; opt++)
        opt->value = NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv [i];
        if (flags_over || arg [0] != '-' || arg [1] == '\0') {
            if (npos >= max_pos)
                return ctl_usage (command, "unexpected argument \"%s\"", arg);
            pos [npos++] = arg;
            continue;
        }
        if (strcmp (arg, "--") == 0) {
            flags_over = true;
            continue;
        }
        const char *name = arg [1] == '-'? arg + 2: arg + 1;
        const char *eq = strchr (name, '=');
        size_t len = eq? (size_t) (eq - name): strlen (name);
        ctl_opt_t *opt = arg [1] == '-'? s_find_opt (opts, name, len): NULL;
        if (!opt)
            return ctl_usage (command, "unknown option %.*s", (int) (len + (size_t) (name - arg)), arg);
        if (!opt->has_value) {
            if (eq)
                return ctl_usage (command, "--%s takes no value", opt->name);
            opt->value = "";
            continue;
        }
        if (eq)
            opt->value = eq + 1;
        else
        if (i + 1 < argc)
            opt->value = argv [++i];
        else
            return ctl_usage (command, "--%s needs a value", opt->name);
    }
    if (npos_p)
        *npos_p = npos;
    return CTL_OK;
}

const char *
ctl_opt (const ctl_opt_t *opts, const char *name)
{
    for (const ctl_opt_t *opt = opts; opt->name; opt++)
        if (strcmp (opt->name, name) == 0)
            return opt->value;
    return NULL;
}

/* ---- reporting ------------------------------------------------------------------------- */

/* Writes text with line breaks and tabs as spaces. */
static void
s_put_one_line (FILE *out, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc (*p == '\n' || *p == '\r' || *p == '\t'? ' ': *p, out);
}

static int
s_vfail (int code, const char *prefix, const char *fmt, va_list args)
{
    char reason [1024];
    vsnprintf (reason, sizeof reason, fmt, args);
    fputs ("innovctl: ", stderr);
    if (prefix)
        fputs (prefix, stderr);
    s_put_one_line (stderr, reason);
    fputc ('\n', stderr);
    return code;
}

int
ctl_fail (int code, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_vfail (code, NULL, fmt, args);
    va_end (args);
    return code;
}

int
ctl_usage (const char *command, const char *fmt, ...)
{
    char prefix [128];
    snprintf (prefix, sizeof prefix, "%s: ", command);
    va_list args;
    va_start (args, fmt);
    s_vfail (CTL_USAGE, prefix, fmt, args);
    va_end (args);
    return CTL_USAGE;
}

int
ctl_exit_for_status (int code)
{
    if (code == 200)
        return CTL_OK;
    if (code == 503)
        return CTL_UNREACHABLE;
    return CTL_REFUSED;
}

static void
s_report_status (const Innov__Status *status)
{
    fprintf (stderr, "innovctl: %d ", status->code);
    const char *message = status->message && *status->message? status->message: "refused";
    s_put_one_line (stderr, message);
    bool first = true;
    for (size_t i = 0; i < status->n_details; i++) {
        const Innov__FieldError *detail = status->details [i];
        /* A message that already says "field: reason" is not repeated */
        if (detail->field && detail->reason && *detail->reason
        &&  strstr (message, detail->field) && strstr (message, detail->reason))
            continue;
        fputs (first? ": ": "; ", stderr);
        first = false;
        s_put_one_line (stderr, detail->field? detail->field: "");
        fputs (": ", stderr);
        s_put_one_line (stderr, detail->reason? detail->reason: "");
    }
    fputc ('\n', stderr);
}

/* ---- calls ----------------------------------------------------------------------------- */

mdp_client_t *
ctl_client (ctl_t *ctl)
{
    if (!ctl->client) {
        inv_config_t cfg = *ctl->cfg;
        cfg.principal = ctl->principal;
        ctl->client = inv_client_from_config (&cfg);
        if (!ctl->client)
            ctl_fail (CTL_USAGE, "cannot make a client for %s (check --broker and the CURVE settings)",
                      cfg.broker);
    }
    return ctl->client;
}

int
ctl_call (ctl_t *ctl, const char *service, const char *method,
          const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
          ProtobufCMessage **reply_p)
{
    *reply_p = NULL;
    mdp_client_t *client = ctl_client (ctl);
    if (!client)
        return CTL_USAGE;
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, service, method, request, reply_desc, reply_p, &status);
    if (code != 200 && zsys_interrupted) {
        if (status)
            innov__status__free_unpacked (status, NULL);
        return CTL_OK;                  /* Ctrl-C: leave quietly */
    }
    if (code != 200) {
        if (status)
            s_report_status (status);
        else
            ctl_fail (0, "%d %s %s failed", code, service, method);
    }
    if (status)
        innov__status__free_unpacked (status, NULL);
    return ctl_exit_for_status (code);
}

void
ctl_print_json (const ProtobufCMessage *message)
{
    char *json = inv_json_from_pb (message, true, false);
    if (json) {
        fputs (json, stdout);
        fputc ('\n', stdout);
        free (json);
    }
}

int
ctl_call_print (ctl_t *ctl, const char *service, const char *method,
                const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
                ctl_print_fn *print)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, service, method, request, reply_desc, &reply);
    if (rc == CTL_OK && reply) {
        if (ctl->cfg->json)
            ctl_print_json (reply);
        else
        if (print)
            print (reply);
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

void
ctl_page_end (const char *next_cursor)
{
    if (next_cursor && *next_cursor)
        printf ("；下一页: --cursor %s", next_cursor);
    printf ("\n");
}

/* ---- sub-commands ---------------------------------------------------------------------- */

int
ctl_run_sub (ctl_t *ctl, const ctl_sub_t *subs, int argc, char **argv)
{
    if (argc < 1)
        return -1;
    for (const ctl_sub_t *sub = subs; sub->name; sub++)
        if (streq (argv [0], sub->name))
            return sub->fn (ctl, argc - 1, argv + 1);
    return -1;
}

/* ---- values ---------------------------------------------------------------------------- */

bool
ctl_parse_uint (const char *text, uint64_t max, uint64_t *out)
{
    if (!text || !*text || text [0] == '-' || text [0] == '+')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull (text, &end, 10);
    if (*end || errno || value > max)
        return false;
    *out = value;
    return true;
}

bool
ctl_parse_amount (const char *text, double *out)
{
    if (!text || !*text)
        return false;
    char *end = NULL;
    errno = 0;
    double value = strtod (text, &end);
    if (*end || errno || !isfinite (value))
        return false;
    *out = value;
    return true;
}

const char *
ctl_opt_text (const ctl_opt_t *opts, const char *name)
{
    const char *value = ctl_opt (opts, name);
    return value? value: "";
}

int
ctl_parse_one (const char *command, int argc, char **argv, ctl_opt_t *opts, const char *what,
               const char **arg_p)
{
    const char *pos [1];
    int npos = 0;
    int rc = ctl_parse (command, argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1)
        return ctl_usage (command, "give %s", what);
    *arg_p = pos [0];
    return CTL_OK;
}

int
ctl_opt_limit (const char *command, const ctl_opt_t *opts, uint32_t *limit)
{
    const char *text = ctl_opt (opts, "limit");
    if (!text)
        return CTL_OK;
    uint64_t value;
    if (!ctl_parse_uint (text, UINT32_MAX, &value) || value == 0)
        return ctl_usage (command, "--limit: \"%s\" is not a positive whole number", text);
    *limit = (uint32_t) value;
    return CTL_OK;
}

/* ---- the options every write shares ----------------------------------------------------- */

const char *
ctl_idempotency_key (const ctl_opt_t *opts, char key [CTL_KEY_SIZE])
{
    const char *given = ctl_opt (opts, "idempotency-key");
    if (given)
        return given;
    zuuid_t *uuid = zuuid_new ();
    snprintf (key, CTL_KEY_SIZE, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    return key;
}

int
ctl_expected_version (const char *command, const ctl_opt_t *opts, uint64_t *version)
{
    const char *expected = ctl_opt (opts, "expected-version");
    if (expected && !ctl_parse_uint (expected, UINT64_MAX, version))
        return ctl_usage (command, "--expected-version: \"%s\" is not a whole number", expected);
    return CTL_OK;
}

int
ctl_parse_id_write (const char *command, int argc, char **argv, const char *what, char **id_p,
                    char key [CTL_KEY_SIZE], char **key_p)
{
    ctl_opt_t opts [] = { { "idempotency-key", true, NULL }, { NULL } };
    const char *id = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, what, &id);
    if (rc)
        return rc;
    *id_p = (char *) id;
    *key_p = (char *) ctl_idempotency_key (opts, key);
    return CTL_OK;
}

/* The words are those of the spreadsheet columns (inv_entcsv), but a flag has no
   empty value. */
bool
ctl_parse_yes_no (const char *text, bool *out)
{
    return text && *text && inv_entcsv_yes_no (text, out);
}

int
ctl_parse_status (const char *text)
{
    return text && *text? inv_entcsv_status (text): -1;
}

const char *
ctl_status_label (int status)
{
    const char *label = inv_entcsv_status_label (status);
    return *label? label: "-";
}

const char *
ctl_status_key (int status)
{
    const char *key = inv_entcsv_status_key (status);
    return *key? key: "unspecified";
}

const char *
ctl_division_label (const char *code)
{
    const inv_division_t *division = code && *code? inv_division_find (code): NULL;
    return division? division->name: (code? code: "");
}

const char *
ctl_department_label (const char *code)
{
    const inv_department_t *department = code && *code? inv_department_find (code): NULL;
    return department? department->short_name: (code? code: "");
}

const char *
ctl_cluster_label (const char *code)
{
    const inv_cluster_t *cluster = code && *code? inv_cluster_find (code): NULL;
    return cluster? cluster->name: (code? code: "");
}

char *
ctl_time_text (int64_t ms, char *buf, size_t size)
{
    if (ms == 0) {
        snprintf (buf, size, "%s", "");
        return buf;
    }
    inv_cst_t t;
    inv_clock_to_cst (ms, &t);
    snprintf (buf, size, "%04d-%02d-%02d %02d:%02d:%02d",
              t.year, t.month, t.day, t.hour, t.minute, t.second);
    return buf;
}

/* ---- key/value listing ----------------------------------------------------------------- */

struct _ctl_kv_t {
    zlistx_t *labels;
    zlistx_t *values;
};

ctl_kv_t *
ctl_kv_new (void)
{
    ctl_kv_t *self = (ctl_kv_t *) zmalloc (sizeof (ctl_kv_t));
    self->labels = zlistx_new ();
    self->values = zlistx_new ();
    zlistx_set_destructor (self->labels, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (self->values, (zlistx_destructor_fn *) zstr_free);
    return self;
}

void
ctl_kv_add (ctl_kv_t *self, const char *label, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char *value = zsys_vprintf (fmt, args);
    va_end (args);
    for (char *p = value; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    zlistx_add_end (self->labels, strdup (label));
    zlistx_add_end (self->values, value);
}

void
ctl_kv_print (ctl_kv_t *self, FILE *out)
{
    size_t width = 0;
    for (char *label = zlistx_first (self->labels); label; label = zlistx_next (self->labels))
        if (inv_display_width (label) > width)
            width = inv_display_width (label);
    char *label = zlistx_first (self->labels);
    char *value = zlistx_first (self->values);
    while (label && value) {
        fputs (label, out);
        if (*value) {
            for (size_t i = inv_display_width (label); i < width + 2; i++)
                fputc (' ', out);
            fputs (value, out);
        }
        fputc ('\n', out);
        label = zlistx_next (self->labels);
        value = zlistx_next (self->values);
    }
}

void
ctl_kv_destroy (ctl_kv_t **self_p)
{
    if (self_p && *self_p) {
        zlistx_destroy (&(*self_p)->labels);
        zlistx_destroy (&(*self_p)->values);
        free (*self_p);
        *self_p = NULL;
    }
}
