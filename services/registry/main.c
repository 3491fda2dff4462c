/*  registry: the enterprise ledger service. Wiring only; see registry.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "registry.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "registry", argc, argv))
        return 2;
    registry_t *registry = registry_new (&cfg);
    if (!registry) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    int rc = inv_service_run (&cfg, "registry", registry_methods, registry);
    registry_destroy (&registry);
    return rc;
}
