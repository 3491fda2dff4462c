/*  load: sends generated records to the registry as enterprise.add, several at once. */
#ifndef LOAD_H
#define LOAD_H
#include "gen.h"
#include "inv_config.h"

typedef struct {
    size_t added;               /* created by this run */
    size_t present;             /* registered already (409, or an earlier run's reply) */
    size_t failed;              /* refused or unanswered */
    size_t unanswered;          /* of failed: no reply after every attempt */
} load_stats_t;

/* Sends count records through `clients` MDP clients made from cfg (acting as
   principal), one request in flight on each; returns 0, or -1 if no client could be
   made. Progress on stderr when it is a terminal; the first failures are reported
   one line each. */
int load_run (const inv_config_t *cfg, const char *principal, int clients,
              const gen_record_t *records, size_t count, load_stats_t *stats);
#endif
