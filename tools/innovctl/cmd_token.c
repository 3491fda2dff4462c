/*  cmd_token: the token command group; the commands arrive with their service. */
#include "ctl.h"

int
cmd_token (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "token: not available in this build");
}
