/*  inv_csv: a streaming RFC 4180 reader with encoding detection, and a small writer.

    Reading is two stages over fixed buffers. The source stage fills `text` with UTF-8:
    straight from the FILE when the file is UTF-8, or through iconv from `raw` when it
    is GB18030 (a multi-byte character cut by the end of `raw` is carried over to the
    next read). The parser stage takes bytes from `text` one at a time (one byte of
    look-ahead for "" and CRLF) and builds the record in `record`: the fields one after
    another, each ended by NUL, with their starts in `offsets`. Both grow as a record
    needs, up to RECORD_MAX.
*/
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "inv_csv.h"

#define RAW_SIZE      65536
#define TEXT_SIZE     (4 * RAW_SIZE)
#define RECORD_MAX    (1024 * 1024)
#define PROBE_SIZE    RAW_SIZE

struct _inv_csv_t {
    FILE *in;
    char encoding [32];             /* "" until detected */
    iconv_t cd;                     /* (iconv_t) -1 for UTF-8 */
    unsigned char raw [RAW_SIZE];
    size_t raw_pos, raw_len;
    char text [TEXT_SIZE];
    size_t text_pos, text_len;
    bool eof;                       /* the FILE is exhausted */
    bool started;
    size_t bytes_read;
    int pushback;                   /* -1 none */
    size_t line, record_line;
    char *record;
    size_t record_len, record_size;
    size_t *offsets;
    size_t nfields, fields_size;
    char **fields;
    char error [256];
};

static void
s_error (inv_csv_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (self->error, sizeof self->error, fmt, args);
    va_end (args);
}

