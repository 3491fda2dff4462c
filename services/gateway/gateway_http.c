/*  gateway_http: the HTTP server (libmicrohttpd) and the generic request path.

    libmicrohttpd runs an internal listening thread and one thread per connection
    (MHD_USE_THREAD_PER_CONNECTION, with poll() rather than select(), so descriptors
    above FD_SETSIZE are fine), so a request may block on its MDP call (and an event
    stream on its subscriber) without holding up the others; keep-alive connections
    keep their thread. A connection thread handles a request in turn:
      1. collect the body (up to --http-max-body, --http-max-import for the import;
         beyond it 413, the rest of the upload is read and dropped);
      2. paths outside /api/v1: the dashboard's files (embedded at build time from
         services/gateway/www), /healthz, /readyz, /metrics;
      3. find the route in the table (404 naming the path, 405 with Allow);
      4. the bearer token -> the principal (401 with the reason);
      5. special routes go to their function; every other route is generic: a new
         request message of the route's descriptor is filled from the body (JSON), the
         path parameters and the query (inv_json), then sent through the principal's
         pooled MDP client, and the reply is written back as JSON (defaults included)
         or, on a refusal, the innov.Status as JSON with the matching HTTP code.
    When the request completes, its latency and code go to the metrics and one log line
    is written.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <strings.h>
#include "gateway_internal.h"
#include "inv_service.h"
#include "mdp.h"

/* The dashboard's files (build/gen/gateway_www.c, generated from services/gateway/www). */
typedef struct {
    const char *name;
    const unsigned char *data;
    size_t size;
} gw_file_t;
extern const gw_file_t gateway_www [];

#define CONNECTIONS_MAX 512

typedef struct {
    gw_request_t req;
    gateway_t *gateway;
    int64_t started_us;
    size_t limit;
    bool too_large;
    bool first_done;
    char *url_copy;
} connection_t;

/* ---- answers ------------------------------------------------------------------------------ */

int
gw_http_code (int rpc_code)
{
    switch (rpc_code) {
        case 200: case 400: case 401: case 403: case 404: case 409: case 413: case 429:
        case 500: case 502: case 503:
            return rpc_code;
        default:
            return rpc_code >= 400 && rpc_code < 600? rpc_code: 500;
    }
}

static int
s_queue (gw_request_t *req, int code, struct MHD_Response *response)
{
    req->code = code;
    MHD_add_response_header (response, "Cache-Control", "no-store");
    MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response (req->connection, (unsigned) code, response);
    MHD_destroy_response (response);
    return rc;
}

int
gw_reply_json (gw_request_t *req, int code, char *text)
{
    if (!text)
        text = strdup ("{}");
    struct MHD_Response *response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (response, "Content-Type", "application/json; charset=utf-8");
    return s_queue (req, code, response);
}

int
gw_reply_status (gw_request_t *req, const Innov__Status *status, int code)
{
    return gw_reply_json (req, code, inv_json_from_pb (&status->base, false, true));
}

int
gw_reply_error (gw_request_t *req, int code, const char *fmt, ...)
{
    char message [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    Innov__Status status = INNOV__STATUS__INIT;
    status.code = code;
    status.message = message;
    return gw_reply_status (req, &status, code);
}

int
gw_reply_field_error (gw_request_t *req, const char *field, const char *reason)
{
    char message [1024];
    snprintf (message, sizeof message, "%s%s%s", field, *field? ": ": "", reason);
    Innov__FieldError detail = INNOV__FIELD_ERROR__INIT;
    detail.field = (char *) field;
    detail.reason = (char *) reason;
    Innov__FieldError *details [] = { &detail };
    Innov__Status status = INNOV__STATUS__INIT;
    status.code = 400;
    status.message = message;
    status.details = details;
    status.n_details = 1;
    return gw_reply_status (req, &status, 400);
}

const char *
gw_query (gw_request_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->connection, MHD_GET_ARGUMENT_KIND, name);
}

static int
s_reply_text (gw_request_t *req, int code, const char *type, char *text)
{
    struct MHD_Response *response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (response, "Content-Type", type);
    return s_queue (req, code, response);
}

