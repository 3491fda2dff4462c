/*  catalogue: the key technologies, innovation projects, demonstrations, policies and
    support catalogues. Wiring only; see catalogue.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "catalogue.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "catalogue", argc, argv))
        return 2;
    catalogue_t *catalogue = catalogue_new (&cfg);
    if (!catalogue) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    int rc = inv_service_run (&cfg, "catalogue", catalogue_methods, catalogue);
    catalogue_destroy (&catalogue);
    return rc;
}
