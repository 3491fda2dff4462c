/*  ctl: what every innovctl command shares: the run context (settings, the lazily
    connected MDP client), exit codes, option parsing for a command's own flags, the
    one-line error report and the small formatters of the human output.

    Exit codes, which scripts rely on:
      0  done
      1  the request was refused or failed (status 4xx, 500, 502), or a local file error
      2  usage error (unknown command or flag, bad flag value)
      3  the broker or the service could not be reached (timeout, status 503)
*/
#ifndef CTL_H
#define CTL_H
#include <czmq.h>
#include "inv_config.h"
#include "inv_rpc.h"
#include "registry.pb-c.h"
#include "event.pb-c.h"

enum { CTL_OK = 0, CTL_REFUSED = 1, CTL_USAGE = 2, CTL_UNREACHABLE = 3 };

typedef struct {
    inv_config_t *cfg;
    mdp_client_t *client;       /* connected on first use */
    const char *principal;      /* who the requests act as */
} ctl_t;

/* One flag of a command: name without dashes; has_value false for a switch.
   After ctl_parse, value is the flag's text ("" for a given switch), or NULL. */
typedef struct {
    const char *name;
    bool has_value;
    const char *value;
} ctl_opt_t;

/* Parses a command's arguments (those after its words) against opts, a list ended by
   a NULL name. Positional arguments go to pos (at most max_pos, else a usage error).
   Returns CTL_OK, or CTL_USAGE after printing the reason. */
int ctl_parse (const char *command, int argc, char **argv, ctl_opt_t *opts,
               const char **pos, int max_pos, int *npos_p);
/* Value of an option after ctl_parse, NULL if not given. */
const char *ctl_opt (const ctl_opt_t *opts, const char *name);
/* Value of an option after ctl_parse, "" if not given. */
const char *ctl_opt_text (const ctl_opt_t *opts, const char *name);
/* ctl_parse for a command taking exactly one positional argument (into *arg_p); the
   usage error otherwise says "give <what>". */
int ctl_parse_one (const char *command, int argc, char **argv, ctl_opt_t *opts, const char *what,
                   const char **arg_p);

