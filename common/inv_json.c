/*  inv_json: protobuf messages to JSON, generically from protobuf-c descriptors.

    One walker serves every message: it reads each field through its descriptor
    (offset, quantifier offset, label, type) and writes the proto3 JSON mapping:
      - names are the lowerCamelCase json names protoc derives ("credit_code" ->
        "creditCode"); fields come in field-number order, as the descriptor lists them;
      - 32-bit integers are numbers; 64-bit integers are strings (JavaScript loses
        precision above 2^53); doubles and floats are the shortest text that reads
        back to the same value, and NaN / Infinity / -Infinity are strings;
      - enums are their value names (an unknown number stays a number); bytes are
        standard base64 with padding; nested messages are objects;
      - repeated fields are arrays; map fields (repeated XxxEntry messages with key and
        value) are objects keyed by the key's text;
      - oneof members are written when they are the case that is set, even when zero;
      - proto3 fields holding their default (0, "", false, empty bytes, first enum
        value, empty list) are left out unless emit_defaults; absent messages and
        unset proto2 optionals are always left out.
    Strings are copied as UTF-8, with the JSON escapes for quote, backslash and control
    characters, \u2028 / \u2029 escaped (so the text is also safe inside JavaScript),
    and each byte that does not start a valid UTF-8 sequence replaced by U+FFFD, so
    the output is always valid JSON.

    The output goes to a FILE (open_memstream for the malloc'd text), so the same
    writer serves inv_json_write_string for callers that build JSON of their own.

    A small reader completes the writer: inv_json_valid checks a text against RFC 8259
    and inv_json_get pulls one value out by path. Scripts and tests use them to read
    what innovctl and the gateway print; they are not a general document model.
*/
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <stdio_ext.h>
#include "inv_json.h"

