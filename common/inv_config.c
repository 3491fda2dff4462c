/*  inv_config: every process's settings, from defaults, then environment, then flags.

    One static table, s_settings, describes every setting once: its flag, its
    environment variable, its default, its kind (text, endpoint, number, switch...),
    its bounds and one sentence of meaning. Loading walks that table for the
    environment, then walks the command line looking flags up in it; --help and
    docs/configuration.md are printed from the same table (inv_config_print_table),
    so the documentation cannot drift from the code.

    Each value is checked as it is applied, by a small checker per kind, which writes a
    reason naming the flag or variable ("--heartbeat-ms: \"fast\" is not a whole
    number"). Nothing is allocated: text settings point at static defaults, at the
    environment or into argv; the positional arguments are moved to the front of argv.
*/
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <czmq.h>
#include "inv_config.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_redis.h"

typedef enum {
    KIND_TEXT,          /* any non-empty text */
    KIND_OPTIONAL,      /* text or unset (NULL) */
    KIND_REDIS,         /* host:port or /path/to.sock */
    KIND_HOSTPORT,      /* host:port (an address to listen on) */
    KIND_ENDPOINT,      /* one ZeroMQ endpoint */
    KIND_ENDPOINTS,     /* comma-separated ZeroMQ endpoints */
    KIND_PROVINCE,      /* two-digit province code */
    KIND_PRINCIPAL,     /* principal text or empty */
    KIND_FILE,          /* readable file, or unset */
    KIND_KEY_OR_FILE,   /* 40-character Z85 key or readable file, or unset */
    KIND_DIR,           /* existing directory, or unset */
    KIND_INSTANT,       /* CST instant per inv_clock_parse, or unset */
    KIND_LEVEL,         /* log level name */
    KIND_INT,           /* whole number within [min, max] */
    KIND_BOOL           /* switch */
} kind_t;

typedef struct {
    const char *flag;           /* without the leading dashes */
    const char *placeholder;    /* the value's name in the table ("ADDR"); NULL for switches */
    const char *env;            /* NULL: flag only */
    kind_t kind;
    size_t offset;              /* into inv_config_t */
    const char *def;            /* default, as text ("" or NULL for none) */
    long min, max;              /* KIND_INT bounds */
    const char *meaning;
} setting_t;

#define AT(field) offsetof (inv_config_t, field)

