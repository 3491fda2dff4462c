/*  fuzz_tables.h: the method tables of the services a fuzz build includes.

    fuzz.mk defines FUZZ_SVC_<service> for each service of FUZZ_SERVICES and links
    its library; this header lists their tables, and makes each service's context
    the way its main.c does, with a Redis address where nothing listens (storage calls
    fail at once with 503, so every path up to storage is driven without a server)
    and a broker nobody binds with a 1 ms timeout (calls to other services: 503).
*/
#ifndef FUZZ_TABLES_H
#define FUZZ_TABLES_H
#include "inv_rpc.h"
#include "inv_config.h"
#ifdef FUZZ_SVC_registry
#include "registry/registry.h"
#endif
#ifdef FUZZ_SVC_notify
#include "notify/notify.h"
#endif
#ifdef FUZZ_SVC_pairing
#include "pairing/pairing.h"
#endif
#ifdef FUZZ_SVC_catalogue
#include "catalogue/catalogue.h"
#endif
#ifdef FUZZ_SVC_report
#include "report/report.h"
#endif
#ifdef FUZZ_SVC_problems
#include "problems/problems.h"
#endif
#ifdef FUZZ_SVC_gateway
#include "gateway/gateway.h"
#endif

typedef struct {
    const char *service;
    const inv_method_t *methods;
    void *ctx;
} fuzz_service_t;

#define FUZZ_MAX_SERVICES 8

/* The services of this build (count in *count_p); contexts made on the first call. */
static inline const fuzz_service_t *
fuzz_services (size_t *count_p, const inv_config_t **cfg_p)
{
    static fuzz_service_t services [FUZZ_MAX_SERVICES];
    static size_t count = 0;
    static bool made = false;
    static inv_config_t cfg;
    if (!made) {
        made = true;
        char err [256];
        char *argv [] = { (char *) "fuzz", NULL };
        setenv ("INNOV_REDIS", "127.0.0.1:1", 1);        /* nothing listens there */
        setenv ("INNOV_TEST_MODE", "1", 1);             /* admin.clock.set too */
        /* calls a service makes to another find no broker and give up at once */
        setenv ("INNOV_BROKER", "inproc://fuzz-no-broker", 1);
        setenv ("INNOV_TIMEOUT_MS", "1", 1);
        setenv ("INNOV_RETRIES", "1", 1);
        if (inv_config_load (&cfg, 1, argv, err, sizeof err)) {
            fprintf (stderr, "fuzz: configuration: %s\n", err);
            abort ();
        }
#define FUZZ_ADD(name, table, make) \
        services [count].service = name; services [count].methods = table; \
        services [count].ctx = (void *) (make); count++;
#ifdef FUZZ_SVC_registry
        FUZZ_ADD ("registry", registry_methods, registry_new (&cfg));
#endif
#ifdef FUZZ_SVC_notify
        static notify_settings_t settings;
        notify_settings_default (&settings);
        FUZZ_ADD ("notify", notify_methods, notify_new (&cfg, &settings));
#endif
#ifdef FUZZ_SVC_pairing
        FUZZ_ADD ("pairing", pairing_methods, pairing_new (&cfg, 3));
#endif
#ifdef FUZZ_SVC_catalogue
        FUZZ_ADD ("catalogue", catalogue_methods, catalogue_new (&cfg));
#endif
#ifdef FUZZ_SVC_report
        FUZZ_ADD ("report", report_methods, report_new (&cfg));
#endif
#ifdef FUZZ_SVC_problems
        FUZZ_ADD ("problems", problems_methods, problems_new (&cfg));
#endif
#ifdef FUZZ_SVC_gateway
        FUZZ_ADD ("gateway", gateway_methods, gateway_new (&cfg));
#endif
        for (size_t i = 0; i < count; i++)
            if (!services [i].ctx) {
                fprintf (stderr, "fuzz: %s: cannot make its context\n", services [i].service);
                abort ();
            }
    }
    *count_p = count;
    if (cfg_p)
        *cfg_p = &cfg;
    return services;
}

/* The n-th method over every table (n taken modulo their total), its service in *svc_p. */
static inline const inv_method_t *
fuzz_method (size_t n, const fuzz_service_t **svc_p)
{
    size_t count, total = 0;
    const fuzz_service_t *services = fuzz_services (&count, NULL);
    for (size_t s = 0; s < count; s++)
        for (const inv_method_t *m = services [s].methods; m->name; m++)
            total++;
    if (total == 0)
        return NULL;
    n %= total;
    for (size_t s = 0; s < count; s++)
        for (const inv_method_t *m = services [s].methods; m->name; m++)
            if (n-- == 0) {
                *svc_p = &services [s];
                return m;
            }
    return NULL;
}

#endif