/* ---- strings --------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s does not start one. */
static size_t
s_utf8_len (const unsigned char *s)
{
    unsigned char c = s [0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (s [1] & 0xC0) == 0x80? 2: 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0? 0xA0: 0x80;
        unsigned char hi = c == 0xED? 0x9F: 0xBF;
        if (s [1] < lo || s [1] > hi || (s [2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0? 0x90: 0x80;
        unsigned char hi = c == 0xF4? 0x8F: 0xBF;
        if (s [1] < lo || s [1] > hi || (s [2] & 0xC0) != 0x80 || (s [3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

static void
s_write_string_n (FILE *out, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *) (text? text: "");
    const unsigned char *end = p + (text? len: 0);
    fputc ('"', out);
    while (p < end) {
        unsigned char c = *p;
        switch (c) {
            case '"':  fputs ("\\\"", out); p++; continue;
            case '\\': fputs ("\\\\", out); p++; continue;
            case '\b': fputs ("\\b", out); p++; continue;
            case '\f': fputs ("\\f", out); p++; continue;
            case '\n': fputs ("\\n", out); p++; continue;
            case '\r': fputs ("\\r", out); p++; continue;
            case '\t': fputs ("\\t", out); p++; continue;
            default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            fprintf (out, "\\u%04x", c);
            p++;
            continue;
        }
        if (c < 0x80) {
            fputc (c, out);
            p++;
            continue;
        }
        /* A sequence must fit before end: copy the tail into a padded buffer */
        unsigned char seq [5] = { 0 };
        size_t avail = (size_t) (end - p) < 4? (size_t) (end - p): 4;
        memcpy (seq, p, avail);
        size_t n = s_utf8_len (seq);
        if (n == 0 || n > avail) {
            fputs ("\\ufffd", out);
            p++;
            continue;
        }
        if (n == 3 && seq [0] == 0xE2 && seq [1] == 0x80 && (seq [2] == 0xA8 || seq [2] == 0xA9))
            fprintf (out, "\\u%04x", seq [2] == 0xA8? 0x2028: 0x2029);
        else
            fwrite (p, 1, n, out);
        p += n;
    }
    fputc ('"', out);
}

void
inv_json_write_string (FILE *out, const char *text)
{
    s_write_string_n (out, text, text? strlen (text): 0);
}

/* ---- numbers --------------------------------------------------------------------------- */

static void
s_write_double (FILE *out, double value)
{
    if (isnan (value)) {
        fputs ("\"NaN\"", out);
        return;
    }
    if (isinf (value)) {
        fputs (value > 0? "\"Infinity\"": "\"-Infinity\"", out);
        return;
    }
    char text [40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf (text, sizeof text, "%.*g", precision, value);
        if (strtod (text, NULL) == value)
            break;
    }
    fputs (text, out);
}

static void
s_write_float (FILE *out, float value)
{
    if (isnan (value) || isinf (value)) {
        s_write_double (out, value);
        return;
    }
    char text [40];
    for (int precision = 1; precision <= 9; precision++) {
        snprintf (text, sizeof text, "%.*g", precision, (double) value);
        if (strtof (text, NULL) == value)
            break;
    }
    fputs (text, out);
}

static void
s_write_base64 (FILE *out, const uint8_t *data, size_t len)
{
    static const char alphabet [] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputc ('"', out);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t chunk = (uint32_t) data [i] << 16;
        if (i + 1 < len) chunk |= (uint32_t) data [i + 1] << 8;
        if (i + 2 < len) chunk |= data [i + 2];
        fputc (alphabet [(chunk >> 18) & 63], out);
        fputc (alphabet [(chunk >> 12) & 63], out);
        fputc (i + 1 < len? alphabet [(chunk >> 6) & 63]: '=', out);
        fputc (i + 2 < len? alphabet [chunk & 63]: '=', out);
    }
    fputc ('"', out);
}

/* ---- the walker ------------------------------------------------------------------------ */

typedef struct {
    FILE *out;
    bool pretty;
    bool emit_defaults;
    int depth;
} writer_t;

static void s_write_message (writer_t *w, const ProtobufCMessage *message);

static void
s_newline (writer_t *w)
{
    if (w->pretty) {
        fputc ('\n', w->out);
        for (int i = 0; i < w->depth; i++)
            fputs ("  ", w->out);
    }
}

/* Start a member or element: comma after the first, then newline and indent. */
static void
s_next_item (writer_t *w, bool *first)
{
    if (!*first)
        fputc (',', w->out);
    *first = false;
    s_newline (w);
}

/* protoc's json_name: drop each underscore and upper-case the letter after it. */
static void
s_write_json_name (writer_t *w, const char *name)
{
    char json [256];
    size_t len = 0;
    bool upper = false;
    for (const char *p = name; *p && len < sizeof json - 1; p++) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        json [len++] = upper? (char) toupper ((unsigned char) *p): *p;
        upper = false;
    }
    json [len] = '\0';
    inv_json_write_string (w->out, json);
    fputs (w->pretty? ": ": ":", w->out);
}

size_t
inv_json_value_size (ProtobufCType type)
{
    switch (type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
            return 4;
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return 8;
        case PROTOBUF_C_TYPE_FLOAT:
            return sizeof (float);
        case PROTOBUF_C_TYPE_DOUBLE:
            return sizeof (double);
        case PROTOBUF_C_TYPE_BOOL:
            return sizeof (protobuf_c_boolean);
        case PROTOBUF_C_TYPE_STRING:
            return sizeof (char *);
        case PROTOBUF_C_TYPE_BYTES:
            return sizeof (ProtobufCBinaryData);
        case PROTOBUF_C_TYPE_MESSAGE:
            return sizeof (ProtobufCMessage *);
    }
    return 0;
}

/* True if the single value at member holds the type's default (zero) value. */
static bool
s_is_default (const ProtobufCFieldDescriptor *field, const void *member)
{
    switch (field->type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
            return *(const uint32_t *) member == 0;
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return *(const uint64_t *) member == 0;
        case PROTOBUF_C_TYPE_FLOAT: {
            float f = *(const float *) member;
            return f == 0 && !signbit (f);
        }
        case PROTOBUF_C_TYPE_DOUBLE: {
            double d = *(const double *) member;
            return d == 0 && !signbit (d);
        }
        case PROTOBUF_C_TYPE_BOOL:
            return !*(const protobuf_c_boolean *) member;
        case PROTOBUF_C_TYPE_STRING: {
            const char *s = *(char * const *) member;
            return !s || !*s;
        }
        case PROTOBUF_C_TYPE_BYTES:
            return ((const ProtobufCBinaryData *) member)->len == 0;
        case PROTOBUF_C_TYPE_MESSAGE:
            return *(ProtobufCMessage * const *) member == NULL;
    }
    return true;
}

static void
s_write_enum (writer_t *w, const ProtobufCEnumDescriptor *desc, int value)
{
    const ProtobufCEnumValue *found = desc? protobuf_c_enum_descriptor_get_value (desc, value): NULL;
    if (found)
        inv_json_write_string (w->out, found->name);
    else
        fprintf (w->out, "%d", value);
}

/* One value of field at member (an element of a repeated field or a singular field). */
static void
s_write_value (writer_t *w, const ProtobufCFieldDescriptor *field, const void *member)
{
    FILE *out = w->out;
    switch (field->type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
            fprintf (out, "%" PRId32, *(const int32_t *) member);
            break;
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
            fprintf (out, "%" PRIu32, *(const uint32_t *) member);
            break;
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
            fprintf (out, "\"%" PRId64 "\"", *(const int64_t *) member);
            break;
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            fprintf (out, "\"%" PRIu64 "\"", *(const uint64_t *) member);
            break;
        case PROTOBUF_C_TYPE_FLOAT:
            s_write_float (out, *(const float *) member);
            break;
        case PROTOBUF_C_TYPE_DOUBLE:
            s_write_double (out, *(const double *) member);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            fputs (*(const protobuf_c_boolean *) member? "true": "false", out);
            break;
        case PROTOBUF_C_TYPE_ENUM:
            s_write_enum (w, field->descriptor, *(const int *) member);
            break;
        case PROTOBUF_C_TYPE_STRING:
            inv_json_write_string (out, *(char * const *) member);
            break;
        case PROTOBUF_C_TYPE_BYTES: {
            const ProtobufCBinaryData *data = member;
            s_write_base64 (out, data->data, data->len);
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub = *(ProtobufCMessage * const *) member;
            if (sub)
                s_write_message (w, sub);
            else
                fputs ("{}", out);
            break;
        }
    }
}

bool
inv_json_is_map (const ProtobufCFieldDescriptor *field)
{
    if (field->label != PROTOBUF_C_LABEL_REPEATED || field->type != PROTOBUF_C_TYPE_MESSAGE)
        return false;
    const ProtobufCMessageDescriptor *entry = field->descriptor;
    if (!entry || entry->n_fields != 2)
        return false;
    size_t len = strlen (entry->short_name);
    return len > 5 && strcmp (entry->short_name + len - 5, "Entry") == 0
        && strcmp (entry->fields [0].name, "key") == 0 && entry->fields [0].id == 1
        && strcmp (entry->fields [1].name, "value") == 0 && entry->fields [1].id == 2;
}

static void
s_write_map (writer_t *w, const ProtobufCFieldDescriptor *field, size_t count,
             ProtobufCMessage * const *entries)
{
    const ProtobufCMessageDescriptor *entry_desc = field->descriptor;
    const ProtobufCFieldDescriptor *key_field = &entry_desc->fields [0];
    const ProtobufCFieldDescriptor *value_field = &entry_desc->fields [1];
    fputc ('{', w->out);
    w->depth++;
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        const char *base = (const char *) entries [i];
        const void *key = base + key_field->offset;
        s_next_item (w, &first);
        if (key_field->type == PROTOBUF_C_TYPE_STRING)
            inv_json_write_string (w->out, *(char * const *) key);
        else
        if (key_field->type == PROTOBUF_C_TYPE_BOOL)
            fputs (*(const protobuf_c_boolean *) key? "\"true\"": "\"false\"", w->out);
        else {
            /* Integer keys: write the number, quoted */
            char *text = NULL;
            size_t len = 0;
            FILE *mem = open_memstream (&text, &len);
            writer_t sub = { mem, false, false, 0 };
            s_write_value (&sub, key_field, key);
            fclose (mem);
            const char *digits = text [0] == '"'? text + 1: text;
            size_t n = strlen (digits);
            if (n && digits [n - 1] == '"')
                n--;
            s_write_string_n (w->out, digits, n);
            free (text);
        }
        fputs (w->pretty? ": ": ":", w->out);
        s_write_value (w, value_field, base + value_field->offset);
    }
    w->depth--;
    if (!first)
        s_newline (w);
    fputc ('}', w->out);
}

static void
s_write_repeated (writer_t *w, const ProtobufCFieldDescriptor *field, size_t count,
                  const char *array)
{
    if (inv_json_is_map (field)) {
        s_write_map (w, field, count, (ProtobufCMessage * const *) array);
        return;
    }
    size_t size = inv_json_value_size (field->type);
    fputc ('[', w->out);
    w->depth++;
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        s_next_item (w, &first);
        s_write_value (w, field, array + i * size);
    }
    w->depth--;
    if (!first)
        s_newline (w);
    fputc (']', w->out);
}

/* Whether a singular field is written, by its label and presence. */
static bool
s_field_present (const writer_t *w, const ProtobufCMessage *message,
                 const ProtobufCFieldDescriptor *field, const void *member)
{
    const char *base = (const char *) message;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *) (base + field->quantifier_offset) == field->id;
    if (field->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(ProtobufCMessage * const *) member != NULL;
    switch (field->label) {
        case PROTOBUF_C_LABEL_REQUIRED:
            return true;
        case PROTOBUF_C_LABEL_OPTIONAL:
            /* proto2 optional / proto3 optional: has_ flag, or a non-default pointer */
            if (field->type == PROTOBUF_C_TYPE_STRING) {
                const char *s = *(char * const *) member;
                return s && s != field->default_value;
            }
            return *(const protobuf_c_boolean *) (base + field->quantifier_offset) != 0;
        case PROTOBUF_C_LABEL_NONE:
        default:
            return w->emit_defaults || !s_is_default (field, member);
    }
}

static void
s_write_message (writer_t *w, const ProtobufCMessage *message)
{
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    const char *base = (const char *) message;
    bool first = true;
    fputc ('{', w->out);
    w->depth++;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields [i];
        const void *member = base + field->offset;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) (base + field->quantifier_offset);
            if (count == 0 && !w->emit_defaults)
                continue;
            s_next_item (w, &first);
            s_write_json_name (w, field->name);
            s_write_repeated (w, field, count, *(char * const *) member);
            continue;
        }
        if (!s_field_present (w, message, field, member))
            continue;
        s_next_item (w, &first);
        s_write_json_name (w, field->name);
        s_write_value (w, field, member);
    }
    w->depth--;
    if (!first)
        s_newline (w);
    fputc ('}', w->out);
}

