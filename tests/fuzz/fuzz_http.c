/*  fuzz_http: the socket-free part of the gateway's request handling.

    The gateway's HTTP handling runs inside libmicrohttpd callbacks (the connection
    supplies headers, query and body), so the request as a whole is not reachable
    without a socket. What is reachable is driven here, with the route table the
    gateway serves: the first byte picks the HTTP method, the input up to the first
    newline is the path under /api/v1, the rest is the body. gw_route_find matches the
    path (path parameters percent-decoded), and for a route found the request message
    is built with the functions the gateway's builder uses: each path parameter set
    with inv_json_set_field on the field the route names, the body merged with
    inv_json_merge_pb into the request or its body field. The message is then packed,
    as it would be sent. Also gw_descriptor_find and gw_http_code.
*/
#include "fuzz.h"
#include "inv_json.h"
#include "gateway/gateway_internal.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_http");
    fuzz_input_t in = { data, size };
    static const char *methods [] = { "GET", "POST", "PATCH", "DELETE", "HEAD", "PUT", "get", "" };
    const char *method = methods [fuzz_byte (&in) % 8];
    const uint8_t *newline = memchr (in.data, '\n', in.size);
    size_t path_size = newline? (size_t) (newline - in.data): in.size;
    char *path = (char *) malloc (path_size + 1);
    memcpy (path, in.data, path_size);
    path [path_size] = 0;
    const char *body = newline? (const char *) newline + 1: "";
    size_t body_size = newline? in.size - path_size - 1: 0;

    gw_params_t params;
    int status;
    char allow [128];
    const gw_route_t *route = gw_route_find (method, path, &params, &status, allow, sizeof allow);
    assert (route? status == 200: (status == 404 || status == 405));
    gw_descriptor_find (path);
    gw_http_code ((int) path_size);

    if (route && route->request) {
        assert (params.count <= 4);
        ProtobufCMessage *message = (ProtobufCMessage *) calloc (1, route->request->sizeof_message);
        protobuf_c_message_init (route->request, message);
        inv_json_error_t err;
        /* "creditCode=credit_code;id=group_id": the field each parameter fills */
        for (size_t i = 0; i < params.count; i++) {
            const char *spec = route->params? strstr (route->params, params.names [i]): NULL;
            char field [128] = "";
            if (spec && spec [strlen (params.names [i])] == '=')
                sscanf (spec + strlen (params.names [i]) + 1, "%127[^;]", field);
            if (*field)
                inv_json_set_field (message, field, params.values [i], &err);
        }
        if (route->body && !*route->body)
            inv_json_merge_pb (message, body, body_size, &err, NULL, NULL);
        else
        if (route->body) {
            const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->body, NULL);
            assert (f && f->type == PROTOBUF_C_TYPE_MESSAGE);
            ProtobufCMessage **sub = (ProtobufCMessage **) ((char *) message + f->offset);
            if (!*sub) {
                const ProtobufCMessageDescriptor *d = f->descriptor;
                *sub = (ProtobufCMessage *) calloc (1, d->sizeof_message);
                protobuf_c_message_init (d, *sub);
            }
            inv_json_merge_pb (*sub, body, body_size, &err, NULL, NULL);
        }
        size_t packed = protobuf_c_message_get_packed_size (message);
        uint8_t *buffer = (uint8_t *) malloc (packed + 1);
        assert (protobuf_c_message_pack (message, buffer) == packed);
        ProtobufCMessage *again = protobuf_c_message_unpack (route->request, NULL, packed, buffer);
        assert (again);
        protobuf_c_message_free_unpacked (again, NULL);
        free (buffer);
        protobuf_c_message_free_unpacked (message, NULL);
    }
    free (path);
    return 0;
}
