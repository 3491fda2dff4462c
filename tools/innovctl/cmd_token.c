/*  innovctl token create | list | revoke: bearer tokens of the HTTP gateway (service
    "gateway", proto/gateway.proto, docs/gateway.md).

        token create [--principal P] [--name TEXT]   prints the token once: keep it
        token list [--principal P]                   id, principal, name, prefix, created
        token revoke ID

    The province creates and revokes tokens for any principal; any other principal only
    for itself (--as city:140100 token create).
*/
#include <inttypes.h>
#include "ctl.h"
#include "gateway.pb-c.h"

#define GATEWAY "gateway"

static void
s_usage (FILE *out)
{
    fputs ("usage: innovctl token create [--principal P] [--name TEXT]\n"
           "       innovctl token list [--principal P]\n"
           "       innovctl token revoke ID\n", out);
}

static void
s_show_created (const ProtobufCMessage *reply)
{
    const Innov__Token *token = ((const Innov__TokenReply *) reply)->token;
    if (token) {
        printf ("%s\n", token->secret);
        fprintf (stderr, "token %s for %s%s%s: shown once, keep it (only its hash is stored)\n",
                 token->id, token->principal, *token->name? ", ": "", token->name);
    }
}

static int
s_create (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "principal", true, NULL }, { "name", true, NULL }, { NULL } };
    int rc = ctl_parse ("token create", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__CreateTokenRequest request = INNOV__CREATE_TOKEN_REQUEST__INIT;
    request.principal = (char *) ctl_opt_text (opts, "principal");
    request.name = (char *) ctl_opt_text (opts, "name");
    return ctl_call_print (ctl, GATEWAY, "token.create", &request.base, &innov__token_reply__descriptor,
                           s_show_created);
}

static void
s_show_list (const ProtobufCMessage *reply)
{
    const Innov__ListTokensReply *list = (const Innov__ListTokensReply *) reply;
    printf ("%-8s %-22s %-10s %-20s %s\n", "id", "principal", "prefix", "created", "name");
    for (size_t i = 0; i < list->n_tokens; i++) {
        const Innov__Token *t = list->tokens [i];
        char when [40];
        printf ("%-8s %-22s %-10s %-20s %s\n", t->id, t->principal, t->prefix,
                ctl_time_text (t->created_ms, when, sizeof when), t->name);
    }
}

static int
s_list (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "principal", true, NULL }, { NULL } };
    int rc = ctl_parse ("token list", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ListTokensRequest request = INNOV__LIST_TOKENS_REQUEST__INIT;
    request.principal = (char *) ctl_opt_text (opts, "principal");
    return ctl_call_print (ctl, GATEWAY, "token.list", &request.base, &innov__list_tokens_reply__descriptor,
                           s_show_list);
}

static int
s_revoke (ctl_t *ctl, int argc, char **argv)
{
    Innov__RevokeTokenRequest request = INNOV__REVOKE_TOKEN_REQUEST__INIT;
    char key [CTL_KEY_SIZE];
    int rc = ctl_parse_id_write ("token revoke", argc, argv, "the token id (tk<n>, see token list)", &request.id,
                                 key, &request.idempotency_key);
    if (rc)
        return rc;
    const char *id = request.id;
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, GATEWAY, "token.revoke", &request.base, &innov__token_reply__descriptor, &reply);
    if (rc)
        return rc;
    const Innov__Token *token = ((Innov__TokenReply *) reply)->token;
    if (ctl->cfg->json)
        ctl_print_json (reply);
    else
        printf ("revoked %s (%s)\n", id, token? token->principal: "");
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

int
cmd_token (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || strcmp (argv [0], "help") == 0) {
        s_usage (argc < 1? stderr: stdout);
        return argc < 1? CTL_USAGE: CTL_OK;
    }
    static const ctl_sub_t subs [] = {
        { "create", s_create }, { "list", s_list }, { "revoke", s_revoke }, { NULL } };
    int rc = ctl_run_sub (ctl, subs, argc, argv);
    if (rc >= 0)
        return rc;
    s_usage (stderr);
    return ctl_usage ("token", "unknown sub-command \"%s\"", argv [0]);
}
