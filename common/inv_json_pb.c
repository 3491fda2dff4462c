/*  inv_json_pb: JSON to protobuf, generically from protobuf-c descriptors (the reverse
    of inv_json_from_pb; the contract is in inv_json.h).

    jansson parses the text into a tree (with JSON_REJECT_DUPLICATES, so a member given
    twice is refused rather than silently taking the last); one walker then fills a
    message from an object by its descriptor: for each member it finds the field (json
    name first, proto name second), checks the JSON type against the field type and
    stores the value at the field's offset, setting the quantifier (has_ flag, oneof
    case, element count) the way protobuf-c's unpack does. Every part is malloc'd, so
    protobuf_c_message_free_unpacked (message, NULL) frees a message built here, also
    one abandoned half-way on an error: an element is counted only once it is whole.

    Errors carry the dotted proto path of the field, built on the way down
    ("enterprise.alliances[1]"), and a sentence naming the expected type.
*/
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "inv_json.h"

#define MAX_DEPTH 64

typedef struct {
    inv_json_error_t *err;
    char path [256];
} walk_t;

static int
s_fail (walk_t *w, const char *fmt, ...)
{
    if (w->err) {
        snprintf (w->err->field, sizeof w->err->field, "%s", w->path);
        va_list args;
        va_start (args, fmt);
        vsnprintf (w->err->reason, sizeof w->err->reason, fmt, args);
        va_end (args);
    }
    return -1;
}

/* Extend the path with ".name" or "[i]"; returns the old length to restore. */
static size_t
s_push (walk_t *w, const char *name, long index)
{
    size_t len = strlen (w->path);
    if (name)
        snprintf (w->path + len, sizeof w->path - len, "%s%s", len? ".": "", name);
    else
        snprintf (w->path + len, sizeof w->path - len, "[%ld]", index);
    return len;
}

static void
s_pop (walk_t *w, size_t len)
{
    w->path [len] = '\0';
}

const char *
inv_json_name (const char *proto_name, char *buf, size_t size)
{
    size_t len = 0;
    bool upper = false;
    for (const char *p = proto_name; *p && len + 1 < size; p++) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        buf [len++] = upper? (char) toupper ((unsigned char) *p): *p;
        upper = false;
    }
    if (size)
        buf [len] = '\0';
    return buf;
}

static const ProtobufCFieldDescriptor *
s_field_by_name (const ProtobufCMessageDescriptor *desc, const char *name, size_t len)
{
    char buf [256];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields [i];
        inv_json_name (f->name, buf, sizeof buf);
        if (strlen (buf) == len && memcmp (buf, name, len) == 0)
            return f;
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields [i];
        if (strlen (f->name) == len && memcmp (f->name, name, len) == 0)
            return f;
    }
    return NULL;
}

const ProtobufCFieldDescriptor *
inv_json_find_field (const ProtobufCMessageDescriptor *desc, const char *path,
                     const ProtobufCMessageDescriptor **owner_desc_p)
{
    const char *p = path;
    while (desc) {
        const char *dot = strchr (p, '.');
        size_t len = dot? (size_t) (dot - p): strlen (p);
        const ProtobufCFieldDescriptor *f = s_field_by_name (desc, p, len);
        if (!f)
            return NULL;
        if (!dot) {
            if (owner_desc_p)
                *owner_desc_p = desc;
            return f;
        }
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
            return NULL;
        desc = f->descriptor;
        p = dot + 1;
    }
    return NULL;
}

/* ---- scalars --------------------------------------------------------------------------- */

static bool
s_is_signed (ProtobufCType type)
{
    return type == PROTOBUF_C_TYPE_INT32 || type == PROTOBUF_C_TYPE_SINT32
        || type == PROTOBUF_C_TYPE_SFIXED32 || type == PROTOBUF_C_TYPE_INT64
        || type == PROTOBUF_C_TYPE_SINT64 || type == PROTOBUF_C_TYPE_SFIXED64;
}