/* One-line error report on stderr: "innovctl: <reason>". Returns code. */
int ctl_fail (int code, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Usage error naming the command. Returns CTL_USAGE. */
int ctl_usage (const char *command, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Exit code for an RPC status code: 200 -> 0, 503 -> 3, any other -> 1. */
int ctl_exit_for_status (int code);

/* The client, connected on first use as ctl->principal. NULL only on a setting error
   (after the report). */
mdp_client_t *ctl_client (ctl_t *ctl);
/* inv_rpc_call that reports a refusal on one line and returns its exit code
   (0 on success, with *reply_p set). */
int ctl_call (ctl_t *ctl, const char *service, const char *method,
              const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
              ProtobufCMessage **reply_p);

/* Prints message as JSON (pretty) on stdout, followed by a newline. */
void ctl_print_json (const ProtobufCMessage *message);
/* ctl_call, then the reply shown (as JSON under --json, else by print when not NULL)
   and freed; returns the exit code. */
typedef void (ctl_print_fn) (const ProtobufCMessage *reply);
int ctl_call_print (ctl_t *ctl, const char *service, const char *method,
                    const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
                    ctl_print_fn *print);

/* One sub-command of a group: its word, and the function given the arguments after it. */
typedef int (ctl_sub_fn) (ctl_t *ctl, int argc, char **argv);
typedef struct {
    const char *name;
    ctl_sub_fn *fn;
} ctl_sub_t;
/* Runs the sub-command argv [0] names in subs (a list ended by a NULL name) with the
   arguments after it and returns its exit code; -1 when argc is 0 or subs has no such
   word (the group then prints its usage its own way). */
int ctl_run_sub (ctl_t *ctl, const ctl_sub_t *subs, int argc, char **argv);

/* Ends the count line under a page of a listing: "；下一页: --cursor X" when there is a
   next page (next_cursor neither NULL nor empty), then the line break. */
void ctl_page_end (const char *next_cursor);

/* Parsers for flag values; each returns false on bad text. */
bool ctl_parse_uint (const char *text, uint64_t max, uint64_t *out);
bool ctl_parse_amount (const char *text, double *out);
bool ctl_parse_yes_no (const char *text, bool *out);
/* Status by name: not_started, in_progress, active, closed (any case), the enum
   names or the Chinese words; -1 when unknown. */
int  ctl_parse_status (const char *text);

/* --limit when given into *limit (a positive whole number): CTL_OK, or the usage error. */
int ctl_opt_limit (const char *command, const ctl_opt_t *opts, uint32_t *limit);
/* The options of a write: --idempotency-key, else a fresh UUID written into key;
   --expected-version into *version when given (CTL_OK, or the usage error). */
#define CTL_KEY_SIZE 40
const char *ctl_idempotency_key (const ctl_opt_t *opts, char key [CTL_KEY_SIZE]);
int ctl_expected_version (const char *command, const ctl_opt_t *opts, uint64_t *version);
/* The arguments of a write on one record that takes no flag but --idempotency-key: the
   record's ID (named what in the usage error) into *id_p, the key into *key_p (the
   given one, else a fresh UUID written into key). CTL_OK, or the usage error. */
int ctl_parse_id_write (const char *command, int argc, char **argv, const char *what, char **id_p,
                        char key [CTL_KEY_SIZE], char **key_p);

/* Labels for the human output. */
const char *ctl_status_label (int status);          /* 未开展 ... */
const char *ctl_status_key (int status);            /* not_started ... */
const char *ctl_division_label (const char *code);  /* name, or the code when unknown */
const char *ctl_department_label (const char *code);/* short name, or the code */
const char *ctl_cluster_label (const char *code);   /* Chinese name, or the code */
/* "2026-01-06 09:00:00" (CST) into buf; "" for 0. */
char *ctl_time_text (int64_t ms, char *buf, size_t size);

/* Two-column listing "label  value" aligned by display width (for one record). */
typedef struct _ctl_kv_t ctl_kv_t;
ctl_kv_t *ctl_kv_new (void);
void ctl_kv_add (ctl_kv_t *self, const char *label, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
void ctl_kv_print (ctl_kv_t *self, FILE *out);
void ctl_kv_destroy (ctl_kv_t **self_p);

/* Following the province's events (ctl_follow.c): subscribe to the broker's event
   endpoint, replay from a sequence number with events.replay, fill the gaps a jump in
   the sequence numbers reveals and skip repeats, so `show` sees every event of the
   topic once and in order. `show` returns true when it showed the event (those count
   toward `count`). */
typedef bool (ctl_show_fn) (void *arg, const Innov__Event *event);
typedef struct {
    const char *topic;          /* event type prefix, "" for all */
    bool since_given;           /* replay the events after `since` first */
    uint64_t since;
    uint64_t count;             /* stop after this many shown, 0 = never */
    ctl_show_fn *show;
    void *arg;
} ctl_follow_t;
/* --since and --count (after ctl_parse) into follow: CTL_OK, or the usage error. */
int ctl_follow_options (const char *command, const ctl_opt_t *opts, ctl_follow_t *follow);
/* Follows until count events were shown or Ctrl-C (CTL_OK), or a replay fails (its code). */
int ctl_follow (ctl_t *ctl, const ctl_follow_t *follow);

/* Commands: each gets the arguments after its group word ("enterprise add ..." gets
   {"add", ...}) and returns the exit code. */
int cmd_services (ctl_t *ctl, int argc, char **argv);
int cmd_enterprise (ctl_t *ctl, int argc, char **argv);
int cmd_events (ctl_t *ctl, int argc, char **argv);
int cmd_keygen (ctl_t *ctl, int argc, char **argv);
int cmd_config (ctl_t *ctl, int argc, char **argv);
/* enterprise import / export (cmd_import.c, cmd_export.c): argv starts after the sub-command */
int cmd_import (ctl_t *ctl, int argc, char **argv);
int cmd_export (ctl_t *ctl, int argc, char **argv);
int cmd_agency (ctl_t *ctl, int argc, char **argv);
/* enterprise status | close | review | history | search; -1 for another sub-command */
int cmd_workflow (ctl_t *ctl, int argc, char **argv);
/* notices list | unread | ack | watch; subscribe; subscriptions; unsubscribe (cmd_notices.c) */
int cmd_notices (ctl_t *ctl, int argc, char **argv);
int cmd_subscribe (ctl_t *ctl, int argc, char **argv);
int cmd_subscriptions (ctl_t *ctl, int argc, char **argv);
int cmd_unsubscribe (ctl_t *ctl, int argc, char **argv);
/* group ... (work groups), pair ... (pairings, matching), coverage ... (cmd_pairing.c) */
int cmd_group (ctl_t *ctl, int argc, char **argv);
int cmd_pair (ctl_t *ctl, int argc, char **argv);
int cmd_coverage (ctl_t *ctl, int argc, char **argv);
/* tech ..., project ..., demo ..., policy ..., support ... (cmd_catalogue.c) */
int cmd_tech (ctl_t *ctl, int argc, char **argv);
int cmd_project (ctl_t *ctl, int argc, char **argv);
int cmd_demo (ctl_t *ctl, int argc, char **argv);
int cmd_policy (ctl_t *ctl, int argc, char **argv);
int cmd_support (ctl_t *ctl, int argc, char **argv);
/* report submit | status | bulletin | assessment | summary (cmd_report.c) */
int cmd_report (ctl_t *ctl, int argc, char **argv);
/* problem ... (cmd_problem.c) */
int cmd_problem (ctl_t *ctl, int argc, char **argv);
/* token create | list | revoke (cmd_token.c): bearer tokens of the HTTP gateway */
int cmd_token (ctl_t *ctl, int argc, char **argv);

#endif
