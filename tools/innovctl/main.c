/*  innovctl: the command-line client of the platform.

    main() only wires: settings from inv_config (environment, then global flags
    anywhere on the line), the acting principal, then the command group's function.
    Each group lives in its own cmd_*.c and returns the exit code (see ctl.h).

    innovctl's stderr belongs to the person or script running it, so the library's log
    lines are shown only at the level given with --log-level on the command line;
    otherwise only errors. INNOV_LOG_LEVEL, meant for the services, is not used here.
*/
#include <string.h>
#include "ctl.h"
#include "inv_log.h"

static const struct {
    const char *name;
    int (*run) (ctl_t *ctl, int argc, char **argv);
} s_commands [] = {
    { "services", cmd_services },
    { "enterprise", cmd_enterprise },
    { "events", cmd_events },
    { "agency", cmd_agency },
    { "keygen", cmd_keygen },
    { "config", cmd_config },
    { "notices", cmd_notices }, { "subscribe", cmd_subscribe },
    { "subscriptions", cmd_subscriptions }, { "unsubscribe", cmd_unsubscribe },
    { "group", cmd_group }, { "pair", cmd_pair }, { "coverage", cmd_coverage },
    { "tech", cmd_tech }, { "project", cmd_project }, { "demo", cmd_demo },
    { "policy", cmd_policy }, { "support", cmd_support },
    { "report", cmd_report }, { "problem", cmd_problem }, { "token", cmd_token },
};

static void
s_usage (FILE *out)
{
    fputs ("usage: innovctl [global flags] COMMAND [flags]\n"
           "\n"
           "commands:\n"
           "  services                          registered services and their workers\n"
           "  enterprise add --code C --name N --county C --industry I --department D [...]\n"
           "  enterprise get CODE\n"
           "  enterprise update CODE --FIELD VALUE... [--expected-version V]\n"
           "  enterprise list [--city C] [--county C] [--department D] [--cluster K]\n"
           "                  [--status S] [--limit N] [--cursor X] [--all]\n"
           "  enterprise count [--by city|status]\n"
           "  enterprise status CODE --to in_progress|active [--reason R]\n"
           "  enterprise close CODE --evidence TEXT [--file REF]\n"
           "  enterprise review CODE --approve|--reject [--reason R]\n"
           "  enterprise history CODE\n"
           "  enterprise search FRAGMENT [--limit N] [--cursor X]\n"
           "  enterprise import FILE [--rejects OUT.csv] [--dry-run] [--batch N] [--encoding E]\n"
           "  enterprise export --out FILE [--format csv|xlsx] [filters of list]\n"
           "  agency list [--kind K] [--parent CODE] | get CODE | add --kind K --code C --name N | update CODE\n"
           "  events tail [--since SEQ] [--topic PREFIX] [--count N]\n"
           "  notices list [--unread] [--limit N] [--agency A] | unread | ack ID...|--all\n"
           "  notices watch [--since SEQ] [--count N] [--agency A]   live notices of the inbox\n"
           "  subscribe --types PREFIX[,PREFIX] [--city C] [--county C] [--department D]\n"
           "            [--cluster K] [--enterprise CODE]\n"
           "  subscriptions | unsubscribe ID\n"
           "  group ... | pair ... | coverage ...   work groups, pairings, coverage (innovctl group help)\n"
           "  tech ... | project ... | demo ... | policy ... | support ...   the catalogues\n"
           "  report submit|status|bulletin|assessment|summary ...   monthly reports and bulletins\n"
           "  problem ...                       the problem list (13710 ladder)\n"
           "  token create|list|revoke ...      bearer tokens of the HTTP gateway\n"
           "  keygen [--principal P] OUT        CURVE key pair: OUT and OUT_secret\n"
           "  config                            the settings, their variables and defaults\n"
           "\n"
           "exit codes: 0 done, 1 refused or failed, 2 usage error, 3 broker or service unreachable\n"
           "docs/innovctl.md describes every command; global flags:\n\n", out);
    inv_config_print_table (out, false);
}

static bool
s_log_level_given (int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--") == 0)
            return false;
        if (strncmp (argv [i], "--log-level", 11) == 0 && (argv [i][11] == '\0' || argv [i][11] == '='))
            return true;
    }
    return false;
}

int
main (int argc, char **argv)
{
    bool log_level_given = s_log_level_given (argc, argv);
    inv_config_t cfg;
    char err [512];
    if (inv_config_load (&cfg, argc, argv, err, sizeof err))
        return ctl_fail (CTL_USAGE, "%s", err);
    inv_log_init ("innovctl");
    inv_config_apply (&cfg);
    if (!log_level_given)
        inv_log_set_level (INV_LOG_ERROR);

    if (cfg.help || cfg.argc == 0 || strcmp (cfg.argv [0], "help") == 0) {
        s_usage (cfg.argc == 0 && !cfg.help? stderr: stdout);
        return cfg.argc == 0 && !cfg.help? CTL_USAGE: CTL_OK;
    }
    /* Development (NULL security): act as the --as principal, else the provincial group */
    ctl_t ctl = { &cfg, NULL, cfg.principal };
    if (!cfg.curve_cert && (!ctl.principal || !*ctl.principal))
        ctl.principal = "province";

    int rc = -1;
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands [0]; i++)
        if (strcmp (cfg.argv [0], s_commands [i].name) == 0)
            rc = s_commands [i].run (&ctl, cfg.argc - 1, cfg.argv + 1);
    if (rc < 0)
        rc = ctl_fail (CTL_USAGE, "unknown command \"%s\" (innovctl --help lists them)", cfg.argv [0]);
    if (ctl.client)
        mdp_client_destroy (&ctl.client);
    return rc;
}