char *
inv_json_from_pb (const ProtobufCMessage *message, bool pretty, bool emit_defaults)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    if (!out)
        return NULL;
    __fsetlocking (out, FSETLOCKING_BYCALLER);     /* the stream is this call's alone */
    writer_t w = { out, pretty, emit_defaults, 0 };
    if (message)
        s_write_message (&w, message);
    else
        fputs ("null", out);
    if (fclose (out) != 0) {
        free (text);
        return NULL;
    }
    return text;
}

/* ---- reading --------------------------------------------------------------------------- */

#define MAX_DEPTH 256

typedef struct {
    const char *p;
    const char *start;
    const char *error;
} reader_t;

static void
s_skip_space (reader_t *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static bool
s_fail_at (reader_t *r, const char *what)
{
    if (!r->error)
        r->error = what;
    return false;
}

static int
s_hex4 (const char *p)
{
    int value = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char) p [i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        value = value * 16 + d;
    }
    return value;
}

static void
s_put_utf8 (FILE *out, uint32_t cp)
{
    if (cp < 0x80)
        fputc ((int) cp, out);
    else
    if (cp < 0x800) {
        fputc (0xC0 | (cp >> 6), out);
        fputc (0x80 | (cp & 0x3F), out);
    }
    else
    if (cp < 0x10000) {
        fputc (0xE0 | (cp >> 12), out);
        fputc (0x80 | ((cp >> 6) & 0x3F), out);
        fputc (0x80 | (cp & 0x3F), out);
    }
    else {
        fputc (0xF0 | (cp >> 18), out);
        fputc (0x80 | ((cp >> 12) & 0x3F), out);
        fputc (0x80 | ((cp >> 6) & 0x3F), out);
        fputc (0x80 | (cp & 0x3F), out);
    }
}