static const setting_t s_settings [] = {
    { "redis", "ADDR", "INNOV_REDIS", KIND_REDIS, AT (redis), "127.0.0.1:7712", 0, 0,
      "Redis server: host:port, the path of a Unix socket, or sentinel://NAME@host:port,host:port... (ask these Sentinels for the primary NAME)" },
    { "broker", "ENDPOINTS", "INNOV_BROKER", KIND_ENDPOINTS, AT (broker), "tcp://127.0.0.1:7710", 0, 0,
      "broker endpoint that clients and services connect to; a comma-separated list: services register with every broker, clients fail over in order" },
    { "bind", "ENDPOINTS", "INNOV_BROKER_BIND", KIND_ENDPOINTS, AT (broker_bind), "tcp://127.0.0.1:7710", 0, 0,
      "endpoints the broker binds for requests (comma-separated list)" },
    { "events", "ENDPOINT", "INNOV_EVENTS", KIND_ENDPOINT, AT (events), "tcp://127.0.0.1:7711", 0, 0,
      "event endpoint (XPUB) that subscribers connect to" },
    { "events-bind", "ENDPOINTS", "INNOV_EVENTS_BIND", KIND_ENDPOINTS, AT (events_bind), "tcp://127.0.0.1:7711", 0, 0,
      "endpoints where the broker publishes events (comma-separated list)" },
    { "province", "CODE", "INNOV_PROVINCE", KIND_PROVINCE, AT (province), "14", 0, 0,
      "default province code (GB/T 2260, two digits; 14 is Shanxi)" },
    { "as", "PRINCIPAL", "INNOV_AS", KIND_PRINCIPAL, AT (principal), "", 0, 0,
      "principal claimed on NULL-security endpoints in development (e.g. city:140100); empty: none" },
    { "curve-cert", "FILE", "INNOV_CURVE_CERT", KIND_FILE, AT (curve_cert), NULL, 0, 0,
      "own CURVE certificate file (with secret key); unset: no CURVE" },
    { "curve-server", "KEY_OR_FILE", "INNOV_CURVE_SERVER", KIND_KEY_OR_FILE, AT (curve_server), NULL, 0, 0,
      "broker's CURVE public key: 40-character Z85 text or a public certificate file" },
    { "curve-clients", "DIR", "INNOV_CURVE_CLIENTS", KIND_DIR, AT (curve_clients), NULL, 0, 0,
      "broker: folder of the public certificates allowed to connect" },
    { "clock", "INSTANT", "INNOV_CLOCK", KIND_INSTANT, AT (clock), NULL, 0, 0,
      "start the clock at this China Standard Time instant (e.g. 2026-01-06T09:00); unset: real time" },
    { "log-level", "LEVEL", "INNOV_LOG_LEVEL", KIND_LEVEL, AT (log_level), "info", 0, 0,
      "least severe log level written: debug, info, warn or error" },
    { "heartbeat-ms", "MS", "INNOV_HEARTBEAT_MS", KIND_INT, AT (heartbeat_ms), "2500", 10, 600000,
      "MDP heartbeat interval between broker and workers, in milliseconds" },
    { "liveness", "N", "INNOV_LIVENESS", KIND_INT, AT (liveness), "3", 1, 100,
      "heartbeats missed before a peer is taken for dead" },
    { "timeout-ms", "MS", "INNOV_TIMEOUT_MS", KIND_INT, AT (timeout_ms), "5000", 1, 3600000,
      "how long a client waits for one attempt of a request, in milliseconds" },
    { "retries", "N", "INNOV_RETRIES", KIND_INT, AT (retries), "3", 1, 100,
      "attempts a client makes before giving up" },
    { "unknown-service-ms", "MS", "INNOV_UNKNOWN_SERVICE_MS", KIND_INT, AT (unknown_service_ms), "3000", 0, 3600000,
      "broker: how long a request waits for a service with no worker before a 503 answer" },
    { "max-request-bytes", "BYTES", "INNOV_MAX_REQUEST_BYTES", KIND_INT, AT (max_request_bytes), "1048576", 64, 268435456,
      "largest request body a service accepts (413 above it)" },
    { "http", "ADDR", "INNOV_HTTP", KIND_HOSTPORT, AT (http), "127.0.0.1:7780", 0, 0,
      "gateway: address the HTTP API listens on (host:port)" },
    { "http-max-body", "BYTES", "INNOV_HTTP_MAX_BODY", KIND_INT, AT (http_max_body), "1048576", 64, 268435456,
      "gateway: largest JSON request body accepted (413 above it)" },
    { "http-max-import", "BYTES", "INNOV_HTTP_MAX_IMPORT", KIND_INT, AT (http_max_import), "67108864", 1024, 1073741824,
      "gateway: largest spreadsheet accepted by POST /api/v1/enterprises:import (413 above it)" },
    { "test-mode", NULL, "INNOV_TEST_MODE", KIND_BOOL, AT (test_mode), "0", 0, 0,
      "switch on test-only admin methods (admin.clock.set); never in production" },
    { "json", NULL, NULL, KIND_BOOL, AT (json), "0", 0, 0,
      "machine-readable JSON output instead of tables (innovctl)" },
};

#define SETTINGS (sizeof s_settings / sizeof s_settings [0])

/* ---- checkers ------------------------------------------------------------------------ */

static int
s_fail (char *err, size_t size, const char *name, const char *fmt, const char *value)
{
    char reason [256];
    snprintf (reason, sizeof reason, fmt, value);
    if (err && size)
        snprintf (err, size, "%s: %s", name, reason);
    return -1;
}

static bool
s_endpoint_ok (const char *text, size_t len)
{
    static const char *transports [] = { "tcp://", "ipc://", "inproc://", NULL };
    for (int i = 0; transports [i]; i++) {
        size_t tlen = strlen (transports [i]);
        if (len > tlen && strncmp (text, transports [i], tlen) == 0) {
            for (size_t j = tlen; j < len; j++)
                if (isspace ((unsigned char) text [j]))
                    return false;
            return true;
        }
    }
    return false;
}

