/*  pairing_engine: the background half of a pairing process (the registry's events into
    the projection, through the consumer group "pairing"). */
#ifndef PAIRING_ENGINE_H
#define PAIRING_ENGINE_H
#include <czmq.h>
#include "inv_config.h"

/* NULL if its state cannot be opened. */
zactor_t *pairing_engine_new (const inv_config_t *cfg, unsigned mentor_capacity);
#endif
