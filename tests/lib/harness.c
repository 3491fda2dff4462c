/*  harness: real processes on real sockets for integration tests.

    Design: every process is started with fork + execv from one spawn function that
    applies the harness environment (a list of NAME=value set by the start functions
    and harness_setenv), sends the child's stdout and stderr to a log file in the temp
    directory, and asks the kernel to SIGTERM the child if the test process dies
    (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind. Readiness is checked
    the way a client would: Redis by PING, the broker and services by MDP mmi.*
    requests on a raw DEALER socket (so the harness does not depend on the project's
    own MDP library, which the tests exercise). HARNESS_KEEP=1 keeps the directory and
    its logs for a post-mortem.
*/
#define _GNU_SOURCE
#include "harness.h"
#include <czmq.h>
#include <hiredis.h>
#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 64
#define MAX_ENV   64
#define MAX_ARGS  64

typedef struct {
    pid_t pid;
    char name [64];
} proc_t;

struct _harness_t {
    char dir [256];
    char redis [64];
    int  redis_port;
    pid_t redis_pid;
    char broker [64];
    char events [64];
    proc_t procs [MAX_PROCS];
    size_t nprocs;
    char *env [MAX_ENV];
    size_t nenv;
};

static int64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

harness_t *
harness_new (void)
{
    harness_t *self = calloc (1, sizeof (harness_t));
    assert (self);
    const char *tmp = getenv ("TMPDIR");
    snprintf (self->dir, sizeof self->dir, "%s/innov-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp (self->dir)) {
        perror ("harness: mkdtemp");
        free (self);
        return NULL;
    }
    zsys_set_linger (0);
    harness_setenv (self, "INNOV_LOG_LEVEL", getenv ("HARNESS_LOG_LEVEL") ? getenv ("HARNESS_LOG_LEVEL") : "info");
    return self;
}

static int
s_remove (const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void) sb; (void) flag; (void) ftw;
    return remove (path);
}

static int
s_reap (pid_t pid, int timeout_ms)
{
    int64_t deadline = s_now_ms () + timeout_ms;
    int status;
    while (true) {
        pid_t rc = waitpid (pid, &status, WNOHANG);
        if (rc == pid)
            return status;
        if (rc < 0)
            return -1;
        if (s_now_ms () > deadline)
            return -2;
        usleep (10 * 1000);
    }
}

static void
s_forget (harness_t *self, pid_t pid)
{
    for (size_t i = 0; i < self->nprocs; i++)
        if (self->procs [i].pid == pid) {
            self->procs [i] = self->procs [--self->nprocs];
            return;
        }
}

void
harness_destroy (harness_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    harness_t *self = *self_p;
    //  Stop in reverse order of start: services, then broker, then Redis
    for (size_t i = self->nprocs; i-- > 0;)
        kill (self->procs [i].pid, SIGTERM);
    for (size_t i = self->nprocs; i-- > 0;) {
        if (s_reap (self->procs [i].pid, 3000) == -2) {
            kill (self->procs [i].pid, SIGKILL);
            s_reap (self->procs [i].pid, 3000);
        }
    }
    self->nprocs = 0;
    if (getenv ("HARNESS_KEEP"))
        fprintf (stderr, "harness: kept %s\n", self->dir);
    else
        nftw (self->dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    for (size_t i = 0; i < self->nenv; i++)
        free (self->env [i]);
    free (self);
    *self_p = NULL;
}

int
harness_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0
    &&  getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
        port = ntohs (addr.sin_port);
    close (fd);
    return port;
}

const char *harness_dir (harness_t *self)    { return self->dir; }
const char *harness_redis (harness_t *self)  { return self->redis; }
const char *harness_broker (harness_t *self) { return self->broker; }
const char *harness_events (harness_t *self) { return self->events; }

const char *
harness_bin (const char *name)
{
    static __thread char path [512];
    const char *dir = getenv ("INNOV_BIN_DIR");
    snprintf (path, sizeof path, "%s/%s", dir && *dir ? dir : "build/bin", name);
    return path;
}

void
harness_setenv (harness_t *self, const char *name, const char *value)
{
    size_t nlen = strlen (name);
    for (size_t i = 0; i < self->nenv; i++)
        if (strncmp (self->env [i], name, nlen) == 0 && self->env [i][nlen] == '=') {
            free (self->env [i]);
            self->env [i] = NULL;
            if (asprintf (&self->env [i], "%s=%s", name, value) < 0)
                abort ();
            return;
        }
    assert (self->nenv < MAX_ENV);
    if (asprintf (&self->env [self->nenv++], "%s=%s", name, value) < 0)
        abort ();
}

