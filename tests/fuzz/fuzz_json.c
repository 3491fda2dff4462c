/*  fuzz_json: the proto3-JSON mapper, both directions.

    The first input byte picks a message type: the request type of one of the methods
    of the services of this build (fuzz_tables.h, what the gateway maps JSON bodies
    into), or innov.Enterprise / innov.Event / innov.Status; bit 7 of the second picks
    the direction:
      JSON -> protobuf: the rest is JSON text for inv_json_to_pb; a message it accepts
        is written back (inv_json_from_pb, compact and pretty, with and without
        defaults), that text must be valid JSON and must parse again; the text is also
        merged into a fresh message (inv_json_merge_pb) and read with inv_json_get /
        inv_json_length / inv_json_valid, as scripts do;
      protobuf -> JSON: the rest is protobuf bytes; when they decode, the JSON written
        must be valid and parse back into the same type.
    The second byte's low bits choose the set-field path: a field picked by number
    is set from a piece of the text (inv_json_set_field, as query strings are).
*/
#include "fuzz.h"
#include "fuzz_tables.h"
#include "inv_json.h"
#include "registry.pb-c.h"
#include "event.pb-c.h"

static const ProtobufCMessageDescriptor *
s_descriptor (uint8_t n)
{
    static const ProtobufCMessageDescriptor *list [512];
    static size_t count = 0;
    if (count == 0) {
        list [count++] = &innov__enterprise__descriptor;
        list [count++] = &innov__event__descriptor;
        list [count++] = &innov__status__descriptor;
        size_t services;
        const fuzz_service_t *svc = fuzz_services (&services, NULL);
        for (size_t s = 0; s < services; s++)
            for (const inv_method_t *m = svc [s].methods; m->name && count < 512; m++)
                if (m->request)
                    list [count++] = m->request;
    }
    return list [n % count];
}

/*  A message decoded from protobuf bytes may hold enum numbers its type does not
    name (proto3 enums are open); inv_json_from_pb writes them as numbers, and
    inv_json_to_pb refuses them on purpose (a JSON client is told the values it may
    use). That one refusal is expected on the bytes path; nothing else is. */
static void
s_round_trip (const ProtobufCMessageDescriptor *desc, const ProtobufCMessage *message,
              bool from_bytes)
{
    for (int mode = 0; mode < 4; mode++) {
        char *json = inv_json_from_pb (message, mode & 1, mode & 2);
        assert (json);
        char reason [256];
        if (!inv_json_valid (json, reason, sizeof reason)) {
            fprintf (stderr, "written JSON is not valid (%s): %s\n", reason, json);
            abort ();
        }
        inv_json_error_t err;
        ProtobufCMessage *again = inv_json_to_pb (desc, json, strlen (json), &err);
        if (!again && from_bytes && strstr (err.reason, "is not a value of")) {
            free (json);
            return;
        }
        if (!again) {
            fprintf (stderr, "written JSON does not parse back (%s: %s): %s\n",
                     err.field, err.reason, json);
            abort ();
        }
        protobuf_c_message_free_unpacked (again, NULL);
        free (json);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_json");
    fuzz_input_t in = { data, size };
    const ProtobufCMessageDescriptor *desc = s_descriptor (fuzz_byte (&in));
    uint8_t mode = fuzz_byte (&in);
    inv_json_error_t err;

    if (mode & 0x80) {
        ProtobufCMessage *message = protobuf_c_message_unpack (desc, NULL, in.size, in.data);
        if (message) {
            s_round_trip (desc, message, true);
            protobuf_c_message_free_unpacked (message, NULL);
        }
        return 0;
    }
    char *text = (char *) malloc (in.size + 1);
    memcpy (text, in.data, in.size);
    text [in.size] = 0;

    ProtobufCMessage *message = inv_json_to_pb (desc, (const char *) in.data, in.size, &err);
    if (message) {
        s_round_trip (desc, message, false);
        /* one field set from the text, as a query string would */
        if (desc->n_fields > 0) {
            const ProtobufCFieldDescriptor *f = &desc->fields [(mode & 0x7f) % desc->n_fields];
            inv_json_set_field (message, f->name, text, &err);
            s_round_trip (desc, message, false);
        }
        protobuf_c_message_free_unpacked (message, NULL);
    }
    else
        assert (err.reason [0]);

    ProtobufCMessage *fresh = (ProtobufCMessage *) calloc (1, desc->sizeof_message);
    protobuf_c_message_init (desc, fresh);
    if (inv_json_merge_pb (fresh, (const char *) in.data, in.size, &err, NULL, NULL) == 0)
        s_round_trip (desc, fresh, false);
    protobuf_c_message_free_unpacked (fresh, NULL);

    char reason [256];
    if (inv_json_valid (text, reason, sizeof reason)) {
        char *value = inv_json_get (text, "");
        free (value);
        value = inv_json_get (text, "[0]");
        free (value);
        inv_json_length (text, "");
    }
    /* a path taken from the text itself */
    char path [64];
    snprintf (path, sizeof path, "%s", text);
    char *value = inv_json_get (text, path);
    free (value);
    const ProtobufCMessageDescriptor *owner;
    inv_json_find_field (desc, path, &owner);
    free (text);
    return 0;
}