/* A 64-bit integer type (pointers are 8 bytes too: strings and messages are not). */
static bool
s_is_64 (ProtobufCType type)
{
    return type == PROTOBUF_C_TYPE_INT64 || type == PROTOBUF_C_TYPE_SINT64
        || type == PROTOBUF_C_TYPE_SFIXED64 || type == PROTOBUF_C_TYPE_UINT64
        || type == PROTOBUF_C_TYPE_FIXED64;
}

/* Whole number from text: all of it must be digits (with a sign for signed types). */
static int
s_parse_integer (walk_t *w, const ProtobufCFieldDescriptor *f, const char *text, void *out)
{
    const char *kind = s_is_signed (f->type)? "an integer": "a non-negative integer";
    const char *bits = s_is_64 (f->type)? "64-bit": "32-bit";
    if (!*text || isspace ((unsigned char) *text))
        return s_fail (w, "\"%s\" is not %s", text, kind);
    char *end = NULL;
    errno = 0;
    if (s_is_signed (f->type)) {
        long long v = strtoll (text, &end, 10);
        if (*end || errno == EINVAL)
            return s_fail (w, "\"%s\" is not %s", text, kind);
        if (errno == ERANGE || (!s_is_64 (f->type) && (v < INT32_MIN || v > INT32_MAX)))
            return s_fail (w, "%s is out of range for a %s integer", text, bits);
        if (s_is_64 (f->type))
            *(int64_t *) out = v;
        else
            *(int32_t *) out = (int32_t) v;
    }
    else {
        if (*text == '-')
            return s_fail (w, "\"%s\" is not %s", text, kind);
        unsigned long long v = strtoull (text, &end, 10);
        if (*end || errno == EINVAL)
            return s_fail (w, "\"%s\" is not %s", text, kind);
        if (errno == ERANGE || (!s_is_64 (f->type) && v > UINT32_MAX))
            return s_fail (w, "%s is out of range for an unsigned %s integer", text, bits);
        if (s_is_64 (f->type))
            *(uint64_t *) out = v;
        else
            *(uint32_t *) out = (uint32_t) v;
    }
    return 0;
}

static int
s_parse_real (walk_t *w, const ProtobufCFieldDescriptor *f, const char *text, void *out)
{
    double v;
    if (strcmp (text, "NaN") == 0)
        v = NAN;
    else
    if (strcmp (text, "Infinity") == 0)
        v = INFINITY;
    else
    if (strcmp (text, "-Infinity") == 0)
        v = -INFINITY;
    else {
        char *end = NULL;
        if (!*text || isspace ((unsigned char) *text))
            return s_fail (w, "\"%s\" is not a number", text);
        v = strtod (text, &end);
        if (*end || isnan (v) || isinf (v))
            return s_fail (w, "\"%s\" is not a number", text);
    }
    if (f->type == PROTOBUF_C_TYPE_FLOAT)
        *(float *) out = (float) v;
    else
        *(double *) out = v;
    return 0;
}

static int
s_parse_enum (walk_t *w, const ProtobufCFieldDescriptor *f, const char *text, void *out)
{
    const ProtobufCEnumDescriptor *e = f->descriptor;
    const ProtobufCEnumValue *value = protobuf_c_enum_descriptor_get_value_by_name (e, text);
    if (!value) {
        /* a number given as text */
        char *end = NULL;
        long n = strtol (text, &end, 10);
        if (*text && !*end && n >= INT32_MIN && n <= INT32_MAX
        &&  protobuf_c_enum_descriptor_get_value (e, (int) n)) {
            *(int *) out = (int) n;
            return 0;
        }
        char names [400] = "";
        size_t used = 0;
        for (unsigned i = 0; i < e->n_values && used < sizeof names; i++)
            used += snprintf (names + used, sizeof names - used, "%s%s", i? ", ": "", e->values [i].name);
        return s_fail (w, "\"%s\" is not one of %s", text, names);
    }
    *(int *) out = value->value;
    return 0;
}

