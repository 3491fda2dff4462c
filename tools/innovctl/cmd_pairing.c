/*  cmd_pairing: the pairing command group; the commands arrive with their service. */
#include "ctl.h"

int
cmd_group (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "group: not available in this build");
}

int
cmd_pair (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "pair: not available in this build");
}

int
cmd_coverage (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "coverage: not available in this build");
}
