/*  innovctl config: every setting with its flag, environment variable, default and
    meaning (the same table --help ends with and docs/configuration.md shows).
*/
#include "ctl.h"

int
cmd_config (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl;
    ctl_opt_t opts [] = { { "markdown", false, NULL }, { NULL } };
    int rc = ctl_parse ("config", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    inv_config_print_table (stdout, ctl_opt (opts, "markdown") != NULL);
    return CTL_OK;
}
