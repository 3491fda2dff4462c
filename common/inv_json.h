/*  inv_json: protobuf messages to JSON, generically from protobuf-c descriptors,
    following the proto3 JSON mapping (lowerCamelCase names, 64-bit integers as
    strings, enums as names, bytes as base64, default values omitted unless asked).
    One mapper for every message: no function per message.
*/
#ifndef INV_JSON_H
#define INV_JSON_H
#include <stdbool.h>
#include <stdio.h>
#include <protobuf-c/protobuf-c.h>

/* Returns a malloc'd NUL-terminated JSON text. */
char *inv_json_from_pb (const ProtobufCMessage *message, bool pretty, bool emit_defaults);
/* Writes a JSON string literal (with quotes and escapes) of text. */
void inv_json_write_string (FILE *out, const char *text);
/* Bytes one value of a field of this type takes in a message (one element of a
   repeated field); 0 for a type protobuf-c does not know. */
size_t inv_json_value_size (ProtobufCType type);
/* True when the field is a proto3 map: a repeated message XxxEntry whose fields are
   key (1) and value (2), written as a JSON object. */
bool inv_json_is_map (const ProtobufCFieldDescriptor *field);

/* Reading, for scripts and tests that check what was printed (not a document model):
   inv_json_valid checks text against RFC 8259 (reason: what and at which byte).
   inv_json_get returns the value at path ("enterprise.creditCode", "rows[2].key",
   "[0]"; "" is the whole text) as malloc'd text: a string unescaped, anything else as
   its JSON text; NULL when the text is not valid JSON or the path is absent.
   inv_json_length counts the elements of the array (or members of the object) at path. */
bool   inv_json_valid (const char *text, char *reason, size_t size);
char  *inv_json_get (const char *text, const char *path);
size_t inv_json_length (const char *text, const char *path);

/* ---- JSON to protobuf (inv_json_pb.c) -------------------------------------------------
   The reverse of inv_json_from_pb, generic over descriptors, following the proto3 JSON
   mapping: members are matched by lowerCamelCase json name or by proto field name;
   64-bit integers are accepted as strings or numbers, 32-bit ones as numbers or
   strings of digits; enums by value name or number; bytes as base64 (standard or
   URL-safe, padding optional); floats as numbers or "NaN", "Infinity", "-Infinity";
   null leaves a field at its default; map fields are objects. Anything else (an
   unknown member, a wrong type, a number out of range, a string with a NUL) is refused
   with the dotted proto path of the field ("enterprise.operating_revenue", "ids[2]")
   and a reason. A message built here is freed with protobuf_c_message_free_unpacked
   (message, NULL): every part is malloc'd the way protobuf-c's own unpack does it. */
typedef struct {
    char field [256];           /* dotted proto path of the offending field ("" = the text itself) */
    char reason [512];
} inv_json_error_t;

/* Parse text (len bytes, not necessarily NUL-terminated) into a new message of desc.
   An empty text (only white space) is an empty message. NULL on failure, with err set. */
ProtobufCMessage *inv_json_to_pb (const ProtobufCMessageDescriptor *desc, const char *text,
                                  size_t len, inv_json_error_t *err);
/* Merge the members of a JSON object text into an existing message (fields given
   replace what is there; repeated fields are replaced). 0, or -1 with err set. When
   on_member is not NULL it is called with the proto name of each top-level member
   given (for update masks: the fields a PATCH names). */
int inv_json_merge_pb (ProtobufCMessage *message, const char *text, size_t len,
                       inv_json_error_t *err,
                       void (*on_member) (void *arg, const char *proto_name), void *arg);
/* Set one field, by dotted proto or json path ("enterprise.credit_code"), from text as
   a query string gives it: a string is taken as is, numbers, booleans
   (true/false/1/0) and enums (name or number) are parsed, a repeated field gets one
   more element, missing sub-messages are created. 0, or -1 with err set. */
int inv_json_set_field (ProtobufCMessage *message, const char *path, const char *text,
                        inv_json_error_t *err);
/* The field a dotted path names (json or proto names), or NULL; *owner_desc_p gets the
   descriptor of the message holding it. */
const ProtobufCFieldDescriptor *inv_json_find_field (const ProtobufCMessageDescriptor *desc,
                                                     const char *path,
                                                     const ProtobufCMessageDescriptor **owner_desc_p);
/* lowerCamelCase json name of a proto field name into buf. */
const char *inv_json_name (const char *proto_name, char *buf, size_t size);

void inv_json_test (bool verbose);
#endif