/* Reads a string at r->p (on the opening quote); writes its text to out if not NULL. */
static bool
s_read_string (reader_t *r, FILE *out)
{
    if (*r->p != '"')
        return s_fail_at (r, "expected a string");
    r->p++;
    while (*r->p != '"') {
        unsigned char c = (unsigned char) *r->p;
        if (c == '\0')
            return s_fail_at (r, "unterminated string");
        if (c < 0x20)
            return s_fail_at (r, "control character in string");
        if (c == '\\') {
            char e = r->p [1];
            const char *simple = strchr ("\"\\/bfnrt", e);
            if (e && simple) {
                static const char decoded [] = "\"\\/\b\f\n\r\t";
                if (out)
                    fputc (decoded [simple - "\"\\/bfnrt"], out);
                r->p += 2;
                continue;
            }
            if (e != 'u')
                return s_fail_at (r, "bad escape in string");
            int hi = s_hex4 (r->p + 2);
            if (hi < 0)
                return s_fail_at (r, "bad \\u escape in string");
            r->p += 6;
            uint32_t cp = (uint32_t) hi;
            if (hi >= 0xD800 && hi <= 0xDBFF && r->p [0] == '\\' && r->p [1] == 'u') {
                int lo = s_hex4 (r->p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + (((uint32_t) hi - 0xD800) << 10) + ((uint32_t) lo - 0xDC00);
                    r->p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;            /* lone surrogate */
            if (out)
                s_put_utf8 (out, cp);
            continue;
        }
        size_t n = s_utf8_len ((const unsigned char *) r->p);
        if (n == 0)
            return s_fail_at (r, "invalid UTF-8 in string");
        if (out)
            fwrite (r->p, 1, n, out);
        r->p += n;
    }
    r->p++;
    return true;
}

static bool
s_read_number (reader_t *r)
{
    const char *p = r->p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else
    if (*p >= '1' && *p <= '9')
        while (isdigit ((unsigned char) *p)) p++;
    else
        return s_fail_at (r, "expected a value");
    if (*p == '.') {
        p++;
        if (!isdigit ((unsigned char) *p))
            return s_fail_at (r, "expected a digit after the decimal point");
        while (isdigit ((unsigned char) *p)) p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit ((unsigned char) *p))
            return s_fail_at (r, "expected a digit in the exponent");
        while (isdigit ((unsigned char) *p)) p++;
    }
    r->p = p;
    return true;
}

static bool s_skip_value (reader_t *r, int depth);

static bool
s_skip_container (reader_t *r, int depth, char close)
{
    if (depth > MAX_DEPTH)
        return s_fail_at (r, "nested too deeply");
    r->p++;
    s_skip_space (r);
    if (*r->p == close) {
        r->p++;
        return true;
    }
    while (true) {
        if (close == '}') {
            if (!s_read_string (r, NULL))
                return false;
            s_skip_space (r);
            if (*r->p != ':')
                return s_fail_at (r, "expected ':'");
            r->p++;
        }
        if (!s_skip_value (r, depth + 1))
            return false;
        s_skip_space (r);
        if (*r->p == ',') {
            r->p++;
            s_skip_space (r);
            continue;
        }
        if (*r->p == close) {
            r->p++;
            return true;
        }
        return s_fail_at (r, close == '}'? "expected ',' or '}'": "expected ',' or ']'");
    }
}

static bool
s_skip_value (reader_t *r, int depth)
{
    s_skip_space (r);
    switch (*r->p) {
        case '{': return s_skip_container (r, depth, '}');
        case '[': return s_skip_container (r, depth, ']');
        case '"': return s_read_string (r, NULL);
        case 't': if (strncmp (r->p, "true", 4) == 0) { r->p += 4; return true; } break;
        case 'f': if (strncmp (r->p, "false", 5) == 0) { r->p += 5; return true; } break;
        case 'n': if (strncmp (r->p, "null", 4) == 0) { r->p += 4; return true; } break;
        default: return s_read_number (r);
    }
    return s_fail_at (r, "expected a value");
}

bool
inv_json_valid (const char *text, char *reason, size_t size)
{
    reader_t r = { text? text: "", text? text: "", NULL };
    bool ok = s_skip_value (&r, 0);
    if (ok) {
        s_skip_space (&r);
        if (*r.p)
            ok = s_fail_at (&r, "text after the value");
    }
    if (!ok && reason && size)
        snprintf (reason, size, "%s at byte %zu", r.error, (size_t) (r.p - r.start));
    return ok;
}

/* Moves r past the character c at r->p and the space after it; false if c is not there. */
static bool
s_expect (reader_t *r, char c)
{
    if (*r->p != c)
        return false;
    r->p++;
    s_skip_space (r);
    return true;
}

/* Moves r into the object or array (opened by `open`, closed by `close`) at r->p, onto
   its first member or element; false if there is none. */
static bool
s_enter (reader_t *r, char open, char close)
{
    s_skip_space (r);
    return s_expect (r, open) && *r->p != close;
}

/* Moves r past the value at r->p and the comma after it; false at the end of the
   object or array. */
static bool
s_next (reader_t *r)
{
    if (!s_skip_value (r, 1))
        return false;
    s_skip_space (r);
    return s_expect (r, ',');
}

/* Moves r onto the member `key` of the object at r->p; false if absent. */
static bool
s_find_member (reader_t *r, const char *key, size_t key_len)
{
    if (!s_enter (r, '{', '}'))
        return false;
    while (true) {
        char *name = NULL;
        size_t len = 0;
        FILE *mem = open_memstream (&name, &len);
        bool ok = s_read_string (r, mem);
        fclose (mem);
        bool match = ok && len == key_len && memcmp (name, key, len) == 0;
        free (name);
        if (!ok)
            return false;
        s_skip_space (r);
        if (!s_expect (r, ':'))
            return false;
        if (match)
            return true;
        if (!s_next (r))
            return false;
    }
}

/* Moves r onto element `index` of the array at r->p; false if absent. */
static bool
s_find_element (reader_t *r, size_t index)
{
    if (!s_enter (r, '[', ']'))
        return false;
    for (size_t i = 0; i < index; i++)
        if (!s_next (r))
            return false;
    return true;
}

/* Moves r onto the value at path in text (which must be valid JSON); false if absent. */
static bool
s_locate (reader_t *r, const char *path)
{
    const char *p = path? path: "";
    while (*p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            char *end = NULL;
            unsigned long index = strtoul (p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || !s_find_element (r, index))
                return false;
            p = end + 1;
            continue;
        }
        size_t len = strcspn (p, ".[");
        if (!s_find_member (r, p, len))
            return false;
        p += len;
    }
    s_skip_space (r);
    return true;
}

