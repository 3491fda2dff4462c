/*  inv_config: every process's settings, from environment variables then flags.

    One table (inv_config.c, and docs/configuration.md generated from the same words)
    lists every setting: its flag, its variable, its default and what it does. A flag
    `--redis=ADDR` or `--redis ADDR` beats INNOV_REDIS, which beats the default. The
    defaults are those of `make run`, so every tool reaches the local stack with no flags.

    Command line rules:
      - `--name=value` and `--name value` are the same; booleans (`--test-mode`, `--json`)
        take no separate value (`--test-mode=0` is accepted, `--test-mode 0` is not).
      - Positional arguments are collected, in order, into cfg->argc / cfg->argv
        (argv[0], the program name, is not among them). They may be interleaved with
        flags: in `innovctl enterprise list --city 140100 --json`, `--json` is taken
        by the configuration and cfg->argv is {"enterprise", "list", "--city", "140100"}.
      - A flag the configuration does not know is an error naming the flag when it comes
        BEFORE the first positional argument; AFTER it, it is left in cfg->argv, in
        place, for the program (a sub-command's own flags such as --city).
      - `--` ends flag processing: everything after it is positional.
      - `--help` / `-h` anywhere sets cfg->help and is not passed on; the program prints
        its usage and inv_config_print_table.
      - Every bad value (not a number, out of range, unreadable file, unknown level) is an
        error naming the flag or variable and the reason. Environment variables are
        checked even when a flag overrides them.
    The argv array is rearranged in place (positional arguments moved to the front after
    argv[0]); cfg->argv points into it, so no memory is allocated and none is freed.
    String settings point at static defaults, the environment or argv; they are never
    NULL except curve_cert, curve_server, curve_clients and clock, which are NULL when
    unset (an empty value also means unset). principal is "" when none is claimed.
*/
#ifndef INV_CONFIG_H
#define INV_CONFIG_H
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    const char *redis;          /* --redis, INNOV_REDIS: host:port or /path/to.sock */
    const char *broker;         /* --broker, INNOV_BROKER: endpoint clients and workers connect to */
    const char *broker_bind;    /* --bind, INNOV_BROKER_BIND: endpoints the broker binds (comma list) */
    const char *events;         /* --events, INNOV_EVENTS: event (XPUB) endpoint subscribers connect to */
    const char *events_bind;    /* --events-bind, INNOV_EVENTS_BIND: where the broker publishes events */
    const char *province;       /* --province, INNOV_PROVINCE: default province code ("14") */
    const char *principal;      /* --as, INNOV_AS: principal claimed in development mode */
    const char *curve_cert;     /* --curve-cert, INNOV_CURVE_CERT: own certificate file (secret) */
    const char *curve_server;   /* --curve-server, INNOV_CURVE_SERVER: broker's public key (Z85) or cert file */
    const char *curve_clients;  /* --curve-clients, INNOV_CURVE_CLIENTS: broker: folder of allowed public certs */
    const char *clock;          /* --clock, INNOV_CLOCK: start the clock at this CST instant */
    const char *log_level;      /* --log-level, INNOV_LOG_LEVEL */
    int  heartbeat_ms;          /* --heartbeat-ms, INNOV_HEARTBEAT_MS: MDP heartbeat interval */
    int  liveness;              /* --liveness, INNOV_LIVENESS: heartbeats missed before a peer is dead */
    int  timeout_ms;            /* --timeout-ms, INNOV_TIMEOUT_MS: client wait for one attempt */
    int  retries;               /* --retries, INNOV_RETRIES: client attempts before giving up */
    int  unknown_service_ms;    /* --unknown-service-ms, INNOV_UNKNOWN_SERVICE_MS: broker queues a request
                                   for a service with no worker this long, then answers 503 */
    int  max_request_bytes;     /* --max-request-bytes, INNOV_MAX_REQUEST_BYTES */
    const char *http;           /* --http, INNOV_HTTP: gateway's HTTP listen address, host:port */
    int  http_max_body;         /* --http-max-body, INNOV_HTTP_MAX_BODY: largest JSON body */
    int  http_max_import;       /* --http-max-import, INNOV_HTTP_MAX_IMPORT: largest import file */
    bool test_mode;             /* --test-mode, INNOV_TEST_MODE=1: admin methods such as clock.set exist */
    bool json;                  /* --json: machine-readable output (innovctl) */
    bool help;                  /* --help or -h was given */
    int  argc;                  /* positional arguments left for the program */
    char **argv;
} inv_config_t;

/* Fill cfg from defaults, environment, then argv. Returns 0, or -1 with a one-line
   reason in err (naming the flag or variable). cfg->argv points into argv. */
int  inv_config_load (inv_config_t *cfg, int argc, char **argv, char *err, size_t errsize);
/* Apply process-wide settings: log level, clock. */
void inv_config_apply (const inv_config_t *cfg);
/* Print the table of settings (for --help and docs/configuration.md). */
void inv_config_print_table (FILE *out, bool markdown);

#endif
