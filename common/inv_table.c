/*  inv_table: human tables for the terminal, aligned by display width.

    A terminal gives East Asian Wide and Fullwidth characters (CJK ideographs, kana,
    Hangul syllables, CJK and fullwidth punctuation) two columns, combining marks and
    zero-width characters none, and everything else one. Padding by bytes or by
    characters therefore breaks as soon as a Chinese name meets an ASCII code, so the
    table measures each cell with inv_display_width and pads with spaces to the widest
    cell of its column.

    The width tables are ranges of code points from Unicode's EastAsianWidth (W and F)
    and general categories Mn / Me / Cf, condensed to what text in this platform can
    contain; they are searched by bisection. A byte that does not start valid UTF-8
    counts one column (a terminal shows it as one replacement character), and control
    characters count none. Cells are copied with tabs and line breaks turned into
    spaces, so one row is always one line.

    Output: the header row, a line of dashes under each column, then the rows; columns
    are separated by two spaces, the last column is not padded (no trailing blanks),
    and a column may be right-aligned (numbers).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include "inv_table.h"

typedef struct { uint32_t first, last; } range_t;

/* Zero width: combining marks (Mn, Me), format characters (Cf), Hangul jamo vowels
   and finals that join the syllable before them, variation selectors. */
static const range_t s_zero [] = {
    { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
    { 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
    { 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
    { 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED }, { 0x0900, 0x0902 }, { 0x093A, 0x093A },
    { 0x093C, 0x093C }, { 0x0941, 0x0948 }, { 0x094D, 0x094D }, { 0x0951, 0x0957 },
    { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x0F71, 0x0F7E },
    { 0x1160, 0x11FF }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F },
    { 0x202A, 0x202E }, { 0x2060, 0x2064 }, { 0x20D0, 0x20F0 }, { 0x302A, 0x302D },
    { 0x3099, 0x309A }, { 0xD7B0, 0xD7FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
    { 0xFEFF, 0xFEFF }, { 0x1D167, 0x1D169 }, { 0x1D173, 0x1D182 }, { 0xE0001, 0xE0001 },
    { 0xE0020, 0xE007F }, { 0xE0100, 0xE01EF },
};

/* Two columns: East Asian Wide (W) and Fullwidth (F). */
static const range_t s_wide [] = {
    { 0x1100, 0x115F },     /* Hangul Jamo initials */
    { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 },
    { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
    { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 }, { 0x26AA, 0x26AB },
    { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 },
    { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
    { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B }, { 0x2728, 0x2728 },
    { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 },
    { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
    { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 },
    { 0x2E80, 0x303E },     /* CJK radicals, Kangxi, ideographic description, CJK punctuation */
    { 0x3041, 0x33FF },     /* kana, bopomofo, Hangul compatibility jamo, CJK compatibility */
    { 0x3400, 0x4DBF },     /* CJK extension A */
    { 0x4E00, 0x9FFF },     /* CJK unified ideographs */
    { 0xA000, 0xA4CF },     /* Yi */
    { 0xA960, 0xA97F },     /* Hangul Jamo extended A */
    { 0xAC00, 0xD7A3 },     /* Hangul syllables */
    { 0xF900, 0xFAFF },     /* CJK compatibility ideographs */
    { 0xFE10, 0xFE19 },     /* vertical forms */
    { 0xFE30, 0xFE6F },     /* CJK compatibility forms, small form variants */
    { 0xFF00, 0xFF60 },     /* fullwidth ASCII forms */
    { 0xFFE0, 0xFFE6 },     /* fullwidth signs */
    { 0x16FE0, 0x16FE4 }, { 0x17000, 0x18CFF }, { 0x1AFF0, 0x1B2FF },
    { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
    { 0x1F200, 0x1F251 }, { 0x1F260, 0x1F265 }, { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 },
    { 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 },
    { 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 },
    { 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 },
    { 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F },
    { 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 },
    { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F93A },
    { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
    { 0x20000, 0x2FFFD },   /* CJK extensions B to F, compatibility supplement */
    { 0x30000, 0x3FFFD },   /* CJK extension G and after */
};

static bool
s_in (const range_t *table, size_t count, uint32_t cp)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < table [mid].first)
            hi = mid;
        else
        if (cp > table [mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

#define COUNT(table) (sizeof table / sizeof table [0])

/* Columns one code point takes: 0, 1 or 2. */
static int
s_codepoint_width (uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return 1;
    if (s_in (s_zero, COUNT (s_zero), cp))
        return 0;
    return s_in (s_wide, COUNT (s_wide), cp)? 2: 1;
}

/* Decodes the code point at s; returns the bytes it takes (1 for an invalid byte,
   with *cp = U+FFFD). */
static size_t
s_decode (const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s [0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n = 0;
    uint32_t value = 0, min = 0;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; value = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; value = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; value = c & 0x07; min = 0x10000; }
    else { *cp = 0xFFFD; return 1; }
    for (size_t i = 1; i < n; i++) {
        if ((s [i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        value = (value << 6) | (s [i] & 0x3F);
    }
    if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = value;
    return n;
}

size_t
inv_display_width (const char *text)
{
    size_t width = 0;
    const unsigned char *p = (const unsigned char *) (text? text: "");
    while (*p) {
        uint32_t cp;
        p += s_decode (p, &cp);
        width += (size_t) s_codepoint_width (cp);
    }
    return width;
}

/* ---- the table ------------------------------------------------------------------------- */

struct _inv_table_t {
    size_t columns;
    char **headers;
    bool *right;                /* right-aligned columns */
    char ***rows;
    size_t count;
    size_t allocated;
};

/* A copy of text with tabs and line breaks as spaces. */
static char *
s_cell_copy (const char *text)
{
    char *copy = strdup (text? text: "");
    if (!copy)
        abort ();
    for (char *p = copy; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
            *p = ' ';
    return copy;
}

inv_table_t *
inv_table_new (size_t columns, const char **headers)
{
    assert (columns > 0);
    inv_table_t *self = calloc (1, sizeof *self);
    if (!self)
        abort ();
    self->columns = columns;
    self->headers = calloc (columns, sizeof (char *));
    self->right = calloc (columns, sizeof (bool));
    if (!self->headers || !self->right)
        abort ();
    for (size_t i = 0; i < columns; i++)
        self->headers [i] = s_cell_copy (headers? headers [i]: NULL);
    return self;
}

static void
s_free_row (char **row, size_t columns)
{
    for (size_t i = 0; i < columns; i++)
        free (row [i]);
    free (row);
}

void
inv_table_destroy (inv_table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inv_table_t *self = *self_p;
    for (size_t r = 0; r < self->count; r++)
        s_free_row (self->rows [r], self->columns);
    free (self->rows);
    s_free_row (self->headers, self->columns);
    free (self->right);
    free (self);
    *self_p = NULL;
}

void
inv_table_add (inv_table_t *self, const char **cells)
{
    if (self->count == self->allocated) {
        self->allocated = self->allocated? self->allocated * 2: 16;
        self->rows = realloc (self->rows, self->allocated * sizeof (char **));
        if (!self->rows)
            abort ();
    }
    char **row = calloc (self->columns, sizeof (char *));
    if (!row)
        abort ();
    for (size_t i = 0; i < self->columns; i++)
        row [i] = s_cell_copy (cells? cells [i]: NULL);
    self->rows [self->count++] = row;
}

void
inv_table_set_right (inv_table_t *self, size_t column, bool right)
{
    if (column < self->columns)
        self->right [column] = right;
}

size_t
inv_table_rows (inv_table_t *self)
{
    return self->count;
}

static void
s_spaces (FILE *out, size_t count)
{
    for (size_t i = 0; i < count; i++)
        fputc (' ', out);
}

static void
s_print_row (inv_table_t *self, FILE *out, char **cells, const size_t *widths)
{
    for (size_t i = 0; i < self->columns; i++) {
        size_t pad = widths [i] - inv_display_width (cells [i]);
        bool last = i + 1 == self->columns;
        if (i > 0)
            fputs ("  ", out);
        if (self->right [i])
            s_spaces (out, pad);
        fputs (cells [i], out);
        if (!self->right [i] && !last)
            s_spaces (out, pad);
    }
    fputc ('\n', out);
}

void
inv_table_print (inv_table_t *self, FILE *out)
{
    size_t *widths = calloc (self->columns, sizeof (size_t));
    if (!widths)
        abort ();
    for (size_t i = 0; i < self->columns; i++) {
        widths [i] = inv_display_width (self->headers [i]);
        for (size_t r = 0; r < self->count; r++) {
            size_t w = inv_display_width (self->rows [r][i]);
            if (w > widths [i])
                widths [i] = w;
        }
    }
    s_print_row (self, out, self->headers, widths);
    for (size_t i = 0; i < self->columns; i++) {
        if (i > 0)
            fputs ("  ", out);
        for (size_t j = 0; j < widths [i]; j++)
            fputc ('-', out);
    }
    fputc ('\n', out);
    for (size_t r = 0; r < self->count; r++)
        s_print_row (self, out, self->rows [r], widths);
    free (widths);
}

/* ---- self test ------------------------------------------------------------------------- */

void
inv_table_test (bool verbose)
{
    if (verbose)
        printf (" * inv_table: ");
    assert (inv_display_width ("abc") == 3);
    assert (inv_display_width ("太原市") == 6);
    assert (inv_display_width ("e\xCC\x81") == 1);
    assert (inv_display_width ("\xEF\xBC\xA1") == 2);    /* fullwidth A */
    const char *headers [] = { "名称", "code" };
    inv_table_t *table = inv_table_new (2, headers);
    const char *row [] = { "太原", "140100" };
    inv_table_add (table, row);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    inv_table_print (table, out);
    fclose (out);
    assert (strcmp (text, "名称  code\n----  ------\n太原  140100\n") == 0);
    free (text);
    inv_table_destroy (&table);
    assert (table == NULL);
    if (verbose)
        printf ("OK\n");
}
