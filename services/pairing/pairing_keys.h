/*  pairing_keys: every Redis key the pairing service reads or writes, in one place.

    Every key is "{PP}:pair.<suffix>" (inv_key with the formats below), so a province's
    keys share one Redis Cluster slot with the registry's and the outbox's. The Lua
    scripts receive the prefix "{PP}:pair." as KEYS[4] and append the same suffixes
    (pairing_common.lua). docs/pairing.md describes each key and what maintains it.
*/
#ifndef PAIRING_KEYS_H
#define PAIRING_KEYS_H

#define PAIRING_KEY_MAX          160
#define PAIRING_KEY_PREFIX       "pair."

/* Hash: the projection of an enterprise and what is counted for it (pairing_common.lua) */
#define PAIRING_KEY_ENT          "pair.ent:%s"              /* credit code */
/* Set of work group ids serving an enterprise */
#define PAIRING_KEY_ENT_GROUPS   "pair.ent.groups:%s"
/* Hash per division (2 digits): mentors, cap, load of the mentors of that division */
#define PAIRING_KEY_DIV          "pair.div:%s"
/* Set: tracked enterprises of a division without a mentor; set of divisions seen */
#define PAIRING_KEY_DIV_WAIT     "pair.div.wait:%s"
#define PAIRING_KEY_DIVS         "pair.divs"
/* Set: enterprises counted as mentors (ACTIVE, capacity > 0) */
#define PAIRING_KEY_MENTORS      "pair.mentors"
#define PAIRING_KEY_MENTEES      "pair.mentees:%s"          /* mentor: set of mentees */

/* Coverage: hash per scope (tracked covered gaps no_department no_work_group no_pairing
   no_mentor pairings mentored); sorted set of gaps per scope and reason; set of the
   scopes of each kind (city, dept, cluster) */
#define PAIRING_KEY_COV          "pair.cov:%s"              /* "province", "city:140100" ... */
#define PAIRING_KEY_GAPS         "pair.gaps:%s:%s"          /* scope, reason */
#define PAIRING_KEY_COV_SCOPES   "pair.cov.scopes:%s"       /* city, dept, cluster */

/* Work groups. Hash: body (innov.WorkGroup without enterprises), owner, state, version */
#define PAIRING_KEY_GROUP        "pair.group:%s"
#define PAIRING_KEY_GROUP_ENTS   "pair.group.ents:%s"       /* sorted set of credit codes */
#define PAIRING_KEY_GROUPS_ALL   "pair.groups.all"          /* sorted set of ids */
#define PAIRING_KEY_GROUPS_OWNER "pair.groups.owner:%s"
#define PAIRING_KEY_GROUPS_OWNERS "pair.groups.owners"      /* set of owners */
#define PAIRING_KEY_GCNT         "pair.gcnt:%s"             /* "province" or owner: forming, ready */

/* Pairings. Hash: enterprise department city county mentor state start end reason by
   industry quality expl; list of innov.PairingStep; indexes */
#define PAIRING_KEY_PAIRING      "pair.pairing:%s"
#define PAIRING_KEY_PAIRING_HIST "pair.pairing.hist:%s"
#define PAIRING_KEY_PAIRINGS_ENT "pair.pairings.ent:%s"     /* list of ids, oldest first */
#define PAIRING_KEY_PAIRINGS_ACTIVE "pair.pairings.active"  /* sorted set of active ids */
#define PAIRING_KEY_PAIRINGS_CITY "pair.pairings.city:%s"   /* sorted set of active ids */

/* Guidance: agency projection hash (kind cluster industry name); alliances per cluster;
   links both ways; links to alliances per cluster (hash field = cluster) */
#define PAIRING_KEY_AGENCY       "pair.agency:%s"
#define PAIRING_KEY_ALLIANCES    "pair.alliances:%s"
#define PAIRING_KEY_GUIDE        "pair.guide:%s"            /* agency -> enterprises */
#define PAIRING_KEY_GUIDED       "pair.guided:%s"           /* enterprise -> agencies */
#define PAIRING_KEY_GUIDE_CLUSTER "pair.guide.cluster"

/* Hash: projected (events applied) */
#define PAIRING_KEY_STATS        "pair.stats"

#endif
