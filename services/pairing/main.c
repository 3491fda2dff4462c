/*  pairing: work groups, pairings, guidance, coverage and matching. Wiring only; see pairing.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "pairing.h"
#include "pairing_engine.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "pairing", argc, argv))
        return 2;
    int capacity = pairing_mentor_capacity_from_env ();
    if (capacity < 0) {
        fprintf (stderr, "pairing: PAIRING_MENTOR_CAPACITY: give a whole number from 0 to 1000\n");
        return 2;
    }
    pairing_t *pairing = pairing_new (&cfg, (unsigned) capacity);
    if (!pairing) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    zactor_t *engine = pairing_engine_new (&cfg, (unsigned) capacity);
    if (!engine)
        inv_error ("the event follower did not start; coverage will not follow the registry");
    int rc = inv_service_run (&cfg, "pairing", pairing_methods, pairing);
    zactor_destroy (&engine);
    pairing_destroy (&pairing);
    return rc;
}
