/*  fuzz_entcsv: the enterprise spreadsheet importer, bytes to rows.

    The input is a whole file as an agency would upload it: the CSV reader detects
    its encoding (UTF-8, with or without a mark, or GB18030 through iconv), splits
    records, the first record is mapped as the header (inv_entcsv_map) and every
    further record becomes an Enterprise view (inv_entcsv_row), as the import does.
    The first input byte picks the encoding argument (detect, UTF-8, GB18030), so
    both decoders are driven whatever the bytes look like. The buffer detector
    (inv_csv_detect) and the cell parsers see the same bytes.
*/
#include "fuzz.h"
#include "inv_csv.h"
#include "inv_entcsv.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_entcsv");
    fuzz_input_t in = { data, size };
    static const char *encodings [] = { NULL, "auto", "utf-8", "gb18030" };
    const char *encoding = encodings [fuzz_byte (&in) % 4];

    size_t bom = 0;
    inv_csv_detect (in.data, in.size, true, &bom);
    assert (bom == 0 || bom == 3);
    inv_csv_detect (in.data, in.size, false, &bom);

    if (in.size == 0)
        return 0;
    FILE *file = fmemopen ((void *) in.data, in.size, "rb");
    if (!file)
        return 0;
    char err [256];
    inv_csv_t *csv = inv_csv_new (file, encoding, err, sizeof err);
    assert (csv);
    char **fields;
    size_t count;
    inv_entcsv_map_t map;
    bool mapped = false;
    int rc, records = 0;
    while ((rc = inv_csv_read (csv, &fields, &count)) == 1 && records < 2000) {
        records++;
        /* the cell parsers on the first records (the rows below parse every cell) */
        for (size_t i = 0; i < count && records <= 3 && i < 64; i++) {
            assert (fields [i]);
            double amount;
            bool yes;
            inv_entcsv_amount (fields [i], &amount);
            inv_entcsv_yes_no (fields [i], &yes);
            inv_entcsv_status_label (inv_entcsv_status (fields [i]));
            if (records == 1)
                inv_entcsv_col_of_header (fields [i]);
        }
        if (records == 1) {
            /* the first record is the header, as the import reads it */
            mapped = inv_entcsv_map (&map, fields, count, err, sizeof err) == 0;
            if (!mapped)
                break;
            assert (map.width == count);
        }
        else {
            Innov__Enterprise e;
            int col = -1;
            char reason [512];
            inv_entcsv_row (&map, fields, count, &e, &col, reason, sizeof reason);
        }
        inv_csv_line (csv);
    }
    inv_csv_encoding (csv);
    if (rc < 0)
        assert (inv_csv_error (csv));
    inv_csv_destroy (&csv);
    fclose (file);
    return 0;
}
