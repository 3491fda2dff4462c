/*  pairing_match: mentor matching in memory, and an exact solver for small instances.

    Quality of a match (higher is better): 3 x industry level + geography level, with
    industry level 3 (same 4-digit class), 2 (same 3-digit group), 1 (same 2-digit
    division) and geography level 2 (same county), 1 (same city), 0 (same province):
    11 for the same class in the same county down to 3 for the same division elsewhere in
    the province. Industry always outranks geography.

    pairing_match is greedy by tiers: for quality 11, 10, ... 3 in turn, every mentee
    still without a mentor (in credit code order) takes, among the mentors of its
    tier's bucket (same industry prefix and same county / city / province) that still
    have room, the one with the lowest load / capacity (then the larger capacity, then the
    smaller credit code). Buckets are heaps with lazy updates, so a run is
    O((n + m x 9) log m). Deterministic: the output depends only on the input sets.

    pairing_match_exact finds a maximum-quality assignment (min-cost flow, successive
    shortest paths) for instances small enough (a few hundred edges).
*/
#ifndef PAIRING_MATCH_H
#define PAIRING_MATCH_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char code [20];
    char ind [5];
    char county [7];
    char city [7];
} pairing_mentee_t;

typedef struct {
    char code [20];
    char ind [5];
    char county [7];
    char city [7];
    uint32_t cap;
    uint32_t load;              /* in: current load; out: load after the matching */
} pairing_mentor_t;

typedef struct {
    int mentor;                 /* index into mentors, -1 none */
    int ind_digits;             /* 4, 3, 2 (0 without) */
    int geo;                    /* 2 county, 1 city, 0 province */
    int quality;
} pairing_result_t;

/* The quality of a possible match, 0 when the mentor cannot mentor the mentee
   (different division); *digits_p and *geo_p (may be NULL) say why. */
int pairing_quality (const pairing_mentee_t *e, const pairing_mentor_t *m, int *digits_p, int *geo_p);
const char *pairing_geo_name (int geo);

/* Greedy matching; results[i] for mentees[i]. Returns the number matched, -1 when out
   of memory. mentors[].load is updated. */
long pairing_match (const pairing_mentee_t *mentees, size_t n, pairing_mentor_t *mentors, size_t m,
                    pairing_result_t *results);
/* Sum of the qualities of an assignment. */
uint64_t pairing_match_objective (const pairing_result_t *results, size_t n);
/* A maximum-quality assignment (loads are not changed); returns the objective, or -1
   when the instance is too large (n > 2000 or m > 500). */
long pairing_match_exact (const pairing_mentee_t *mentees, size_t n, const pairing_mentor_t *mentors,
                          size_t m, pairing_result_t *results);
#endif
