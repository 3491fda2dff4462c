/*  notify_engine: the background thread of a notify process (see notify_engine.c). */
#ifndef NOTIFY_ENGINE_H
#define NOTIFY_ENGINE_H
#include "notify.h"

/* Start the engine; destroy the actor (zactor_destroy) to stop it. */
zactor_t *notify_engine_new (const inv_config_t *cfg, const notify_settings_t *settings);
#endif
