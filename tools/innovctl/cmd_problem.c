/*  cmd_problem: the problem command group; the commands arrive with their service. */
#include "ctl.h"

int
cmd_problem (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "problem: not available in this build");
}
