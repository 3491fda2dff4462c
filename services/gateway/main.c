/*  gateway: the HTTP/JSON API and the token worker. Wiring only; see gateway.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "gateway.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "gateway", argc, argv))
        return 2;
    gateway_t *gateway = gateway_new (&cfg);
    if (!gateway) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    if (gateway_http_start (gateway)) {
        gateway_destroy (&gateway);
        return 2;
    }
    int rc = inv_service_run (&cfg, "gateway", gateway_methods, gateway);
    gateway_destroy (&gateway);
    return rc;
}