//  Fork and exec argv[0] with the harness environment; output goes to
//  <dir>/<logname>.log (appended). Returns the pid or -1.
static pid_t
s_spawn (harness_t *self, const char *logname, char **argv, bool track)
{
    char log [512];
    snprintf (log, sizeof log, "%s/%s.log", self->dir, logname);
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        if (getppid () != parent)
            _exit (127);
        for (size_t i = 0; i < self->nenv; i++)
            putenv (self->env [i]);
        int fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2 (fd, 1);
            dup2 (fd, 2);
            close (fd);
        }
        int devnull = open ("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2 (devnull, 0);
            close (devnull);
        }
        execvp (argv [0], argv);
        fprintf (stderr, "harness: cannot exec %s: %s\n", argv [0], strerror (errno));
        _exit (127);
    }
    if (track && self->nprocs < MAX_PROCS) {
        self->procs [self->nprocs].pid = pid;
        snprintf (self->procs [self->nprocs].name, sizeof self->procs [0].name, "%s", logname);
        self->nprocs++;
    }
    return pid;
}

static bool
s_alive (pid_t pid)
{
    int status;
    return waitpid (pid, &status, WNOHANG) == 0;
}

pid_t
harness_start_redis (harness_t *self)
{
    if (self->redis_port == 0)
        self->redis_port = harness_free_port ();
    char port [16], dir [300];
    snprintf (port, sizeof port, "%d", self->redis_port);
    snprintf (dir, sizeof dir, "%s/redis", self->dir);
    mkdir (dir, 0755);
    //  The deployment's configuration when it can be found (tests and benchmarks run
    //  from the repository root), so they measure what a deployment runs; the
    //  arguments after it override the address, the folder and the persistence.
    const char *conf = getenv ("INNOV_REDIS_CONF");
    if (!conf || !*conf)
        conf = "deploy/redis.conf";
    char *argv [] = { "redis-server", (char *) conf, "--port", port, "--bind", "127.0.0.1",
                      "--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec",
                      "--save", "", "--daemonize", "no", "--protected-mode", "no", NULL };
    if (access (conf, R_OK) != 0)
        memmove (&argv [1], &argv [2], sizeof argv - 2 * sizeof argv [0]);
    pid_t pid = s_spawn (self, "redis", argv, true);
    if (pid < 0)
        return -1;
    snprintf (self->redis, sizeof self->redis, "127.0.0.1:%d", self->redis_port);
    harness_setenv (self, "INNOV_REDIS", self->redis);
    int64_t deadline = s_now_ms () + 10000;
    while (s_now_ms () < deadline && s_alive (pid)) {
        struct timeval tv = { 0, 200000 };
        redisContext *c = redisConnectWithTimeout ("127.0.0.1", self->redis_port, tv);
        if (c && !c->err) {
            redisReply *r = redisCommand (c, "PING");
            bool ok = r && r->type == REDIS_REPLY_STATUS;
            if (r)
                freeReplyObject (r);
            redisFree (c);
            if (ok)
                return self->redis_pid = pid;
        }
        else
        if (c)
            redisFree (c);
        usleep (20 * 1000);
    }
    fprintf (stderr, "harness: redis-server did not start (see %s/redis.log)\n", self->dir);
    return -1;
}

//  One raw MDP client request to the broker; returns the reply body frames or NULL.
static zmsg_t *
s_mdp_request (const char *endpoint, const char *service, const char *body, int timeout_ms)
{
    zsock_t *sock = zsock_new_dealer (endpoint);
    if (!sock)
        return NULL;
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "MDPC02");
    zmsg_addmem (msg, "\x01", 1);
    zmsg_addstr (msg, service);
    zmsg_addstr (msg, body);
    zmsg_send (&msg, sock);
    zmsg_t *reply = NULL;
    zpoller_t *poller = zpoller_new (sock, NULL);
    while (zpoller_wait (poller, timeout_ms) == sock) {
        zmsg_t *m = zmsg_recv (sock);
        if (!m)
            break;
        zframe_t *cmd = zmsg_first (m);
        if (cmd && zframe_size (cmd) == 0)     //  tolerate a leading empty frame
            cmd = zmsg_next (m);
        cmd = zmsg_next (m);                     //  command frame
        if (cmd && zframe_size (cmd) == 1 && zframe_data (cmd) [0] == 0x03) {
            zframe_t *f = zmsg_first (m);
            if (zframe_size (f) == 0) {
                f = zmsg_pop (m);
                zframe_destroy (&f);
            }
            for (int i = 0; i < 3; i++) {
                f = zmsg_pop (m);
                zframe_destroy (&f);
            }
            reply = m;
            break;
        }
        zmsg_destroy (&m);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sock);
    return reply;
}

