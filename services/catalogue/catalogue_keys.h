/*  catalogue_keys: every Redis key the catalogue reads or writes, in one place.

    Each is a format for inv_key (buf, size, province, FORMAT, ...), which puts the
    province hash tag in front ("{14}:cat.tech:T2026-001"), so one script may touch
    every key of a province. docs/catalogue.md describes each key and what maintains it.
*/
#ifndef CATALOGUE_KEYS_H
#define CATALOGUE_KEYS_H

#define CATALOGUE_KEY_MAX            160

/* Sequences (INCR) from which record ids are made */
#define CATALOGUE_KEY_SEQ            "cat.seq:%s:%u"        /* kind (tech, proj, demo, sup, pol), year */

/* Key technologies. Hash: body (innov.TechEntry, the current version), state, version */
#define CATALOGUE_KEY_TECH           "cat.tech:%s"          /* entry id */
/* List of innov.TechEntry, oldest first: every version of the entry */
#define CATALOGUE_KEY_TECH_VERSIONS  "cat.tech.ver:%s"      /* entry id */
/* Sorted set: the entry ids of a year's directory, score = sequence number */
#define CATALOGUE_KEY_TECH_IDX       "cat.tech.idx:%u"      /* year */
/* Hash: published (0/1), published_ms, published_by, entries, active */
#define CATALOGUE_KEY_DIRECTORY      "cat.dir:%u"           /* year */

/* Projects. Hash: body (innov.Project), state, year, city, version */
#define CATALOGUE_KEY_PROJECT        "cat.proj:%s"          /* project id */
/* Sorted sets of project ids, score = sequence number */
#define CATALOGUE_KEY_PROJECT_IDX    "cat.proj.idx:%u"              /* year */
#define CATALOGUE_KEY_PROJECT_STATE  "cat.proj.idx:%u:state:%s"     /* year, state */
#define CATALOGUE_KEY_PROJECT_CITY   "cat.proj.idx:%u:city:%s"      /* year, city */
#define CATALOGUE_KEY_PROJECT_ENT    "cat.proj.idx:ent:%s"          /* credit code (every year) */
/* Hash: quota (absent = the default), applied, selected */
#define CATALOGUE_KEY_PLAN           "cat.plan:%u"          /* year */
#define CATALOGUE_DEFAULT_QUOTA      100

/* Demonstrations, support records. Hash: body, version; sorted set per year */
#define CATALOGUE_KEY_DEMO           "cat.demo:%s"
#define CATALOGUE_KEY_DEMO_IDX       "cat.demo.idx:%u"      /* year */
#define CATALOGUE_KEY_SUPPORT        "cat.sup:%s"
#define CATALOGUE_KEY_SUPPORT_IDX    "cat.sup.idx:%u"       /* year */
/* Policies (not by year: a policy stays until it expires). Hash: body, version */
#define CATALOGUE_KEY_POLICY         "cat.pol:%s"
#define CATALOGUE_KEY_POLICY_IDX     "cat.pol.idx"

/* Hashes of counters for figures.get, field = figure name ("projects.selected") */
#define CATALOGUE_KEY_COUNT          "cat.cnt:%u:%s"        /* year, scope ("province", "city:140100") */

#endif
