/*  cmd_report: the report command group; the commands arrive with their service. */
#include "ctl.h"

int
cmd_report (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "report: not available in this build");
}