pid_t
harness_start_broker (harness_t *self)
{
    int bport = harness_free_port ();
    int eport = harness_free_port ();
    while (eport == bport)
        eport = harness_free_port ();
    snprintf (self->broker, sizeof self->broker, "tcp://127.0.0.1:%d", bport);
    snprintf (self->events, sizeof self->events, "tcp://127.0.0.1:%d", eport);
    harness_setenv (self, "INNOV_BROKER", self->broker);
    harness_setenv (self, "INNOV_EVENTS", self->events);
    return harness_start_broker_at (self, self->broker, self->events);
}

pid_t
harness_start_broker_at (harness_t *self, const char *broker, const char *events)
{
    harness_setenv (self, "INNOV_BROKER_BIND", broker);
    harness_setenv (self, "INNOV_EVENTS_BIND", events);
    char *argv [] = { (char *) harness_bin ("broker"), NULL };
    char bin [512];
    snprintf (bin, sizeof bin, "%s", argv [0]);
    argv [0] = bin;
    pid_t pid = s_spawn (self, "broker", argv, true);
    if (pid < 0)
        return -1;
    int64_t deadline = s_now_ms () + 10000;
    while (s_now_ms () < deadline && s_alive (pid)) {
        zmsg_t *reply = s_mdp_request (broker, "mmi.service", "mmi.service", 300);
        if (reply) {
            zmsg_destroy (&reply);
            return pid;
        }
    }
    fprintf (stderr, "harness: broker did not start (see %s/broker.log)\n", self->dir);
    return -1;
}

int
harness_stop_redis (harness_t *self, int sig)
{
    if (self->redis_pid <= 0)
        return -1;
    int status = harness_kill (self, self->redis_pid, sig);
    self->redis_pid = 0;
    return status;
}

bool
harness_wait_service (harness_t *self, const char *service, int workers, int timeout_ms)
{
    return harness_wait_service_at (self, self->broker, service, workers, timeout_ms);
}

bool
harness_wait_service_at (harness_t *self, const char *broker, const char *service, int workers,
                         int timeout_ms)
{
    (void) self;
    int64_t deadline = s_now_ms () + timeout_ms;
    while (s_now_ms () < deadline) {
        zmsg_t *reply = s_mdp_request (broker, "mmi.services", "", 300);
        if (reply) {
            bool found = false;
            for (zframe_t *f = zmsg_first (reply); f; f = zmsg_next (reply)) {
                char *line = zframe_strdup (f);
                char name [128];
                int count = 0;
                if (sscanf (line, "%127s %d", name, &count) == 2
                &&  streq (name, service) && count >= workers)
                    found = true;
                free (line);
            }
            zmsg_destroy (&reply);
            if (found)
                return true;
        }
        usleep (50 * 1000);
    }
    return false;
}

pid_t
harness_start_service (harness_t *self, const char *name)
{
    char bin [512];
    snprintf (bin, sizeof bin, "%s", harness_bin (name));
    char *argv [] = { bin, NULL };
    pid_t pid = s_spawn (self, name, argv, true);
    if (pid < 0)
        return -1;
    if (!harness_wait_service (self, name, 1, 10000)) {
        fprintf (stderr, "harness: service %s did not register (see %s/%s.log)\n",
                 name, self->dir, name);
        return -1;
    }
    return pid;
}

harness_t *
harness_new_stack (const char *service, int copies)
{
    harness_t *self = harness_new ();
    if (!self)
        return NULL;
    harness_setenv (self, "INNOV_LOG_LEVEL", "warn");
    bool up = harness_start_redis (self) > 0 && harness_start_broker (self) > 0;
    for (int i = 0; up && i < copies; i++)
        up = harness_start_service (self, service) > 0;
    if (up)
        up = harness_wait_service (self, service, copies, 10000);
    if (!up)
        harness_destroy (&self);
    return self;
}

