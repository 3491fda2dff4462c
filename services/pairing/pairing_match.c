/*  pairing_match: greedy tiered matching and the exact solver (see pairing_match.h). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <czmq.h>
#include "pairing_match.h"

#define TIERS 9

int
pairing_quality (const pairing_mentee_t *e, const pairing_mentor_t *m, int *digits_p, int *geo_p)
{
    size_t le = strlen (e->ind), lm = strlen (m->ind);
    int digits = 0;
    for (int d = 4; d >= 2; d--)
        if ((size_t) d <= le && (size_t) d <= lm && memcmp (e->ind, m->ind, (size_t) d) == 0) {
            digits = d;
            break;
        }
    int geo = streq (e->county, m->county)? 2: streq (e->city, m->city)? 1: 0;
    if (digits_p)
        *digits_p = digits;
    if (geo_p)
        *geo_p = geo;
    return digits? 3 * (digits - 1) + geo: 0;
}

const char *
pairing_geo_name (int geo)
{
    return geo == 2? "county": geo == 1? "city": "province";
}

/* Tier t (0..8) = quality 11 - t: digits and geography. */
static void
s_tier (int t, int *digits, int *geo)
{
    int q = 11 - t;
    *digits = q / 3 + 1;
    *geo = q % 3;
}

/* ---- heaps of mentors, ordered by load / cap, then cap descending, then index ---- */

typedef struct {
    uint32_t mentor;
    uint32_t load;              /* the load when pushed */
} entry_t;

typedef struct {
    entry_t *items;
    uint32_t size, alloc;
} heap_t;

static __thread const pairing_mentor_t *s_mentors;     /* the run's mentors, for s_before */

static bool
s_before (entry_t a, entry_t b)
{
    const pairing_mentor_t *ma = &s_mentors [a.mentor], *mb = &s_mentors [b.mentor];
    uint64_t la = (uint64_t) a.load * mb->cap, lb = (uint64_t) b.load * ma->cap;
    if (la != lb)
        return la < lb;
    if (ma->cap != mb->cap)
        return ma->cap > mb->cap;
    return a.mentor < b.mentor;
}

static int
s_push (heap_t *h, entry_t e)
{
    if (h->size == h->alloc) {
        uint32_t alloc = h->alloc? h->alloc * 2: 4;
        entry_t *items = (entry_t *) realloc (h->items, alloc * sizeof (entry_t));
        if (!items)
            return -1;
        h->items = items;
        h->alloc = alloc;
    }
    uint32_t i = h->size++;
    while (i > 0 && s_before (e, h->items [(i - 1) / 2])) {
        h->items [i] = h->items [(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items [i] = e;
    return 0;
}

static entry_t
s_pop (heap_t *h)
{
    entry_t top = h->items [0];
    entry_t last = h->items [--h->size];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->size)
            break;
        if (c + 1 < h->size && s_before (h->items [c + 1], h->items [c]))
            c++;
        if (!s_before (h->items [c], last))
            break;
        h->items [i] = h->items [c];
        i = c;
    }
    if (h->size)
        h->items [i] = last;
    return top;
}

/* ---- bucket table: key "<tier>|<industry prefix>|<county or city or ->" ---- */

typedef struct {
    char key [24];
    heap_t heap;
    bool used;
} bucket_t;

typedef struct {
    bucket_t *slots;
    size_t size;                /* power of two */
} table_t;

static void
s_key (char *key, int t, const char *ind, const char *county, const char *city)
{
    int digits, geo;
    s_tier (t, &digits, &geo);
    snprintf (key, 24, "%d|%.*s|%s", t, digits, ind, geo == 2? county: geo == 1? city: "-");
}

static uint64_t
s_hash (const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t) *s) * 1099511628211ULL;
    return h;
}

static bucket_t *
s_find (table_t *t, const char *key, bool create)
{
    size_t i = s_hash (key) & (t->size - 1);
    while (t->slots [i].used) {
        if (streq (t->slots [i].key, key))
            return &t->slots [i];
        i = (i + 1) & (t->size - 1);
    }
    if (!create)
        return NULL;
    t->slots [i].used = true;
    snprintf (t->slots [i].key, sizeof t->slots [i].key, "%s", key);
    return &t->slots [i];
}

