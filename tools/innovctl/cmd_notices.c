/*  innovctl notices | subscribe | subscriptions | unsubscribe: an agency's inbox and
    its subscriptions, through the notify service (proto/notify.proto, docs/notify.md).

        notices list [--unread] [--limit N] [--agency A]
        notices unread [--agency A]
        notices ack ID... | --all [--agency A]
        notices watch [--since SEQ] [--count N] [--agency A]
        subscribe --types PREFIX[,PREFIX] [--city C] [--county C] [--department D]
                  [--cluster K] [--enterprise CODE] [--agency A]
        subscriptions [--agency A]
        unsubscribe ID

    The inbox is the caller's own (the --as principal) unless --agency names another,
    which only the province may read; notify answers 403 otherwise (exit 1).

    `notices watch` is the live push: it follows the province's events with topic
    notice.created (ctl_follow: the same replay and gap filling as `events tail`),
    decodes each payload as an innov.Notice and shows those addressed to the caller's
    inbox (the --as principal, or over CURVE the certificate's "principal"); the
    province sees every inbox, or the one --agency names; another agency naming an inbox
    not its own is refused (exit 1). --since SEQ first replays the notices created
    after event SEQ.

    `notices ack --all` reads the unread ids (1000 at a time, the method's maximum) and
    acknowledges them until none is left. `subscribe` with several prefixes makes one
    subscription per prefix (each is its own record in notify) and prints them all.
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_json.h"
#include "inv_table.h"
#include "notify.pb-c.h"

#define NOTIFY      "notify"
#define ACK_MAX     1000

static const char *
s_light_label (const char *light)
{
    return streq (light, "green")? "绿": streq (light, "yellow")? "黄":
           streq (light, "red")? "红": "-";
}

static const char *
s_kind_label (const char *kind)
{
    return streq (kind, "reminder")? "提醒": streq (kind, "overdue")? "逾期":
           streq (kind, "escalation")? "督办": streq (kind, "event")? "动态": kind;
}

/* The notice's title, or for a subscription notice without one "<type> <subject>". */
static char *
s_title (const Innov__Notice *notice)
{
    if (*notice->title)
        return strdup (notice->title);
    return zsys_sprintf ("%s %s", notice->event_type, notice->subject);
}

static int
s_call (ctl_t *ctl, const char *method, const ProtobufCMessage *request,
        const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p)
{
    return ctl_call (ctl, NOTIFY, method, request, reply_desc, reply_p);
}

/* ---- notices list | unread | ack --------------------------------------------------------- */

