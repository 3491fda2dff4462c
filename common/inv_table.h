/*  inv_table: human tables for the terminal, aligned by display width, so Chinese
    names (two columns per character) line up with ASCII ones.
*/
#ifndef INV_TABLE_H
#define INV_TABLE_H
#include <stdio.h>
#include <stddef.h>
#include <stdbool.h>

typedef struct _inv_table_t inv_table_t;

inv_table_t *inv_table_new (size_t columns, const char **headers);
void inv_table_destroy (inv_table_t **self_p);
/* Add a row of `columns` strings (copied; NULL prints as empty). */
void inv_table_add (inv_table_t *self, const char **cells);
/* Right-align a column (numbers); columns are left-aligned by default. */
void inv_table_set_right (inv_table_t *self, size_t column, bool right);
/* Number of rows added. */
size_t inv_table_rows (inv_table_t *self);
/* Header, a line of dashes per column, then the rows; columns two spaces apart,
   no trailing blanks. */
void inv_table_print (inv_table_t *self, FILE *out);
/* Display width of a UTF-8 string (East Asian wide characters count 2). */
size_t inv_display_width (const char *text);
void inv_table_test (bool verbose);
#endif
