/*  innovctl events tail: follow a province's events, in order, without gaps or repeats.

        events tail [--since SEQ] [--topic PREFIX] [--count N]

    The following itself (subscribe, replay from --since, fill the gaps a jump in the
    sequence numbers reveals, skip repeats) is ctl_follow (ctl_follow.c); this command
    prints each event: one line per event with sequence, time (CST), type, subject,
    actor; with --json the event as one JSON object per line. --count N stops after N
    events; Ctrl-C stops with exit 0.
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_json.h"

static bool
s_print (void *arg, const Innov__Event *event)
{
    ctl_t *ctl = (ctl_t *) arg;
    if (ctl->cfg->json) {
        char *json = inv_json_from_pb (&event->base, false, false);
        if (json) {
            fputs (json, stdout);
            fputc ('\n', stdout);
            free (json);
        }
    }
    else {
        char when [32];
        printf ("%" PRIu64 "  %s  %s  %s  %s\n", event->seq,
                ctl_time_text (event->time_ms, when, sizeof when),
                event->type, event->subject, event->actor);
    }
    fflush (stdout);
    return true;
}

int
cmd_events (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || strcmp (argv [0], "tail") != 0)
        return ctl_usage ("events", argc < 1? "give a sub-command: tail"
                                            : "unknown sub-command (only tail)");
    ctl_opt_t opts [] = {
        { "since", true, NULL }, { "topic", true, NULL }, { "count", true, NULL }, { NULL }
    };
    const char *command = "events tail";
    int rc = ctl_parse (command, argc - 1, argv + 1, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    ctl_follow_t follow = { ctl_opt_text (opts, "topic"), false, 0, 0, s_print, ctl };
    rc = ctl_follow_options (command, opts, &follow);
    return rc? rc: ctl_follow (ctl, &follow);
}
