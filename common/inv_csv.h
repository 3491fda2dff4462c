/*  inv_csv: CSV as agencies' spreadsheets write it (RFC 4180), read as a stream.

    The reader takes a FILE and gives one record at a time: fields may be quoted, a
    quoted field may hold commas, doubled quotes and line breaks; records end with
    CRLF, LF or CR. Lines that are empty, or whose fields are all empty, are skipped.
    A record's line is the file line it starts on (from 1), so a report can point at
    it even when an earlier field spanned several lines.

    Text comes out in UTF-8 whatever the file's encoding. The encoding is detected
    from the first 64 KiB unless given: a UTF-8 byte order mark means UTF-8 (the mark
    is dropped); bytes that are valid UTF-8 mean UTF-8, unless every non-ASCII
    character is a 2-byte one (short GB18030 text often looks like that, while Chinese
    in UTF-8 takes 3 bytes a character); anything else is GB18030 (what
    Chinese Excel saves as "CSV"), converted with iconv as the file streams by, so a
    file of any size uses a fixed amount of memory.

    The writer quotes a field only when it must (comma, quote, CR, LF, or a leading or
    trailing space) and ends records with CRLF, which Excel expects; inv_csv_write_bom
    starts a file Excel opens as UTF-8.
*/
#ifndef INV_CSV_H
#define INV_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct _inv_csv_t inv_csv_t;

/* encoding: NULL or "auto" to detect, else "utf-8" or "gb18030" (any iconv name).
   Returns NULL with a reason in err when the encoding is unknown. The FILE stays the
   caller's. */
inv_csv_t *inv_csv_new (FILE *in, const char *encoding, char *err, size_t err_size);
void inv_csv_destroy (inv_csv_t **self_p);

/* The next record: 1 and *fields / *count set (valid until the next call), 0 at the
   end, -1 on an error (reason in inv_csv_error: bytes that do not convert, a quote
   never closed, a record over 1 MiB). */
int inv_csv_read (inv_csv_t *self, char ***fields, size_t *count);
size_t inv_csv_line (inv_csv_t *self);                 /* line the last record started on */
const char *inv_csv_encoding (inv_csv_t *self);        /* "UTF-8" or "GB18030" (after the first read) */
size_t inv_csv_bytes_read (inv_csv_t *self);           /* bytes taken from the FILE so far */
const char *inv_csv_error (inv_csv_t *self);

/* Detect the encoding of a buffer: "UTF-8" or "GB18030"; *bom_p set to the length of a
   UTF-8 byte order mark at its start (0 or 3). `complete` says the buffer is the whole
   file (else a multi-byte sequence cut at its end is not held against UTF-8). */
const char *inv_csv_detect (const unsigned char *data, size_t size, bool complete, size_t *bom_p);

/* Writing. */
void inv_csv_write_bom (FILE *out);
void inv_csv_write_field (FILE *out, const char *text);
void inv_csv_write_row (FILE *out, const char **fields, size_t count);

/* Remove spaces (ASCII and the full-width U+3000) around text, in place. */
char *inv_csv_trim (char *text);
#endif
