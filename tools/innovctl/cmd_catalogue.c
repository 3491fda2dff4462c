/*  cmd_catalogue: the catalogue command group; the commands arrive with their service. */
#include "ctl.h"

int
cmd_tech (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "tech: not available in this build");
}

int
cmd_project (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "project: not available in this build");
}

int
cmd_demo (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "demo: not available in this build");
}

int
cmd_policy (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "policy: not available in this build");
}

int
cmd_support (ctl_t *ctl, int argc, char **argv)
{
    (void) ctl; (void) argc; (void) argv;
    return ctl_fail (1, "support: not available in this build");
}
