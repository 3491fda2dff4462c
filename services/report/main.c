/*  report: monthly ledger reports, assessment, bulletins. Wiring only; see report.h. */
#include "inv_service.h"
#include "inv_log.h"
#include "report.h"

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    if (inv_service_config (&cfg, "report", argc, argv))
        return 2;
    report_t *report = report_new (&cfg);
    if (!report) {
        inv_error ("bad Redis address: %s", cfg.redis);
        return 2;
    }
    zactor_t *engine = report_engine_new (&cfg);
    int rc = inv_service_run (&cfg, "report", report_methods, report);
    zactor_destroy (&engine);
    report_destroy (&report);
    return rc;
}