/* ---- outside the API ---------------------------------------------------------------------- */

static const char *
s_content_type (const char *name)
{
    const char *dot = strrchr (name, '.');
    static const struct { const char *ext, *type; } types [] = {
        { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" }, { ".json", "application/json; charset=utf-8" },
        { ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".ico", "image/x-icon" },
        { ".txt", "text/plain; charset=utf-8" }, { ".woff2", "font/woff2" },
    };
    for (size_t i = 0; dot && i < sizeof types / sizeof types [0]; i++)
        if (strcasecmp (dot, types [i].ext) == 0)
            return types [i].type;
    return "application/octet-stream";
}

static int
s_static (gw_request_t *req, const char *name)
{
    for (const gw_file_t *f = gateway_www; f->name; f++) {
        if (strcmp (f->name, name) != 0)
            continue;
        struct MHD_Response *response = MHD_create_response_from_buffer (f->size, (void *) f->data,
                                                                         MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header (response, "Content-Type", s_content_type (name));
        return s_queue (req, 200, response);
    }
    return gw_reply_error (req, 404, "no file %s", name);
}

/* mmi.services with a short timeout: the frames, or NULL when the broker is silent. */
static zmsg_t *
s_broker_services (gateway_t *self)
{
    inv_config_t cfg = self->cfg;
    cfg.principal = "service:gateway";
    mdp_client_t *client = inv_client_from_config (&cfg);
    if (!client)
        return NULL;
    mdp_client_set_timeout (client, 1000);
    mdp_client_set_retries (client, 1);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "");
    zmsg_t *answer = mdp_client_request (client, MMI_SERVICES, &body, NULL);
    mdp_client_destroy (&client);
    return answer;
}

static int
s_readyz (gateway_t *self, gw_request_t *req)
{
    zmsg_t *services = s_broker_services (self);
    bool broker = services != NULL;
    zmsg_destroy (&services);
    bool redis = gw_tokens_redis_ok (self->tokens);
    json_t *doc = json_pack ("{s:b, s:b}", "broker", broker, "redis", redis);
    char *text = json_dumps (doc, JSON_PRESERVE_ORDER);
    json_decref (doc);
    return gw_reply_json (req, broker && redis? 200: 503, text);
}

static int
s_metrics (gateway_t *self, gw_request_t *req)
{
    const char *names [gw_route_count + 1], *methods [gw_route_count + 1];
    for (size_t i = 0; i < gw_route_count; i++) {
        names [i] = gw_routes [i].pattern;
        methods [i] = gw_routes [i].method;
    }
    zmsg_t *services = s_broker_services (self);
    char *text = gw_metrics_render (self->metrics, names, methods, services);
    zmsg_destroy (&services);
    return s_reply_text (req, 200, "text/plain; version=0.0.4; charset=utf-8", text);
}

/* ---- the generic route ------------------------------------------------------------------- */

typedef struct {
    ProtobufCMessage *message;
    const char *mask;
    inv_json_error_t *err;
    int failed;
} mask_t;

static void
s_add_to_mask (void *arg, const char *proto_name)
{
    mask_t *m = (mask_t *) arg;
    if (!m->failed && inv_json_set_field (m->message, m->mask, proto_name, m->err))
        m->failed = 1;
}

typedef struct {
    ProtobufCMessage *message;
    inv_json_error_t err;
    bool failed;
} query_t;

static enum MHD_Result
s_query_arg (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    query_t *q = (query_t *) cls;
    if (q->failed || strcmp (key, "access_token") == 0)
        return MHD_YES;
    if (inv_json_set_field (q->message, key, value? value: "", &q->err)) {
        q->failed = true;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Builds the request message of a route; NULL after answering 400. */
static ProtobufCMessage *
s_build (gw_request_t *req)
{
    const gw_route_t *route = req->route;
    ProtobufCMessage *message = (ProtobufCMessage *) malloc (route->request->sizeof_message);
    assert (message);
    protobuf_c_message_init (route->request, message);
    inv_json_error_t err = { "", "" };
    bool failed = false;

    /* the body */
    bool has_body = false;
    for (size_t i = 0; i < req->body_size; i++)
        if (!isspace ((unsigned char) req->body [i])) {
            has_body = true;
            break;
        }
    if (has_body && !route->body) {
        snprintf (err.reason, sizeof err.reason, "%s %s takes no body", route->method, route->pattern);
        failed = true;
    }
    else
    if (has_body && !*route->body)
        failed = inv_json_merge_pb (message, req->body, req->body_size, &err, NULL, NULL) != 0;
    else
    if (has_body) {
        const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->body, NULL);
        assert (f && f->type == PROTOBUF_C_TYPE_MESSAGE);
        ProtobufCMessage *sub = (ProtobufCMessage *) malloc (((const ProtobufCMessageDescriptor *) f->descriptor)->sizeof_message);
        assert (sub);
        protobuf_c_message_init (f->descriptor, sub);
        *(ProtobufCMessage **) ((char *) message + f->offset) = sub;
        mask_t mask = { message, route->mask, &err, 0 };
        failed = inv_json_merge_pb (sub, req->body, req->body_size, &err,
                                    route->mask? s_add_to_mask: NULL, &mask) != 0 || mask.failed;
        if (failed && *err.field) {
            /* name the field as the request message does */
            char field [sizeof err.field + 64];
            snprintf (field, sizeof field, "%s.%s", route->body, err.field);
            snprintf (err.field, sizeof err.field, "%.*s", (int) sizeof err.field - 1, field);
        }
    }
    if (!failed && route->body && *route->body) {
        /* the body field must exist even when the body was empty (path parameters go in it) */
        const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->body, NULL);
        ProtobufCMessage **sub = (ProtobufCMessage **) ((char *) message + f->offset);
        if (!*sub) {
            *sub = (ProtobufCMessage *) malloc (((const ProtobufCMessageDescriptor *) f->descriptor)->sizeof_message);
            assert (*sub);
            protobuf_c_message_init (f->descriptor, *sub);
        }
    }
    /* path parameters */
    if (!failed && route->params) {
        char *spec = strdup (route->params);
        char *save = NULL;
        for (char *item = strtok_r (spec, ";", &save); item && !failed; item = strtok_r (NULL, ";", &save)) {
            char *eq = strchr (item, '=');
            *eq = '\0';
            for (size_t i = 0; i < req->params.count; i++)
                if (strcmp (req->params.names [i], item) == 0
                &&  inv_json_set_field (message, eq + 1, req->params.values [i], &err))
                    failed = true;
        }
        free (spec);
    }
    /* query parameters */
    if (!failed && route->query) {
        query_t q = { message, { "", "" }, false };
        MHD_get_connection_values (req->connection, MHD_GET_ARGUMENT_KIND, s_query_arg, &q);
        if (q.failed) {
            err = q.err;
            failed = true;
        }
    }
    /* idempotency: the header, else one key per HTTP request */
    const ProtobufCFieldDescriptor *idem = inv_json_find_field (route->request, "idempotency_key", NULL);
    if (!failed && idem && idem->type == PROTOBUF_C_TYPE_STRING) {
        char **slot = (char **) ((char *) message + idem->offset);
        if (!*slot || !**slot) {
            const char *given = MHD_lookup_connection_value (req->connection, MHD_HEADER_KIND, "Idempotency-Key");
            char key [64];
            if (given && *given)
                snprintf (key, sizeof key, "%.63s", given);
            else {
                zuuid_t *uuid = zuuid_new ();
                snprintf (key, sizeof key, "http-%s", zuuid_str_canonical (uuid));
                zuuid_destroy (&uuid);
            }
            if (inv_json_set_field (message, "idempotency_key", key, &err))
                failed = true;
        }
    }
    if (failed) {
        gw_reply_field_error (req, err.field, err.reason);
        protobuf_c_message_free_unpacked (message, NULL);
        return NULL;
    }
    return message;
}

static int
s_generic (gateway_t *self, gw_request_t *req)
{
    ProtobufCMessage *request = s_build (req);
    if (!request)
        return MHD_YES;
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int code = gw_pool_call (self->pool, req->principal, req->route->service, req->route->rpc,
                             request, req->route->reply, &reply, &status);
    protobuf_c_message_free_unpacked (request, NULL);
    int rc;
    if (code == 200 && reply)
        rc = gw_reply_json (req, 200, inv_json_from_pb (reply, false, true));
    else
    if (status)
        rc = gw_reply_status (req, status, gw_http_code (code));
    else
        rc = gw_reply_error (req, gw_http_code (code), "%s %s failed", req->route->service, req->route->rpc);
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    if (status)
        innov__status__free_unpacked (status, NULL);
    return rc;
}

/* The bearer token: the Authorization header, else ?access_token= */
static const char *
s_token (gw_request_t *req)
{
    const char *auth = MHD_lookup_connection_value (req->connection, MHD_HEADER_KIND, "Authorization");
    if (auth) {
        if (strncasecmp (auth, "Bearer ", 7) == 0) {
            auth += 7;
            while (*auth == ' ')
                auth++;
            return auth;
        }
        return "";
    }
    const char *query = gw_query (req, "access_token");
    return query? query: "";
}

static int
s_handle (gateway_t *self, connection_t *conn)
{
    gw_request_t *req = &conn->req;
    const char *url = req->url;
    if (conn->too_large)
        return gw_reply_error (req, 413, "the body is larger than %zu bytes", conn->limit);
    if (strcmp (url, "/") == 0 || strcmp (url, "/index.html") == 0)
        return s_static (req, "index.html");
    if (strncmp (url, "/static/", 8) == 0)
        return s_static (req, url + 8);
    if (strcmp (url, "/healthz") == 0)
        return s_reply_text (req, 200, "text/plain; charset=utf-8", strdup ("ok\n"));
    if (strcmp (url, "/readyz") == 0)
        return s_readyz (self, req);
    if (strcmp (url, "/metrics") == 0)
        return s_metrics (self, req);
    size_t api = strlen (GW_API);
    if (strncmp (url, GW_API, api) != 0 || (url [api] != '/' && url [api] != '\0'))
        return gw_reply_error (req, 404, "no route %s (the API is under %s)", url, GW_API);

    int status = 0;
    char allow [128];
    req->route = gw_route_find (req->method, url + api, &req->params, &status, allow, sizeof allow);
    if (!req->route) {
        if (status == 405) {
            char message [256];
            snprintf (message, sizeof message, "%s is not allowed on %s (allowed: %s)", req->method, url, allow);
            Innov__Status st = INNOV__STATUS__INIT;
            st.code = 405;
            st.message = message;
            struct MHD_Response *response;
            char *text = inv_json_from_pb (&st.base, false, true);
            response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header (response, "Content-Type", "application/json; charset=utf-8");
            MHD_add_response_header (response, "Allow", allow);
            return s_queue (req, 405, response);
        }
        return gw_reply_error (req, 404, "no route %s %s (see %s/openapi.json)", req->method, url, GW_API);
    }
    req->route_index = (size_t) (req->route - gw_routes);
    if (!req->route->public) {
        char principal [80], reason [256];
        int code = gw_tokens_check (self->tokens, s_token (req), principal, sizeof principal,
                                    reason, sizeof reason);
        if (code != 200) {
            Innov__Status st = INNOV__STATUS__INIT;
            st.code = code;
            st.message = reason;
            char *text = inv_json_from_pb (&st.base, false, true);
            struct MHD_Response *response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header (response, "Content-Type", "application/json; charset=utf-8");
            if (code == 401)
                MHD_add_response_header (response, "WWW-Authenticate", "Bearer realm=\"innov\"");
            return s_queue (req, code, response);
        }
        req->principal = strdup (principal);
    }
    if (req->route->special)
        return req->route->special (self, req);
    return s_generic (self, req);
}

/* ---- libmicrohttpd callbacks -------------------------------------------------------------- */

static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void) version;
    gateway_t *self = (gateway_t *) cls;
    connection_t *conn = (connection_t *) *con_cls;
    if (!conn) {
        conn = (connection_t *) calloc (1, sizeof *conn);
        assert (conn);
        conn->gateway = self;
        conn->started_us = zclock_usecs ();
        conn->req.connection = connection;
        conn->req.method = method;
        conn->url_copy = strdup (url);
        conn->req.url = conn->url_copy;
        conn->req.route_index = gw_route_count;
        size_t api = strlen (GW_API);
        bool import = strncmp (url, GW_API, api) == 0 && strcmp (url + api, "/enterprises:import") == 0;
        conn->limit = (size_t) (import? self->cfg.http_max_import: self->cfg.http_max_body);
        *con_cls = conn;
        const char *length = MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull (length, NULL, 10) > conn->limit) {
            conn->too_large = true;
            return s_handle (self, conn) == MHD_YES? MHD_YES: MHD_NO;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!conn->too_large) {
            if (conn->req.body_size + *upload_size > conn->limit) {
                conn->too_large = true;
                free (conn->req.body);
                conn->req.body = NULL;
                conn->req.body_size = 0;
            }
            else {
                char *grown = (char *) realloc (conn->req.body, conn->req.body_size + *upload_size + 1);
                assert (grown);
                memcpy (grown + conn->req.body_size, upload_data, *upload_size);
                conn->req.body = grown;
                conn->req.body_size += *upload_size;
                conn->req.body [conn->req.body_size] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (conn->req.code)
        return MHD_YES;                 /* answered already (413 on Content-Length) */
    return s_handle (self, conn) == MHD_YES? MHD_YES: MHD_NO;
}

static void
s_completed (void *cls, struct MHD_Connection *connection, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void) connection;
    gateway_t *self = (gateway_t *) cls;
    connection_t *conn = (connection_t *) *con_cls;
    if (!conn)
        return;
    double seconds = (zclock_usecs () - conn->started_us) / 1e6;
    int code = conn->req.code? conn->req.code: 499;
    gw_metrics_observe (self->metrics, conn->req.route_index, code, seconds);
    inv_log (code >= 500? INV_LOG_WARN: INV_LOG_INFO, "%s %s %d %s %.1f ms%s", conn->req.method,
             conn->url_copy, code, conn->req.principal? conn->req.principal: "-", seconds * 1000,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK? "": " (connection closed)");
    free (conn->req.body);
    free ((char *) conn->req.principal);
    free (conn->url_copy);
    free (conn);
    *con_cls = NULL;
}