//  Append arg and the rest of ap (up to the NULL) to argv from argc, at most
//  MAX_ARGS in all, NULL-terminated.
static void
s_collect (char **argv, int argc, const char *arg, va_list ap)
{
    for (const char *a = arg; a && argc < MAX_ARGS - 1; a = va_arg (ap, const char *))
        argv [argc++] = (char *) a;
    argv [argc] = NULL;
}

pid_t
harness_spawn (harness_t *self, const char *binary, const char *arg, ...)
{
    char *argv [MAX_ARGS] = { (char *) binary };
    va_list ap;
    va_start (ap, arg);
    s_collect (argv, 1, arg, ap);
    va_end (ap);
    const char *base = strrchr (binary, '/');
    return s_spawn (self, base ? base + 1 : binary, argv, true);
}

int
harness_kill (harness_t *self, pid_t pid, int sig)
{
    if (kill (pid, sig) != 0)
        return -1;
    if (sig != SIGKILL && sig != SIGTERM)
        return 0;
    int status = s_reap (pid, 5000);
    if (status == -2) {
        kill (pid, SIGKILL);
        status = s_reap (pid, 5000);
    }
    s_forget (self, pid);
    return status;
}

char *
harness_read (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    fseek (f, 0, SEEK_END);
    long size = ftell (f);
    fseek (f, 0, SEEK_SET);
    char *buf = malloc (size + 1);
    size_t got = fread (buf, 1, size, f);
    buf [got] = 0;
    fclose (f);
    return buf;
}

char *
harness_shell (const char *command, int *status_p)
{
    FILE *pipe = popen (command, "r");
    if (!pipe)
        return NULL;
    char *out = NULL;
    size_t size = 0;
    if (getdelim (&out, &size, 0, pipe) < 0) {     //  text: read up to the end
        free (out);
        out = strdup ("");
    }
    int status = pclose (pipe);
    if (status_p)
        *status_p = status;
    return out;
}

static char *
s_slurp (const char *path)
{
    char *text = harness_read (path);
    return text? text: strdup ("");
}

//  Run argv to completion with stdout/stderr captured; returns the exit code
//  (128+signal if killed).
static int
s_run (harness_t *self, char **argv, char **out_p, char **err_p)
{
    static int seq = 0;
    char out [512], err [512];
    snprintf (out, sizeof out, "%s/run-%d.out", self->dir, ++seq);
    snprintf (err, sizeof err, "%s/run-%d.err", self->dir, seq);
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        for (size_t i = 0; i < self->nenv; i++)
            putenv (self->env [i]);
        int fo = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open (err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (fo, 1);
        dup2 (fe, 2);
        close (fo);
        close (fe);
        int devnull = open ("/dev/null", O_RDONLY);
        dup2 (devnull, 0);
        close (devnull);
        execvp (argv [0], argv);
        fprintf (stderr, "cannot exec %s: %s\n", argv [0], strerror (errno));
        _exit (127);
    }
    int status = 0;
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (out_p)
        *out_p = s_slurp (out);
    if (err_p)
        *err_p = s_slurp (err);
    unlink (out);
    unlink (err);
    if (WIFEXITED (status))
        return WEXITSTATUS (status);
    if (WIFSIGNALED (status))
        return 128 + WTERMSIG (status);
    return -1;
}

int
harness_ctl (harness_t *self, char **out_p, char **err_p, const char *arg, ...)
{
    va_list ap;
    va_start (ap, arg);
    int rc = harness_ctlv (self, out_p, err_p, arg, ap);
    va_end (ap);
    return rc;
}

int
harness_ctlv (harness_t *self, char **out_p, char **err_p, const char *arg, va_list ap)
{
    char bin [512];
    snprintf (bin, sizeof bin, "%s", harness_bin ("innovctl"));
    char *argv [MAX_ARGS] = { bin };
    s_collect (argv, 1, arg, ap);
    return s_run (self, argv, out_p, err_p);
}

char *
harness_redis_cli (harness_t *self, const char *arg, ...)
{
    char port [16];
    snprintf (port, sizeof port, "%d", self->redis_port);
    char *argv [MAX_ARGS] = { "redis-cli", "-p", port };
    va_list ap;
    va_start (ap, arg);
    s_collect (argv, 3, arg, ap);
    va_end (ap);
    char *out = NULL;
    s_run (self, argv, &out, NULL);
    return out;
}