char *
inv_json_get (const char *text, const char *path)
{
    if (!text || !inv_json_valid (text, NULL, 0))
        return NULL;
    reader_t r = { text, text, NULL };
    if (!s_locate (&r, path))
        return NULL;
    char *value = NULL;
    size_t len = 0;
    FILE *mem = open_memstream (&value, &len);
    if (*r.p == '"')
        s_read_string (&r, mem);
    else {
        const char *start = r.p;
        s_skip_value (&r, 0);
        fwrite (start, 1, (size_t) (r.p - start), mem);
    }
    fclose (mem);
    return value;
}

size_t
inv_json_length (const char *text, const char *path)
{
    //  Counted on the text itself: a string value is never a container, even when
    //  its content looks like one.
    if (!text || !inv_json_valid (text, NULL, 0))
        return 0;
    reader_t r = { text, text, NULL };
    if (!s_locate (&r, path))
        return 0;
    size_t count = 0;
    if (*r.p == '[' || *r.p == '{') {
        char close = *r.p == '['? ']': '}';
        r.p++;
        s_skip_space (&r);
        while (*r.p && *r.p != close) {
            if (close == '}') {
                if (!s_read_string (&r, NULL))
                    break;
                s_skip_space (&r);
                if (*r.p != ':')
                    break;
                r.p++;
            }
            if (!s_skip_value (&r, 1))
                break;
            count++;
            s_skip_space (&r);
            if (*r.p == ',')
                r.p++;
            s_skip_space (&r);
        }
    }
    return count;
}

/* ---- self test ------------------------------------------------------------------------- */

void
inv_json_test (bool verbose)
{
    if (verbose)
        printf (" * inv_json: ");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    inv_json_write_string (out, "a\"b\\c\n\x01\xE5\xA4\xAA\xFF");
    fclose (out);
    assert (strcmp (text, "\"a\\\"b\\\\c\\n\\u0001\xE5\xA4\xAA\\ufffd\"") == 0);
    assert (inv_json_valid (text, NULL, 0));
    char *value = inv_json_get ("{\"a\":[1,{\"b\":\"x\\u00e9\"}]}", "a[1].b");
    assert (value && strcmp (value, "x\xC3\xA9") == 0);
    free (value);
    free (text);
    assert (!inv_json_valid ("{\"a\":}", NULL, 0));
    if (verbose)
        printf ("OK\n");
}
