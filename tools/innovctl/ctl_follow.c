/*  ctl_follow: follow a province's events, in order, without gaps or repeats; what
    `events tail` and `notices watch` share.

    The ordering, the replay from a sequence number and the filling of gaps are
    inv_tail's (common/inv_tail.h, shared with the HTTP gateway's event stream); here
    each event goes to the caller's function, which says whether it showed it, and the
    follow stops after `count` shown events, on Ctrl-C / SIGTERM (exit 0), or when a
    replay fails (that request's exit code).
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_tail.h"

int
ctl_follow_options (const char *command, const ctl_opt_t *opts, ctl_follow_t *follow)
{
    const char *count = ctl_opt (opts, "count");
    if (count && (!ctl_parse_uint (count, UINT64_MAX, &follow->count) || follow->count == 0))
        return ctl_usage (command, "--count: \"%s\" is not a positive whole number", count);
    const char *since = ctl_opt (opts, "since");
    if (since) {
        if (!ctl_parse_uint (since, UINT64_MAX, &follow->since))
            return ctl_usage (command, "--since: \"%s\" is not a sequence number", since);
        follow->since_given = true;
    }
    return CTL_OK;
}

int
ctl_follow (ctl_t *ctl, const ctl_follow_t *follow)
{
    mdp_client_t *client = ctl_client (ctl);
    if (!client)
        return CTL_USAGE;
    inv_tail_t *tail = inv_tail_new (ctl->cfg, follow->topic, follow->since_given, follow->since);
    if (!tail)
        return ctl_fail (CTL_USAGE, "cannot subscribe to %s (check --events and the CURVE settings)",
                         ctl->cfg->events);
    int rc = CTL_OK;
    uint64_t shown = 0;
    while (!zsys_interrupted && !(follow->count && shown >= follow->count)) {
        Innov__Event *event = NULL;
        Innov__Status *status = NULL;
        int got = inv_tail_next (tail, client, 500, &event, &status);
        if (got == 1) {
            if (follow->show (follow->arg, event))
                shown++;
            innov__event__free_unpacked (event, NULL);
        }
        else
        if (got < 0) {
            if (!zsys_interrupted) {
                int code = status? status->code: 503;
                rc = ctl_fail (ctl_exit_for_status (code), "events.replay: %s",
                               status && status->message? status->message: "no answer");
            }
            if (status)
                innov__status__free_unpacked (status, NULL);
            break;
        }
    }
    inv_tail_destroy (&tail);
    return rc;
}
