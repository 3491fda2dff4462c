/*  harness: real processes on real sockets for integration tests.

    A harness owns a temporary directory and every process it starts; destroying it
    sends SIGTERM (then SIGKILL after 3 s) to each and removes the directory, so every
    test cleans up even when an assertion fails half-way (call harness_destroy from the
    cmocka teardown). Ports are free ports picked at run time; nothing is fixed.
    Binaries come from $INNOV_BIN_DIR (tests/run.sh sets it; default build/bin). Redis runs
    with deploy/redis.conf (or $INNOV_REDIS_CONF) when found, so tests see the deployed settings.

        harness_t *h = harness_new ();
        harness_start_redis (h);              // redis-server on a free port, AOF on
        harness_start_broker (h);             // build/bin/broker on free ports
        harness_start_service (h, "registry");
        char *out; int rc = harness_ctl (h, &out, "enterprise", "list", "--json", NULL);
        harness_destroy (&h);
*/
#ifndef HARNESS_H
#define HARNESS_H
#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct _harness_t harness_t;

harness_t *harness_new (void);
void harness_destroy (harness_t **self_p);

int  harness_free_port (void);
const char *harness_dir (harness_t *self);          /* the temp directory */
const char *harness_redis (harness_t *self);        /* "127.0.0.1:PORT" */
const char *harness_broker (harness_t *self);       /* "tcp://127.0.0.1:PORT" */
const char *harness_events (harness_t *self);       /* "tcp://127.0.0.1:PORT" */
const char *harness_bin (const char *name);         /* path of a built binary (static buffer) */

/* Set an environment variable for every process started afterwards. */
void harness_setenv (harness_t *self, const char *name, const char *value);

/* Each returns the pid, or -1; they wait until the process is ready (Redis answers
   PING; the broker accepts; a service is registered per mmi.service). */
pid_t harness_start_redis (harness_t *self);   /* again after a stop: same port, same data */
/* Stop the harness Redis with sig (SIGTERM: clean, SIGKILL: crash) and reap it. */
int   harness_stop_redis (harness_t *self, int sig);
pid_t harness_start_broker (harness_t *self);
/* Another broker (or the same one again after a kill), bound to the given endpoints;
   the harness's own broker and events addresses are left as they are. */
pid_t harness_start_broker_at (harness_t *self, const char *broker, const char *events);
pid_t harness_start_service (harness_t *self, const char *name);
/* A whole stack for a benchmark: a new harness with Redis, the broker and `copies`
   workers of `service`, all logging warnings only; NULL (everything stopped) when any
   part does not start. */
harness_t *harness_new_stack (const char *service, int copies);
/* Start any binary with arguments (NULL-terminated), with the harness environment. */
pid_t harness_spawn (harness_t *self, const char *binary, const char *arg, ...);

/* Wait until `service` has at least `workers` workers registered (mmi.services) or the
   timeout passes; returns true if it did. */
bool harness_wait_service (harness_t *self, const char *service, int workers, int timeout_ms);
bool harness_wait_service_at (harness_t *self, const char *broker, const char *service,
                              int workers, int timeout_ms);

/* Signal one process (SIGKILL, SIGTERM, SIGSTOP...) and, for SIGKILL/SIGTERM, reap it.
   Returns its exit status (or -1). */
int  harness_kill (harness_t *self, pid_t pid, int sig);

/* Run innovctl with the harness environment; NULL-terminated arguments. Captures
   stdout (and stderr into *err_p if not NULL); returns the exit code. */
int  harness_ctl (harness_t *self, char **out_p, char **err_p, const char *arg, ...);
int  harness_ctlv (harness_t *self, char **out_p, char **err_p, const char *arg, va_list args);

/* Run a redis-cli command against the harness Redis and return its stdout. */
char *harness_redis_cli (harness_t *self, const char *arg, ...);

/* The whole content of a file (malloc'd, NUL-terminated), or NULL if it cannot be opened. */
char *harness_read (const char *path);
/* Run a shell command and return its stdout (malloc'd), or NULL if it cannot start;
   *status_p (if not NULL) receives its wait status (0: exit 0). */
char *harness_shell (const char *command, int *status_p);
#endif