static int
s_base64_value (int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

static int
s_parse_bytes (walk_t *w, const char *text, ProtobufCBinaryData *out)
{
    size_t len = strlen (text);
    while (len && text [len - 1] == '=')
        len--;
    uint8_t *data = malloc (len * 3 / 4 + 1);
    if (!data)
        return s_fail (w, "out of memory");
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = s_base64_value ((unsigned char) text [i]);
        if (v < 0) {
            free (data);
            return s_fail (w, "is not base64 (character %zu)", i + 1);
        }
        acc = (acc << 6) | (uint32_t) v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            data [n++] = (uint8_t) (acc >> bits);
        }
    }
    if (len % 4 == 1) {
        free (data);
        return s_fail (w, "is not base64 (wrong length)");
    }
    out->data = data;
    out->len = n;
    return 0;
}

/* A scalar from text (query strings, path parameters, quoted JSON numbers). */
static int
s_scalar_from_text (walk_t *w, const ProtobufCFieldDescriptor *f, const char *text, void *out)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return s_parse_integer (w, f, text, out);
        case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE:
            return s_parse_real (w, f, text, out);
        case PROTOBUF_C_TYPE_BOOL:
            if (strcmp (text, "true") == 0 || strcmp (text, "1") == 0)
                *(protobuf_c_boolean *) out = 1;
            else
            if (strcmp (text, "false") == 0 || strcmp (text, "0") == 0 || !*text)
                *(protobuf_c_boolean *) out = 0;
            else
                return s_fail (w, "\"%s\" is not true or false", text);
            return 0;
        case PROTOBUF_C_TYPE_ENUM:
            return s_parse_enum (w, f, text, out);
        case PROTOBUF_C_TYPE_STRING: {
            char *copy = strdup (text);
            if (!copy)
                return s_fail (w, "out of memory");
            *(char **) out = copy;
            return 0;
        }
        case PROTOBUF_C_TYPE_BYTES:
            return s_parse_bytes (w, text, out);
        case PROTOBUF_C_TYPE_MESSAGE:
            return s_fail (w, "is a message: give it as a JSON object");
    }
    return s_fail (w, "has an unknown type");
}

static const char *
s_type_word (ProtobufCType type)
{
    switch (type) {
        case PROTOBUF_C_TYPE_BOOL: return "true or false";
        case PROTOBUF_C_TYPE_STRING: return "a string";
        case PROTOBUF_C_TYPE_BYTES: return "a base64 string";
        case PROTOBUF_C_TYPE_ENUM: return "an enum name (string)";
        case PROTOBUF_C_TYPE_MESSAGE: return "an object";
        case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE: return "a number";
        default: return s_is_64 (type)? "an integer (number or string)": "an integer";
    }
}

static const char *
s_json_kind (const json_t *v)
{
    switch (json_typeof (v)) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: case JSON_REAL: return "a number";
        case JSON_TRUE: case JSON_FALSE: return "a boolean";
        case JSON_NULL: return "null";
    }
    return "a value";
}

static int s_fill_message (walk_t *w, ProtobufCMessage *message, const json_t *object, int depth,
                           void (*on_member) (void *, const char *), void *arg);

static ProtobufCMessage *
s_new_message (const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = malloc (desc->sizeof_message);
    if (m)
        protobuf_c_message_init (desc, m);
    return m;
}