static bool
s_readable_file (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, R_OK) == 0;
}

static bool
s_z85_key (const char *text)
{
    static const char z85 [] = "0123456789abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    if (strlen (text) != 40)
        return false;
    for (const char *p = text; *p; p++)
        if (!strchr (z85, *p))
            return false;
    return true;
}

static int
s_parse_bool (const char *text)
{
    static const char *yes [] = { "1", "true", "yes", "on", NULL };
    static const char *no [] = { "0", "false", "no", "off", "", NULL };
    for (int i = 0; yes [i]; i++)
        if (strcasecmp (text, yes [i]) == 0)
            return 1;
    for (int i = 0; no [i]; i++)
        if (strcasecmp (text, no [i]) == 0)
            return 0;
    return -1;
}

/* Check value for setting s and store it in cfg. name is the flag or variable to blame. */
static int
s_apply (inv_config_t *cfg, const setting_t *s, const char *value, const char *name,
         char *err, size_t size)
{
    char *base = (char *) cfg;
    const char **text_p = (const char **) (base + s->offset);

    switch (s->kind) {
        case KIND_INT: {
            errno = 0;
            char *end = NULL;
            long n = strtol (value, &end, 10);
            if (!*value || *end || errno)
                return s_fail (err, size, name, "\"%s\" is not a whole number", value);
            if (n < s->min || n > s->max) {
                char range [128];
                snprintf (range, sizeof range, "%%s is out of range (%ld to %ld)", s->min, s->max);
                return s_fail (err, size, name, range, value);
            }
            *(int *) (base + s->offset) = (int) n;
            return 0;
        }
        case KIND_BOOL: {
            int b = s_parse_bool (value);
            if (b < 0)
                return s_fail (err, size, name,
                               "\"%s\" is not a switch value (1/0, true/false, yes/no, on/off)", value);
            *(bool *) (base + s->offset) = b == 1;
            return 0;
        }
        case KIND_OPTIONAL:
            *text_p = *value? value: NULL;
            return 0;
        case KIND_TEXT:
            if (!*value)
                return s_fail (err, size, name, "must not be empty%s", "");
            break;
        case KIND_REDIS:
        case KIND_HOSTPORT: {
            if (*value == '/' && s->kind == KIND_REDIS)
                break;
            if (s->kind == KIND_REDIS && strncmp (value, "sentinel://", 11) == 0) {
                if (inv_redis_address_ok (value))
                    break;
                return s_fail (err, size, name, "\"%s\" is not sentinel://NAME@host:port[,host:port...]", value);
            }
            const char *colon = strrchr (value, ':');
            if (!colon || colon == value)
                return s_fail (err, size, name, s->kind == KIND_REDIS
                               ? "\"%s\" is neither host:port nor the path of a Unix socket"
                               : "\"%s\" is not host:port", value);
            char *end = NULL;
            errno = 0;
            long port = strtol (colon + 1, &end, 10);
            if (!colon [1] || *end || errno || port < 1 || port > 65535)
                return s_fail (err, size, name, "\"%s\" has no valid port (1 to 65535)", value);
            break;
        }
        case KIND_ENDPOINT:
            if (!s_endpoint_ok (value, strlen (value)))
                return s_fail (err, size, name,
                               "\"%s\" is not a ZeroMQ endpoint (tcp://, ipc:// or inproc://)", value);
            break;
        case KIND_ENDPOINTS: {
            const char *p = value;
            while (true) {
                const char *comma = strchr (p, ',');
                size_t len = comma? (size_t) (comma - p): strlen (p);
                if (!s_endpoint_ok (p, len))
                    return s_fail (err, size, name,
                                   "\"%s\" is not a comma-separated list of ZeroMQ endpoints", value);
                if (!comma)
                    break;
                p = comma + 1;
            }
            break;
        }
        case KIND_PROVINCE:
            if (strlen (value) != 2 || !isdigit ((unsigned char) value [0])
            ||  !isdigit ((unsigned char) value [1]) || atoi (value) < 11 || atoi (value) > 82)
                return s_fail (err, size, name,
                               "\"%s\" is not a province code (two digits, 11 to 82)", value);
            break;
        case KIND_PRINCIPAL:
            for (const char *p = value; *p; p++)
                if (isspace ((unsigned char) *p) || iscntrl ((unsigned char) *p))
                    return s_fail (err, size, name, "\"%s\" contains a space or control character", value);
            break;
        case KIND_FILE:
            if (*value && !s_readable_file (value))
                return s_fail (err, size, name, "cannot read the file \"%s\"", value);
            *text_p = *value? value: NULL;
            return 0;
        case KIND_KEY_OR_FILE:
            if (*value && !s_z85_key (value) && !s_readable_file (value))
                return s_fail (err, size, name,
                               "\"%s\" is neither a 40-character Z85 key nor a readable certificate file",
                               value);
            *text_p = *value? value: NULL;
            return 0;
        case KIND_DIR: {
            struct stat st;
            if (*value && (stat (value, &st) != 0 || !S_ISDIR (st.st_mode)))
                return s_fail (err, size, name, "\"%s\" is not a directory", value);
            *text_p = *value? value: NULL;
            return 0;
        }
        case KIND_INSTANT:
            if (*value && inv_clock_parse (value) < 0)
                return s_fail (err, size, name,
                               "\"%s\" is not an instant (YYYY-MM-DD, optionally THH:MM[:SS], China Standard Time)",
                               value);
            *text_p = *value? value: NULL;
            return 0;
        case KIND_LEVEL:
            if (inv_log_level_parse (value) < 0)
                return s_fail (err, size, name,
                               "\"%s\" is not a log level (debug, info, warn, error)", value);
            break;
    }
    *text_p = value;
    return 0;
}

