/*  fuzz_valid: the credit-code, division, department, cluster and industry checks.

    The input, NUL-terminated, goes to every validator and look-up of inv_valid.h,
    and what they say must agree with itself: a code said valid has 18 characters
    and its own check character, a completed prefix is valid, a division found has
    the code asked for.
*/
#include "fuzz.h"
#include "inv_valid.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    fuzz_quiet ("fuzz_valid");
    char *text = (char *) malloc (size + 1);
    memcpy (text, data, size);
    text [size] = 0;

    char reason [256];
    if (inv_credit_code_valid (text, reason, sizeof reason)) {
        assert (strlen (text) == 18);
        assert (inv_credit_code_check_char (text) == text [17]);
    }
    inv_credit_code_valid (text, NULL, 0);
    char code [19];
    if (inv_credit_code_complete (text, code))
        assert (inv_credit_code_valid (code, reason, sizeof reason));

    const inv_division_t *division = inv_division_find (text);
    if (division)
        assert (streq (division->code, text));
    inv_division_is_county (text);
    inv_division_is_city (text);
    inv_department_find (text);
    inv_cluster_find (text);
    inv_industry_valid (text, reason, sizeof reason);
    inv_industry_valid (text, NULL, 0);
    inv_industry_section (text);
    inv_industry_division_name (text);
    free (text);
    return 0;
}
