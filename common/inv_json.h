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

/* Reading, for scripts and tests that check what was printed (not a document model):
   inv_json_valid checks text against RFC 8259 (reason: what and at which byte).
   inv_json_get returns the value at path ("enterprise.creditCode", "rows[2].key",
   "[0]"; "" is the whole text) as malloc'd text: a string unescaped, anything else as
   its JSON text; NULL when the text is not valid JSON or the path is absent.
   inv_json_length counts the elements of the array (or members of the object) at path. */
bool   inv_json_valid (const char *text, char *reason, size_t size);
char  *inv_json_get (const char *text, const char *path);
size_t inv_json_length (const char *text, const char *path);
void inv_json_test (bool verbose);
#endif