/* One value (singular, or one element of a repeated field) into out. */
static int
s_value (walk_t *w, const ProtobufCFieldDescriptor *f, const json_t *v, void *out, int depth)
{
    ProtobufCType type = f->type;
    if (type == PROTOBUF_C_TYPE_MESSAGE) {
        if (!json_is_object (v))
            return s_fail (w, "expected an object, got %s", s_json_kind (v));
        ProtobufCMessage *sub = s_new_message (f->descriptor);
        if (!sub)
            return s_fail (w, "out of memory");
        if (s_fill_message (w, sub, v, depth + 1, NULL, NULL)) {
            protobuf_c_message_free_unpacked (sub, NULL);
            return -1;
        }
        *(ProtobufCMessage **) out = sub;
        return 0;
    }
    if (json_is_string (v)) {
        if (strlen (json_string_value (v)) != json_string_length (v))
            return s_fail (w, "a string may not hold a NUL character");
        if (type == PROTOBUF_C_TYPE_BOOL)
            return s_fail (w, "expected true or false, got a string");
        return s_scalar_from_text (w, f, json_string_value (v), out);
    }
    if (json_is_integer (v)) {
        json_int_t n = json_integer_value (v);
        char text [32];
        snprintf (text, sizeof text, "%" JSON_INTEGER_FORMAT, n);
        if (type == PROTOBUF_C_TYPE_ENUM) {
            if (n < INT32_MIN || n > INT32_MAX || !protobuf_c_enum_descriptor_get_value (f->descriptor, (int) n))
                return s_fail (w, "%s is not a value of %s", text, ((const ProtobufCEnumDescriptor *) f->descriptor)->name);
            *(int *) out = (int) n;
            return 0;
        }
        if (type == PROTOBUF_C_TYPE_FLOAT || type == PROTOBUF_C_TYPE_DOUBLE) {
            if (type == PROTOBUF_C_TYPE_FLOAT) *(float *) out = (float) n;
            else *(double *) out = (double) n;
            return 0;
        }
        if (type == PROTOBUF_C_TYPE_STRING || type == PROTOBUF_C_TYPE_BYTES || type == PROTOBUF_C_TYPE_BOOL)
            return s_fail (w, "expected %s, got a number", s_type_word (type));
        return s_parse_integer (w, f, text, out);
    }
    if (json_is_real (v)) {
        double d = json_real_value (v);
        if (type == PROTOBUF_C_TYPE_FLOAT || type == PROTOBUF_C_TYPE_DOUBLE) {
            if (type == PROTOBUF_C_TYPE_FLOAT) *(float *) out = (float) d;
            else *(double *) out = d;
            return 0;
        }
        if ((inv_json_value_size (type) == 4 && type != PROTOBUF_C_TYPE_BOOL) || s_is_64 (type)) {
            if (type != PROTOBUF_C_TYPE_ENUM && d == floor (d) && fabs (d) < 9007199254740992.0) {
                char text [40];
                snprintf (text, sizeof text, "%.0f", d);
                return s_parse_integer (w, f, text, out);
            }
            return s_fail (w, "expected %s, got %g", s_type_word (type), d);
        }
        return s_fail (w, "expected %s, got a number", s_type_word (type));
    }
    if (json_is_boolean (v)) {
        if (type != PROTOBUF_C_TYPE_BOOL)
            return s_fail (w, "expected %s, got a boolean", s_type_word (type));
        *(protobuf_c_boolean *) out = json_is_true (v);
        return 0;
    }
    return s_fail (w, "expected %s, got %s", s_type_word (type), s_json_kind (v));
}

/* Frees what a singular field holds (before it is replaced). */
static void
s_clear_singular (const ProtobufCFieldDescriptor *f, void *member)
{
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        char *s = *(char **) member;
        if (s && s != (const char *) f->default_value)
            free (s);
        *(char **) member = (char *) f->default_value;
    }
    else
    if (f->type == PROTOBUF_C_TYPE_BYTES) {
        ProtobufCBinaryData *b = member;
        const ProtobufCBinaryData *def = f->default_value;
        if (b->data && (!def || b->data != def->data))
            free (b->data);
        b->data = NULL;
        b->len = 0;
    }
    else
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage **m = member;
        if (*m)
            protobuf_c_message_free_unpacked (*m, NULL);
        *m = NULL;
    }
}

/* Frees the elements of a repeated field and empties it. */
static void
s_clear_repeated (ProtobufCMessage *message, const ProtobufCFieldDescriptor *f)
{
    char *base = (char *) message;
    size_t *count = (size_t *) (base + f->quantifier_offset);
    void **array = (void **) (base + f->offset);
    size_t size = inv_json_value_size (f->type);
    for (size_t i = 0; i < *count; i++) {
        void *element = (char *) *array + i * size;
        if (f->type == PROTOBUF_C_TYPE_STRING)
            free (*(char **) element);
        else
        if (f->type == PROTOBUF_C_TYPE_BYTES)
            free (((ProtobufCBinaryData *) element)->data);
        else
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            protobuf_c_message_free_unpacked (*(ProtobufCMessage **) element, NULL);
    }
    free (*array);
    *array = NULL;
    *count = 0;
}

/* Marks a singular field as present (has_ flag, oneof case), clearing another member
   of the same oneof first. */