static const setting_t *
s_find_flag (const char *flag, size_t len)
{
    for (size_t i = 0; i < SETTINGS; i++)
        if (strlen (s_settings [i].flag) == len && strncmp (s_settings [i].flag, flag, len) == 0)
            return &s_settings [i];
    return NULL;
}

/* ---- loading ------------------------------------------------------------------------- */

int
inv_config_load (inv_config_t *cfg, int argc, char **argv, char *err, size_t errsize)
{
    memset (cfg, 0, sizeof *cfg);
    if (err && errsize)
        err [0] = '\0';

    /* Defaults: apply without checks for optional ones left unset */
    for (size_t i = 0; i < SETTINGS; i++) {
        const setting_t *s = &s_settings [i];
        if (s->def && (*s->def || s->kind == KIND_PRINCIPAL)) {
            int rc = s_apply (cfg, s, s->def, s->flag, err, errsize);
            (void) rc;              /* the table's defaults are valid by construction */
        }
    }
    /* Environment */
    for (size_t i = 0; i < SETTINGS; i++) {
        const setting_t *s = &s_settings [i];
        const char *value = s->env? getenv (s->env): NULL;
        if (value && s_apply (cfg, s, value, s->env, err, errsize))
            return -1;
    }
    /* Command line; positional arguments are compacted to argv [1..] */
    int kept = 1;
    bool positional_seen = false;
    bool flags_over = false;
    for (int i = 1; i < argc; i++) {
        char *arg = argv [i];
        if (flags_over || arg [0] != '-' || arg [1] == '\0') {
            argv [kept++] = arg;
            positional_seen = true;
            continue;
        }
        if (strcmp (arg, "--") == 0) {
            flags_over = true;
            continue;
        }
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            cfg->help = true;
            continue;
        }
        const char *name = arg [1] == '-'? arg + 2: arg + 1;
        const char *eq = strchr (name, '=');
        size_t len = eq? (size_t) (eq - name): strlen (name);
        const setting_t *s = arg [1] == '-'? s_find_flag (name, len): NULL;
        if (!s) {
            if (positional_seen) {
                argv [kept++] = arg;    /* the program's own flag */
                continue;
            }
            if (err && errsize)
                snprintf (err, errsize, "%.*s: unknown option (--help lists the settings)",
                          (int) (len + (size_t) (name - arg)), arg);
            return -1;
        }
        char flag [64];
        snprintf (flag, sizeof flag, "--%s", s->flag);
        const char *value;
        if (eq)
            value = eq + 1;
        else
        if (s->kind == KIND_BOOL)
            value = "1";
        else
        if (i + 1 < argc)
            value = argv [++i];
        else {
            if (err && errsize)
                snprintf (err, errsize, "%s: needs a value", flag);
            return -1;
        }
        if (s_apply (cfg, s, value, flag, err, errsize))
            return -1;
    }
    if (kept < argc)
        argv [kept] = NULL;
    cfg->argc = kept - 1;
    cfg->argv = argc > 0? argv + 1: NULL;
    return 0;
}