static int
s_cmp_mentee (const void *a, const void *b, void *arg)
{
    const pairing_mentee_t *e = (const pairing_mentee_t *) arg;
    return strcmp (e [*(const size_t *) a].code, e [*(const size_t *) b].code);
}

static int
s_cmp_mentor (const void *a, const void *b, void *arg)
{
    const pairing_mentor_t *m = (const pairing_mentor_t *) arg;
    return strcmp (m [*(const size_t *) a].code, m [*(const size_t *) b].code);
}

long
pairing_match (const pairing_mentee_t *mentees, size_t n, pairing_mentor_t *mentors, size_t m,
               pairing_result_t *results)
{
    for (size_t i = 0; i < n; i++)
        results [i] = (pairing_result_t) { -1, 0, 0, 0 };
    if (n == 0 || m == 0)
        return 0;
    /* mentors in code order so that ties break by code */
    size_t *order = (size_t *) malloc (m * sizeof (size_t));
    pairing_mentor_t *sorted = (pairing_mentor_t *) malloc (m * sizeof (pairing_mentor_t));
    size_t *mentee_order = (size_t *) malloc (n * sizeof (size_t));
    table_t table = { NULL, 1 };
    while (table.size < m * TIERS * 2 + 16)
        table.size <<= 1;
    table.slots = (bucket_t *) calloc (table.size, sizeof (bucket_t));
    if (!order || !sorted || !mentee_order || !table.slots) {
        free (order); free (sorted); free (mentee_order); free (table.slots);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        order [i] = i;
    qsort_r (order, m, sizeof (size_t), s_cmp_mentor, (void *) mentors);
    for (size_t i = 0; i < m; i++)
        sorted [i] = mentors [order [i]];
    for (size_t i = 0; i < n; i++)
        mentee_order [i] = i;
    qsort_r (mentee_order, n, sizeof (size_t), s_cmp_mentee, (void *) mentees);
    s_mentors = sorted;

    long matched = 0;
    int rc = 0;
    for (size_t j = 0; j < m && rc == 0; j++) {
        if (sorted [j].load >= sorted [j].cap)
            continue;
        for (int t = 0; t < TIERS && rc == 0; t++) {
            int digits, geo;
            s_tier (t, &digits, &geo);
            if (strlen (sorted [j].ind) < (size_t) digits)
                continue;
            char key [24];
            s_key (key, t, sorted [j].ind, sorted [j].county, sorted [j].city);
            bucket_t *b = s_find (&table, key, true);
            rc = s_push (&b->heap, (entry_t) { (uint32_t) j, sorted [j].load });
        }
    }
    for (int t = 0; t < TIERS && rc == 0; t++) {
        int digits, geo;
        s_tier (t, &digits, &geo);
        for (size_t k = 0; k < n; k++) {
            size_t i = mentee_order [k];
            if (results [i].mentor >= 0 || strlen (mentees [i].ind) < (size_t) digits)
                continue;
            char key [24];
            s_key (key, t, mentees [i].ind, mentees [i].county, mentees [i].city);
            bucket_t *b = s_find (&table, key, false);
            while (b && b->heap.size) {
                entry_t top = s_pop (&b->heap);
                pairing_mentor_t *mm = &sorted [top.mentor];
                if (mm->load >= mm->cap)
                    continue;                           /* full: drop */
                if (mm->load != top.load) {             /* stale: push at its real place */
                    s_push (&b->heap, (entry_t) { top.mentor, mm->load });
                    continue;
                }
                mm->load++;
                if (mm->load < mm->cap)
                    s_push (&b->heap, (entry_t) { top.mentor, mm->load });
                results [i] = (pairing_result_t) { (int) order [top.mentor], digits, geo, 3 * (digits - 1) + geo };
                matched++;
                break;
            }
        }
    }
    for (size_t j = 0; j < m; j++)
        mentors [order [j]].load = sorted [j].load;
    for (size_t i = 0; i < table.size; i++)
        free (table.slots [i].heap.items);
    free (table.slots);
    free (order);
    free (sorted);
    free (mentee_order);
    s_mentors = NULL;
    return rc? -1: matched;
}

uint64_t
pairing_match_objective (const pairing_result_t *results, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (results [i].mentor >= 0)
            sum += (uint64_t) results [i].quality;
    return sum;
}

/* ---- exact: min-cost flow source -> mentees -> mentors -> sink, cost -quality ---- */

typedef struct { int to, cap, cost, rev; } edge_t;
typedef struct { edge_t *e; int n, alloc; } adj_t;

static void
s_edge (adj_t *g, int a, int b, int cap, int cost)
{
    adj_t *ga = &g [a], *gb = &g [b];
    if (ga->n == ga->alloc) { ga->alloc = ga->alloc? ga->alloc * 2: 4; ga->e = realloc (ga->e, ga->alloc * sizeof (edge_t)); }
    if (gb->n == gb->alloc) { gb->alloc = gb->alloc? gb->alloc * 2: 4; gb->e = realloc (gb->e, gb->alloc * sizeof (edge_t)); }
    ga->e [ga->n] = (edge_t) { b, cap, cost, gb->n };
    gb->e [gb->n] = (edge_t) { a, 0, -cost, ga->n };
    ga->n++;
    gb->n++;
}

long
pairing_match_exact (const pairing_mentee_t *mentees, size_t n, const pairing_mentor_t *mentors,
                     size_t m, pairing_result_t *results)
{
    if (n > 2000 || m > 500)
        return -1;
    int V = (int) (n + m + 2), S = (int) (n + m), T = S + 1;
    adj_t *g = (adj_t *) calloc ((size_t) V, sizeof (adj_t));
    for (size_t i = 0; i < n; i++) {
        results [i] = (pairing_result_t) { -1, 0, 0, 0 };
        s_edge (g, S, (int) i, 1, 0);
        for (size_t j = 0; j < m; j++) {
            int q = pairing_quality (&mentees [i], &mentors [j], NULL, NULL);
            if (q > 0 && mentors [j].cap > mentors [j].load)
                s_edge (g, (int) i, (int) (n + j), 1, -q);
        }
    }
    for (size_t j = 0; j < m; j++)
        if (mentors [j].cap > mentors [j].load)
            s_edge (g, (int) (n + j), T, (int) (mentors [j].cap - mentors [j].load), 0);
    long *dist = (long *) malloc ((size_t) V * sizeof (long));
    int *prev_v = (int *) malloc ((size_t) V * sizeof (int));
    int *prev_e = (int *) malloc ((size_t) V * sizeof (int));
    long total = 0;
    for (;;) {
        /* Bellman-Ford (costs may be negative) */
        for (int v = 0; v < V; v++)
            dist [v] = LONG_MAX;
        dist [S] = 0;
        bool changed = true;
        for (int round = 0; round < V && changed; round++) {
            changed = false;
            for (int v = 0; v < V; v++) {
                if (dist [v] == LONG_MAX)
                    continue;
                for (int k = 0; k < g [v].n; k++) {
                    edge_t *e = &g [v].e [k];
                    if (e->cap > 0 && dist [v] + e->cost < dist [e->to]) {
                        dist [e->to] = dist [v] + e->cost;
                        prev_v [e->to] = v;
                        prev_e [e->to] = k;
                        changed = true;
                    }
                }
            }
        }
        if (dist [T] == LONG_MAX || dist [T] >= 0)
            break;                  /* no path, or one that does not improve the objective */
        for (int v = T; v != S; v = prev_v [v]) {
            edge_t *e = &g [prev_v [v]].e [prev_e [v]];
            e->cap--;
            g [v].e [e->rev].cap++;
        }
        total -= dist [T];
    }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < g [i].n; k++) {
            edge_t *e = &g [i].e [k];
            if (e->to >= (int) n && e->to < S && e->cap == 0) {
                int j = e->to - (int) n, digits, geo;
                int q = pairing_quality (&mentees [i], &mentors [j], &digits, &geo);
                results [i] = (pairing_result_t) { j, digits, geo, q };
            }
        }
    for (int v = 0; v < V; v++)
        free (g [v].e);
    free (g);
    free (dist);
    free (prev_v);
    free (prev_e);
    return total;
}
