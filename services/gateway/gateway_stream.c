/*  gateway_stream: GET /api/v1/events/stream, the province's events as Server-Sent
    Events.

    Each stream owns an inv_tail (its own SUB socket on the broker's event endpoint,
    replay through events.replay with the caller's principal) and runs in its
    connection's thread: libmicrohttpd asks the content reader for more bytes, and the
    reader blocks on the tail for up to a second at a time. Each event is written as
        id: <seq>\nevent: <type>\ndata: <Event as JSON, payload decoded>\n\n
    so a browser's EventSource reconnects with Last-Event-ID = the last seq it saw, and
    the tail replays from there before going live: no gap, no repeat. A comment line
    keeps an idle connection open (and finds a closed one) every KEEPALIVE_MS. A replay
    that fails ends the stream with an "error" event carrying the status.
*/
#include <inttypes.h>
#include "gateway_internal.h"
#include "inv_tail.h"

#define KEEPALIVE_MS 15000

typedef struct {
    gateway_t *gateway;
    inv_tail_t *tail;
    mdp_client_t *client;
    char *principal;
    char *buf;
    size_t len, off;
    int64_t last_write_ms;
    bool closing;
    bool broken;
} stream_t;

/* The event as JSON, its payload decoded by its type when the type is known. */
static char *
s_event_json (const Innov__Event *event)
{
    Innov__Event copy = *event;
    copy.payload.data = NULL;
    copy.payload.len = 0;
    char *text = inv_json_from_pb (&copy.base, false, true);
    const ProtobufCMessageDescriptor *desc = gw_descriptor_find (event->payload_type);
    if (!desc || !text)
        return text;
    ProtobufCMessage *payload = protobuf_c_message_unpack (desc, NULL, event->payload.len, event->payload.data);
    if (!payload)
        return text;
    char *payload_text = inv_json_from_pb (payload, false, true);
    protobuf_c_message_free_unpacked (payload, NULL);
    json_t *doc = json_loads (text, 0, NULL);
    json_t *sub = payload_text? json_loads (payload_text, 0, NULL): NULL;
    free (payload_text);
    if (doc && sub) {
        json_object_set_new (doc, "payload", sub);
        free (text);
        text = json_dumps (doc, JSON_PRESERVE_ORDER | JSON_COMPACT);
    }
    else
        json_decref (sub);
    json_decref (doc);
    return text;
}

static void
s_set_buffer (stream_t *self, char *text)
{
    free (self->buf);
    self->buf = text;
    self->len = text? strlen (text): 0;
    self->off = 0;
    self->last_write_ms = zclock_mono ();
}

static ssize_t
s_reader (void *cls, uint64_t pos, char *out, size_t max)
{
    (void) pos;
    stream_t *self = (stream_t *) cls;
    while (self->off >= self->len) {
        if (self->closing || atomic_load (&self->gateway->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        Innov__Event *event = NULL;
        Innov__Status *status = NULL;
        int rc = inv_tail_next (self->tail, self->client, 1000, &event, &status);
        if (rc == 1) {
            char *data = s_event_json (event);
            char *text = zsys_sprintf ("id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", event->seq,
                                       event->type? event->type: "", data? data: "{}");
            free (data);
            innov__event__free_unpacked (event, NULL);
            s_set_buffer (self, text);
        }
        else
        if (rc == 0) {
            if (zclock_mono () - self->last_write_ms >= KEEPALIVE_MS)
                s_set_buffer (self, strdup (": keep-alive\n\n"));
        }
        else {
            char *data = status? inv_json_from_pb (&status->base, false, true): strdup ("{\"code\":503}");
            char *text = zsys_sprintf ("event: error\ndata: %s\n\n", data);
            free (data);
            if (status)
                innov__status__free_unpacked (status, NULL);
            s_set_buffer (self, text);
            self->closing = true;
            self->broken = true;
        }
    }
    size_t n = self->len - self->off;
    if (n > max)
        n = max;
    memcpy (out, self->buf + self->off, n);
    self->off += n;
    return (ssize_t) n;
}

static void
s_free (void *cls)
{
    stream_t *self = (stream_t *) cls;
    uint64_t at = self->tail? inv_tail_position (self->tail): 0;
    gw_pool_release (self->gateway->pool, self->principal, &self->client, self->broken);
    inv_tail_destroy (&self->tail);
    gw_metrics_sse (self->gateway->metrics, -1);
    inv_info ("events/stream for %s ended at seq %" PRIu64, self->principal, at);
    free (self->principal);
    free (self->buf);
    free (self);
}

int
gw_stream (gateway_t *self, gw_request_t *req)
{
    const char *last = MHD_lookup_connection_value (req->connection, MHD_HEADER_KIND, "Last-Event-ID");
    if (!last || !*last)
        last = gw_query (req, "lastEventId");
    bool since_given = last && *last;
    uint64_t since = 0;
    if (since_given) {
        char *end = NULL;
        errno = 0;
        since = strtoull (last, &end, 10);
        if (*last == '-' || *end || errno)
            return gw_reply_field_error (req, "Last-Event-ID", "is not an event sequence number");
    }
    const char *topic = gw_query (req, "topic");
    stream_t *stream = (stream_t *) calloc (1, sizeof *stream);
    assert (stream);
    stream->gateway = self;
    stream->principal = strdup (req->principal);
    stream->client = gw_pool_take (self->pool, req->principal);
    stream->tail = inv_tail_new (&self->cfg, topic? topic: "", since_given, since);
    if (!stream->client || !stream->tail) {
        gw_pool_release (self->pool, stream->principal, &stream->client, true);
        inv_tail_destroy (&stream->tail);
        free (stream->principal);
        free (stream);
        return gw_reply_error (req, 503, "cannot subscribe to the broker's events at %s", self->cfg.events);
    }
    gw_metrics_sse (self->metrics, 1);
    s_set_buffer (stream, strdup ("retry: 2000\n: events of the province, in order\n\n"));
    struct MHD_Response *response = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 8192, s_reader,
                                                                       stream, s_free);
    MHD_add_response_header (response, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header (response, "Cache-Control", "no-store");
    MHD_add_response_header (response, "X-Accel-Buffering", "no");
    req->code = 200;
    enum MHD_Result rc = MHD_queue_response (req->connection, 200, response);
    MHD_destroy_response (response);
    return rc;
}
