/*  gen: realistic above-scale industrial enterprises (规上工业企业) for demos, tests
    and benchmarks, deterministic for a given profile, province and seed.

    A profile is a named data set: "shanxi" (one province, about 10,000 enterprises,
    about 40% with R&D activity) and "national" (every county of the division table,
    500,000 enterprises, about 70% not yet innovating).
*/
#ifndef GEN_H
#define GEN_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    char credit_code [19];
    char name [160];
    char county [7];
    char city [7];
    char industry [5];
    char department [16];
    char cluster [32];          /* cluster code, or "" */
    double operating_revenue;   /* 万元, at least 2000 */
    double rd_expenditure;      /* 万元 */
    bool has_rd_institution;
    bool has_rd_activity;
    const char *status;         /* not_started, in_progress, active, closed */
} gen_record_t;

typedef struct {
    const char *name;           /* "shanxi", "national" */
    bool every_province;        /* every county of the division table, not one province */
    uint64_t count;             /* records made when no count is given */
    double rd_propensity;       /* factor on the chance of R&D activity */
    double rd_intensity;        /* median R&D expenditure / revenue of those with activity */
} gen_profile_t;

/* The profile of that name, or NULL; gen_profile_names lists them ("shanxi, national"). */
const gen_profile_t *gen_profile_find (const char *name);
const char *gen_profile_names (void);

typedef struct _gen_t gen_t;

/* NULL (reason in err) when the profile has no county in the division table: the
   province's for a one-province profile (province), every province's otherwise. */
gen_t *gen_new (const gen_profile_t *profile, const char *province, uint64_t seed,
                char *err, size_t errsize);
/* Counties records are drawn from. */
size_t gen_county_count (const gen_t *self);
void gen_destroy (gen_t **self_p);
/* The next record; codes and names are unique within one generator. */
void gen_next (gen_t *self, gen_record_t *record);

/* The 9-character organisation code's check character (GB 11714) for its first 8
   characters (digits and capital letters), or 0 when one is not allowed. */
char gen_org_check_char (const char *first8);

/* CSV: the header row and one row per record (UTF-8, comma-separated, RFC 4180). */
void gen_csv_header (FILE *out);
void gen_csv_row (FILE *out, const gen_record_t *record);
#endif
