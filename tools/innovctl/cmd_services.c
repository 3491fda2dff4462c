/*  innovctl services: the services registered on the broker and how many workers
    each has, from the broker's own "mmi.services" (one reply frame per service,
    "name count"). Sorted by name; a table, or {"services":[{"name","workers"}]}.
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_json.h"
#include "inv_table.h"
#include "mdp.h"

typedef struct {
    char name [128];
    int workers;
} service_row_t;

static int
s_compare (const void *a, const void *b)
{
    return strcmp (((const service_row_t *) a)->name, ((const service_row_t *) b)->name);
}

int
cmd_services (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { NULL } };
    int rc = ctl_parse ("services", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    mdp_client_t *client = ctl_client (ctl);
    if (!client)
        return CTL_USAGE;
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "");
    zmsg_t *reply = mdp_client_request (client, MMI_SERVICES, &body, NULL);
    zmsg_destroy (&body);
    if (!reply) {
        if (zsys_interrupted)
            return CTL_OK;
        return ctl_fail (CTL_UNREACHABLE, "503 broker %s did not answer %s (no reply before the timeout)",
                         ctl->cfg->broker, MMI_SERVICES);
    }
    size_t count = 0;
    service_row_t *rows = calloc (zmsg_size (reply) + 1, sizeof (service_row_t));
    for (zframe_t *frame = zmsg_first (reply); frame; frame = zmsg_next (reply)) {
        char *line = zframe_strdup (frame);
        service_row_t row = { "", 0 };
        if (sscanf (line, "%127s %d", row.name, &row.workers) == 2)
            rows [count++] = row;
        free (line);
    }
    zmsg_destroy (&reply);
    qsort (rows, count, sizeof rows [0], s_compare);

    if (ctl->cfg->json) {
        fputs ("{\"services\":[", stdout);
        for (size_t i = 0; i < count; i++) {
            fputs (i? ",{\"name\":": "{\"name\":", stdout);
            inv_json_write_string (stdout, rows [i].name);
            printf (",\"workers\":%d}", rows [i].workers);
        }
        fputs ("]}\n", stdout);
    }
    else {
        const char *headers [] = { "服务", "工作进程" };
        inv_table_t *table = inv_table_new (2, headers);
        inv_table_set_right (table, 1, true);
        for (size_t i = 0; i < count; i++) {
            char workers [16];
            snprintf (workers, sizeof workers, "%d", rows [i].workers);
            const char *cells [] = { rows [i].name, workers };
            inv_table_add (table, cells);
        }
        inv_table_print (table, stdout);
        inv_table_destroy (&table);
    }
    free (rows);
    return CTL_OK;
}
