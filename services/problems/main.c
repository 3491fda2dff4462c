/*  problems: the problem list and its 13710 ladder. Wiring only; see problems.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "problems.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "problems", argc, argv))
        return 2;
    problems_t *problems = problems_new (&cfg);
    if (!problems) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    int rc = inv_service_run (&cfg, "problems", problems_methods, problems);
    problems_destroy (&problems);
    return rc;
}