static void
s_mark_present (ProtobufCMessage *message, const ProtobufCFieldDescriptor *f)
{
    char *base = (char *) message;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *the_case = (uint32_t *) (base + f->quantifier_offset);
        if (*the_case && *the_case != f->id) {
            const ProtobufCFieldDescriptor *old =
                protobuf_c_message_descriptor_get_field (message->descriptor, *the_case);
            if (old)
                s_clear_singular (old, base + old->offset);
        }
        *the_case = f->id;
    }
    else
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING
    &&  f->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *) (base + f->quantifier_offset) = 1;
}

static int
s_repeated (walk_t *w, ProtobufCMessage *message, const ProtobufCFieldDescriptor *f,
            const json_t *v, int depth)
{
    char *base = (char *) message;
    s_clear_repeated (message, f);
    size_t *count = (size_t *) (base + f->quantifier_offset);
    void **array = (void **) (base + f->offset);
    size_t size = inv_json_value_size (f->type);
    if (inv_json_is_map (f)) {
        if (!json_is_object (v))
            return s_fail (w, "expected an object (a map), got %s", s_json_kind (v));
        size_t n = json_object_size (v);
        *array = calloc (n? n: 1, size);
        if (!*array)
            return s_fail (w, "out of memory");
        const ProtobufCMessageDescriptor *entry_desc = f->descriptor;
        const char *key;
        json_t *value;
        json_object_foreach ((json_t *) v, key, value) {
            size_t saved = s_push (w, key, 0);
            ProtobufCMessage *entry = s_new_message (entry_desc);
            if (!entry)
                return s_fail (w, "out of memory");
            const ProtobufCFieldDescriptor *kf = &entry_desc->fields [0];
            const ProtobufCFieldDescriptor *vf = &entry_desc->fields [1];
            if (s_scalar_from_text (w, kf, key, (char *) entry + kf->offset)
            ||  (!json_is_null (value) && s_value (w, vf, value, (char *) entry + vf->offset, depth))) {
                protobuf_c_message_free_unpacked (entry, NULL);
                return -1;
            }
            ((ProtobufCMessage **) *array) [(*count)++] = entry;
            s_pop (w, saved);
        }
        return 0;
    }
    if (!json_is_array (v))
        return s_fail (w, "expected an array, got %s", s_json_kind (v));
    size_t n = json_array_size (v);
    *array = calloc (n? n: 1, size);
    if (!*array)
        return s_fail (w, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t saved = s_push (w, NULL, (long) i);
        json_t *element = json_array_get (v, i);
        if (json_is_null (element))
            return s_fail (w, "null is not allowed in an array");
        if (s_value (w, f, element, (char *) *array + i * size, depth))
            return -1;
        (*count)++;
        s_pop (w, saved);
    }
    return 0;
}

static int
s_fill_message (walk_t *w, ProtobufCMessage *message, const json_t *object, int depth,
                void (*on_member) (void *, const char *), void *arg)
{
    if (depth > MAX_DEPTH)
        return s_fail (w, "nested more than %d levels", MAX_DEPTH);
    if (!json_is_object (object))
        return s_fail (w, "expected an object, got %s", s_json_kind (object));
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) object, key, value) {
        const ProtobufCFieldDescriptor *f = s_field_by_name (desc, key, strlen (key));
        size_t saved = s_push (w, f? f->name: key, 0);
        if (!f)
            return s_fail (w, "is not a field of %s", desc->name);
        if (on_member)
            on_member (arg, f->name);
        char *member = (char *) message + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (json_is_null (value))
                s_clear_repeated (message, f);
            else
            if (s_repeated (w, message, f, value, depth))
                return -1;
        }
        else
        if (json_is_null (value))
            s_clear_singular (f, member);
        else {
            /* decode into a scratch slot, then replace the old value */
            union { uint64_t u; double d; void *p; ProtobufCBinaryData b; } scratch;
            memset (&scratch, 0, sizeof scratch);
            if (s_value (w, f, value, &scratch, depth))
                return -1;
            s_clear_singular (f, member);
            memcpy (member, &scratch, inv_json_value_size (f->type));
            s_mark_present (message, f);
        }
        s_pop (w, saved);
    }
    return 0;
}

