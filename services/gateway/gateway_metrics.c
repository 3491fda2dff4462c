/*  gw_metrics: the gateway's figures in the Prometheus text format.

    Per route of the table (and one "other" slot for static files, health and unknown
    paths): a request counter per HTTP status code and a latency histogram with fixed
    buckets. Connection threads update them under one mutex (a few adds per request);
    /metrics renders them with the broker's worker counts (mmi.services) and the number
    of open event streams.
*/
#include "gateway_internal.h"

static const double s_buckets [] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define BUCKETS (sizeof s_buckets / sizeof s_buckets [0])
#define CODES   16

typedef struct {
    int code [CODES];
    uint64_t count [CODES];
    uint64_t bucket [BUCKETS];
    uint64_t observations;
    double sum;
} route_figures_t;

struct _gw_metrics_t {
    pthread_mutex_t lock;
    size_t routes;
    route_figures_t *figures;   /* routes + 1 */
    int64_t sse_clients;
};

gw_metrics_t *
gw_metrics_new (size_t routes)
{
    gw_metrics_t *self = (gw_metrics_t *) calloc (1, sizeof *self);
    assert (self);
    pthread_mutex_init (&self->lock, NULL);
    self->routes = routes;
    self->figures = (route_figures_t *) calloc (routes + 1, sizeof *self->figures);
    assert (self->figures);
    return self;
}

void
gw_metrics_destroy (gw_metrics_t **self_p)
{
    gw_metrics_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy (&self->lock);
    free (self->figures);
    free (self);
    *self_p = NULL;
}

void
gw_metrics_observe (gw_metrics_t *self, size_t route, int code, double seconds)
{
    if (route > self->routes)
        route = self->routes;
    pthread_mutex_lock (&self->lock);
    route_figures_t *f = &self->figures [route];
    for (size_t i = 0; i < CODES; i++) {
        if (f->code [i] == code || f->code [i] == 0) {
            f->code [i] = code;
            f->count [i]++;
            break;
        }
    }
    for (size_t i = 0; i < BUCKETS; i++)
        if (seconds <= s_buckets [i])
            f->bucket [i]++;
    f->observations++;
    f->sum += seconds;
    pthread_mutex_unlock (&self->lock);
}

void
gw_metrics_sse (gw_metrics_t *self, int delta)
{
    pthread_mutex_lock (&self->lock);
    self->sse_clients += delta;
    pthread_mutex_unlock (&self->lock);
}

char *
gw_metrics_render (gw_metrics_t *self, const char *const *route_names,
                   const char *const *route_methods, zmsg_t *broker_workers)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    assert (out);
    pthread_mutex_lock (&self->lock);
    fputs ("# HELP innov_gateway_requests_total HTTP requests answered, by route and status code.\n"
           "# TYPE innov_gateway_requests_total counter\n", out);
    for (size_t r = 0; r <= self->routes; r++) {
        const route_figures_t *f = &self->figures [r];
        const char *name = r < self->routes? route_names [r]: "other";
        const char *method = r < self->routes? route_methods [r]: "";
        for (size_t i = 0; i < CODES && f->code [i]; i++)
            fprintf (out, "innov_gateway_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"} %" PRIu64 "\n",
                     name, method, f->code [i], f->count [i]);
    }
    fputs ("# HELP innov_gateway_errors_total HTTP requests answered with a status of 400 or above.\n"
           "# TYPE innov_gateway_errors_total counter\n", out);
    for (size_t r = 0; r <= self->routes; r++) {
        const route_figures_t *f = &self->figures [r];
        uint64_t errors = 0;
        for (size_t i = 0; i < CODES && f->code [i]; i++)
            if (f->code [i] >= 400)
                errors += f->count [i];
        if (f->observations)
            fprintf (out, "innov_gateway_errors_total{route=\"%s\",method=\"%s\"} %" PRIu64 "\n",
                     r < self->routes? route_names [r]: "other",
                     r < self->routes? route_methods [r]: "", errors);
    }
    fputs ("# HELP innov_gateway_request_seconds Time from the request's arrival to its answer.\n"
           "# TYPE innov_gateway_request_seconds histogram\n", out);
    for (size_t r = 0; r <= self->routes; r++) {
        const route_figures_t *f = &self->figures [r];
        if (!f->observations)
            continue;
        const char *name = r < self->routes? route_names [r]: "other";
        const char *method = r < self->routes? route_methods [r]: "";
        for (size_t i = 0; i < BUCKETS; i++)
            fprintf (out, "innov_gateway_request_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %" PRIu64 "\n",
                     name, method, s_buckets [i], f->bucket [i]);
        fprintf (out, "innov_gateway_request_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
                 name, method, f->observations);
        fprintf (out, "innov_gateway_request_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", name, method, f->sum);
        fprintf (out, "innov_gateway_request_seconds_count{route=\"%s\",method=\"%s\"} %" PRIu64 "\n",
                 name, method, f->observations);
    }
    fprintf (out, "# HELP innov_gateway_sse_clients Open event streams.\n"
                  "# TYPE innov_gateway_sse_clients gauge\ninnov_gateway_sse_clients %" PRId64 "\n",
             self->sse_clients);
    pthread_mutex_unlock (&self->lock);

    fputs ("# HELP innov_broker_up Whether the broker answered mmi.services.\n"
           "# TYPE innov_broker_up gauge\n", out);
    fprintf (out, "innov_broker_up %d\n", broker_workers? 1: 0);
    //  mmi.services: one frame "name workers queued" per service.
    const char *gauges [][2] = {
        { "innov_broker_workers", "Workers registered with the broker, by service." },
        { "innov_broker_queued", "Requests waiting in the broker for a worker, by service." }
    };
    for (int g = 0; g < 2; g++) {
        fprintf (out, "# HELP %s %s\n# TYPE %s gauge\n", gauges [g][0], gauges [g][1], gauges [g][0]);
        for (zframe_t *frame = broker_workers? zmsg_first (broker_workers): NULL; frame;
             frame = zmsg_next (broker_workers)) {
            char *line = zframe_strdup (frame);
            char name [128];
            unsigned long figures [2] = { 0, 0 };
            if (sscanf (line, "%127s %lu %lu", name, &figures [0], &figures [1]) >= 2)
                fprintf (out, "%s{service=\"%s\"} %lu\n", gauges [g][0], name, figures [g]);
            free (line);
        }
    }
    fclose (out);
    return text;
}
