/*  notify: deadlines, notices and subscriptions. Wiring only; see notify.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "notify.h"
#include "notify_engine.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "notify", argc, argv))
        return 2;
    notify_settings_t settings;
    char err [256];
    if (notify_settings_from_env (&settings, err, sizeof err)) {
        fprintf (stderr, "notify: %s\n", err);
        return 2;
    }
    notify_t *notify = notify_new (&cfg, &settings);
    if (!notify) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    zactor_t *engine = notify_engine_new (&cfg, &settings);
    int rc = inv_service_run (&cfg, "notify", notify_methods, notify);
    zactor_destroy (&engine);
    notify_destroy (&notify);
    return rc;
}