int
gateway_http_start (gateway_t *self)
{
    char host [256];
    snprintf (host, sizeof host, "%s", self->cfg.http);
    char *colon = strrchr (host, ':');
    if (!colon) {
        inv_error ("gateway: --http %s is not host:port", self->cfg.http);
        return -1;
    }
    *colon = '\0';
    int port = atoi (colon + 1);
    struct sockaddr_in address;
    memset (&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons ((uint16_t) port);
    const char *name = strcmp (host, "localhost") == 0? "127.0.0.1": (*host? host: "0.0.0.0");
    if (inet_pton (AF_INET, name, &address.sin_addr) != 1) {
        inv_error ("gateway: --http %s: %s is not an IPv4 address", self->cfg.http, host);
        return -1;
    }
    self->daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL
                                     | MHD_USE_ERROR_LOG,
                                     (uint16_t) port, NULL, NULL, s_access, self,
                                     MHD_OPTION_SOCK_ADDR, &address,
                                     MHD_OPTION_NOTIFY_COMPLETED, s_completed, self,
                                     MHD_OPTION_CONNECTION_LIMIT, (unsigned) CONNECTIONS_MAX,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 120,
                                     MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned) 1,
                                     MHD_OPTION_END);
    if (!self->daemon) {
        inv_error ("gateway: cannot listen on %s", self->cfg.http);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info? info->port: port;
    inv_info ("gateway: HTTP on http://%s:%d/ (API under %s, %zu routes)", name, self->port, GW_API, gw_route_count);
    return 0;
}

void
gateway_http_stop (gateway_t *self)
{
    if (self->daemon) {
        atomic_store (&self->stopping, true);
        MHD_stop_daemon (self->daemon);
        self->daemon = NULL;
    }
}

int
gateway_http_port (gateway_t *self)
{
    return self->port;
}