/* Parse text into a jansson tree; an empty text is an empty object. */
static json_t *
s_load (walk_t *w, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text [i] == ' ' || text [i] == '\t' || text [i] == '\n' || text [i] == '\r'))
        i++;
    if (i == len)
        return json_object ();
    json_error_t error;
    json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        s_fail (w, "not valid JSON: %s at line %d column %d", error.text, error.line, error.column);
        return NULL;
    }
    return root;
}

ProtobufCMessage *
inv_json_to_pb (const ProtobufCMessageDescriptor *desc, const char *text, size_t len,
                inv_json_error_t *err)
{
    walk_t w = { err, "" };
    if (err)
        err->field [0] = err->reason [0] = '\0';
    json_t *root = s_load (&w, text? text: "", text? len: 0);
    if (!root)
        return NULL;
    ProtobufCMessage *message = s_new_message (desc);
    if (!message || s_fill_message (&w, message, root, 0, NULL, NULL)) {
        if (message)
            protobuf_c_message_free_unpacked (message, NULL);
        json_decref (root);
        return NULL;
    }
    json_decref (root);
    return message;
}

int
inv_json_merge_pb (ProtobufCMessage *message, const char *text, size_t len,
                   inv_json_error_t *err, void (*on_member) (void *, const char *), void *arg)
{
    walk_t w = { err, "" };
    if (err)
        err->field [0] = err->reason [0] = '\0';
    json_t *root = s_load (&w, text? text: "", text? len: 0);
    if (!root)
        return -1;
    int rc = s_fill_message (&w, message, root, 0, on_member, arg);
    json_decref (root);
    return rc;
}

int
inv_json_set_field (ProtobufCMessage *message, const char *path, const char *text,
                    inv_json_error_t *err)
{
    walk_t w = { err, "" };
    if (err)
        err->field [0] = err->reason [0] = '\0';
    const char *p = path;
    while (true) {
        const char *dot = strchr (p, '.');
        size_t len = dot? (size_t) (dot - p): strlen (p);
        const ProtobufCFieldDescriptor *f = s_field_by_name (message->descriptor, p, len);
        if (!f) {
            snprintf (w.path + strlen (w.path), sizeof w.path - strlen (w.path), "%s%.*s",
                      *w.path? ".": "", (int) len, p);
            return s_fail (&w, "is not a field of %s", message->descriptor->name);
        }
        s_push (&w, f->name, 0);
        char *member = (char *) message + f->offset;
        if (dot) {
            if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
                return s_fail (&w, "is not a message");
            ProtobufCMessage **sub = (ProtobufCMessage **) member;
            if (!*sub) {
                *sub = s_new_message (f->descriptor);
                if (!*sub)
                    return s_fail (&w, "out of memory");
                s_mark_present (message, f);
            }
            message = *sub;
            p = dot + 1;
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            char *base = (char *) message;
            size_t *count = (size_t *) (base + f->quantifier_offset);
            void **array = (void **) member;
            size_t size = inv_json_value_size (f->type);
            union { uint64_t u; double d; void *p; ProtobufCBinaryData b; } scratch;
            memset (&scratch, 0, sizeof scratch);
            if (s_scalar_from_text (&w, f, text, &scratch))
                return -1;
            void *grown = realloc (*array, (*count + 1) * size);
            if (!grown) {
                if (f->type == PROTOBUF_C_TYPE_STRING) free (scratch.p);
                if (f->type == PROTOBUF_C_TYPE_BYTES) free (scratch.b.data);
                return s_fail (&w, "out of memory");
            }
            *array = grown;
            memcpy ((char *) grown + *count * size, &scratch, size);
            (*count)++;
            return 0;
        }
        union { uint64_t u; double d; void *p; ProtobufCBinaryData b; } scratch;
        memset (&scratch, 0, sizeof scratch);
        if (s_scalar_from_text (&w, f, text, &scratch))
            return -1;
        s_clear_singular (f, member);
        memcpy (member, &scratch, inv_json_value_size (f->type));
        s_mark_present (message, f);
        return 0;
    }
}