void
inv_config_apply (const inv_config_t *cfg)
{
    /* czmq creates its context lazily with the first socket, and that is not safe
       when two threads make their first sockets at once (one may assert in
       zsys_init). Every program comes through here on its main thread first. */
    zsys_init ();
    int level = inv_log_level_parse (cfg->log_level);
    if (level >= 0)
        inv_log_set_level (level);
    if (cfg->clock) {
        int64_t ms = inv_clock_parse (cfg->clock);
        if (ms >= 0) {
            inv_clock_set_ms (ms);
            char text [40];
            inv_info ("clock set to %s", inv_clock_format (ms, text, sizeof text));
        }
    }
}

/* ---- documentation ------------------------------------------------------------------- */

static const char *
s_default_text (const setting_t *s)
{
    if (s->kind == KIND_BOOL)
        return "off";
    if (!s->def || !*s->def)
        return "(none)";
    return s->def;
}

static const char *
s_flag_text (const setting_t *s, char *buf, size_t size)
{
    snprintf (buf, size, "--%s%s%s", s->flag, s->placeholder? "=": "", s->placeholder? s->placeholder: "");
    return buf;
}

/* The meaning, with the accepted range of a number */
static const char *
s_meaning_text (const setting_t *s, char *buf, size_t size)
{
    if (s->kind == KIND_INT)
        snprintf (buf, size, "%s (%ld to %ld)", s->meaning, s->min, s->max);
    else
        snprintf (buf, size, "%s", s->meaning);
    return buf;
}

void
inv_config_print_table (FILE *out, bool markdown)
{
    if (markdown) {
        fprintf (out, "| flag | variable | default | meaning |\n");
        fprintf (out, "|---|---|---|---|\n");
        for (size_t i = 0; i < SETTINGS; i++) {
            const setting_t *s = &s_settings [i];
            char flag [80], meaning [256];
            fprintf (out, "| `%s` | %s%s%s | %s%s%s | %s |\n",
                     s_flag_text (s, flag, sizeof flag),
                     s->env? "`": "", s->env? s->env: "—", s->env? "`": "",
                     s_default_text (s) [0] == '('? "": "`", s_default_text (s),
                     s_default_text (s) [0] == '('? "": "`",
                     s_meaning_text (s, meaning, sizeof meaning));
        }
        return;
    }
    size_t wflag = strlen ("flag"), wenv = strlen ("variable"), wdef = strlen ("default");
    for (size_t i = 0; i < SETTINGS; i++) {
        const setting_t *s = &s_settings [i];
        char flag [80];
        size_t f = strlen (s_flag_text (s, flag, sizeof flag));
        if (f > wflag) wflag = f;
        if (s->env && strlen (s->env) > wenv) wenv = strlen (s->env);
        if (strlen (s_default_text (s)) > wdef) wdef = strlen (s_default_text (s));
    }
    fprintf (out, "%-*s  %-*s  %-*s  %s\n", (int) wflag, "flag", (int) wenv, "variable",
             (int) wdef, "default", "meaning");
    for (size_t i = 0; i < SETTINGS; i++) {
        const setting_t *s = &s_settings [i];
        char flag [80], meaning [256];
        fprintf (out, "%-*s  %-*s  %-*s  %s\n", (int) wflag, s_flag_text (s, flag, sizeof flag),
                 (int) wenv, s->env? s->env: "-", (int) wdef, s_default_text (s),
                 s_meaning_text (s, meaning, sizeof meaning));
    }
}