static void
s_print_notices (const Innov__ListNoticesReply *reply)
{
    const char *headers [] = { "ID", "未读", "灯", "类别", "标题", "截止", "创建" };
    inv_table_t *table = inv_table_new (7, headers);
    for (size_t i = 0; i < reply->n_notices; i++) {
        const Innov__Notice *n = reply->notices [i];
        char due [32], created [32];
        char *title = s_title (n);
        const char *cells [] = { n->id, n->read? "": "●", s_light_label (n->light),
                                 s_kind_label (n->kind), title,
                                 ctl_time_text (n->due_ms, due, sizeof due),
                                 ctl_time_text (n->created_ms, created, sizeof created) };
        inv_table_add (table, cells);
        free (title);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
    printf ("%zu notices, %u unread\n", reply->n_notices, reply->unread);
}

static int
s_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "notices list";
    ctl_opt_t opts [] = { { "unread", false, NULL }, { "limit", true, NULL },
                          { "agency", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__ListNoticesRequest request = INNOV__LIST_NOTICES_REQUEST__INIT;
    if (rc || (rc = ctl_opt_limit (command, opts, &request.limit)))
        return rc;
    request.agency = (char *) ctl_opt_text (opts, "agency");
    request.unread_only = ctl_opt (opts, "unread") != NULL;
    ProtobufCMessage *reply = NULL;
    rc = s_call (ctl, "notices.list", &request.base, &innov__list_notices_reply__descriptor, &reply);
    if (rc == CTL_OK && reply) {
        if (ctl->cfg->json)
            ctl_print_json (reply);
        else
            s_print_notices ((Innov__ListNoticesReply *) reply);
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

static int
s_unread (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "notices unread";
    ctl_opt_t opts [] = { { "agency", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__UnreadRequest request = INNOV__UNREAD_REQUEST__INIT;
    request.agency = (char *) ctl_opt_text (opts, "agency");
    ProtobufCMessage *reply = NULL;
    rc = s_call (ctl, "notices.unread", &request.base, &innov__unread_reply__descriptor, &reply);
    if (rc == CTL_OK && reply) {
        if (ctl->cfg->json)
            printf ("{\"unread\": %u}\n", ((Innov__UnreadReply *) reply)->unread);
        else
            printf ("%u\n", ((Innov__UnreadReply *) reply)->unread);
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* Acknowledges ids; adds the count to *acknowledged. */
static int
s_ack_ids (ctl_t *ctl, const char *agency, size_t n_ids, char **ids, uint64_t *acknowledged)
{
    Innov__AckRequest request = INNOV__ACK_REQUEST__INIT;
    request.agency = (char *) agency;
    request.n_ids = n_ids;
    request.ids = ids;
    ProtobufCMessage *reply = NULL;
    int rc = s_call (ctl, "notices.ack", &request.base, &innov__ack_reply__descriptor, &reply);
    if (rc == CTL_OK && reply)
        *acknowledged += ((Innov__AckReply *) reply)->acknowledged;
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* Every unread notice of the inbox, a page of unread ids at a time. */
static int
s_ack_all (ctl_t *ctl, const char *agency, uint64_t *acknowledged)
{
    Innov__ListNoticesRequest request = INNOV__LIST_NOTICES_REQUEST__INIT;
    request.agency = (char *) agency;
    request.unread_only = true;
    request.limit = ACK_MAX;
    for (;;) {
        ProtobufCMessage *message = NULL;
        int rc = s_call (ctl, "notices.list", &request.base, &innov__list_notices_reply__descriptor, &message);
        if (rc || !message)
            return rc;
        Innov__ListNoticesReply *reply = (Innov__ListNoticesReply *) message;
        size_t n = reply->n_notices;
        char **ids = n? (char **) calloc (n, sizeof (char *)): NULL;
        for (size_t i = 0; i < n; i++)
            ids [i] = reply->notices [i]->id;
        uint64_t before = *acknowledged;
        if (n)
            rc = s_ack_ids (ctl, agency, n, ids, acknowledged);
        free (ids);
        protobuf_c_message_free_unpacked (message, NULL);
        /* Stop when the inbox is empty, or nothing changed (someone else read them) */
        if (rc || n < ACK_MAX || *acknowledged == before)
            return rc;
    }
}

static int
s_ack (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "notices ack";
    ctl_opt_t opts [] = { { "all", false, NULL }, { "agency", true, NULL }, { NULL } };
    const char **pos = argc? (const char **) calloc ((size_t) argc, sizeof (char *)): NULL;
    int npos = 0;
    int rc = ctl_parse (command, argc, argv, opts, pos, argc, &npos);
    bool all = !rc && ctl_opt (opts, "all");
    if (!rc && all == (npos > 0))
        rc = ctl_usage (command, all? "give notice ids or --all, not both": "give notice ids or --all");
    if (!rc && npos > ACK_MAX)
        rc = ctl_usage (command, "at most %d ids at once (or --all)", ACK_MAX);
    uint64_t acknowledged = 0;
    const char *agency = rc? "": ctl_opt_text (opts, "agency");
    if (!rc)
        rc = all? s_ack_all (ctl, agency, &acknowledged)
                : s_ack_ids (ctl, agency, (size_t) npos, (char **) pos, &acknowledged);
    free (pos);
    if (rc == CTL_OK) {
        if (ctl->cfg->json)
            printf ("{\"acknowledged\": %" PRIu64 "}\n", acknowledged);
        else
            printf ("acknowledged %" PRIu64 "\n", acknowledged);
    }
    return rc;
}

/* ---- notices watch ----------------------------------------------------------------------- */

typedef struct {
    ctl_t *ctl;
    const char *inbox;          /* only notices to this inbox; NULL: every inbox */
} watch_t;

static bool
s_show_notice (void *arg, const Innov__Event *event)
{
    watch_t *self = (watch_t *) arg;
    if (!streq (event->type, "notice.created"))
        return false;
    Innov__Notice *notice = innov__notice__unpack (NULL, event->payload.len, event->payload.data);
    if (!notice)
        return false;
    bool show = !self->inbox || streq (notice->recipient, self->inbox);
    if (show && self->ctl->cfg->json) {
        char *json = inv_json_from_pb (&notice->base, false, false);
        if (json) {
            puts (json);
            free (json);
        }
    }
    else
    if (show) {
        char created [32], due [32];
        char *title = s_title (notice);
        printf ("%s  %s  %s  %s  %s  %s%s%s\n",
                ctl_time_text (notice->created_ms, created, sizeof created),
                notice->recipient, s_light_label (notice->light), s_kind_label (notice->kind),
                notice->id, title, notice->due_ms? "  截止 ": "",
                ctl_time_text (notice->due_ms, due, sizeof due));
        free (title);
    }
    fflush (stdout);
    innov__notice__free_unpacked (notice, NULL);
    return show;
}

static int
s_watch (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "notices watch";
    ctl_opt_t opts [] = { { "since", true, NULL }, { "count", true, NULL },
                          { "agency", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    /* Who we are: the --as principal, or over CURVE the certificate's "principal" */
    char principal [128] = "";
    if (ctl->principal && *ctl->principal)
        snprintf (principal, sizeof principal, "%s", ctl->principal);
    else
    if (ctl->cfg->curve_cert) {
        zcert_t *cert = zcert_load (ctl->cfg->curve_cert);
        const char *meta = cert? zcert_meta (cert, "principal"): NULL;
        snprintf (principal, sizeof principal, "%s", meta? meta: "");
        zcert_destroy (&cert);
    }
    if (!*principal)
        return ctl_fail (CTL_USAGE, "%s: no principal (give --as, or a certificate with one)", command);
    bool province = streq (principal, "province");
    watch_t self = { ctl, ctl_opt (opts, "agency") };
    if (self.inbox && *self.inbox == '\0')
        return ctl_usage (command, "--agency: give an agency principal");
    if (self.inbox && !province && !streq (self.inbox, principal))
        return ctl_fail (CTL_REFUSED, "%s: %s may only watch its own inbox, not that of %s",
                         command, principal, self.inbox);
    if (!self.inbox && !province)
        self.inbox = principal;
    ctl_follow_t follow = { "notice.created", false, 0, 0, s_show_notice, &self };
    rc = ctl_follow_options (command, opts, &follow);
    return rc? rc: ctl_follow (ctl, &follow);
}

int
cmd_notices (ctl_t *ctl, int argc, char **argv)
{
    static const char *subs = "list, unread, ack, watch";
    if (argc < 1)
        return ctl_usage ("notices", "give a sub-command: %s", subs);
    if (streq (argv [0], "list"))
        return s_list (ctl, argc - 1, argv + 1);
    if (streq (argv [0], "unread"))
        return s_unread (ctl, argc - 1, argv + 1);
    if (streq (argv [0], "ack"))
        return s_ack (ctl, argc - 1, argv + 1);
    if (streq (argv [0], "watch"))
        return s_watch (ctl, argc - 1, argv + 1);
    return ctl_usage ("notices", "unknown sub-command \"%s\" (%s)", argv [0], subs);
}

/* ---- subscriptions ----------------------------------------------------------------------- */

static char *
s_filters (const Innov__Subscription *s)
{
    char *text = strdup ("");
    const struct { const char *name, *value; } filters [] = {
        { "city", s->city }, { "county", s->county }, { "department", s->department },
        { "cluster", s->cluster }, { "enterprise", s->enterprise },
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters [0]; i++) {
        if (!*filters [i].value)
            continue;
        char *more = zsys_sprintf ("%s%s%s=%s", text, *text? " ": "", filters [i].name, filters [i].value);
        free (text);
        text = more;
    }
    return text;
}

static void
s_print_subscriptions (ctl_t *ctl, Innov__Subscription **subs, size_t count)
{
    if (ctl->cfg->json) {
        for (size_t i = 0; i < count; i++)
            ctl_print_json (&subs [i]->base);
        return;
    }
    const char *headers [] = { "ID", "机构", "事件类型", "条件" };
    inv_table_t *table = inv_table_new (4, headers);
    for (size_t i = 0; i < count; i++) {
        char *filters = s_filters (subs [i]);
        const char *cells [] = { subs [i]->id, subs [i]->agency, subs [i]->type_prefix, filters };
        inv_table_add (table, cells);
        free (filters);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
}

int
cmd_subscribe (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "subscribe";
    ctl_opt_t opts [] = { { "types", true, NULL }, { "city", true, NULL }, { "county", true, NULL },
                          { "department", true, NULL }, { "cluster", true, NULL },
                          { "enterprise", true, NULL }, { "agency", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    const char *types = ctl_opt (opts, "types");
    if (!types || !*types)
        return ctl_usage (command, "--types: give event type prefixes (enterprise.,pairing.)");
    zlistx_t *made = zlistx_new ();
    char *list = strdup (types);
    char *save = NULL;
    for (char *prefix = strtok_r (list, ",", &save); prefix && !rc; prefix = strtok_r (NULL, ",", &save)) {
        Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
        sub.agency = (char *) ctl_opt_text (opts, "agency");
        sub.type_prefix = prefix;
        sub.city = (char *) ctl_opt_text (opts, "city");
        sub.county = (char *) ctl_opt_text (opts, "county");
        sub.department = (char *) ctl_opt_text (opts, "department");
        sub.cluster = (char *) ctl_opt_text (opts, "cluster");
        sub.enterprise = (char *) ctl_opt_text (opts, "enterprise");
        Innov__SubscribeRequest request = INNOV__SUBSCRIBE_REQUEST__INIT;
        request.subscription = &sub;
        ProtobufCMessage *reply = NULL;
        rc = s_call (ctl, "notify.subscribe", &request.base, &innov__subscription_reply__descriptor, &reply);
        if (rc == CTL_OK && reply && ((Innov__SubscriptionReply *) reply)->subscription)
            zlistx_add_end (made, reply);
        else
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
    }
    free (list);
    size_t count = zlistx_size (made);
    Innov__Subscription **subs = (Innov__Subscription **) calloc (count + 1, sizeof (*subs));
    size_t i = 0;
    for (Innov__SubscriptionReply *r = zlistx_first (made); r; r = zlistx_next (made))
        subs [i++] = r->subscription;
    s_print_subscriptions (ctl, subs, count);
    free (subs);
    for (ProtobufCMessage *r = zlistx_first (made); r; r = zlistx_next (made))
        protobuf_c_message_free_unpacked (r, NULL);
    zlistx_destroy (&made);
    return rc;
}

int
cmd_subscriptions (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "subscriptions";
    ctl_opt_t opts [] = { { "agency", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListSubscriptionsRequest request = INNOV__LIST_SUBSCRIPTIONS_REQUEST__INIT;
    request.agency = (char *) ctl_opt_text (opts, "agency");
    ProtobufCMessage *reply = NULL;
    rc = s_call (ctl, "notify.subscriptions", &request.base,
                 &innov__list_subscriptions_reply__descriptor, &reply);
    if (rc == CTL_OK && reply) {
        Innov__ListSubscriptionsReply *list = (Innov__ListSubscriptionsReply *) reply;
        s_print_subscriptions (ctl, list->subscriptions, list->n_subscriptions);
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

int
cmd_unsubscribe (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "unsubscribe";
    ctl_opt_t opts [] = { { NULL } };
    const char *id = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, "a subscription id", &id);
    if (rc)
        return rc;
    Innov__UnsubscribeRequest request = INNOV__UNSUBSCRIBE_REQUEST__INIT;
    request.id = (char *) id;
    ProtobufCMessage *reply = NULL;
    rc = s_call (ctl, "notify.unsubscribe", &request.base, &innov__subscription_reply__descriptor, &reply);
    Innov__SubscriptionReply *removed = (Innov__SubscriptionReply *) reply;
    if (rc == CTL_OK && removed && removed->subscription) {
        const Innov__Subscription *sub = removed->subscription;
        if (ctl->cfg->json)
            ctl_print_json (&sub->base);
        else {
            char *filters = s_filters (sub);
            printf ("removed %s (%s %s%s%s)\n", sub->id, sub->agency, sub->type_prefix,
                    *filters? " ": "", filters);
            free (filters);
        }
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}