inv_csv_t *
inv_csv_new (FILE *in, const char *encoding, char *err, size_t err_size)
{
    inv_csv_t *self = (inv_csv_t *) calloc (1, sizeof (inv_csv_t));
    if (!self)
        return NULL;
    self->in = in;
    self->cd = (iconv_t) -1;
    self->pushback = -1;
    self->line = 1;
    if (encoding && *encoding && strcasecmp (encoding, "auto") != 0) {
        if (strcasecmp (encoding, "utf-8") == 0 || strcasecmp (encoding, "utf8") == 0)
            snprintf (self->encoding, sizeof self->encoding, "UTF-8");
        else {
            self->cd = iconv_open ("UTF-8", encoding);
            if (self->cd == (iconv_t) -1) {
                if (err)
                    snprintf (err, err_size, "encoding \"%s\" is not known (try utf-8 or gb18030)", encoding);
                free (self);
                return NULL;
            }
            snprintf (self->encoding, sizeof self->encoding, "%s", encoding);
            for (char *p = self->encoding; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p -= 'a' - 'A';
        }
    }
    return self;
}

void
inv_csv_destroy (inv_csv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inv_csv_t *self = *self_p;
    if (self->cd != (iconv_t) -1)
        iconv_close (self->cd);
    free (self->record);
    free (self->offsets);
    free (self->fields);
    free (self);
    *self_p = NULL;
}

/* ---- encoding ----------------------------------------------------------------------- */

const char *
inv_csv_detect (const unsigned char *data, size_t size, bool complete, size_t *bom_p)
{
    *bom_p = 0;
    if (size >= 3 && data [0] == 0xEF && data [1] == 0xBB && data [2] == 0xBF) {
        *bom_p = 3;
        return "UTF-8";
    }
    size_t i = 0, two = 0, more = 0;
    while (i < size) {
        unsigned char c = data [i];
        int extra = c < 0x80? 0: (c & 0xE0) == 0xC0 && c >= 0xC2? 1: (c & 0xF0) == 0xE0? 2:
                    (c & 0xF8) == 0xF0 && c <= 0xF4? 3: -1;
        if (extra < 0)
            return "GB18030";
        if (i + extra >= size && extra > 0)
            return complete? "GB18030": "UTF-8";       /* cut at the end of the probe */
        for (int k = 1; k <= extra; k++)
            if ((data [i + k] & 0xC0) != 0x80)
                return "GB18030";
        two += extra == 1;
        more += extra > 1;
        i += 1 + extra;
    }
    /* GB18030 pairs often happen to be valid 2-byte UTF-8 (Cyrillic, Arabic...);
       Chinese text in UTF-8 has 3-byte sequences */
    return two > 0 && more == 0? "GB18030": "UTF-8";
}

/* Read more raw bytes after the unconsumed ones. */
static size_t
s_read_raw (inv_csv_t *self)
{
    if (self->raw_pos > 0) {
        memmove (self->raw, self->raw + self->raw_pos, self->raw_len - self->raw_pos);
        self->raw_len -= self->raw_pos;
        self->raw_pos = 0;
    }
    size_t n = 0;
    if (!self->eof && self->raw_len < RAW_SIZE) {
        n = fread (self->raw + self->raw_len, 1, RAW_SIZE - self->raw_len, self->in);
        if (n == 0)
            self->eof = true;
        self->raw_len += n;
        self->bytes_read += n;
    }
    return n;
}

static int
s_start (inv_csv_t *self)
{
    self->started = true;
    s_read_raw (self);
    while (!self->eof && self->raw_len < PROBE_SIZE)
        s_read_raw (self);
    size_t bom = 0;
    const char *detected = inv_csv_detect (self->raw, self->raw_len, self->eof, &bom);
    if (!*self->encoding) {
        snprintf (self->encoding, sizeof self->encoding, "%s", detected);
        if (strcmp (detected, "UTF-8") != 0) {
            self->cd = iconv_open ("UTF-8", detected);
            if (self->cd == (iconv_t) -1) {
                s_error (self, "cannot convert from %s: %s", detected, strerror (errno));
                return -1;
            }
        }
    }
    if (self->cd == (iconv_t) -1)
        self->raw_pos = bom;                        /* UTF-8 with or without its mark */
    return 0;
}

/* Refill `text`; returns bytes available, 0 at the end, -1 on an error. */
static int
s_fill (inv_csv_t *self)
{
    if (!self->started && s_start (self))
        return -1;
    self->text_pos = self->text_len = 0;
    if (self->cd == (iconv_t) -1) {
        if (self->raw_pos == self->raw_len)
            s_read_raw (self);
        size_t n = self->raw_len - self->raw_pos;
        memcpy (self->text, self->raw + self->raw_pos, n);
        self->raw_pos = self->raw_len;
        self->text_len = n;
        return (int) n;
    }
    while (self->text_len == 0) {
        if (self->raw_len - self->raw_pos < 16)
            s_read_raw (self);
        if (self->raw_pos == self->raw_len)
            return 0;
        char *in = (char *) self->raw + self->raw_pos;
        size_t in_left = self->raw_len - self->raw_pos;
        char *out = self->text;
        size_t out_left = TEXT_SIZE;
        size_t rc = iconv (self->cd, &in, &in_left, &out, &out_left);
        int saved = errno;
        self->raw_pos = (unsigned char *) in - self->raw;
        self->text_len = TEXT_SIZE - out_left;
        if (rc == (size_t) -1 && self->text_len == 0) {
            if (saved == EINVAL && !self->eof) {
                s_read_raw (self);
                continue;
            }
            if (saved == EILSEQ || saved == EINVAL) {
                s_error (self, "line %zu: bytes that are not %s (0x%02X at byte %zu of the file)", self->line,
                         self->encoding, self->raw [self->raw_pos],
                         self->bytes_read - (self->raw_len - self->raw_pos));
                return -1;
            }
        }
    }
    return (int) self->text_len;
}

/* Next byte, -1 at the end, -2 on an error. */
static int
s_getc (inv_csv_t *self)
{
    if (self->pushback >= 0) {
        int c = self->pushback;
        self->pushback = -1;
        return c;
    }
    if (self->text_pos == self->text_len) {
        int n = s_fill (self);
        if (n < 0)
            return -2;
        if (n == 0)
            return -1;
    }
    return (unsigned char) self->text [self->text_pos++];
}

/* ---- parsing ------------------------------------------------------------------------ */

static int
s_put (inv_csv_t *self, char c)
{
    if (self->record_len + 1 >= self->record_size) {
        if (self->record_size >= RECORD_MAX) {
            s_error (self, "line %zu: a record longer than %d bytes", self->record_line, RECORD_MAX);
            return -1;
        }
        size_t size = self->record_size? self->record_size * 2: 4096;
        char *record = (char *) realloc (self->record, size);
        if (!record)
            return -1;
        self->record = record;
        self->record_size = size;
    }
    self->record [self->record_len++] = c;
    return 0;
}

static int
s_begin_field (inv_csv_t *self)
{
    if (self->nfields == self->fields_size) {
        size_t size = self->fields_size? self->fields_size * 2: 32;
        size_t *offsets = (size_t *) realloc (self->offsets, size * sizeof (size_t));
        if (!offsets)
            return -1;
        self->offsets = offsets;
        char **fields = (char **) realloc (self->fields, size * sizeof (char *));
        if (!fields)
            return -1;
        self->fields = fields;
        self->fields_size = size;
    }
    self->offsets [self->nfields++] = self->record_len;
    return 0;
}

/* One record into record/offsets: 1, 0 at the end of the file, -1 on an error. */
static int
s_record (inv_csv_t *self)
{
    self->record_len = 0;
    self->nfields = 0;
    self->record_line = self->line;
    int c = s_getc (self);
    if (c == -1)
        return 0;
    if (s_begin_field (self))
        return -1;
    bool at_field_start = true;
    while (true) {
        if (c == -2)
            return -1;
        if (at_field_start && c == '"') {
            at_field_start = false;
            while (true) {
                c = s_getc (self);
                if (c == -2)
                    return -1;
                if (c == -1) {
                    s_error (self, "line %zu: a quote opened here is never closed", self->record_line);
                    return -1;
                }
                if (c == '"') {
                    int next = s_getc (self);
                    if (next == '"') {
                        if (s_put (self, '"'))
                            return -1;
                        continue;
                    }
                    self->pushback = next;
                    break;
                }
                if (c == '\n' || (c == '\r' && (self->pushback = s_getc (self)) != '\n'))
                    self->line++;
                if (s_put (self, (char) c))
                    return -1;
            }
            c = s_getc (self);
            continue;
        }
        at_field_start = false;
        if (c == ',' || c == '\n' || c == '\r' || c == -1) {
            if (s_put (self, '\0'))
                return -1;
            if (c == ',') {
                if (s_begin_field (self))
                    return -1;
                at_field_start = true;
                c = s_getc (self);
                continue;
            }
            if (c == '\r') {
                int next = s_getc (self);
                if (next != '\n')
                    self->pushback = next;
            }
            if (c != -1)
                self->line++;
            break;
        }
        if (s_put (self, (char) c))
            return -1;
        c = s_getc (self);
    }
    for (size_t i = 0; i < self->nfields; i++)
        self->fields [i] = self->record + self->offsets [i];
    return 1;
}

int
inv_csv_read (inv_csv_t *self, char ***fields, size_t *count)
{
    while (true) {
        int rc = s_record (self);
        if (rc <= 0)
            return rc;
        bool blank = true;
        for (size_t i = 0; i < self->nfields && blank; i++)
            for (const char *p = self->fields [i]; *p && blank; p++)
                if (*p != ' ' && *p != '\t')
                    blank = false;
        if (blank)
            continue;
        *fields = self->fields;
        *count = self->nfields;
        return 1;
    }
}

size_t inv_csv_line (inv_csv_t *self)             { return self->record_line; }
const char *inv_csv_encoding (inv_csv_t *self)    { return self->encoding; }
size_t inv_csv_bytes_read (inv_csv_t *self)       { return self->bytes_read; }
const char *inv_csv_error (inv_csv_t *self)       { return self->error; }

/* ---- writing ------------------------------------------------------------------------ */

void
inv_csv_write_bom (FILE *out)
{
    fputs ("\xEF\xBB\xBF", out);
}

void
inv_csv_write_field (FILE *out, const char *text)
{
    if (!text)
        text = "";
    size_t length = strlen (text);
    bool quote = strpbrk (text, ",\"\r\n") != NULL
              || (length > 0 && (text [0] == ' ' || text [length - 1] == ' '));
    if (!quote) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc ('"', out);
        fputc (*p, out);
    }
    fputc ('"', out);
}

void
inv_csv_write_row (FILE *out, const char **fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc (',', out);
        inv_csv_write_field (out, fields [i]);
    }
    fputs ("\r\n", out);
}

char *
inv_csv_trim (char *text)
{
    char *start = text;
    while (true) {
        if (*start == ' ' || *start == '\t')
            start++;
        else
        if ((unsigned char) start [0] == 0xE3 && (unsigned char) start [1] == 0x80 && (unsigned char) start [2] == 0x80)
            start += 3;                             /* U+3000 ideographic space */
        else
            break;
    }
    size_t length = strlen (start);
    while (length > 0) {
        if (start [length - 1] == ' ' || start [length - 1] == '\t')
            length--;
        else
        if (length >= 3 && (unsigned char) start [length - 3] == 0xE3
        &&  (unsigned char) start [length - 2] == 0x80 && (unsigned char) start [length - 1] == 0x80)
            length -= 3;
        else
            break;
    }
    memmove (text, start, length);
    text [length] = 0;
    return text;
}
